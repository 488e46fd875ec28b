// Issue 8 §3: a pipeline run (real shell steps), a blue-green switch (a real HAProxy before real
// backends) and a train departure started at the same moment on one database, three rounds. Each is
// recorded exactly once and in order: one run per promotion with its steps once, one switching →
// partial pair per switch, one departure and one release per day; the audit log is one gap-free
// sequence in commit order; and all of it is the same after reopening the files.
import assert from 'node:assert/strict';
import type { BlueGreenStatus } from '../../../src/core/blueGreen';
import type { AuditEvent, Deployment } from '../../../src/core/model';
import { BlueGreenDeploymentManager, type BlueGreenSetupOptions } from '../../../src/core/releases/BlueGreenDeploymentManager';
import { ReleaseTrainScheduler, type RunDueResult } from '../../../src/core/releases/ReleaseTrainScheduler';
import { WorkspaceDatabase } from '../../../src/storage/database';
import { SqlUnitOfWork } from '../../../src/storage/sqlRepositories';
import { colourChecks } from '../../../src/traffic/colourChecks';
import { HaproxyRouter } from '../../../src/traffic/haproxy';
import type { EnvironmentRouterSettings } from '../../../src/traffic/routerFactory';
import { ColourFleet, RecordingScaler, ScriptDeployer, SwitchableTrust, settingsFactory } from '../../support/blueGreenFleet';
import { fixedIdentity } from '../../support/coreHarness';
import { openPipelines, type PipelineHarness } from '../../support/pipelineHarness';
import { makeTempDir, removeTempDir, requireBinary, startHaproxy, waitForHaproxyServerUp, type TestHaproxy } from '../../support/trafficRouters';

const FAST: BlueGreenSetupOptions = {
  stepBakeSeconds: 0.3,
  prePromotionAnalysis: { consecutiveSuccesses: 3, intervalMs: 50, timeoutSeconds: 5 },
  postPromotionAnalysis: { durationSeconds: 30 },
};
const DAY = 86_400_000;

describe('durability: a pipeline run, a blue-green switch and a train departure at the same moment', function () {
  this.timeout(120_000);
  let fleet: ColourFleet;
  let dir: string;
  let hap: TestHaproxy;
  let h: PipelineHarness | undefined;
  let bg: BlueGreenDeploymentManager | undefined;

  before(async () => {
    requireBinary('haproxy');
    fleet = await ColourFleet.create();
    const blue = await fleet.deploy('blue', '4.0.0');
    assert.ok(blue.ok, blue.summary);
    dir = makeTempDir('same-moment');
    hap = await startHaproxy(dir, { blue: fleet.address('blue'), green: fleet.address('green') });
  });

  after(async () => {
    bg?.dispose();
    await h?.close();
    await hap?.stop();
    await fleet?.stop();
    if (dir) removeTempDir(dir);
  });

  it('records each exactly once, in one gap-free audit sequence, durable across a reopen', async () => {
    h = await openPipelines();
    const core = h;
    const router = new HaproxyRouter({ socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers });
    const trust = new SwitchableTrust();
    const settings: EnvironmentRouterSettings = {
      production: true,
      router: { kind: 'haproxy', socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers, configPath: hap.cfgPath, endpoints: fleet.endpoints() },
    };
    bg = new BlueGreenDeploymentManager({
      uow: core.uow, clock: core.clock, identity: fixedIdentity(), trust,
      routers: settingsFactory({ production: settings }, trust),
      deployer: new ScriptDeployer(fleet), checks: colourChecks, scaler: new RecordingScaler(), owner: 'test@localhost',
    });
    const trains = new ReleaseTrainScheduler({ uow: core.uow, clock: core.clock, identity: fixedIdentity() });

    // Ready beforehand: a pipeline with real steps, a rollout waiting for its first switch, a daily train due now.
    const pipelineId = await core.pipeline('deploy', [
      { name: 'build', type: 'shell', command: 'echo "build $RELEASE_VERSION"; sleep 0.1' },
      { name: 'ship', type: 'shell', command: 'echo ship; sleep 0.1' },
      { name: 'check', type: 'shell', command: 'test -n "$PIPELINE_RUN_ID"' },
    ]);
    const shop = (await core.releases.createRelease('Shop', '5.0.0')).release;
    const setup = await bg.setup(shop.id, 'production', FAST);
    assert.equal(setup.state, 'awaiting_promotion', setup.reason);
    await waitForHaproxyServerUp(router, hap.backend, 'green', { timeoutMs: 8000, intervalMs: 25 });
    // Departures count from the train's creation: the first is due once the clock passes 11:00.
    const train = await trains.createSchedule({ name: 'Daily', frequency: 'daily', startDate: '2026-03-02T11:00', timeZone: 'UTC' });
    core.clock.advance(90 * 60_000);
    const firstAudit = Math.max(0, ...(await core.uow.read((r) => r.audit.list())).map((e) => e.id));

    const weights = [10, 50, 100];
    const runs: string[] = [];
    for (const [round, weight] of weights.entries()) {
      // Below the train's next-minor versions (5.1.0, 5.2.0, …), so the two never pick the same one.
      const rel = await core.release(`0.0.${round + 1}`);
      // The same moment: none of the three waits for another.
      const [deployment, switched, departed]: [Deployment, BlueGreenStatus, RunDueResult] = await Promise.all([
        core.promotion.promoteToEnvironment(rel.id, 'dev', pipelineId),
        bg.switchTraffic(shop.id, 'green', weight),
        trains.runDue(core.clock.now()),
      ]);
      const run = (await core.pipelines.listRuns({ deploymentId: deployment.id }))[0]!;
      runs.push(run.id);
      const end = await core.pipelines.waitForRun(run.id);
      assert.equal(end.status, 'succeeded', JSON.stringify(end.steps.map((s) => [s.name, s.status, s.summary])));
      assert.deepEqual(end.steps.map((s) => [s.status, s.attempts]), [['succeeded', 1], ['succeeded', 1], ['succeeded', 1]]);
      assert.equal(switched.weights.green, weight);
      assert.deepEqual(await router.getWeights(), { blue: 100 - weight, green: weight });
      assert.equal(departed.departures.length, 1, JSON.stringify(departed));
      assert.ok(departed.departures[0].releaseId, departed.departures[0].error);
      core.clock.advance(DAY);
    }

    // Exactly once each.
    const all = await core.uow.read((r) => r.audit.list());
    const since = all.filter((e) => e.id > firstAudit);
    const ids = since.map((e) => e.id);
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => firstAudit + 1 + i), 'one gap-free audit sequence in commit order');
    const actionsOf = (type: string, id?: string) => since.filter((e) => e.entityType === type && (id === undefined || e.entityId === id)).map((e) => e.action);

    assert.equal(new Set(runs).size, 3);
    assert.equal((await core.pipelines.listRuns()).length, 3, 'one run per promotion');
    for (const runId of runs) {
      const acts = actionsOf('pipeline_run', runId);
      assert.deepEqual([acts[0], acts.at(-1)], ['pipeline.run.start', 'pipeline.run.succeeded'], acts.join(', '));
      assert.equal(new Set(acts).size, acts.length, `a run event recorded twice: ${acts.join(', ')}`);
    }
    const deployments = [...new Set(since.filter((e) => e.entityType === 'deployment').map((e) => e.entityId))];
    assert.equal(deployments.length, 3);
    for (const d of deployments) {
      const acts = actionsOf('deployment', d);
      assert.equal(new Set(acts).size, acts.length, `a deployment event recorded twice: ${acts.join(', ')}`);
      assert.equal(acts.at(-1), 'deployment.status.completed', acts.join(', '));
    }
    assert.deepEqual(actionsOf('blue_green'), [
      'blue_green.switching', 'blue_green.partial', 'blue_green.switching', 'blue_green.partial', 'blue_green.switching', 'blue_green.post_switch_checks',
    ]);
    const weightsAudited = since.filter((e) => e.action === 'blue_green.partial' || e.action === 'blue_green.post_switch_checks').map((e) => (e.after as { weights: { green: number } }).weights.green);
    assert.deepEqual(weightsAudited, weights);
    assert.deepEqual(actionsOf('train', train.id), ['train.depart', 'train.depart', 'train.depart']);
    const departures = await trains.listDepartures(train.id);
    assert.equal(departures.length, 3);
    assert.equal(new Set(departures.map((d) => d.departureAt.toISOString())).size, 3);
    const trainReleases = (await core.releases.listReleases()).filter((r) => r.trainId === train.id);
    assert.deepEqual(trainReleases.map((r) => r.id).sort(), departures.map((d) => d.releaseId).sort(), 'one release per departure');
    assert.equal(new Set(trainReleases.map((r) => r.version)).size, 3);

    // They did run at the same moment: the switch's records landed while the run was going.
    const interleaved = runs.filter((runId) => {
      const mine = since.filter((e) => e.entityId === runId).map((e) => e.id);
      return since.some((e) => e.entityType === 'blue_green' && e.id > Math.min(...mine) && e.id < Math.max(...mine));
    }).length;
    assert.ok(interleaved >= 1, `no switch overlapped a run: ${since.map((e) => e.action).join(', ')}`);

    // Durable: the files hold exactly the same records.
    bg.dispose();
    bg = undefined;
    const dbPath = core.dbPath;
    await core.close();
    h = undefined;
    const again = await WorkspaceDatabase.open({ path: dbPath });
    try {
      const reread = await new SqlUnitOfWork(again).read((r) => r.audit.list());
      const strip = (list: AuditEvent[]) => JSON.stringify(list.filter((e) => e.id > firstAudit));
      assert.equal(strip(reread), strip(all));
      const counts = await again.read((sql) => ({
        runs: sql.get<{ n: number }>('SELECT count(*) AS n FROM pipeline_runs')?.n,
        departures: sql.get<{ n: number }>('SELECT count(*) AS n FROM train_departures')?.n,
      }));
      assert.deepEqual(counts, { runs: 3, departures: 3 });
    } finally {
      await again.close();
    }
    console.log(`      3 rounds of (pipeline run, switch to ${weights.join(' → ')} %, train departure) at once: ${since.length} audit events, gap-free, ${interleaved}/3 runs overlapped by a switch, each recorded once, the same after reopening`);
  });
});
