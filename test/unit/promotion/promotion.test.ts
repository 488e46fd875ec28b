import assert from 'node:assert/strict';
import { NotFoundError, RefusedError, ValidationError, type Release } from '../../../src/core/model';
import { GitCli } from '../../../src/git/gitCli';
import { TempRepo } from '../../support/gitRepo';
import { openPipelines, type PipelineHarness } from '../../support/pipelineHarness';

/** Promotes without a pipeline and marks the deployment through the status machine. */
async function deploy(h: PipelineHarness, release: Release, env: string, to: 'completed' | 'failed' = 'completed', options = {}) {
  const d = await h.promotion.promoteToEnvironment(release.id, env, undefined, options);
  await h.promotion.transitionDeployment(d.id, 'in_progress');
  return h.promotion.transitionDeployment(d.id, to);
}

const refused = (message: string) => (err: unknown) => {
  assert.ok(err instanceof RefusedError, `expected a RefusedError, got ${String(err)}`);
  assert.equal(err.message, message);
  return true;
};

describe('promotion: EnvironmentPromotionManager', () => {
  let h: PipelineHarness;
  beforeEach(async () => {
    h = await openPipelines({ timeZone: 'UTC' });
  });
  afterEach(async () => h.close());

  describe('environments', () => {
    it('creates dev, test, staging, production once on first use, production protected, audited', async () => {
      const envs = await h.promotion.listEnvironments();
      assert.deepEqual(envs.map((e) => [e.name, e.position, e.protected]), [
        ['dev', 0, false], ['test', 1, false], ['staging', 2, false], ['production', 3, true],
      ]);
      const audit = await h.uow.read((r) => r.audit.list({ entityType: 'environment' }));
      assert.equal(audit.filter((a) => a.action === 'environment.create').length, 4);
      // Removing them all does not bring them back: the defaults are created once.
      for (const e of envs) await h.promotion.removeEnvironment(e.name);
      assert.deepEqual(await h.promotion.listEnvironments(), []);
      const again = new (h.promotion.constructor as typeof import('../../../src/core/releases/EnvironmentPromotionManager').EnvironmentPromotionManager)({
        uow: h.uow, clock: h.clock, identity: { currentUser: async () => 'x' },
      });
      assert.deepEqual(await again.listEnvironments(), []);
    });

    it('adds at a position, renames (deployments follow), reorders, updates, removes', async () => {
      const qa = await h.promotion.addEnvironment('qa', { position: 2, guidedFailure: true });
      assert.equal(qa.position, 2);
      assert.deepEqual((await h.promotion.listEnvironments()).map((e) => e.name), ['dev', 'test', 'qa', 'staging', 'production']);
      const rel = await h.release();
      const d = await deploy(h, rel, 'dev');
      await h.promotion.renameEnvironment('dev', 'development');
      assert.equal((await h.promotion.getDeployment(d.id))?.environment, 'development');
      await h.promotion.reorderEnvironments(['development', 'qa', 'test', 'staging', 'production']);
      assert.deepEqual((await h.promotion.listEnvironments()).map((e) => `${e.position}:${e.name}`), ['0:development', '1:qa', '2:test', '3:staging', '4:production']);
      const updated = await h.promotion.updateEnvironment('qa', { protected: true, requireDifferentApprover: true });
      assert.equal(updated.protected, true);
      assert.equal(updated.guidedFailure, true);
      await h.promotion.removeEnvironment('qa');
      assert.deepEqual((await h.promotion.listEnvironments()).map((e) => `${e.position}:${e.name}`), ['0:development', '1:test', '2:staging', '3:production']);
      const actions = (await h.uow.read((r) => r.audit.list({ entityType: 'environment' }))).map((a) => a.action);
      for (const a of ['environment.rename', 'environment.reorder', 'environment.update', 'environment.remove']) assert.ok(actions.includes(a), a);
    });

    it('validates names, duplicates, orders and settings, naming the field', async () => {
      await assert.rejects(h.promotion.addEnvironment(''), /^ValidationError: name: must not be empty$/);
      await assert.rejects(h.promotion.addEnvironment('Staging'), (e: unknown) => e instanceof ValidationError && e.message === "name: an environment named 'Staging' already exists");
      await assert.rejects(h.promotion.renameEnvironment('dev', 'TEST'), /newName: an environment named 'test' already exists/);
      await assert.rejects(h.promotion.reorderEnvironments(['dev', 'test']), /^ValidationError: names: must list every environment; missing staging, production$/);
      await assert.rejects(h.promotion.reorderEnvironments(['dev', 'dev', 'staging', 'production']), /names\[1\]: 'dev' is listed twice/);
      await assert.rejects(h.promotion.reorderEnvironments(['dev', 'nope', 'staging', 'production']), /names\[1\]: 'nope' is not an environment/);
      await assert.rejects(h.promotion.updateEnvironment('dev', { protected: 'yes' as unknown as boolean }), /^ValidationError: protected: expected true or false, got 'yes'$/);
      await assert.rejects(h.promotion.updateEnvironment('dev', { colour: 1 } as never), /colour: is not an environment setting/);
      await assert.rejects(h.promotion.updateEnvironment('dev', { pipelineId: 'nope' }), /^ValidationError: pipelineId: no pipeline 'nope' \(no pipelines are defined yet\)$/);
      await assert.rejects(h.promotion.getEnvironment('nope'), NotFoundError);
      await assert.rejects(
        h.promotion.addFreezeWindow('dev', { name: 'x', start: '2026-03-02T10:00', end: '2026-03-02T09:00', timeZone: 'Europe/Berlin' }),
        /^ValidationError: freezeWindow\.end: 2026-03-02T09:00 is not after start 2026-03-02T10:00$/,
      );
      await assert.rejects(h.promotion.addFreezeWindow('dev', { name: 'x', start: '2026-03-02T10:00', end: '2026-03-02T11:00', timeZone: 'Mars/Olympus' }), /freezeWindow\.timeZone/);
    });

    it('keeps freeze windows with the environment and removes them by id', async () => {
      const env = await h.promotion.addFreezeWindow('production', { name: 'Launch', start: '2026-03-02T09:00', end: '2026-03-02T12:00', timeZone: 'UTC' });
      const w = env.freezeWindows[0]!;
      assert.equal(w.name, 'Launch');
      assert.deepEqual((await h.promotion.getEnvironment('production')).freezeWindows, [w]);
      const after = await h.promotion.removeFreezeWindow('production', w.id);
      assert.deepEqual(after.freezeWindows, []);
      const next = await h.promotion.addFreezeWindow('test', { name: 'Later', start: '2026-03-05T09:00', end: '2026-03-05T12:00', timeZone: 'UTC' });
      assert.ok(next);
      assert.deepEqual(await h.promotion.nextFreeze(h.clock.now()), { name: 'Later', environment: 'test', startsAt: new Date('2026-03-05T09:00:00Z') });
    });
  });

  describe('promoteToEnvironment refusals (exact messages)', () => {
    it('previous environment: never deployed there, then the last attempt with its time', async () => {
      const rel = await h.release('1.2.0');
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'test'), refused('test needs a completed deployment of 1.2.0 in dev; last there: never deployed there'));
      h.clock.set('2026-03-02T10:42:00Z');
      await deploy(h, rel, 'dev', 'failed');
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'test'), refused('test needs a completed deployment of 1.2.0 in dev; last there: failed at 10:42'));
      h.clock.set('2026-03-03T08:00:00Z');
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'test'), refused('test needs a completed deployment of 1.2.0 in dev; last there: failed at 2026-03-02 10:42'));
      const pending = await h.promotion.promoteToEnvironment(rel.id, 'dev');
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'test'), refused('test needs a completed deployment of 1.2.0 in dev; last there: pending since 08:00'));
      await h.promotion.transitionDeployment(pending.id, 'in_progress');
      await h.promotion.transitionDeployment(pending.id, 'completed');
      const d = await h.promotion.promoteToEnvironment(rel.id, 'test');
      assert.equal(d.status, 'pending');
      assert.equal(d.environment, 'test');
    });

    it('the time in messages follows the configured zone', async () => {
      const berlin = await openPipelines({ timeZone: 'Europe/Berlin' });
      try {
        const rel = await berlin.release('1.2.0');
        berlin.clock.set('2026-03-02T09:42:00Z');
        await deploy(berlin, rel, 'dev', 'failed');
        await assert.rejects(berlin.promotion.promoteToEnvironment(rel.id, 'test'), refused('test needs a completed deployment of 1.2.0 in dev; last there: failed at 10:42'));
      } finally {
        await berlin.close();
      }
    });

    it('another deployment in progress there: names its release; concurrent promotions: exactly one wins', async () => {
      const a = await h.release('1.0.0', 'Alpha');
      const b = await h.release('1.1.0', 'Beta');
      const results = await Promise.allSettled([h.promotion.promoteToEnvironment(a.id, 'dev'), h.promotion.promoteToEnvironment(b.id, 'dev')]);
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const winner = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ releaseId: string; id: string }>;
      const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      const won = winner.value.releaseId === a.id ? a : b;
      assert.ok(loser.reason instanceof RefusedError);
      assert.equal(loser.reason.message, `another deployment is in progress in dev: ${won.version} (${won.name}), pending since 10:00; wait for it to finish or cancel it`);
      await h.promotion.transitionDeployment(winner.value.id, 'in_progress');
      const other = won === a ? b : a;
      await assert.rejects(h.promotion.promoteToEnvironment(other.id, 'dev'), refused(`another deployment is in progress in dev: ${won.version} (${won.name}), in progress since 10:00; wait for it to finish or cancel it`));
      // Even an override does not skip a busy environment.
      await assert.rejects(h.promotion.promoteToEnvironment(other.id, 'dev', undefined, { override: { reason: 'hotfix' } }), /another deployment is in progress in dev/);
      // Promoting the release that is already on its way there says so, instead of "another deployment".
      await assert.rejects(h.promotion.promoteToEnvironment(won.id, 'dev'), refused(`${won.version} (${won.name}) is already being deployed to dev (in progress since 10:00); wait for it to finish or cancel it`));
      await assert.rejects(h.promotion.removeEnvironment('dev'), refused(`dev cannot be removed while ${won.version} is being deployed there (in progress); wait for it to finish or cancel it`));
      const deployments = await h.promotion.listDeployments({ environment: 'dev' });
      assert.equal(deployments.length, 1);
    });

    it('a freeze window in force: names it and when it ends', async () => {
      const rel = await h.release('2.0.0');
      await h.promotion.addFreezeWindow('dev', { name: 'Board demo', start: '2026-03-02T09:00', end: '2026-03-02T11:30', timeZone: 'Europe/Berlin' });
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'dev'), refused("dev is frozen by 'Board demo' until Mon 2026-03-02 11:30 Europe/Berlin"));
      h.clock.set('2026-03-02T10:30:00Z'); // 11:30 Berlin: the end is exclusive
      assert.equal((await h.promotion.promoteToEnvironment(rel.id, 'dev')).status, 'pending');
    });

    it('recurring freezes across daylight-saving changes (Europe/Berlin) refuse with the right end', async () => {
      const rel = await h.release('3.0.0');
      // Friday 16:00 to Monday 06:00 local, every week.
      await h.promotion.addFreezeWindow('dev', {
        name: 'Weekend freeze', start: '2026-01-02T16:00', durationMinutes: 3720, timeZone: 'Europe/Berlin', recurrence: { frequency: 'weekly' },
      });
      // Spring forward: Sunday 2026-03-29 02:00 → 03:00. Friday 17:00 CET = 16:00Z.
      h.clock.set('2026-03-27T16:00:00Z');
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'dev'), refused("dev is frozen by 'Weekend freeze' until Mon 2026-03-30 06:00 Europe/Berlin"));
      h.clock.set('2026-03-30T03:59:00Z'); // 05:59 CEST
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'dev'), /until Mon 2026-03-30 06:00 Europe\/Berlin/);
      h.clock.set('2026-03-30T04:00:00Z'); // 06:00 CEST: lifted
      const d = await h.promotion.promoteToEnvironment(rel.id, 'dev');
      await h.promotion.transitionDeployment(d.id, 'in_progress');
      await h.promotion.transitionDeployment(d.id, 'completed');
      // Fall back: Sunday 2026-10-25 03:00 → 02:00. Monday 06:00 CET = 05:00Z.
      const rel2 = await h.release('3.1.0');
      h.clock.set('2026-10-26T04:30:00Z'); // 05:30 CET: still frozen
      await assert.rejects(h.promotion.promoteToEnvironment(rel2.id, 'dev'), refused("dev is frozen by 'Weekend freeze' until Mon 2026-10-26 06:00 Europe/Berlin"));
      h.clock.set('2026-10-26T05:00:00Z');
      assert.equal((await h.promotion.promoteToEnvironment(rel2.id, 'dev')).status, 'pending');
    });

    it('protected without approval; pending approval; rejected; approved', async () => {
      await h.promotion.reorderEnvironments(['production', 'dev', 'test', 'staging']);
      const rel = await h.release('4.0.0');
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'production'), refused('production is protected and 4.0.0 is not approved for it; request an approval and have it approved'));
      await h.promotion.requestApproval(rel.id, 'production', 'please');
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'production'), refused('production is protected and the approval of 4.0.0 requested by Ada Tester at 10:00 is still pending'));
      await assert.rejects(h.promotion.requestApproval(rel.id, 'production'), refused('an approval of 4.0.0 for production was already requested by Ada Tester at 10:00; it is pending'));
      h.clock.advance(60_000);
      await h.promotion.reject(rel.id, 'production', 'Bob Reviewer', 'not yet');
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'production'), refused('production is protected and the approval of 4.0.0 was rejected by Bob Reviewer at 10:01; request a new one'));
      await h.promotion.requestApproval(rel.id, 'production');
      const approval = await h.promotion.approve(rel.id, 'production', 'Bob Reviewer', 'looks good');
      assert.equal(approval.status, 'approved');
      assert.equal(approval.approvedBy, 'Bob Reviewer');
      assert.equal(approval.approvedAt?.toISOString(), '2026-03-02T10:01:00.000Z');
      assert.equal(approval.requestedBy, 'Ada Tester');
      assert.equal((await h.promotion.promoteToEnvironment(rel.id, 'production')).status, 'pending');
      const actions = (await h.uow.read((r) => r.audit.list({ entityType: 'approval' }))).map((a) => a.action);
      assert.deepEqual(actions, ['approval.request', 'approval.reject', 'approval.request', 'approval.approve']);
    });

    it('self-approval is refused when the environment requires a different approver', async () => {
      await h.promotion.updateEnvironment('production', { requireDifferentApprover: true });
      const rel = await h.release('5.0.0');
      await assert.rejects(h.promotion.approve(rel.id, 'production', 'Bob'), refused('no approval of 5.0.0 for production is pending; request one first'));
      await h.promotion.requestApproval(rel.id, 'production');
      await assert.rejects(h.promotion.approve(rel.id, 'production', 'ada tester'), refused('production requires a different approver: ada tester requested the approval of 5.0.0 and cannot approve it'));
      await assert.rejects(h.promotion.approve(rel.id, 'production', ''), /^ValidationError: approver: must not be empty$/);
      await h.promotion.approve(rel.id, 'production', 'Bob');
      await assert.rejects(h.promotion.approve(rel.id, 'production', 'Carol'), refused('5.0.0 is already approved for production by Bob at 10:00'));
      // Without the setting, the requester may approve.
      const rel2 = await h.release('5.1.0');
      await h.promotion.updateEnvironment('production', { requireDifferentApprover: false });
      await h.promotion.requestApproval(rel2.id, 'production');
      assert.equal((await h.promotion.approve(rel2.id, 'production', 'Ada Tester')).status, 'approved');
    });

    it('cancelled and deployed releases are refused, even with an override', async () => {
      const rel = await h.release('6.0.0', 'Six');
      await h.releases.cancelRelease(rel.id, 'scope cut');
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'dev'), refused('release 6.0.0 (Six) is cancelled; a cancelled release is never deployed'));
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'dev', undefined, { override: { reason: 'please' } }), refused('release 6.0.0 (Six) is cancelled; a cancelled release is never deployed'));
      const r7 = await h.release('7.0.0', 'Seven');
      const override = { override: { reason: 'test' } };
      for (const env of ['dev', 'test', 'staging', 'production']) await deploy(h, r7, env, 'completed', override);
      await assert.rejects(h.promotion.promoteToEnvironment(r7.id, 'dev'), refused('release 7.0.0 (Seven) is already deployed; redeploy or roll back an environment instead'));
    });

    it('an override needs a reason, skips order, freeze and approval, and is audited with the reason and what it skipped', async () => {
      const rel = await h.release('8.0.0');
      await h.promotion.addFreezeWindow('production', { name: 'Quarter close', start: '2026-03-01T00:00', end: '2026-03-05T00:00', timeZone: 'UTC' });
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'production', undefined, { override: { reason: '  ' } }), /^ValidationError: override\.reason: must not be empty$/);
      await assert.rejects(h.promotion.promoteToEnvironment(rel.id, 'production', undefined, { override: {} as never }), /^ValidationError: override\.reason: is required: say why the checks are skipped$/);
      const d = await h.promotion.promoteToEnvironment(rel.id, 'production', undefined, { override: { reason: 'security fix CVE-2026-1' } });
      const skipped = [
        'production needs a completed deployment of 8.0.0 in staging; last there: never deployed there',
        "production is frozen by 'Quarter close' until Thu 2026-03-05 00:00 UTC",
        'production is protected and 8.0.0 is not approved for it; request an approval and have it approved',
      ];
      assert.deepEqual(d.metadata?.override, { reason: 'security fix CVE-2026-1', skipped });
      const audit = await h.uow.read((r) => r.audit.list({ entityType: 'deployment', entityId: d.id }));
      assert.equal(audit[0]!.action, 'deployment.promotion.override');
      assert.deepEqual((audit[0]!.after as { metadata: { override: unknown } }).metadata.override, { reason: 'security fix CVE-2026-1', skipped });
    });
  });

  describe('deployment status machine and the release following it', () => {
    it('pending → in_progress → completed; completed → rolled_back; everything else refused', async () => {
      const rel = await h.release('1.5.0');
      const d = await h.promotion.promoteToEnvironment(rel.id, 'dev');
      await assert.rejects(h.promotion.transitionDeployment(d.id, 'completed'), refused('the deployment of 1.5.0 to dev cannot go from pending to completed: allowed from pending: in progress'));
      await assert.rejects(h.promotion.transitionDeployment(d.id, 'failed'), refused('the deployment of 1.5.0 to dev cannot go from pending to failed: allowed from pending: in progress'));
      const started = await h.promotion.transitionDeployment(d.id, 'in_progress');
      assert.equal(started.startedAt?.toISOString(), '2026-03-02T10:00:00.000Z');
      await assert.rejects(h.promotion.transitionDeployment(d.id, 'rolled_back'), refused('the deployment of 1.5.0 to dev cannot go from in progress to rolled back: allowed from in progress: completed, failed'));
      const done = await h.promotion.transitionDeployment(d.id, 'completed');
      assert.ok(done.completedAt);
      await assert.rejects(h.promotion.transitionDeployment(d.id, 'failed'), refused('the deployment of 1.5.0 to dev cannot go from completed to failed: allowed from completed: rolled back'));
      const rolled = await h.promotion.transitionDeployment(d.id, 'rolled_back');
      assert.ok(rolled.rolledBackAt);
      const d2 = await deploy(h, rel, 'dev', 'failed');
      await assert.rejects(h.promotion.transitionDeployment(d2.id, 'in_progress'), refused('the deployment of 1.5.0 to dev cannot go from failed to in progress: a failed deployment is final; promote the release again'));
      await assert.rejects(h.promotion.transitionDeployment('nope', 'completed'), NotFoundError);
    });

    it('first deployment → release in progress with actualStart; completed in the last environment → deployed with actualEnd', async () => {
      const rel = await h.release('9.0.0');
      h.clock.set('2026-03-02T11:00:00Z');
      await deploy(h, rel, 'dev');
      let r = await h.releases.getRelease(rel.id);
      assert.equal(r?.status, 'in_progress');
      assert.equal(r?.actualStart?.toISOString(), '2026-03-02T11:00:00.000Z');
      await deploy(h, rel, 'test');
      await deploy(h, rel, 'staging');
      await h.promotion.requestApproval(rel.id, 'production');
      await h.promotion.approve(rel.id, 'production', 'Bob');
      h.clock.set('2026-03-03T15:00:00Z');
      const d = await h.promotion.promoteToEnvironment(rel.id, 'production');
      await h.promotion.transitionDeployment(d.id, 'in_progress');
      assert.equal((await h.releases.getRelease(rel.id))?.status, 'in_progress');
      await h.promotion.transitionDeployment(d.id, 'completed');
      r = await h.releases.getRelease(rel.id);
      assert.equal(r?.status, 'deployed');
      assert.equal(r?.actualStart?.toISOString(), '2026-03-02T11:00:00.000Z');
      assert.equal(r?.actualEnd?.toISOString(), '2026-03-03T15:00:00.000Z');
      const actions = (await h.uow.read((x) => x.audit.list({ entityType: 'release', entityId: rel.id }))).map((a) => a.action);
      assert.deepEqual(actions, ['release.create', 'release.status.in_progress', 'release.status.deployed']);
    });

    it('records the git HEAD and the release that ran there before', async () => {
      const repo = new TempRepo();
      const sha = repo.commit('feat: first', { 'a.txt': 'a' });
      const g = await openPipelines({ git: new GitCli(repo.dir) });
      try {
        const r1 = await g.release('1.0.0');
        const r2 = await g.release('1.1.0');
        const d1 = await deploy(g, r1, 'dev');
        assert.equal(d1.metadata?.commit, sha);
        assert.equal(d1.metadata?.previousReleaseId, undefined);
        const d2 = await g.promotion.promoteToEnvironment(r2.id, 'dev');
        assert.equal(d2.metadata?.commit, sha);
        assert.equal(d2.metadata?.previousReleaseId, r1.id);
      } finally {
        await g.close();
      }
      // Outside a repository there is no commit, and promotion still works.
      assert.equal(await new GitCli(h.work).headCommit(), null);
    });
  });

  describe('promotion path, environment status, redeploy and rollback', () => {
    it('getPromotionPath: each environment with state, times, current release and blockers', async () => {
      const old = await h.release('0.9.0', 'Old');
      await deploy(h, old, 'dev');
      const rel = await h.release('1.0.0', 'New');
      h.clock.set('2026-03-02T10:42:00Z');
      await deploy(h, rel, 'dev', 'failed');
      const path = await h.promotion.getPromotionPath(rel.id);
      assert.equal(path.version, '1.0.0');
      assert.deepEqual(path.environments.map((s) => [s.environment, s.state, s.canPromote]), [
        ['dev', 'failed', true], ['test', 'not_deployed', false], ['staging', 'not_deployed', false], ['production', 'not_deployed', false],
      ]);
      assert.deepEqual(path.environments[0]!.current, { releaseId: old.id, version: '0.9.0' });
      assert.deepEqual(path.environments[1]!.blockers, ['test needs a completed deployment of 1.0.0 in dev; last there: failed at 10:42']);
      assert.deepEqual(path.environments[3]!.blockers, [
        'production needs a completed deployment of 1.0.0 in staging; last there: never deployed there',
        'production is protected and 1.0.0 is not approved for it; request an approval and have it approved',
      ]);
      assert.equal(path.environments[0]!.completedAt?.toISOString(), '2026-03-02T10:42:00.000Z');
    });

    it('environmentStatus: current release, last deployment, active one and freeze per environment', async () => {
      const a = await h.release('1.0.0', 'A');
      await deploy(h, a, 'dev');
      const b = await h.release('1.1.0', 'B');
      h.clock.advance(60_000);
      const d = await h.promotion.promoteToEnvironment(b.id, 'dev');
      await h.promotion.addFreezeWindow('production', { name: 'Audit', start: '2026-03-01T00:00', end: '2026-03-09T00:00', timeZone: 'UTC' });
      const status = await h.promotion.environmentStatus();
      const dev = status[0]!;
      assert.equal(dev.current?.version, '1.0.0');
      assert.equal(dev.last?.deploymentId, d.id);
      assert.equal(dev.last?.status, 'pending');
      assert.equal(dev.active?.version, '1.1.0');
      assert.equal(status[3]!.frozen, "production is frozen by 'Audit' until Mon 2026-03-09 00:00 UTC");
      assert.equal(status[1]!.current, undefined);
    });

    it('rollback deploys the release that ran before; the replaced deployment is rolled back once it completes', async () => {
      const a = await h.release('1.0.0', 'A');
      const b = await h.release('1.1.0', 'B');
      await assert.rejects(h.promotion.rollbackEnvironment('dev'), refused('dev runs no release; there is nothing to roll back'));
      await deploy(h, a, 'dev');
      await assert.rejects(h.promotion.rollbackEnvironment('dev'), refused('dev has nothing to roll back to: 1.0.0 is the first release deployed there'));
      const db = await deploy(h, b, 'dev');
      const back = await h.promotion.rollbackEnvironment('dev');
      assert.equal(back.releaseId, a.id);
      assert.equal(back.metadata?.kind, 'rollback');
      assert.equal(back.metadata?.rollbackOf, db.id);
      assert.equal((await h.promotion.getDeployment(db.id))?.status, 'completed');
      await h.promotion.transitionDeployment(back.id, 'in_progress');
      await h.promotion.transitionDeployment(back.id, 'completed');
      assert.equal((await h.promotion.getDeployment(db.id))?.status, 'rolled_back');
      const status = (await h.promotion.environmentStatus())[0]!;
      assert.equal(status.current?.version, '1.0.0');
      // Redeploy: the current release again; or a named release that ran there.
      const again = await h.promotion.redeploy('dev');
      assert.equal(again.releaseId, a.id);
      await h.promotion.transitionDeployment(again.id, 'in_progress');
      await h.promotion.transitionDeployment(again.id, 'failed');
      const named = await h.promotion.redeploy('dev', { releaseId: b.id });
      assert.equal(named.releaseId, b.id);
      const c = await h.release('1.2.0', 'C');
      await h.promotion.transitionDeployment(named.id, 'in_progress');
      await h.promotion.transitionDeployment(named.id, 'completed');
      await assert.rejects(h.promotion.redeploy('dev', { releaseId: c.id }), refused('1.2.0 never ran in dev; promote it instead'));
    });
  });
});
