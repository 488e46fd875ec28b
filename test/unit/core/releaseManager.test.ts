import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ical, { type VEvent } from 'node-ical';
import { NotFoundError, RefusedError, ValidationError } from '../../../src/core/model';
import { GitCli, GitIdentity } from '../../../src/git/gitCli';
import { openCore, tempDir, type CoreHarness } from '../../support/coreHarness';
import { TempRepo } from '../../support/gitRepo';

async function withServices(h: CoreHarness): Promise<void> {
  await h.catalog.addServices([
    { name: 'db' },
    { name: 'auth', dependencies: ['db'] },
    { name: 'api', dependencies: ['auth', 'db'] },
    { name: 'worker', dependencies: ['db'] },
    { name: 'frontend', dependencies: ['api'] },
  ]);
}

describe('core: ReleaseManager', () => {
  let h: CoreHarness;
  beforeEach(async () => {
    h = await openCore();
    await withServices(h);
  });
  afterEach(async () => h.close());

  describe('createRelease', () => {
    it('creates the release, its conversation and its calendar event in one transaction, audited', async () => {
      const { release, conversationId } = await h.releases.createRelease('Q1 Release', '1.2.0', {
        description: 'Major feature release',
        services: ['api', 'frontend', 'worker'],
        plannedStart: new Date('2026-03-10T09:00:00Z'),
        plannedEnd: new Date('2026-03-10T12:00:00Z'),
      });
      assert.equal(release.status, 'planned');
      assert.equal(release.conversationId, conversationId);
      assert.deepEqual(release.services, ['api', 'frontend', 'worker']);
      const stored = await h.releases.getRelease(release.id);
      assert.deepEqual(stored, release);
      const events = await h.releases.listCalendarEvents();
      assert.equal(events.length, 1);
      assert.equal(events[0].startsAt.toISOString(), '2026-03-10T09:00:00.000Z');
      assert.equal(events[0].endsAt.toISOString(), '2026-03-10T12:00:00.000Z');
      assert.match(events[0].title, /1\.2\.0/);
      assert.deepEqual(await h.releases.listMessages(conversationId), []);
      const audit = await h.uow.read((r) => r.audit.list({ entityId: release.id }));
      assert.equal(audit.length, 1);
      assert.equal(audit[0].action, 'release.create');
      assert.equal(audit[0].actor, 'Ada Tester');
      assert.equal(audit[0].before, undefined);
      assert.equal((audit[0].after as { version: string }).version, '1.2.0');
    });

    const invalid: [string, () => Promise<unknown>, RegExp][] = [
      ['an empty name', () => h.releases.createRelease('  ', '1.0.0'), /^name: must not be empty$/],
      ['a name with a newline', () => h.releases.createRelease('a\nb', '1.0.0'), /^name: must be a single line$/],
      ['a version that is not semver', () => h.releases.createRelease('x', '1.2'), /^version: '1\.2' is not a valid semantic version .* did you mean 1\.2\.0\?$/],
      ['a v-prefixed version', () => h.releases.createRelease('x', 'v1.2.0'), /^version: 'v1\.2\.0' is not a valid semantic version/],
      ['a version that is not text', () => h.releases.createRelease('x', 12 as unknown as string), /^version: expected text, got number 12$/],
      ['an unknown service', () => h.releases.createRelease('x', '1.0.0', { services: ['api', 'billing'] }),
        /^services: unknown service 'billing'; known services: api, auth, db, frontend, worker$/],
      ['a service listed twice', () => h.releases.createRelease('x', '1.0.0', { services: ['api', 'api'] }), /^services: 'api' is listed twice$/],
      ['an end before the start', () => h.releases.createRelease('x', '1.0.0', { plannedStart: new Date('2026-03-10'), plannedEnd: new Date('2026-03-09') }),
        /^plannedEnd: 2026-03-09T00:00:00\.000Z is before plannedStart 2026-03-10T00:00:00\.000Z$/],
      ['an invalid date', () => h.releases.createRelease('x', '1.0.0', { plannedStart: new Date('nope') }), /^plannedStart: expected a date, got an invalid date$/],
    ];
    for (const [what, call, message] of invalid) {
      it(`refuses ${what}, naming the field, and changes nothing`, async () => {
        const before = await h.uow.read(async (r) => ({ n: await r.releases.count(), audit: (await r.audit.list()).length }));
        await assert.rejects(call(), (e: Error) => e instanceof ValidationError && message.test(e.message));
        const after = await h.uow.read(async (r) => ({ n: await r.releases.count(), audit: (await r.audit.list()).length }));
        assert.deepEqual(after, before);
      });
    }

    it('refuses a version that exists in the same project, and allows it in another project', async () => {
      await h.releases.createRelease('First', '1.0.0');
      await assert.rejects(h.releases.createRelease('Again', '1.0.0'), /^ValidationError: version: 1\.0\.0 already exists \(release 'First', planned\)$|version: 1\.0\.0 already exists \(release 'First', planned\)/);
      const other = await h.releases.createRelease('Other project', '1.0.0', { projectId: 'mobile' });
      assert.equal(other.release.projectId, 'mobile');
      await assert.rejects(h.releases.createRelease('Again', '1.0.0', { projectId: 'mobile' }), /already exists in project mobile/);
    });

    it('explains that no services exist yet when the catalog is empty', async () => {
      const empty = await openCore();
      try {
        await assert.rejects(empty.releases.createRelease('x', '1.0.0', { services: ['api'] }),
          /services: unknown service 'api'; no services are defined yet \(add or discover them first\)/);
      } finally {
        await empty.close();
      }
    });
  });

  describe('updateRelease and the status machine', () => {
    it('updates fields, moves the calendar event and audits before → after', async () => {
      const { release } = await h.releases.createRelease('Q1', '1.0.0', { plannedStart: new Date('2026-03-10T09:00:00Z') });
      h.clock.advance(60_000);
      const after = await h.releases.updateRelease(release.id, { name: 'Q1 (big)', plannedStart: new Date('2026-03-11T09:00:00Z'), services: ['db'] });
      assert.equal(after.name, 'Q1 (big)');
      assert.deepEqual(after.services, ['db']);
      assert.ok(after.updatedAt > release.updatedAt);
      assert.deepEqual(await h.releases.getRelease(release.id), after);
      const [ev] = await h.releases.listCalendarEvents();
      assert.equal(ev.startsAt.toISOString(), '2026-03-11T09:00:00.000Z');
      const audit = await h.uow.read((r) => r.audit.list({ entityId: release.id }));
      assert.equal(audit.at(-1)!.action, 'release.update');
      assert.equal((audit.at(-1)!.before as { name: string }).name, 'Q1');
      assert.equal((audit.at(-1)!.after as { name: string }).name, 'Q1 (big)');
    });

    it('follows planned → in progress → deployed, setting actualStart and actualEnd', async () => {
      const { release } = await h.releases.createRelease('R', '1.0.0');
      h.clock.set('2026-03-05T08:00:00Z');
      const started = await h.releases.updateRelease(release.id, { status: 'in_progress' });
      assert.equal(started.actualStart?.toISOString(), '2026-03-05T08:00:00.000Z');
      h.clock.set('2026-03-06T08:00:00Z');
      const done = await h.releases.updateRelease(release.id, { status: 'deployed' });
      assert.equal(done.actualEnd?.toISOString(), '2026-03-06T08:00:00.000Z');
      assert.equal(done.actualStart?.toISOString(), '2026-03-05T08:00:00.000Z');
    });

    const refusals: [string, string[], string, RegExp][] = [
      ['planned → deployed', [], 'deployed', /cannot go from planned to deployed: it has not been deployed anywhere yet; promote it through the environments first/],
      ['deployed → planned', ['in_progress', 'deployed'], 'planned', /cannot go from deployed to planned: a deployed release is final; plan a new version instead/],
      ['deployed → cancelled', ['in_progress', 'deployed'], 'cancelled', /cannot go from deployed to cancelled: a deployed release is final/],
      ['in progress → planned', ['in_progress'], 'planned', /cannot go from in progress to planned: allowed from in progress: deployed, cancelled/],
    ];
    for (const [what, path, to, message] of refusals) {
      it(`refuses ${what} with the reason and changes nothing`, async () => {
        const { release } = await h.releases.createRelease('R', '1.0.0');
        for (const s of path) await h.releases.updateRelease(release.id, { status: s as 'in_progress' });
        const before = await h.releases.getRelease(release.id);
        await assert.rejects(h.releases.updateRelease(release.id, { status: to as 'planned' }), (e: Error) => e instanceof RefusedError && message.test(e.message));
        assert.deepEqual(await h.releases.getRelease(release.id), before);
      });
    }

    it('cancels a planned or in-progress release; a cancelled one cannot change at all', async () => {
      const { release } = await h.releases.createRelease('R', '1.0.0');
      const cancelled = await h.releases.cancelRelease(release.id, 'scope moved to 1.1.0');
      assert.equal(cancelled.status, 'cancelled');
      await assert.rejects(h.releases.updateRelease(release.id, { name: 'again' }), /release 1\.0\.0 \(R\) is cancelled; it cannot be changed/);
      await assert.rejects(h.releases.cancelRelease(release.id), /cannot go from cancelled to cancelled: a cancelled release is final/);
      const [ev] = await h.releases.listCalendarEvents();
      assert.match(ev.title, /^Cancelled: /);
      const audit = await h.uow.read((r) => r.audit.list({ entityId: release.id }));
      assert.equal((audit.at(-1)!.after as { reason: string }).reason, 'scope moved to 1.1.0');
    });

    it('refuses a version change once deployments exist, and an unknown field', async () => {
      const { release } = await h.releases.createRelease('R', '1.0.0');
      await h.releases.updateRelease(release.id, { status: 'in_progress' });
      await assert.rejects(h.releases.updateRelease(release.id, { version: '1.0.1' }), /cannot change: it is in progress and its deployments name 1\.0\.0/);
      await assert.rejects(h.releases.updateRelease(release.id, { colour: 'red' } as never), /^ValidationError: colour: is not a field that can be updated|colour: is not a field/);
    });

    it('refuses an update to a version another release has', async () => {
      await h.releases.createRelease('A', '1.0.0');
      const { release } = await h.releases.createRelease('B', '1.1.0');
      await assert.rejects(h.releases.updateRelease(release.id, { version: '1.0.0' }), /version: 1\.0\.0 already exists \(release 'A', planned\)/);
    });

    it('answers an unknown release with NotFoundError', async () => {
      await assert.rejects(h.releases.updateRelease('nope', { name: 'x' }), (e: Error) => e instanceof NotFoundError && /release 'nope' does not exist/.test(e.message));
      assert.equal(await h.releases.getRelease('nope'), null);
    });
  });

  describe('listReleases', () => {
    it('filters by status and text, newest first', async () => {
      const a = await h.releases.createRelease('Alpha', '1.0.0');
      h.clock.advance(1000);
      await h.releases.createRelease('Beta', '1.1.0');
      h.clock.advance(1000);
      await h.releases.createRelease('Gamma 100%_', '2.0.0');
      await h.releases.cancelRelease(a.release.id);
      assert.deepEqual((await h.releases.listReleases()).map((r) => r.version), ['2.0.0', '1.1.0', '1.0.0']);
      assert.deepEqual((await h.releases.listReleases({ status: 'planned' })).map((r) => r.version), ['2.0.0', '1.1.0']);
      assert.deepEqual((await h.releases.listReleases({ text: 'bet' })).map((r) => r.version), ['1.1.0']);
      assert.deepEqual((await h.releases.listReleases({ text: '%_' })).map((r) => r.version), ['2.0.0']);
      assert.deepEqual((await h.releases.listReleases({ limit: 1 })).map((r) => r.version), ['2.0.0']);
      assert.throws(() => h.releases.listReleases({ status: 'shipped' as never }), /filter\.status: 'shipped' is not one of planned, in_progress, deployed, cancelled/);
    });
  });

  describe('conversation', () => {
    it('posts and lists messages with author and time, oldest first', async () => {
      const { conversationId } = await h.releases.createRelease('R', '1.0.0');
      await h.releases.postMessage(conversationId, 'ada', 'Ready for staging?');
      h.clock.advance(5000);
      await h.releases.postMessage(conversationId, 'bob', 'Yes — tests are green.\nGo ahead.');
      const msgs = await h.releases.listMessages(conversationId);
      assert.deepEqual(msgs.map((m) => [m.author, m.text]), [['ada', 'Ready for staging?'], ['bob', 'Yes — tests are green.\nGo ahead.']]);
      assert.equal(msgs[1].createdAt.getTime() - msgs[0].createdAt.getTime(), 5000);
      await assert.rejects(h.releases.postMessage(conversationId, 'ada', '   '), /^ValidationError: text: must not be empty|text: must not be empty/);
      await assert.rejects(h.releases.postMessage('missing', 'ada', 'hi'), /conversation 'missing' does not exist/);
    });
  });

  describe('calendar export', () => {
    it('writes a valid iCalendar file that an independent parser reads back', async () => {
      const a = await h.releases.createRelease('Q1', '1.0.0', { plannedStart: new Date('2026-03-10T09:00:00Z'), plannedEnd: new Date('2026-03-10T11:00:00Z') });
      const b = await h.releases.createRelease('Q2; with, "punctuation"', '2.0.0', { plannedStart: new Date('2026-06-10T09:00:00Z') });
      const file = path.join(h.dir, 'releases.ics');
      const res = await h.releases.exportCalendar(file);
      assert.equal(res.events, 2);
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(text.includes('\r\n'), 'CRLF line endings');
      const parsed = Object.values(ical.sync.parseICS(text)).filter((e) => e?.type === 'VEVENT') as VEvent[];
      assert.equal(parsed.length, 2);
      const byStart = parsed.sort((x, y) => +x.start - +y.start);
      assert.equal(byStart[0].start.toISOString(), '2026-03-10T09:00:00.000Z');
      assert.equal(byStart[0].end?.toISOString(), '2026-03-10T11:00:00.000Z');
      assert.match(String(byStart[0].summary), /Release 1\.0\.0 — Q1/);
      assert.match(String(byStart[1].summary), /Q2; with, "punctuation"/);
      assert.ok(String(byStart[0].uid).includes(a.release.id));
      assert.ok(String(byStart[1].uid).includes(b.release.id));
    });
  });
});

describe('core: risk assessment', () => {
  it('scores every factor with value, weight and explanation on a real git repository with tags', async () => {
    const repo = new TempRepo();
    repo.commit('feat: first', { 'api/src/index.ts': 'export const a = 1;\n' });
    repo.tag('v1.0.0');
    repo.commit('feat(api): orders', { 'api/src/orders.ts': 'export const orders = [];\n'.repeat(40) });
    repo.commit('feat(db): add orders table', { 'db/migrations/002_orders.sql': 'CREATE TABLE orders (id int);\n' });
    repo.commit('chore: deps', { 'package-lock.json': '{}\n' });
    const h = await openCore({ dir: repo.dir, git: new GitCli(repo.dir) });
    try {
      await withServices(h);
      const { release } = await h.releases.createRelease('Orders', '1.1.0', { services: ['api', 'db'], plannedStart: new Date('2026-03-03T09:00:00Z') });
      const assessed = await h.releases.assessRisk(release.id);
      const f = assessed.riskFactors!;
      assert.deepEqual(Object.keys(f).sort(), ['changeSize', 'dependencyFanIn', 'recentFailures', 'scheduleProximity', 'sensitivePaths', 'serviceCount']);
      assert.equal(f.serviceCount.value, 2);
      assert.equal(f.dependencyFanIn.value, 3);
      assert.match(f.dependencyFanIn.explanation, /^db is a dependency of 3 services \(api, auth, worker\)$/);
      assert.equal(f.changeSize.value, 42);
      assert.match(f.changeSize.explanation, /^42 lines changed in 3 files over 3 commits since v1\.0\.0$/);
      assert.equal(f.sensitivePaths.value, 2);
      assert.match(f.sensitivePaths.explanation, /db\/migrations\/002_orders\.sql/);
      assert.match(f.scheduleProximity.explanation, /Planned to start within a day/);
      const weights = Object.values(f).reduce((s, x) => s + x.weight, 0);
      assert.ok(Math.abs(weights - 1) < 0.01, `weights sum to 1, got ${weights}`);
      assert.ok(assessed.riskScore! > 0 && assessed.riskScore! < 1);
      const manual = Object.values(f).reduce((s, x) => s + x.weight * (x.score ?? 0), 0);
      assert.ok(Math.abs(manual - assessed.riskScore!) < 0.01, 'the score is the weighted sum of the factors');
      assert.deepEqual((await h.releases.getRelease(release.id))!.riskFactors, f, 'stored on the release');
    } finally {
      await h.close();
    }
  });

  it('says "unavailable" for git factors outside a repository or without an earlier tag, and gives them no weight', async () => {
    const plain = tempDir();
    const h = await openCore({ dir: plain, git: new GitCli(plain) });
    try {
      await withServices(h);
      const { release } = await h.releases.createRelease('R', '1.0.0', { services: ['api'] });
      const a = await h.releases.assessRisk(release.id);
      assert.equal(a.riskFactors!.changeSize.value, 'unavailable');
      assert.equal(a.riskFactors!.changeSize.weight, 0);
      assert.equal(a.riskFactors!.changeSize.score, null);
      assert.match(a.riskFactors!.changeSize.explanation, /not a git repository/);
    } finally {
      await h.close();
    }
    const repo = new TempRepo();
    repo.commit('feat: first', { 'a.txt': 'a\n' });
    repo.tag('v2.0.0');
    const g = await openCore({ dir: repo.dir, git: new GitCli(repo.dir) });
    try {
      const { release } = await g.releases.createRelease('R', '1.0.0');
      const a = await g.releases.assessRisk(release.id);
      assert.match(a.riskFactors!.changeSize.explanation, /no git tag for a version before 1\.0\.0/);
    } finally {
      await g.close();
    }
  });

  it('raises the score with recent failed and rolled-back deployments', async () => {
    const h = await openCore();
    try {
      await withServices(h);
      const { release } = await h.releases.createRelease('R', '1.0.0', { services: ['api'] });
      const calm = (await h.releases.assessRisk(release.id)).riskScore!;
      await h.uow.write(async (r) => {
        for (const [i, status] of (['failed', 'rolled_back', 'completed', 'failed'] as const).entries()) {
          const at = new Date(h.clock.now().getTime() - (i + 1) * 86_400_000);
          await r.deployments.insert({ id: `d${i}`, releaseId: release.id, environment: 'staging', status, createdAt: at, updatedAt: at });
        }
      });
      const assessed = await h.releases.assessRisk(release.id);
      assert.equal(assessed.riskFactors!.recentFailures.value, 3);
      assert.match(assessed.riskFactors!.recentFailures.explanation, /^3 of 4 deployments in the last 30 days failed or were rolled back \(3 of this release\)$/);
      assert.ok(assessed.riskScore! > calm);
    } finally {
      await h.close();
    }
  });

  it('takes the actor from git config user.name, else the OS user', async () => {
    const repo = new TempRepo();
    assert.equal(await new GitIdentity(repo.dir).currentUser(), 'Repo Author');
    const plain = tempDir();
    const who = await new GitIdentity(plain).currentUser();
    assert.ok(who.length > 0);
  });
});
