import assert from 'node:assert/strict';
import { computeDora, DORA_DEFINITIONS, formatDuration, gatherDora } from '../../../src/core/doraMetrics';
import type { Deployment, DeploymentStatus } from '../../../src/core/model';
import { GitCli } from '../../../src/git/gitCli';
import { openCore, type CoreHarness } from '../../support/coreHarness';
import { TempRepo } from '../../support/gitRepo';

const H = 3_600_000;

function deployment(id: string, status: DeploymentStatus, at: string, extra: Partial<Deployment> = {}): Deployment {
  const t = new Date(at);
  return {
    id, environment: 'production', status, startedAt: new Date(t.getTime() - 10 * 60_000),
    ...(status === 'pending' || status === 'in_progress' ? {} : { completedAt: t }),
    createdAt: new Date(t.getTime() - 10 * 60_000), updatedAt: t, ...extra,
  };
}

describe('metrics: DORA figures', () => {
  describe('computeDora on a constructed deployment log', () => {
    const from = new Date('2026-03-01T00:00:00Z');
    const to = new Date('2026-03-31T00:00:00Z');

    it('reaches elite with daily deployments, same-day lead times, no failures', () => {
      const deployments = Array.from({ length: 45 }, (_, i) => deployment(`d${i}`, 'completed', new Date(from.getTime() + i * 16 * H).toISOString()));
      const leadCommits = new Map(deployments.map((d) => [d.id, [{ sha: `c${d.id}`, committedAt: new Date(d.completedAt!.getTime() - 3 * H) }]]));
      const r = computeDora({ deployments, leadCommits, from, to, environment: 'production' });
      assert.equal(r.deploymentFrequency.value, 1.5);
      assert.equal(r.deploymentFrequency.display, '1.5 a day');
      assert.equal(r.deploymentFrequency.band, 'elite');
      assert.equal(r.leadTime.display, '3 h');
      assert.equal(r.leadTime.band, 'elite');
      assert.equal(r.changeFailureRate.display, '0 %');
      assert.equal(r.changeFailureRate.band, 'elite');
      assert.equal(r.timeToRestore.display, 'no failures');
      assert.equal(r.timeToRestore.band, null);
      assert.equal(r.leadTime.definition, DORA_DEFINITIONS.leadTime);
      assert.match(r.changeFailureRate.definition, /failed or were rolled back, divided by all production deployments that finished/);
    });

    it('says "no data" with nothing deployed, and counts an unrestored failure as open', () => {
      const empty = computeDora({ deployments: [], leadCommits: new Map(), from, to, environment: 'production' });
      assert.deepEqual([empty.deploymentFrequency.display, empty.deploymentFrequency.band], ['0 a week', 'low']);
      assert.deepEqual([empty.leadTime.display, empty.leadTime.value, empty.changeFailureRate.display], ['no data', null, 'no data']);
      const broken = computeDora({ deployments: [deployment('x', 'failed', '2026-03-30T00:00:00Z')], leadCommits: new Map(), from, to, environment: 'production' });
      assert.equal(broken.timeToRestore.display, 'not restored yet');
      assert.equal(broken.timeToRestore.open, 1);
      assert.deepEqual(broken.notes, ['1 failed production deployment is not restored yet: left out of time to restore.']);
      assert.equal(broken.changeFailureRate.display, '100 %');
    });

    it('counts a blue-green colour from its first traffic; one aborted before any traffic is left out of every figure', () => {
      const bg = (trafficAt?: string) => ({ metadata: { kind: 'promotion', blueGreen: { colour: 'green', ...(trafficAt ? { trafficAt } : {}) } } });
      const deployments = [
        deployment('plain', 'completed', '2026-03-02T10:00:00Z'),
        // Deployed to green on the 5th, traffic from the 6th 09:00, rolled back at 09:30: a failure of 30 min.
        deployment('bg-failed', 'rolled_back', '2026-03-05T10:00:00Z', { rolledBackAt: new Date('2026-03-06T09:30:00Z'), ...bg('2026-03-06T09:00:00Z') }),
        // Deployed to green, aborted before any traffic: users never had it.
        deployment('bg-aborted', 'rolled_back', '2026-03-08T10:00:00Z', { rolledBackAt: new Date('2026-03-08T11:00:00Z'), ...bg() }),
        // A colour whose deployment failed: nothing reached users either.
        deployment('bg-broken', 'failed', '2026-03-09T10:00:00Z', bg()),
        // Deployed on the 10th, traffic on the 12th: live (and its lead time counted) from the 12th.
        deployment('bg-ok', 'completed', '2026-03-10T10:00:00Z', bg('2026-03-12T10:00:00Z')),
      ];
      const leadCommits = new Map([['bg-ok', [{ sha: 'c1', committedAt: new Date('2026-03-10T10:00:00Z') }]]]);
      const r = computeDora({ deployments, leadCommits, from, to, environment: 'production' });
      assert.equal(r.deploymentFrequency.sample, 3, 'plain, bg-failed and bg-ok went out');
      assert.equal(r.changeFailureRate.sample, 3);
      assert.equal(r.changeFailureRate.display, '33.3 %');
      assert.equal(r.timeToRestore.display, '30 min', 'from the first traffic to the rollback');
      assert.equal(r.timeToRestore.open, 0);
      assert.equal(r.leadTime.display, '2 d', 'lead time ends at the first traffic, not at the colour deployment');
      assert.match(r.deploymentFrequency.definition, /blue-green one went out when traffic first reached its colour/);
    });

    it('formats durations', () => {
      assert.equal(formatDuration(45 * 60_000), '45 min');
      assert.equal(formatDuration(30 * H), '30 h');
      assert.equal(formatDuration(60 * H), '2.5 d');
    });
  });

  describe('gatherDora from the deployment log and a real git repository', () => {
    let h: CoreHarness;
    let repo: TempRepo;
    const c: Record<string, string> = {};

    beforeEach(async () => {
      repo = new TempRepo();
      c.c1 = repo.commit('feat: one', { 'a.txt': '1' }, '2026-03-01T00:00:00Z');
      c.c2 = repo.commit('feat: two', { 'a.txt': '2' }, '2026-03-10T00:00:00Z');
      c.c3 = repo.commit('fix: three', { 'a.txt': '3' }, '2026-03-11T00:00:00Z');
      c.c4 = repo.commit('feat: four (bad)', { 'a.txt': '4' }, '2026-03-15T00:00:00Z');
      c.c5 = repo.commit('fix: five', { 'a.txt': '5' }, '2026-03-20T12:00:00Z');
      h = await openCore({ dir: repo.dir });
      const log: Deployment[] = [
        deployment('D0', 'completed', '2026-03-01T12:00:00Z', { metadata: { commit: c.c1 } }), // before the window
        deployment('D1', 'completed', '2026-03-12T00:00:00Z', { metadata: { commit: c.c3 } }), // brings c2, c3
        deployment('D2', 'rolled_back', '2026-03-16T00:00:00Z', { metadata: { commit: c.c4 }, rolledBackAt: new Date('2026-03-16T02:00:00Z') }), // c4
        deployment('D3', 'completed', '2026-03-16T03:00:00Z', { metadata: { commit: c.c3 } }), // back to c3: nothing new
        deployment('D4', 'failed', '2026-03-21T00:00:00Z', { metadata: { commit: c.c5 } }),
        deployment('D5', 'completed', '2026-03-21T06:00:00Z', { metadata: { commit: c.c5 } }), // c5 (c4 went out with D2 first)
        deployment('D6', 'in_progress', '2026-03-31T00:00:00Z'),
        { ...deployment('S1', 'failed', '2026-03-20T00:00:00Z'), environment: 'staging' },
      ];
      await h.uow.write(async (r) => {
        for (const d of log) await r.deployments.insert(d);
      });
    });
    afterEach(async () => h.close());

    it('computes each figure with its band and definition', async () => {
      const r = await gatherDora({ uow: h.uow, git: new GitCli(repo.dir), now: new Date('2026-04-01T00:00:00Z') });
      assert.equal(r.environment, 'production');
      assert.equal(r.days, 30);
      // D1, D2, D3 and D5 went live in the window: 4 in 30 days.
      assert.equal(r.deploymentFrequency.sample, 4);
      assert.equal(r.deploymentFrequency.display, '0.9 a week');
      assert.equal(r.deploymentFrequency.band, 'medium');
      // c2 48 h, c3 24 h, c4 24 h, c5 18 h: median 24 h.
      assert.equal(r.leadTime.sample, 4);
      assert.equal(r.leadTime.value, 24);
      assert.equal(r.leadTime.display, '24 h');
      assert.equal(r.leadTime.band, 'high');
      // D2 rolled back and D4 failed, of D1…D5.
      assert.equal(r.changeFailureRate.sample, 5);
      assert.equal(r.changeFailureRate.display, '40 %');
      assert.equal(r.changeFailureRate.band, 'low');
      // D2: live 00:00, rolled back 02:00 (before D3 at 03:00) → 2 h; D4: failed 00:00, D5 live 06:00 → 6 h.
      assert.equal(r.timeToRestore.sample, 2);
      assert.equal(r.timeToRestore.value, 4);
      assert.equal(r.timeToRestore.display, '4 h');
      assert.equal(r.timeToRestore.band, 'high');
      assert.deepEqual(r.notes, []);
    });

    it('says what it left out: no commit recorded, the first deployment on record, no git', async () => {
      await h.uow.write((x) => x.deployments.insert(deployment('D7', 'completed', '2026-03-25T00:00:00Z')));
      const r = await gatherDora({ uow: h.uow, git: new GitCli(repo.dir), now: new Date('2026-03-26T00:00:00Z'), windowDays: 30 });
      assert.deepEqual(r.notes, [
        '1 production deployment recorded no commit: left out of lead time.',
        'The first production deployment on record has no earlier one to tell its new commits: left out of lead time.',
      ]);
      const noGit = await gatherDora({ uow: h.uow, now: new Date('2026-04-01T00:00:00Z') });
      assert.equal(noGit.leadTime.display, 'no data');
      assert.deepEqual(noGit.notes, ['No git repository: lead time for changes cannot be measured.']);
      assert.equal(noGit.changeFailureRate.display, '33.3 %', 'D7 adds a successful deployment');
    });
  });
});
