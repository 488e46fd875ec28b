// BlueGreenDeploymentManager over a real nginx 1.22 (upstream file + nginx -t + reload + probe),
// each colour a real Node process deployed by script, error rates from nginx's access log.
// A reload is not hitless: idle keep-alive connections of old workers are reset (see src/traffic/nginx.ts);
// the recording client retries such a GET once and counts it. HTTP 5xx must be 0.
import assert from 'node:assert/strict';
import type { AutoRollbackEvent } from '../../../src/core/blueGreen';
import { BlueGreenDeploymentManager } from '../../../src/core/releases/BlueGreenDeploymentManager';
import { colourChecks } from '../../../src/traffic/colourChecks';
import { parseUpstream } from '../../../src/traffic/nginx';
import { ColourFleet, ScriptDeployer, SwitchableTrust, settingsFactory } from '../../support/blueGreenFleet';
import { fixedIdentity, openCore, type CoreHarness } from '../../support/coreHarness';
import { LoadRecorder, clock } from '../../support/loadRecorder';
import { makeTempDir, removeTempDir, requireBinary, startNginx, type TestNginx } from '../../support/trafficRouters';
import fs from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('blue-green: BlueGreenDeploymentManager on a real nginx', function () {
  this.timeout(40_000);
  let fleet: ColourFleet;
  let dir: string;
  let ngx: TestNginx;
  let core: CoreHarness;
  let manager: BlueGreenDeploymentManager;

  before(async () => {
    requireBinary('nginx');
    fleet = await ColourFleet.create();
    const blue = await fleet.deploy('blue', '1.2.0');
    assert.ok(blue.ok, blue.summary);
    dir = makeTempDir('bg-nginx');
    ngx = await startNginx(dir, { blue: fleet.address('blue'), green: fleet.address('green') });
    core = await openCore();
    const trust = new SwitchableTrust();
    const router = {
      kind: 'nginx', prefix: ngx.prefix, confFile: ngx.confFile, upstreamFile: ngx.upstreamFile, upstreamName: ngx.upstreamName,
      servers: { blue: fleet.address('blue'), green: fleet.address('green') }, probeUrl: ngx.url, accessLog: ngx.accessLog,
      endpoints: fleet.endpoints(),
    };
    manager = new BlueGreenDeploymentManager({
      uow: core.uow, clock: core.clock, identity: fixedIdentity(), trust,
      routers: settingsFactory({ production: { router, production: true } }, trust),
      deployer: new ScriptDeployer(fleet), checks: colourChecks,
    });
  });

  after(async () => {
    manager?.dispose();
    await core?.close();
    await ngx?.stop();
    await fleet?.stop();
    if (dir) removeTempDir(dir);
  });

  it('switches to green and rolls back under load with 0 HTTP 5xx, counting and printing the connection resets of each reload', async () => {
    const { release } = await core.releases.createRelease('Shop', '1.3.0');
    const rollbacks: AutoRollbackEvent[] = [];
    manager.onAutoRollback((e) => rollbacks.push(e));
    const setup = await manager.setup(release.id, 'production', { prePromotionAnalysis: { intervalMs: 50 } });
    assert.equal(setup.state, 'awaiting_promotion', setup.reason);
    assert.equal(setup.previewColour, 'green');

    const load = new LoadRecorder({ url: ngx.url, rate: 500, maxInFlight: 16 }).start();
    await sleep(1300);
    const switchAt = clock();
    const switched = await manager.switchTraffic(release.id, 'green', 100);
    const switchCallMs = clock() - switchAt;
    assert.equal(switched.state, 'post_switch_checks');
    assert.deepEqual(parseUpstream(fs.readFileSync(ngx.upstreamFile, 'utf8'), { blue: fleet.address('blue'), green: fleet.address('green') }), { blue: 0, green: 100 });
    await sleep(1800);
    const rollbackAt = clock();
    const back = await manager.rollback(release.id);
    const rollbackCallMs = clock() - rollbackAt;
    assert.equal(back.state, 'rolled_back');
    assert.deepEqual(back.weights, { blue: 100, green: 0 });
    await sleep(1800);
    const s = await load.stop();
    const around = (at: number) => load.summary(at - 50, at + 1500);
    const sw = around(switchAt);
    const rb = around(rollbackAt);
    const toGreen = load.switchLatency('green', switchAt, rollbackAt);
    const toBlue = load.switchLatency('blue', rollbackAt);
    console.log(`      nginx via manager: ${s.total} requests in ${(s.durationMs / 1000).toFixed(1)} s (${s.ratePerSec.toFixed(0)} req/s); HTTP 5xx ${s.http5xx}; connection resets (retried once on a fresh connection): switch ${sw.resets}, rollback ${rb.resets}; socket errors after the retry ${s.socketErrors}; switch ${switchCallMs.toFixed(0)} ms (write, nginx -t, reload, probe-verify), rollback ${rollbackCallMs.toFixed(0)} ms; 100 % green after ${toGreen.toFixed(0)} ms, 100 % blue after ${toBlue.toFixed(0)} ms`);
    assert.ok(s.durationMs >= 5000 && s.ratePerSec >= 450, `${s.total} requests in ${s.durationMs.toFixed(0)} ms`);
    assert.equal(s.http5xx, 0);
    assert.equal(s.socketErrors, 0, `socket errors after the retry: ${s.errorSamples.join(', ')}`);
    assert.ok(s.byColour.green > 500 && s.byColour.blue > 500, JSON.stringify(s.byColour));
    assert.ok(toGreen < 3000 && toBlue < 3000, `${toGreen} / ${toBlue} ms`);
    assert.deepEqual(rollbacks, [], 'a healthy green is not rolled back by the access-log watcher');
  });

  it('rolls a failing green back automatically from the access log', async () => {
    const { release } = await core.releases.createRelease('Shop', '1.3.1');
    const events: AutoRollbackEvent[] = [];
    manager.onAutoRollback((e) => events.push(e));
    fleet.startMode('green', 'ok');
    const setup = await manager.setup(release.id, 'production', { prePromotionAnalysis: { intervalMs: 50 } });
    assert.equal(setup.state, 'awaiting_promotion', setup.reason);
    const load = new LoadRecorder({ url: ngx.url, rate: 500, maxInFlight: 16 }).start();
    await sleep(300);
    await fleet.setMode('green', 'fail-root');
    await manager.switchTraffic(release.id, 'green', 100);
    for (let i = 0; i < 100 && !events.length; i++) await sleep(50);
    await manager.idle();
    const s = await load.stop();
    assert.equal(events.length, 1, 'one automatic rollback');
    assert.equal(events[0].ok, true, events[0].message);
    assert.ok((events[0].detectionToRollbackMs ?? Infinity) < 1000, `${events[0].detectionToRollbackMs} ms`);
    console.log(`      nginx auto-rollback: detection → rollback ${events[0].detectionToRollbackMs} ms (reload + probe-verify); client 5xx ${s.http5xx} of ${s.total}`);
    assert.equal((await manager.status(release.id))?.state, 'rolled_back');
  });
});
