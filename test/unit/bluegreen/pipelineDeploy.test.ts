// Blue-green as the extension wires it: the preview colour is deployed by the environment's real
// pipeline (a shell step running test/support/deployColour.sh, COLOR from the run's environment),
// recorded as a deployment with the promotion rules; routers come from Environment.router through
// environmentRouterLoader + SettingsRouterFactory; scale-down runs the environment's command.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../../../src/core/model';
import { PipelineColourDeployer } from '../../../src/core/pipelineColourDeployer';
import { BlueGreenDeploymentManager, type BlueGreenSetupOptions } from '../../../src/core/releases/BlueGreenDeploymentManager';
import type { Colour } from '../../../src/core/ports';
import { colourChecks } from '../../../src/traffic/colourChecks';
import { HaproxyRouter } from '../../../src/traffic/haproxy';
import { CommandColourScaler, environmentRouterLoader, parseEnvironmentRouterSettings, storedRouterSettings } from '../../../src/traffic/environmentRouterSettings';
import { SettingsRouterFactory } from '../../../src/traffic/routerFactory';
import { BACKEND_SCRIPT, ColourFleet, DEPLOY_SCRIPT, until } from '../../support/blueGreenFleet';
import { fixedIdentity } from '../../support/coreHarness';
import { openPipelines, type PipelineHarness } from '../../support/pipelineHarness';
import { makeTempDir, removeTempDir, requireBinary, startHaproxy, waitForHaproxyServerUp, type TestHaproxy } from '../../support/trafficRouters';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Fast checks, and no auto-promotion (dev would promote by itself otherwise). */
const FAST: BlueGreenSetupOptions = {
  autoPromotionEnabled: false,
  stepBakeSeconds: 0,
  scaleDownDelaySeconds: 0,
  prePromotionAnalysis: { consecutiveSuccesses: 2, intervalMs: 50, timeoutSeconds: 5 },
  postPromotionAnalysis: { durationSeconds: 0 },
};

describe('blue-green: the preview colour deployed by the environment pipeline', function () {
  this.timeout(40_000);
  let fleet: ColourFleet;
  let dir: string;
  let hap: TestHaproxy;
  let h: PipelineHarness;
  let deployer: PipelineColourDeployer;
  let manager: BlueGreenDeploymentManager;
  let scaledFile: string;

  before(async () => {
    requireBinary('haproxy');
    fleet = await ColourFleet.create();
    const blue = await fleet.deploy('blue', '1.2.0');
    assert.ok(blue.ok, blue.summary);
    dir = makeTempDir('bg-pipeline');
    hap = await startHaproxy(dir, { blue: fleet.address('blue'), green: fleet.address('green') });
  });

  after(async () => {
    await hap?.stop();
    await fleet?.stop();
    if (dir) removeTempDir(dir);
  });

  /** HAProxy's own health checks must see the colour UP before it takes all traffic. */
  const serverUp = (colour: Colour) =>
    waitForHaproxyServerUp(new HaproxyRouter({ socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers }), hap.backend, colour, { timeoutMs: 8000, intervalMs: 25 });

  /** Router settings as the Configure Traffic Router command stores them. */
  const routerSettings = (environment: string, extra: Record<string, unknown> = {}) => storedRouterSettings(parseEnvironmentRouterSettings(environment, {
    kind: 'haproxy', socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers, endpoints: fleet.endpoints(), ...extra,
  }));

  beforeEach(async () => {
    fleet.startMode('green', 'ok');
    fleet.startMode('blue', 'ok');
    h = await openPipelines();
    scaledFile = path.join(h.work, 'scaled-down');
    // A real deploy step: the release's version from the run, COLOR from blue-green, paths inline.
    const command = `VERSION="$RELEASE_VERSION" BG_DIR=${q(fleet.dir)} NODE=${q(process.execPath)} BACKEND=${q(BACKEND_SCRIPT)} sh ${q(DEPLOY_SCRIPT)}`;
    const pipelineId = await h.pipeline('deploy-colour', [{ name: 'deploy', type: 'shell', command, timeoutSeconds: 30 }]);
    await h.promotion.updateEnvironment('dev', { pipelineId, router: routerSettings('dev', { scaleDownCommand: `echo "$COLOR $TARGET_ENV" > ${q(scaledFile)}` }) });
    await h.promotion.updateEnvironment('production', { pipelineId, router: routerSettings('production') });
    deployer = new PipelineColourDeployer({ uow: h.uow, promotions: h.promotion, pipelines: h.pipelines });
    manager = newManager();
    manager.onDidChange((s) => void deployer.rolloutChanged(s));
    // Whatever a test left: all traffic on blue — once HAProxy's checks see blue UP again (a test
    // that redeploys blue restarts its process, and HAProxy marks it DOWN until the next checks pass).
    await serverUp('blue');
    await (await new SettingsRouterFactory({ load: environmentRouterLoader(h.promotion), trust: h.trust }).forEnvironment('dev')).router.setWeights({ blue: 100, green: 0 });
  });

  /** A manager as the extension builds it; the records follow only when its changes are wired to the deployer. */
  function newManager(): BlueGreenDeploymentManager {
    return new BlueGreenDeploymentManager({
      uow: h.uow, clock: h.clock, identity: fixedIdentity(), trust: h.trust,
      routers: new SettingsRouterFactory({ load: environmentRouterLoader(h.promotion), trust: h.trust }),
      deployer, checks: colourChecks,
      scaler: new CommandColourScaler({ environments: h.promotion, runner: h.runner, trust: h.trust, cwd: h.work }),
      owner: 'test@localhost',
    });
  }

  afterEach(async () => {
    manager.dispose();
    await h.close();
  });

  it('setup records a promotion, runs the pipeline with COLOR and streams its output; abort marks that deployment rolled back', async () => {
    const release = await h.release('1.3.0');
    const output: string[] = [];
    manager.onOutput((e) => output.push(e.text));
    const s = await manager.setup(release.id, 'dev', FAST);
    assert.equal(s.state, 'awaiting_promotion', s.reason);
    assert.equal(s.previewColour, 'green');
    assert.match(output.join(''), /^deployed 1\.3\.0 to green on 127\.0\.0\.1:\d+ \(pid \d+, mode ok\)$/m);
    assert.match(s.deploySummary ?? '', /^pipeline 'deploy-colour' deployed 1\.3\.0 to green \(1 step\)$/);
    assert.ok(s.deploymentId);
    const d = await h.promotion.getDeployment(s.deploymentId);
    assert.equal(d?.status, 'completed');
    assert.equal(d?.environment, 'dev');
    assert.equal(d?.metadata?.kind, 'promotion');
    const run = (await h.pipelines.listRuns({ deploymentId: s.deploymentId }))[0];
    assert.equal(run.status, 'succeeded');
    assert.match(run.steps[0].log, /to green/);

    const aborted = await manager.abort(release.id, { reason: 'wrong build' });
    assert.equal(aborted.state, 'aborted');
    await until('the deployment rolled back', 3000, async () => (await h.promotion.getDeployment(s.deploymentId as string))?.status === 'rolled_back');
    const after = await h.promotion.getDeployment(s.deploymentId);
    assert.match(String(after?.metadata?.note), /^blue-green rollout of 1\.3\.0 aborted: aborted: wrong build/);
    assert.deepEqual(after?.metadata?.blueGreen, { colour: 'green' }, 'no traffic ever reached it');
  });

  it('set up again after an abort: a redeploy of the same release, still with COLOR', async () => {
    const release = await h.release('1.4.0');
    const first = await manager.setup(release.id, 'dev', FAST);
    assert.equal(first.state, 'awaiting_promotion', first.reason);
    await manager.abort(release.id);
    await until('the first deployment rolled back', 3000, async () => (await h.promotion.getDeployment(first.deploymentId as string))?.status === 'rolled_back');
    const again = await manager.setup(release.id, 'dev', FAST);
    assert.equal(again.state, 'awaiting_promotion', again.reason);
    assert.equal(again.attempt, 2);
    assert.notEqual(again.deploymentId, first.deploymentId);
    const d = await h.promotion.getDeployment(again.deploymentId as string);
    assert.equal(d?.metadata?.kind, 'redeploy');
    assert.equal(d?.status, 'completed');
    assert.match(again.deploySummary ?? '', /deployed 1\.4\.0 to green/);
  });

  it('the promotion rules apply: production without an approval is aborted with the reason, traffic untouched; no pipeline is refused before any record', async () => {
    const release = await h.release('1.5.0');
    const s = await manager.setup(release.id, 'production', { ...FAST, autoPromotionEnabled: false });
    assert.equal(s.state, 'aborted');
    assert.match(s.reason ?? '', /^deploying 1\.5\.0 to green failed: production needs a completed deployment of 1\.5\.0 in staging/);
    assert.match(s.reason ?? '', /traffic untouched \(blue=100 green=0\)$/);

    await h.promotion.updateEnvironment('staging', { pipelineId: null });
    await assert.rejects(deployer.preflight('staging'), /^RefusedError: staging has no pipeline: blue-green deploys the new version to the idle colour by running the environment's pipeline with COLOR set; choose a pipeline for staging first$/);
  });

  it('scale-down after the delay: the environment command runs with COLOR = the old colour; without one the old colour stays up and rollback stays possible', async () => {
    const a = await h.release('1.6.0');
    await manager.setup(a.id, 'dev', FAST);
    await serverUp('green');
    const promoted = await manager.promote(a.id, { full: true });
    assert.equal(promoted.state, 'promoted', promoted.reason);
    const scaled = await until('scaled down', 5000, async () => (await manager.status(a.id))?.scaledDownAt && manager.status(a.id));
    assert.equal(fs.readFileSync(scaledFile, 'utf8'), 'blue dev\n');
    assert.equal(scaled?.actions.rollback, false, 'the old colour is gone: no rollback');

    // Without a scaleDownCommand → skipped; the record keeps no scale-down time and can roll back.
    await h.promotion.updateEnvironment('dev', { router: routerSettings('dev') });
    // green carries dev now; the next release goes to blue.
    const b = await h.release('1.7.0');
    const sb = await manager.setup(b.id, 'dev', FAST);
    assert.equal(sb.previewColour, 'blue', sb.reason);
    await serverUp('blue');
    await manager.promote(b.id, { full: true });
    const skipped = await until('scale-down skipped', 5000, async () => {
      const st = await manager.status(b.id);
      return st?.state === 'promoted' && !st.scaleDownAt ? st : undefined;
    });
    assert.equal(skipped.scaledDownAt, undefined);
    assert.match(skipped.reason ?? '', /^green left running: dev has no scaleDownCommand in its router settings$/);
    assert.equal(skipped.actions.rollback, true);
    const events = await h.uow.read((r) => r.audit.list({ entityType: 'blue_green', entityId: skipped.id }));
    assert.ok(events.some((e) => e.action === 'blue_green.scale_down_skipped'));
    const back = await manager.rollback(b.id);
    assert.equal(back.state, 'rolled_back');
    await fleet.deploy('blue', '1.2.0'); // leave blue as the other tests expect
  });

  it('in the last environment the release follows the traffic: deployed at promotion, not when the colour is deployed; back in progress when rolled back', async () => {
    // dev alone: the first environment is the last, as production is in a full path.
    for (const name of ['test', 'staging', 'production']) await h.promotion.removeEnvironment(name);
    await h.promotion.updateEnvironment('dev', { router: routerSettings('dev') }); // no scale-down: rollback stays possible
    const release = await h.release('2.0.0');
    const s = await manager.setup(release.id, 'dev', FAST);
    assert.equal(s.state, 'awaiting_promotion', s.reason);
    assert.equal((await h.promotion.getDeployment(s.deploymentId as string))?.status, 'completed');
    assert.deepEqual((await h.promotion.getDeployment(s.deploymentId as string))?.metadata?.blueGreen, { colour: 'green' });
    const previewed = await h.uow.read((r) => r.releases.get(release.id));
    assert.equal(previewed?.status, 'in_progress', 'the new colour carries no traffic yet: not deployed');
    assert.equal(previewed?.actualEnd, undefined);

    await serverUp('green');
    const promoted = await manager.promote(release.id, { full: true });
    assert.equal(promoted.state, 'promoted', promoted.reason);
    const deployed = await until('the release deployed', 3000, async () => {
      const r = await h.uow.read((repos) => repos.releases.get(release.id));
      return r?.status === 'deployed' ? r : undefined;
    });
    assert.ok(deployed.actualEnd instanceof Date);
    // Users had it from the first split: recorded on the deployment for the DORA figures.
    const live = await h.promotion.getDeployment(s.deploymentId as string);
    assert.equal((live?.metadata?.blueGreen as { trafficAt?: string }).trafficAt, promoted.trafficAt?.toISOString());
    assert.ok(promoted.trafficAt && promoted.trafficAt.getTime() <= (promoted.promotedAt?.getTime() ?? 0));
    const events = await h.uow.read((r) => r.audit.list({ entityType: 'release', entityId: release.id }));
    const toDeployed = events.filter((e) => e.action === 'release.status.deployed');
    assert.equal(toDeployed.length, 1);
    assert.match(JSON.stringify(toDeployed[0]?.after), /blue-green rollout promoted in dev/);

    const back = await manager.rollback(release.id);
    assert.equal(back.state, 'rolled_back', back.reason);
    const undone = await until('the release back in progress', 3000, async () => {
      const r = await h.uow.read((repos) => repos.releases.get(release.id));
      return r?.status === 'in_progress' ? r : undefined;
    });
    assert.equal(undone.actualEnd, undefined);
    assert.equal((await h.promotion.getDeployment(s.deploymentId as string))?.status, 'rolled_back');
    const after = await h.uow.read((r) => r.audit.list({ entityType: 'release', entityId: release.id }));
    assert.ok(after.some((e) => e.action === 'release.status.in_progress' && /ended with the old colour serving/.test(JSON.stringify(e.after))));

    // A deployment that is not a blue-green colour still makes the release deployed on completion.
    const plain = await h.release('2.1.0');
    const d = await h.promotion.promoteToEnvironment(plain.id, 'dev', undefined, { pipelineEnv: { COLOR: 'blue' } });
    await until('the plain deployment done', 10_000, async () => (await h.promotion.getDeployment(d.id))?.status === 'completed');
    assert.equal((await h.uow.read((r) => r.releases.get(plain.id)))?.status, 'deployed');
    await fleet.deploy('blue', '1.2.0'); // leave blue as the other tests expect
  });

  it('records a closed window left behind the traffic follow at start (followEnded), once', async () => {
    for (const name of ['test', 'staging', 'production']) await h.promotion.removeEnvironment(name);
    await h.promotion.updateEnvironment('dev', { router: routerSettings('dev') });
    // As if the window closed right after each transition: nothing wired to the deployer.
    const bare = newManager();
    try {
      const a = await h.release('3.0.0');
      const sa = await bare.setup(a.id, 'dev', FAST);
      await serverUp('green');
      assert.equal((await bare.promote(a.id, { full: true })).state, 'promoted');
      const b = await h.release('3.1.0');
      const sb = await bare.setup(b.id, 'dev', FAST);
      assert.equal(sb.previewColour, 'blue', sb.reason);
      assert.equal((await bare.abort(b.id, { reason: 'closed' })).state, 'aborted');
      await sleep(200);
      assert.equal((await h.uow.read((r) => r.releases.get(a.id)))?.status, 'in_progress', 'not followed yet');
      assert.equal((await h.promotion.getDeployment(sb.deploymentId as string))?.status, 'completed', 'not followed yet');

      const ended = await bare.list({ state: ['promoted', 'aborted', 'rolled_back'] });
      const outcomes = await deployer.followEnded(ended);
      assert.deepEqual(outcomes.map((o) => [o.rollout.version, o.effect?.release?.status, o.effect?.deployment?.status, o.error]).sort(),
        [['3.0.0', 'deployed', undefined, undefined], ['3.1.0', undefined, 'rolled_back', undefined]]);
      assert.equal((await h.uow.read((r) => r.releases.get(a.id)))?.status, 'deployed');
      assert.equal((await h.promotion.getDeployment(sa.deploymentId as string))?.status, 'completed');
      assert.equal((await h.promotion.getDeployment(sb.deploymentId as string))?.status, 'rolled_back');
      assert.ok((await h.promotion.getDeployment(sa.deploymentId as string))?.metadata?.blueGreen, 'has its colour');
      assert.match(String(((await h.promotion.getDeployment(sa.deploymentId as string))?.metadata?.blueGreen as { trafficAt?: string }).trafficAt), /^\d{4}-\d\d-\d\dT/);
      assert.equal(((await h.promotion.getDeployment(sb.deploymentId as string))?.metadata?.blueGreen as { trafficAt?: string }).trafficAt, undefined);
      // Again: nothing left to follow, nothing written.
      const audit = await h.uow.read((r) => r.audit.list({}));
      assert.deepEqual(await deployer.followEnded(await bare.list({ state: ['promoted', 'aborted', 'rolled_back'] })), []);
      assert.equal((await h.uow.read((r) => r.audit.list({}))).length, audit.length);
    } finally {
      bare.dispose();
    }
    await fleet.deploy('blue', '1.2.0'); // leave blue as the other tests expect
  });

  it('blueGreenColour is checked before anything is written', async () => {
    const release = await h.release('1.9.0');
    await assert.rejects(
      h.promotion.promoteToEnvironment(release.id, 'dev', undefined, { blueGreenColour: 'purple' as 'blue' }),
      (e: unknown) => e instanceof ValidationError && e.field === 'blueGreenColour' && /expected 'blue' or 'green'/.test(e.message),
    );
    assert.deepEqual(await h.uow.read((r) => r.deployments.list({ releaseId: release.id })), []);
  });

  it('pipelineEnv is checked before anything is written', async () => {
    const release = await h.release('1.8.0');
    await assert.rejects(
      h.promotion.promoteToEnvironment(release.id, 'dev', undefined, { pipelineEnv: { 'bad-name': 'x' } }),
      (e: unknown) => e instanceof ValidationError && e.field === 'pipelineEnv.bad-name',
    );
    assert.deepEqual(await h.uow.read((r) => r.deployments.list({ releaseId: release.id })), []);
  });
});
