// BlueGreenDeploymentManager over the command router, with test/support/fake-kubectl.sh standing in
// for `kubectl patch` / `kubectl get`: weights travel as BG_* environment variables, the split is read
// back from the command's output, and nothing runs in an untrusted workspace.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../../../src/core/model';
import { BlueGreenDeploymentManager, type BlueGreenSetupOptions } from '../../../src/core/releases/BlueGreenDeploymentManager';
import { colourChecks } from '../../../src/traffic/colourChecks';
import { ColourFleet, ScriptDeployer, SwitchableTrust, settingsFactory } from '../../support/blueGreenFleet';
import { fixedIdentity, openCore, type CoreHarness } from '../../support/coreHarness';

const KUBECTL = path.resolve(__dirname, '../../support/fake-kubectl.sh');
// The command router has no per-colour metrics and no probe URL here: no post-switch watcher.
const OPTIONS: BlueGreenSetupOptions = { stepBakeSeconds: 0.1, prePromotionAnalysis: { intervalMs: 50 }, postPromotionAnalysis: { enabled: false } };

describe('blue-green: BlueGreenDeploymentManager with a command router (fake kubectl)', function () {
  this.timeout(30_000);
  let fleet: ColourFleet;
  let core: CoreHarness;
  let trust: SwitchableTrust;
  let state: string;
  let routers: ReturnType<typeof settingsFactory>;
  let manager: BlueGreenDeploymentManager;

  const patches = () => fs.readFileSync(`${state}.log`, 'utf8').trim().split('\n').filter((l) => l.startsWith('patch'));

  before(async () => {
    fleet = await ColourFleet.create();
    state = path.join(fleet.dir, 'weights');
    fs.writeFileSync(state, 'blue=100 green=0\n');
    fs.writeFileSync(`${state}.log`, '');
    const blue = await fleet.deploy('blue', '1.2.0');
    assert.ok(blue.ok, blue.summary);
    core = await openCore();
    trust = new SwitchableTrust();
    const router = {
      kind: 'command', setCommand: '"$KUBECTL" patch', getCommand: '"$KUBECTL" get', cwd: fleet.dir,
      env: { KUBECTL, FAKE_KUBECTL_STATE: state }, timeoutMs: 5000, endpoints: fleet.endpoints(),
    };
    routers = settingsFactory({ production: { router, production: true } }, trust);
    manager = new BlueGreenDeploymentManager({
      uow: core.uow, clock: core.clock, identity: fixedIdentity(), trust, routers, deployer: new ScriptDeployer(fleet), checks: colourChecks,
    });
  });

  after(async () => {
    manager?.dispose();
    await core?.close();
    await fleet?.stop();
  });

  it('asks for a probe URL when the router cannot report per-colour errors and the watcher is on', async () => {
    const { release } = await core.releases.createRelease('Shop', '1.2.9');
    await assert.rejects(manager.setup(release.id, 'production'), (err: unknown) => err instanceof ValidationError &&
      err.field === 'environments.production.router.endpoints.probeUrl' &&
      err.reason === "is needed to watch the new colour's error rate: the command router has no per-colour metrics (set a probe URL through the router, or disable postPromotionAnalysis)");
    assert.equal(await manager.status(release.id), null);
  });

  it('sets up, promotes through 10 → 50 → 100 with kubectl patch, reads the split back with kubectl get, and rolls back', async () => {
    const { release } = await core.releases.createRelease('Shop', '1.3.0');
    const st = await manager.setup(release.id, 'production', OPTIONS);
    assert.equal(st.state, 'awaiting_promotion', st.reason);
    assert.equal(st.previewColour, 'green');
    const promoted = await manager.promote(release.id);
    assert.equal(promoted.state, 'promoted', promoted.reason);
    assert.equal(promoted.activeColour, 'green');
    assert.deepEqual(promoted.steps.map((s) => s.status), ['done', 'done', 'current']);
    assert.deepEqual(patches(), ['patch blue=90 green=10 target=blue', 'patch blue=50 green=50 target=green', 'patch blue=0 green=100 target=green']);
    const { router } = await routers.forEnvironment('production');
    assert.deepEqual(await router.getWeights(), { blue: 0, green: 100 });

    const back = await manager.rollback(release.id, { reason: 'checkout errors reported by support' });
    assert.equal(back.state, 'rolled_back');
    assert.equal(back.reason, 'rolled back: checkout errors reported by support');
    assert.equal(patches().pop(), 'patch blue=100 green=0 target=blue');
    assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
  });

  it('reconciles from what kubectl get reports', async () => {
    const { release } = await core.releases.createRelease('Shop', '1.3.1');
    const st = await manager.setup(release.id, 'production', OPTIONS);
    assert.equal(st.state, 'awaiting_promotion', st.reason);
    await core.uow.write(async (r) => r.blueGreen.update({ ...(await r.blueGreen.get(st.id))!, state: 'switching', targetWeights: { blue: 50, green: 50 } }));
    fs.writeFileSync(state, 'blue=90 green=10\n'); // the patch for 10 % landed, the one for 50 % never ran
    const [outcome] = await manager.reconcile();
    assert.equal(outcome.to, 'partial');
    assert.deepEqual(outcome.weights, { blue: 90, green: 10 });
    assert.equal((await manager.abort(release.id)).state, 'aborted');
    assert.equal(patches().pop(), 'patch blue=100 green=0 target=blue', 'abort moved the 10 % back');
  });

  it('runs no router command and no deploy in an untrusted workspace', async () => {
    const { release } = await core.releases.createRelease('Shop', '1.4.0');
    const before = patches().length;
    trust.trusted = false;
    try {
      await assert.rejects(manager.setup(release.id, 'production', OPTIONS), /Setting up a blue-green rollout is not available in an untrusted workspace/);
      // Trust reaches the adapter too: the command router refuses on its own.
      const { router } = await routers.forEnvironment('production');
      await assert.rejects(router.getWeights(), /getCommand not run: router commands do not run in an untrusted workspace/);
      await assert.rejects(router.setWeights({ blue: 0, green: 100 }), /setCommand not run/);
    } finally {
      trust.trusted = true;
    }
    assert.equal(patches().length, before);
  });
});
