// BlueGreenDeploymentManager against a real HAProxy 2.6 (runtime API) on 127.0.0.1, with each colour
// a real Node process deployed by a script through the real NodeProcessRunner, a real sql.js
// database, and a recording load that counts socket errors and 5xx separately.
import assert from 'node:assert/strict';
import type { AutoRollbackEvent, BlueGreenStatus } from '../../../src/core/blueGreen';
import { NotFoundError, RefusedError, ValidationError } from '../../../src/core/model';
import type { Colour } from '../../../src/core/ports';
import { AUTOMATIC_ACTOR, BlueGreenDeploymentManager, type BlueGreenSetupOptions } from '../../../src/core/releases/BlueGreenDeploymentManager';
import { colourChecks } from '../../../src/traffic/colourChecks';
import { HaproxyRouter } from '../../../src/traffic/haproxy';
import type { EnvironmentRouterSettings } from '../../../src/traffic/routerFactory';
import { ColourFleet, RecordingScaler, ScriptDeployer, SwitchableTrust, settingsFactory, until } from '../../support/blueGreenFleet';
import { fixedIdentity, openCore, type CoreHarness } from '../../support/coreHarness';
import { LoadRecorder, clock } from '../../support/loadRecorder';
import { makeTempDir, removeTempDir, requireBinary, startHaproxy, waitForHaproxyServerUp, type TestHaproxy } from '../../support/trafficRouters';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fast checks for tests; the defaults (3 × 150 ms, 30 s; 30 s post-switch) are asserted separately. */
const FAST: BlueGreenSetupOptions = {
  stepBakeSeconds: 0.3,
  prePromotionAnalysis: { consecutiveSuccesses: 3, intervalMs: 50, timeoutSeconds: 5 },
  postPromotionAnalysis: { durationSeconds: 30 },
};

/** Rejects with a message matching `re` (assert.rejects would match "Name: message"). */
async function refuses(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof Error);
    assert.match(err.message, re);
    return true;
  });
}

describe('blue-green: BlueGreenDeploymentManager on a real HAProxy', function () {
  this.timeout(40_000);
  let fleet: ColourFleet;
  let dir: string;
  let hap: TestHaproxy;
  let router: HaproxyRouter;
  let core: CoreHarness;
  let trust: SwitchableTrust;
  let deployer: ScriptDeployer;
  let scaler: RecordingScaler;
  let manager: BlueGreenDeploymentManager;
  let releaseId: string;

  const settings = (production: boolean): EnvironmentRouterSettings => ({
    production,
    router: {
      kind: 'haproxy', socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers, configPath: hap.cfgPath,
      endpoints: fleet.endpoints(),
    },
  });

  function newManager(): BlueGreenDeploymentManager {
    return new BlueGreenDeploymentManager({
      uow: core.uow, clock: core.clock, identity: fixedIdentity(), trust,
      routers: settingsFactory({ production: settings(true), staging: settings(false) }, trust),
      deployer, checks: colourChecks, scaler, owner: 'test@localhost',
    });
  }

  /** HAProxy's own health checks must see the colour UP before it takes traffic in earnest. */
  const serverUp = (colour: Colour) => waitForHaproxyServerUp(router, hap.backend, colour, { timeoutMs: 8000, intervalMs: 25 });

  const audit = () => core.uow.read((r) => r.audit.list({ entityType: 'blue_green' }));

  before(async () => {
    requireBinary('haproxy');
    fleet = await ColourFleet.create();
    const blue = await fleet.deploy('blue', '1.2.0');
    assert.ok(blue.ok, blue.summary);
    dir = makeTempDir('bg-haproxy');
    hap = await startHaproxy(dir, { blue: fleet.address('blue'), green: fleet.address('green') });
    router = new HaproxyRouter({ socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers });
  });

  after(async () => {
    await hap?.stop();
    await fleet?.stop();
    if (dir) removeTempDir(dir);
  });

  beforeEach(async () => {
    fleet.startMode('green', 'ok');
    await router.setWeights({ blue: 100, green: 0 });
    core = await openCore();
    trust = new SwitchableTrust();
    deployer = new ScriptDeployer(fleet);
    scaler = new RecordingScaler();
    manager = newManager();
    releaseId = (await core.releases.createRelease('Shop', '1.3.0')).release.id;
  });

  afterEach(async () => {
    manager.dispose();
    await core.close();
  });

  it('full flow: setup deploys green with COLOR and checks it, 10 → 50 → 100, rollback — 0 lost requests, 90/10 within ±2 points', async () => {
    const changes: BlueGreenStatus[] = [];
    manager.onDidChange((s) => changes.push(s));
    const output: string[] = [];
    manager.onOutput((e) => output.push(e.text));
    const setup = await manager.setup(releaseId, 'production', FAST);
    assert.match(output.join(''), /^deployed 1\.3\.0 to green on 127\.0\.0\.1:\d+ \(pid \d+, mode ok\)$/m, 'the deploy step\'s output, live');
    assert.equal(setup.state, 'awaiting_promotion', setup.reason);
    assert.equal(setup.previewColour, 'green');
    assert.equal(setup.activeColour, 'blue');
    assert.deepEqual(setup.weights, { blue: 100, green: 0 });
    assert.deepEqual(deployer.calls, [{ releaseId, version: '1.3.0', environment: 'production', colour: 'green', env: { COLOR: 'green' } }]);
    assert.equal(setup.versions.green, '1.3.0');
    assert.equal(setup.checks?.health?.ok, true);
    assert.match(setup.checks?.smoke?.detail ?? '', /^HTTP 200 in \d+ ms$/);
    assert.deepEqual(setup.actions, { switch: true, promote: true, rollback: false, abort: true, confirm: true });
    assert.equal(setup.nextStep, 10);
    await serverUp('green');

    const load = new LoadRecorder({ url: hap.url, rate: 600, maxInFlight: 16 }).start();
    await sleep(300);
    const s10 = await manager.switchTraffic(releaseId, 'green', 10);
    assert.equal(s10.state, 'partial');
    assert.deepEqual(s10.weights, { blue: 90, green: 10 });
    assert.deepEqual(await router.getWeights(), { blue: 90, green: 10 });
    assert.deepEqual(s10.steps, [{ weight: 10, status: 'current' }, { weight: 50, status: 'pending' }, { weight: 100, status: 'pending' }]);
    const splitFrom = clock() + 20; // a request sent just before the switch may be routed after it
    await sleep(2000);
    const split = load.summary(splitFrom, clock());
    const s50 = await manager.switchTraffic(releaseId, 'green', 50);
    assert.equal(s50.state, 'partial');
    assert.deepEqual(await router.getWeights(), { blue: 50, green: 50 });
    await sleep(700);
    const s100 = await manager.switchTraffic(releaseId, 'green', 100);
    assert.equal(s100.state, 'post_switch_checks');
    assert.deepEqual(await router.getWeights(), { blue: 0, green: 100 });
    await sleep(700);
    const rollbackAt = clock();
    const back = await manager.rollback(releaseId);
    const rollbackCallMs = clock() - rollbackAt;
    assert.equal(back.state, 'rolled_back');
    assert.equal(back.activeColour, 'blue');
    assert.deepEqual(back.weights, { blue: 100, green: 0 });
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
    await sleep(1200);
    const s = await load.stop();

    const answered = split.byColour.blue + split.byColour.green;
    const greenPct = (split.byColour.green * 100) / answered;
    const toBlue = load.switchLatency('blue', rollbackAt);
    console.log(`      haproxy via manager: ${s.total} requests in ${(s.durationMs / 1000).toFixed(1)} s (${s.ratePerSec.toFixed(0)} req/s); socket errors ${s.socketErrors}, 5xx ${s.http5xx}, resets ${s.resets}, not sent in time (CPU starved) ${s.skipped}; 90/10 split: green ${greenPct.toFixed(2)} % of ${answered}; rollback call ${rollbackCallMs.toFixed(0)} ms, 100 % blue after ${toBlue.toFixed(0)} ms`);
    assert.ok(s.durationMs >= 5000 && s.ratePerSec >= 500, `${s.total} requests in ${s.durationMs.toFixed(0)} ms (${s.ratePerSec.toFixed(0)} req/s)`);
    assert.equal(s.socketErrors, 0, `socket errors: ${s.errorSamples.join(', ')}`);
    assert.equal(s.http5xx, 0);
    assert.ok(answered >= 1000, `${answered} requests in the 90/10 window`);
    assert.ok(Math.abs(greenPct - 10) <= 2, `green ${greenPct.toFixed(2)} % at 90/10`);
    assert.ok(toBlue < 100, `old colour still answered ${toBlue.toFixed(0)} ms after the rollback`);

    // Every transition audited in order, by the person, with the states before and after.
    const events = await audit();
    assert.deepEqual(events.map((e) => e.action), [
      'blue_green.setup', 'blue_green.preview_deploying', 'blue_green.preview_ready', 'blue_green.pre_switch_checks', 'blue_green.awaiting_promotion',
      'blue_green.switching', 'blue_green.partial', 'blue_green.switching', 'blue_green.partial', 'blue_green.switching', 'blue_green.post_switch_checks',
      'blue_green.rolled_back',
    ]);
    assert.ok(events.every((e) => e.actor === 'Ada Tester' && e.entityId === setup.id));
    const states = events.map((e) => [(e.before as { state?: string } | undefined)?.state, (e.after as { state: string }).state]);
    assert.deepEqual(states.slice(5, 7), [['awaiting_promotion', 'switching'], ['switching', 'partial']]);
    assert.deepEqual((events[6].after as { weights: unknown }).weights, { blue: 90, green: 10 });
    assert.deepEqual(changes.map((c) => c.state), events.map((e) => (e.after as { state: string }).state));

    const stored = await manager.status(releaseId);
    assert.equal(stored?.state, 'rolled_back');
    assert.equal(stored?.reason, 'rolled back by Ada Tester');
  });

  it('never switches to a green that fails its health check, nor to one whose smoke request fails; traffic untouched', async () => {
    fleet.startMode('green', 'unhealthy');
    const failed = await manager.setup(releaseId, 'production', { ...FAST, prePromotionAnalysis: { consecutiveSuccesses: 3, intervalMs: 50, timeoutSeconds: 1.5 } });
    assert.equal(failed.state, 'aborted');
    assert.match(failed.reason ?? '', /^pre-switch checks of green failed: health check http:\/\/127\.0\.0\.1:\d+\/health not healthy: deadline of 1500 ms passed after \d+ ms and \d+ attempts \(0 of 3 consecutive successes at the end\); last failure: HTTP 503 \(expected 2xx\) from green; traffic untouched \(blue=100 green=0\)$/);
    assert.equal(failed.checks?.health?.ok, false);
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
    const greenServed = (await router.counters()).green.requests;
    await assert.rejects(manager.switchTraffic(releaseId, 'green', 10), (err: unknown) => err instanceof RefusedError &&
      /^cannot switch traffic to 1\.3\.0 in production: the rollout was aborted \(pre-switch checks of green failed: .*\); set it up again to retry$/.test(err.message));
    await refuses(manager.promote(releaseId, { full: true }), /^cannot promote 1\.3\.0 in production: the rollout was aborted/);
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 }, 'weights unchanged');
    assert.equal((await router.counters()).green.requests, greenServed, 'green never got a request through the router');

    // A "lying" green: /health says 200, pages answer 500. The smoke request on a real path catches it.
    fleet.startMode('green', 'fail-root');
    const lying = await manager.setup(releaseId, 'production', FAST);
    assert.equal(lying.attempt, 2, 'a new setup after an abort reuses the record');
    assert.equal(lying.state, 'aborted');
    assert.equal(lying.checks?.health?.ok, true);
    assert.match(lying.reason ?? '', /^pre-switch checks of green failed: smoke GET http:\/\/127\.0\.0\.1:\d+\/: HTTP 500 \(expected 200\) from green; traffic untouched \(blue=100 green=0\)$/);
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
  });

  it('rolls a green that answers 500s after the switch back automatically within 1 s, and says so in an event', async () => {
    const setup = await manager.setup(releaseId, 'production', FAST);
    assert.equal(setup.state, 'awaiting_promotion', setup.reason);
    await serverUp('green');
    const events: AutoRollbackEvent[] = [];
    manager.onAutoRollback((e) => events.push(e));
    const load = new LoadRecorder({ url: hap.url, rate: 600, maxInFlight: 16 }).start();
    await sleep(400);
    await fleet.setMode('green', 'fail-root'); // breaks after its checks passed
    const switchAt = clock();
    await manager.switchTraffic(releaseId, 'green', 100);
    const event = await until('the auto-rollback event', 5000, async () => events[0]);
    const eventAt = clock();
    await manager.idle();
    await sleep(500);
    const s = await load.stop();
    const toBlue = load.switchLatency('blue', switchAt);

    assert.equal(event.ok, true, event.message);
    assert.equal(event.colour, 'green');
    assert.equal(event.environment, 'production');
    assert.ok(event.detectionToRollbackMs !== undefined && event.detectionToRollbackMs < 1000, `detection to rollback ${event.detectionToRollbackMs} ms`);
    assert.match(event.message, /^1\.3\.0 was rolled back automatically in production: green answered \d+ of \d+ requests with 5xx \(\d+ %\) over \d+ ms, above the 5\.0 % threshold\. All traffic is on blue again \(\d+ ms after detection\)\.$/);
    const detectedMs = event.breach.detectedAt.getTime() - switchAt;
    console.log(`      auto-rollback: detected ${detectedMs.toFixed(0)} ms after the switch; detection → rollback ${event.detectionToRollbackMs} ms; event after ${(eventAt - switchAt).toFixed(0)} ms; client 5xx ${s.http5xx} of ${s.total}; socket errors ${s.socketErrors}; last green answer ${toBlue.toFixed(0)} ms after the switch`);
    assert.ok(detectedMs < 1000, `breach detected ${detectedMs.toFixed(0)} ms after the switch`);
    assert.ok(toBlue < 2000, `green answered until ${toBlue.toFixed(0)} ms after the switch`);
    assert.equal(s.socketErrors, 0);
    assert.ok(s.http5xx > 0, 'the failing green was seen by clients before the rollback');

    const st = await manager.status(releaseId);
    assert.equal(st?.state, 'rolled_back');
    assert.equal(st?.activeColour, 'blue');
    assert.equal(st?.breach?.colour, 'green');
    assert.ok((st?.breach?.errorRate ?? 0) > 0.05);
    assert.equal(st?.autoRollback?.detectionToRollbackMs, event.detectionToRollbackMs);
    assert.match(st?.reason ?? '', /^automatic rollback: green answered/);
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
    const last = (await audit()).pop();
    assert.equal(last?.action, 'blue_green.rolled_back');
    assert.equal(last?.actor, AUTOMATIC_ACTOR);
  });

  it('serves the Traffic tab: live split, req/s and 5xx per colour from counter deltas, health, steps, history', async () => {
    const setup = await manager.setup(releaseId, 'production', FAST);
    assert.equal(setup.state, 'awaiting_promotion', setup.reason);
    await serverUp('green');
    const load = new LoadRecorder({ url: hap.url, rate: 600, maxInFlight: 16 }).start();
    try {
      await manager.switchTraffic(releaseId, 'green', 50);
      const first = await manager.trafficView(releaseId);
      assert.equal(first.colours.blue.requestsPerSec, undefined, 'no rate before a second sample');
      await sleep(1000);
      const view = await manager.trafficView(releaseId);
      assert.equal(view.routerKind, 'haproxy');
      assert.equal(view.hitless, true);
      assert.equal(view.weightsSource, 'router');
      assert.deepEqual(view.weights, { blue: 50, green: 50 });
      assert.equal(view.status.state, 'partial');
      assert.deepEqual(view.status.actions, { switch: true, promote: true, rollback: true, abort: true, confirm: true });
      assert.equal(view.status.nextStep, 100);
      assert.ok(view.rateSpanMs !== undefined && view.rateSpanMs >= 1000, `${view.rateSpanMs}`);
      for (const c of ['blue', 'green'] as const) {
        const v = view.colours[c];
        assert.equal(v.health, 'healthy', v.healthDetail);
        assert.match(v.healthDetail, /^HTTP 200 in \d+ ms$/);
        assert.equal(v.weight, 50);
        assert.ok(v.requestsPerSec! > 200 && v.requestsPerSec! < 400, `${c} ${v.requestsPerSec} req/s at 600 req/s, 50/50`);
        assert.equal(v.errors5xxPerSec, 0);
        assert.equal(v.errorRate, 0);
      }
      assert.deepEqual([view.colours.green.role, view.colours.green.version, view.colours.blue.role], ['preview', '1.3.0', 'stable']);
      assert.deepEqual(view.history.slice(-2).map((h) => [h.from, h.to, h.actor]), [['awaiting_promotion', 'switching', 'Ada Tester'], ['switching', 'partial', 'Ada Tester']]);
      assert.deepEqual(view.history.at(-1)?.weights, { blue: 50, green: 50 });
    } finally {
      await load.stop();
    }
    await manager.rollback(releaseId);
  });

  it('aborts a running switch plan: the plan stops, all traffic returns to blue at once', async () => {
    const setup = await manager.setup(releaseId, 'production', { ...FAST, stepBakeSeconds: 5 });
    assert.equal(setup.state, 'awaiting_promotion', setup.reason);
    await serverUp('green');
    const plan = manager.promote(releaseId);
    await until('the first step', 5000, async () => (await manager.status(releaseId))?.state === 'partial');
    const busy = await manager.status(releaseId);
    assert.equal(busy?.busy, 'promotion');
    assert.equal(busy?.actions.switch, false, 'no second switch while the plan runs');
    await refuses(manager.switchTraffic(releaseId, 'green', 50), /^cannot switch traffic to 1\.3\.0 in production: its promotion is still running; wait for it, or abort or roll back$/);
    const started = Date.now();
    const aborted = await manager.abort(releaseId, { reason: 'latency alarm' });
    const tookMs = Date.now() - started;
    assert.equal(aborted.state, 'aborted');
    assert.equal(aborted.reason, 'aborted: latency alarm');
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
    assert.ok(tookMs < 1000, `abort took ${tookMs} ms (the 5 s bake must not hold it)`);
    await plan;
    await sleep(300);
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 }, 'the plan applied no further step');
    assert.equal((await manager.status(releaseId))?.state, 'aborted');
  });

  it('reconciles a switch cut off mid-way from the router\'s actual weights, audited', async () => {
    const setup = await manager.setup(releaseId, 'production', FAST);
    assert.equal(setup.state, 'awaiting_promotion', setup.reason);
    await serverUp('green');
    // The process dies while switching: the record says `switching` towards 0/100, the router got to 50/50.
    const cutOff = async (weights: { blue: number; green: number }) => {
      await core.uow.write(async (r) => {
        const rec = await r.blueGreen.get(setup.id);
        await r.blueGreen.update({ ...rec!, state: 'switching', targetWeights: { blue: 0, green: 100 }, owner: 'dead@localhost' });
      });
      await router.setWeights(weights);
    };
    manager.dispose();

    await cutOff({ blue: 50, green: 50 });
    let restarted = newManager();
    let outcomes = await restarted.reconcile();
    assert.deepEqual(outcomes, [{
      id: setup.id, releaseId, environment: 'production', from: 'switching', to: 'partial', weights: { blue: 50, green: 50 },
      note: 'a switch to blue=0 green=100 was cut off; the router routes blue=50 green=50',
    }]);
    let st = await restarted.status(releaseId);
    assert.equal(st?.state, 'partial');
    assert.deepEqual(st?.weights, { blue: 50, green: 50 });
    let last = (await audit()).pop();
    assert.equal(last?.action, 'blue_green.reconcile');
    assert.equal(last?.actor, AUTOMATIC_ACTOR);
    assert.deepEqual([(last?.before as { state: string }).state, (last?.after as { state: string }).state], ['switching', 'partial']);
    restarted.dispose();

    await cutOff({ blue: 0, green: 100 });
    restarted = newManager();
    outcomes = await restarted.reconcile();
    assert.equal(outcomes[0].to, 'post_switch_checks', 'all on the new colour, post-switch checks configured');
    restarted.dispose();

    await cutOff({ blue: 100, green: 0 });
    restarted = newManager();
    outcomes = await restarted.reconcile();
    assert.equal(outcomes[0].to, 'awaiting_promotion', 'all still on the old colour');
    st = await restarted.status(releaseId);
    assert.deepEqual(st?.weights, { blue: 100, green: 0 });
    assert.equal(st?.reason, 'a switch to blue=0 green=100 was cut off; the router routes blue=100 green=0');

    // A deploy cut off mid-way is aborted; traffic was never touched.
    await core.uow.write(async (r) => {
      const rec = await r.blueGreen.get(setup.id);
      await r.blueGreen.update({ ...rec!, state: 'preview_deploying' });
    });
    restarted.dispose();
    restarted = newManager();
    outcomes = await restarted.reconcile();
    assert.equal(outcomes[0].to, 'aborted');
    assert.match(outcomes[0].note, /^cut off while deploying the preview colour \(Release Manager stopped\); traffic untouched/);
    last = (await audit()).pop();
    assert.equal(last?.action, 'blue_green.reconcile');
    assert.equal((await restarted.reconcile()).length, 0, 'nothing left to reconcile');
    restarted.dispose();
  });

  it('refuses illegal transitions and bad input with the reason, changing nothing', async () => {
    await assert.rejects(manager.switchTraffic(releaseId, 'green', 10), (err: unknown) => err instanceof NotFoundError && err.message === "blue-green rollout '1.3.0' does not exist");
    assert.equal(await manager.status(releaseId), null);
    await refuses(manager.setup('nope', 'production'), /^release 'nope' does not exist$/);
    await refuses(manager.setup(releaseId, 'qa'), /^environment 'qa' does not exist$/);
    await assert.rejects(manager.setup(releaseId, 'production', { steps: [10, 5, 100] }), (err: unknown) => err instanceof ValidationError && err.message === 'options.steps[1]: must be greater than the step before it (10)');
    await refuses(manager.setup(releaseId, 'production', { steps: [10, 50] }), /^options\.steps: must end at 100/);
    await refuses(manager.setup(releaseId, 'production', { postPromotionAnalysis: { threshold: 5 } }), /^options\.postPromotionAnalysis\.threshold: expected a number from 0 to 1, got number 5$/);
    await refuses(manager.setup(releaseId, 'production', { autoPromote: true } as never), /^options\.autoPromote: is not a blue-green setting/);
    assert.equal((await audit()).length, 0, 'nothing recorded by refused calls');

    const st = await manager.setup(releaseId, 'production', FAST);
    assert.equal(st.state, 'awaiting_promotion', st.reason);
    const auditCount = (await audit()).length;
    await assert.rejects(manager.rollback(releaseId), (err: unknown) => err instanceof RefusedError &&
      err.message === 'cannot roll back 1.3.0 in production: no traffic has moved to green yet (blue=100 green=0); abort the rollout to discard the preview');
    await refuses(manager.switchTraffic(releaseId, 'blue', 100), /^cannot roll back 1\.3\.0 in production: no traffic has moved to green yet/);
    await refuses(manager.switchTraffic(releaseId, 'green', 10.5), /^weight: expected a whole number from 0 to 100 \(the share of traffic for green\), got number 10\.5$/);
    await refuses(manager.switchTraffic(releaseId, 'red' as Colour, 10), /^colour: expected blue or green, got 'red'$/);
    const other = (await core.releases.createRelease('Shop', '1.4.0')).release.id;
    await refuses(manager.setup(other, 'production', FAST), /^production already has a blue-green rollout of 1\.3\.0 \(awaiting promotion, blue=100 green=0\); promote, roll back or abort it first$/);
    await refuses(manager.setup(releaseId, 'production', FAST), /^a blue-green rollout of 1\.3\.0 in production is already under way \(awaiting promotion\)$/);
    trust.trusted = false;
    await refuses(manager.switchTraffic(releaseId, 'green', 10), /^Switching traffic is not available in an untrusted workspace: blue-green runs the environment's pipeline and router commands; trust this folder to use it$/);
    await refuses(manager.setup(other, 'staging'), /^Setting up a blue-green rollout is not available in an untrusted workspace/);
    trust.trusted = true;
    assert.equal((await audit()).length, auditCount, 'refusals are not transitions');
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });

    const aborted = await manager.abort(releaseId, { reason: 'wrong build' });
    assert.equal(aborted.state, 'aborted');
    assert.equal(aborted.reason, 'aborted: wrong build; traffic untouched (blue=100 green=0)');
    await refuses(manager.switchTraffic(releaseId, 'green'), /^cannot switch traffic to 1\.3\.0 in production: the rollout was aborted \(aborted: wrong build; traffic untouched \(blue=100 green=0\)\); set it up again to retry$/);
    await refuses(manager.rollback(releaseId), /^cannot roll back 1\.3\.0 in production: the rollout was aborted/);
    await refuses(manager.abort(releaseId), /^cannot abort 1\.3\.0 in production: the rollout was aborted/);
    assert.equal((await audit()).pop()?.action, 'blue_green.aborted');
  });

  it('keeps auto-promotion off in production; elsewhere promotes by itself, then scales the old colour down after the delay', async () => {
    const prod = await manager.setup(releaseId, 'production', { prePromotionAnalysis: { intervalMs: 50 } });
    assert.equal(prod.production, true);
    assert.equal(prod.strategy.autoPromotionEnabled, false);
    assert.equal(prod.autoPromoteAt, undefined);
    assert.deepEqual(prod.strategy.steps, [10, 50, 100]);
    assert.equal(prod.strategy.scaleDownDelaySeconds, 30);
    assert.deepEqual(prod.strategy.prePromotionAnalysis, { enabled: true, consecutiveSuccesses: 3, intervalMs: 50, requestTimeoutMs: 500, timeoutSeconds: 30, smokeExpectStatus: 200 });
    assert.deepEqual(prod.strategy.postPromotionAnalysis, { enabled: true, windowMs: 1000, threshold: 0.05, minRequests: 10, pollMs: 100, durationSeconds: 30 });
    await sleep(500);
    assert.equal((await manager.status(releaseId))?.state, 'awaiting_promotion', 'nobody promoted it');
    await manager.abort(releaseId);

    const staging = (await core.releases.createRelease('Shop', '1.3.1')).release.id;
    const st = await manager.setup(staging, 'staging', {
      ...FAST, autoPromotionSeconds: 1.5, steps: [50, 100], postPromotionAnalysis: { durationSeconds: 0.5 }, scaleDownDelaySeconds: 0.5,
    });
    assert.equal(st.production, false);
    assert.equal(st.strategy.autoPromotionEnabled, true);
    assert.equal(st.state, 'awaiting_promotion', st.reason);
    assert.equal(st.autoPromoteAt?.getTime(), core.clock.now().getTime() + 1500);
    assert.equal(st.actions.confirm, false);
    await until('promoted', 10_000, async () => (await manager.status(staging))?.state === 'promoted');
    await until('scaled down', 5000, async () => (await manager.status(staging))?.scaledDownAt);
    const done = (await manager.status(staging))!;
    assert.equal(done.activeColour, 'green');
    assert.deepEqual(await router.getWeights(), { blue: 0, green: 100 });
    assert.deepEqual(scaler.calls.map((c) => [c.environment, c.colour]), [['staging', 'blue']]);
    const actions = (await core.uow.read((r) => r.audit.list({ entityType: 'blue_green', entityId: st.id }))).map((e) => `${e.action} ${e.actor}`);
    assert.deepEqual(actions.slice(5), [
      `blue_green.switching ${AUTOMATIC_ACTOR}`, `blue_green.partial ${AUTOMATIC_ACTOR}`, `blue_green.switching ${AUTOMATIC_ACTOR}`,
      `blue_green.post_switch_checks ${AUTOMATIC_ACTOR}`, `blue_green.promoted ${AUTOMATIC_ACTOR}`, `blue_green.scale_down ${AUTOMATIC_ACTOR}`,
    ]);
    await refuses(manager.rollback(staging), /^cannot roll back 1\.3\.1 in staging: the previous colour blue was scaled down at .*; deploy the previous release again instead$/);
  });
});
