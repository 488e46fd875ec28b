// Blue-green inside a real VS Code, against a real HAProxy started by this test on 127.0.0.1 (the
// extension host inherits the server's environment, PATH included) and two real Node backends:
// the router configured by command (a bad setting refused naming the field), setup through a
// shell pipeline in the workspace that deploys the idle colour with COLOR, 10 → 50 → 100 with
// production's confirmation, the dashboard's Traffic feed polling only while watched, rollback,
// a cut-off switch reconciled from the router's real weights with a notification, and an
// automatic rollback announced with the breach figures.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BlueGreenStatus } from '../../src/core/blueGreen';
import type { Environment, Release } from '../../src/core/model';
import type { Colour } from '../../src/core/ports';
import type { HostToWebview } from '../../src/shared/protocol';
import { HaproxyRouter } from '../../src/traffic/haproxy';
import { Commands } from '../../src/vscode/commandIds';
import type { FolderCore } from '../../src/vscode/workspaceSession';
import { ColourFleet } from '../support/blueGreenFleet';
import { LoadRecorder } from '../support/loadRecorder';
import { makeTempDir, removeTempDir, requireBinary, startHaproxy, waitForHaproxyServerUp, type TestHaproxy } from '../support/trafficRouters';
import { EXTENSION_ID, api, refused, uniqueVersion, waitFor } from './support';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('blue-green traffic (real HAProxy)', function () {
  this.timeout(120_000);
  const ENV = `bg-prod-${Date.now() % 100_000}`;
  let core: FolderCore;
  let fleet: ColourFleet;
  let dir: string;
  let hap: TestHaproxy;
  let router: HaproxyRouter;
  let deployCommand: string;
  let pipelineName: string;
  let release: Release;

  /** The bundled test has no test/support beside it: the scripts are found through the extension's folder (the repository). */
  const repo = () => vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;

  const serverUp = (colour: Colour) => waitForHaproxyServerUp(router, hap.backend, colour);

  const settings = () => ({
    kind: 'haproxy', socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers, configPath: hap.cfgPath,
    endpoints: fleet.endpoints(),
    // Production keeps auto-promotion off; short checks and bake so the test stays quick.
    blueGreen: {
      stepBakeSeconds: 0.2,
      prePromotionAnalysis: { consecutiveSuccesses: 2, intervalMs: 50, timeoutSeconds: 10 },
      postPromotionAnalysis: { durationSeconds: 60 },
    },
  });

  before(async () => {
    requireBinary('haproxy');
    const a = await api();
    core = await a.core();
    fleet = await ColourFleet.create();
    const script = path.join(repo(), 'test/support/deployColour.sh');
    const backend = path.join(repo(), 'test/support/colourBackend.mjs');
    deployCommand = `VERSION="$RELEASE_VERSION" BG_DIR=${q(fleet.dir)} NODE=${q(process.execPath)} BACKEND=${q(backend)} sh ${q(script)}`;
    // What ran before Release Manager: blue serves 1.0.0.
    const blue = spawnSync('sh', [script], { env: { ...process.env, COLOR: 'blue', VERSION: '1.0.0', BG_DIR: fleet.dir, NODE: process.execPath, BACKEND: backend }, encoding: 'utf8' });
    assert.equal(blue.status, 0, blue.stderr);
    dir = makeTempDir('it-haproxy');
    hap = await startHaproxy(dir, { blue: fleet.address('blue'), green: fleet.address('green') });
    router = new HaproxyRouter({ socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers });
    pipelineName = `bg-deploy-${Date.now() % 100_000}`;
    const pipeline = await core.pipelines.createPipeline(pipelineName, [{ name: 'deploy colour', type: 'shell', command: deployCommand, timeoutSeconds: 60 }]);
    // A protected environment first in the order: production for blue-green, no earlier environment to pass.
    await core.environments.addEnvironment(ENV, { position: 0, protected: true, pipelineId: pipeline.id });
    release = ((await vscode.commands.executeCommand(Commands.createRelease, { name: 'Blue-green check', version: uniqueVersion(60) })) as { release: Release }).release;
    await core.environments.requestApproval(release.id, ENV);
    await core.environments.approve(release.id, ENV, 'Ada Approver');
  });

  /** A failed test leaves no rollout under way for the next one. */
  async function finishRollouts(): Promise<void> {
    for (const s of (await core?.blueGreen.list({ environment: ENV })) ?? []) {
      if (!['promoted', 'aborted', 'rolled_back'].includes(s.state)) await core.blueGreen.abort(s.releaseId, { environment: ENV, reason: 'test cleanup' }).catch(() => undefined);
    }
  }

  afterEach(finishRollouts);

  after(async () => {
    // Leave the shared workspace as other tests expect it.
    await finishRollouts();
    await core?.environments.removeEnvironment(ENV).catch((e: Error) => console.error(`could not remove ${ENV}: ${e.message}`));
    await hap?.stop();
    await fleet?.stop();
    if (dir) removeTempDir(dir);
  });

  it('configures the router by command: bad settings are refused naming the field and nothing is stored', async () => {
    const bad = { ...settings(), socketPath: 'admin.sock' };
    assert.equal(
      await refused(Commands.configureRouter, { environment: ENV, settings: bad }),
      `environments.${ENV}.router.socketPath: must be an absolute path, got "admin.sock"`,
    );
    assert.equal(
      await refused(Commands.configureRouter, { environment: ENV, settings: { ...settings(), blueGreen: { steps: [10, 60] } } }),
      `environments.${ENV}.router.blueGreen.steps: must end at 100 (all traffic on the new colour), ends at 60`,
    );
    assert.equal(await refused(Commands.configureRouter, { environment: ENV, settings: 'haproxy' }), "arguments.settings: expected an object, or null to remove the settings, got 'haproxy'");
    assert.equal((await core.environments.getEnvironment(ENV)).router, undefined);
    const saved = (await vscode.commands.executeCommand(Commands.configureRouter, { environment: ENV, settings: settings() })) as { router: Record<string, unknown> };
    assert.equal(saved.router.kind, 'haproxy');
    const env: Environment = await core.environments.getEnvironment(ENV);
    assert.deepEqual((env.router as { endpoints: unknown }).endpoints, fleet.endpoints());
  });

  it('sets up through the workspace pipeline with COLOR, switches 10 → 50 → 100 with confirmation, watched in the dashboard, and rolls back', async () => {
    const a = await api();
    const setup = (await vscode.commands.executeCommand(Commands.setupBlueGreen, { releaseId: release.id, environment: ENV })) as BlueGreenStatus;
    assert.equal(setup.state, 'awaiting_promotion', setup.reason);
    assert.equal(setup.previewColour, 'green');
    assert.equal(setup.production, true);
    assert.match(setup.deploySummary ?? '', new RegExp(`^pipeline '${pipelineName}' deployed ${release.version.replace(/\./g, '\\.')} to green \\(1 step\\)$`));
    const run = (await core.pipelines.listRuns({ deploymentId: setup.deploymentId }))[0];
    assert.match(run.steps[0].log, new RegExp(`deployed ${release.version.replace(/\./g, '\\.')} to green on 127\\.0\\.0\\.1:${fleet.ports.green}`));
    assert.equal((await core.environments.getDeployment(setup.deploymentId!))?.status, 'completed');
    await serverUp('green');

    // Production: without a confirmation nothing moves.
    assert.match(await refused(Commands.switchTraffic, { releaseId: release.id }), new RegExp(`^${ENV} is production: Switch ${ENV} traffic to green 10 % .* Pass confirm: true to do it without asking\\.$`));
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });

    // The dashboard's Traffic tab: the host polls while the webview watches.
    await vscode.commands.executeCommand(Commands.openDashboard, { releaseId: release.id, tab: 'traffic' });
    await waitFor('the dashboard to be ready', () => a.testing.dashboards().find((d) => d.releaseId === release.id && d.ready), 15_000);
    await a.testing.sendFromWebview(release.id, { type: 'traffic/watch', watching: true, environment: ENV });

    for (const [step, split] of [[10, { blue: 90, green: 10 }], [50, { blue: 50, green: 50 }], [100, { blue: 0, green: 100 }]] as const) {
      const s = (await vscode.commands.executeCommand(Commands.switchTraffic, { releaseId: release.id, environment: ENV, confirm: true })) as BlueGreenStatus;
      assert.deepEqual(s.weights, split, `step ${step}`);
      assert.equal(s.state, step === 100 ? 'post_switch_checks' : 'partial');
      assert.deepEqual(await router.getWeights(), split, 'the router really routes it');
    }
    const status = await core.blueGreen.status(release.id, { environment: ENV });
    assert.deepEqual(status?.steps.map((x) => x.status), ['done', 'done', 'current']);
    const info = await waitFor('a traffic view at 100 % green', () => {
      const d = a.testing.dashboards().find((x) => x.releaseId === release.id);
      return d?.traffic.last?.selected?.split.green === 100 && d;
    }, 5000);
    const view = info.traffic.last!.selected!;
    assert.equal(view.state, 'post_switch_checks');
    assert.equal(view.colours.green.role, 'preview');
    assert.equal(view.colours.green.version, release.version);
    // blue's 1.0.0 was deployed before Release Manager: no rollout recorded it.
    assert.equal(view.colours.blue.version, undefined);
    assert.equal(view.colours.blue.role, 'active');
    assert.equal(view.colours.green.health, 'healthy');
    assert.equal(view.timeline.find((t) => t.status === 'current')?.state, 'post_switch_checks');
    assert.ok(view.history.some((h) => h.to === 'partial' && h.split === 'blue=50 green=50'));
    // About once a second while watched; nothing once the tab is hidden.
    const v0 = info.traffic.views;
    await new Promise((r) => setTimeout(r, 2500));
    const v1 = a.testing.dashboards().find((x) => x.releaseId === release.id)!.traffic.views;
    assert.ok(v1 - v0 >= 2 && v1 - v0 <= 5, `${v1 - v0} views in 2.5 s`);
    await a.testing.sendFromWebview(release.id, { type: 'traffic/watch', watching: false });
    const stopped = a.testing.dashboards().find((x) => x.releaseId === release.id)!;
    assert.equal(stopped.traffic.watching, false);
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(a.testing.dashboards().find((x) => x.releaseId === release.id)!.traffic.views, stopped.traffic.views, 'no polling while the tab is hidden');

    // An invalid button message is answered naming the field, and changes nothing.
    const replies: HostToWebview[] = await a.testing.sendFromWebview(release.id, { type: 'traffic/action', requestId: 'x1', action: 'promote', weight: 100 });
    assert.equal(replies[0]?.type === 'request/failed' && replies[0].field, 'weight');

    const back = (await vscode.commands.executeCommand(Commands.rollbackTraffic, { releaseId: release.id, environment: ENV, confirm: true, reason: 'integration test' })) as BlueGreenStatus;
    assert.equal(back.state, 'rolled_back');
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
    await waitFor('the deployment marked rolled back', async () => (await core.environments.getDeployment(setup.deploymentId!))?.status === 'rolled_back', 5000);
  });

  it('a switch cut off mid-way is reconciled from the router\'s real weights, with a notification saying what it had', async () => {
    const a = await api();
    const s = (await vscode.commands.executeCommand(Commands.setupBlueGreen, { releaseId: release.id, environment: ENV })) as BlueGreenStatus;
    assert.equal(s.state, 'awaiting_promotion', s.reason);
    assert.equal(s.attempt, 2);
    // As if the window closed between the router call and the record: the router at 50/50, the record still switching.
    await router.setWeights({ blue: 50, green: 50 });
    await core.uow.write(async (r) => {
      const rec = (await r.blueGreen.get(s.id))!;
      await r.blueGreen.update({ ...rec, state: 'switching', targetWeights: { blue: 0, green: 100 } });
    });
    const outcomes = await core.reconcileRollouts();
    const o = outcomes.find((x) => x.id === s.id);
    assert.equal(o?.to, 'partial');
    assert.deepEqual(o?.weights, { blue: 50, green: 50 });
    const notice = await waitFor('the reconciliation notice', () => a.testing.trafficNotices().find((n) => n.includes(ENV) && n.includes('was cut off')));
    assert.equal(notice, `Release Manager reconciled the blue-green rollout in ${ENV} after a restart: a switch to blue=0 green=100 was cut off; the router routes blue=50 green=50. It is now traffic split.`);
    const after = await core.blueGreen.status(release.id, { environment: ENV });
    assert.equal(after?.state, 'partial');
    assert.deepEqual(after?.weights, { blue: 50, green: 50 });
    const back = (await vscode.commands.executeCommand(Commands.rollbackTraffic, { releaseId: release.id, environment: ENV, confirm: true })) as BlueGreenStatus;
    assert.equal(back.state, 'rolled_back');
  });

  it('green answering 5xx after a switch is rolled back automatically; a warning says so with the figures', async () => {
    const a = await api();
    const s = (await vscode.commands.executeCommand(Commands.setupBlueGreen, { releaseId: release.id, environment: ENV })) as BlueGreenStatus;
    assert.equal(s.state, 'awaiting_promotion', s.reason);
    await serverUp('green');
    await vscode.commands.executeCommand(Commands.switchTraffic, { releaseId: release.id, environment: ENV, weight: 50, confirm: true });
    const load = new LoadRecorder({ url: hap.url, rate: 200, maxInFlight: 8 }).start();
    try {
      await new Promise((r) => setTimeout(r, 500));
      await fleet.setMode('green', 'fail-root');
      const notice = await waitFor('the automatic rollback notice', () => a.testing.trafficNotices().find((n) => n.includes('rolled back automatically') && n.includes(ENV)), 10_000);
      assert.match(notice, new RegExp(`^${release.version.replace(/\./g, '\\.')} was rolled back automatically in ${ENV}: green answered \\d+ of \\d+ requests with 5xx \\([\\d.]+ %\\) over \\d+ ms, above the 5\\.0 % threshold\\. All traffic is on blue again \\(\\d+ ms after detection\\)\\.$`));
    } finally {
      await load.stop();
      await fleet.setMode('green', 'ok');
    }
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
    const after = await core.blueGreen.status(release.id, { environment: ENV });
    assert.equal(after?.state, 'rolled_back');
    assert.ok(after?.breach && after.breach.errors > 0);
  });
});
