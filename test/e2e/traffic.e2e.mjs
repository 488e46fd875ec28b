// Blue-green as a person drives it: a real HAProxy and two real Node backends on 127.0.0.1 with a
// light load running, the workspace's pipeline (deploys the idle colour, COLOR from the run), the
// environment's pipeline and traffic router set from the palette, a release set up, then Switch
// pressed in the dashboard's Traffic tab until the live split shows traffic on green; screenshot.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import { repoRoot } from '../harness/codeServer.mjs';
import {
  answerPrompt, clearNotifications, notification, pickRow, runCommand, waitForPrompt, webviewFrame,
} from './workbench.mjs';

const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

export const tests = {
  'Traffic tab: press Switch while a real HAProxy carries a light load, see the split move to green': {
    timeout: 180_000,
    run: async ({ page, workspace, screenshot }) => {
      // The test helpers are TypeScript; only what does not depend on their own file location is used.
      const routers = await tsImport('../support/trafficRouters.ts', import.meta.url);
      const { ColourFleet } = await tsImport('../support/blueGreenFleet.ts', import.meta.url);
      const { LoadRecorder } = await tsImport('../support/loadRecorder.ts', import.meta.url);
      const { HaproxyRouter } = await tsImport('../../src/traffic/haproxy.ts', import.meta.url);
      routers.requireBinary('haproxy');
      const script = path.join(repoRoot, 'test/support/deployColour.sh');
      const backend = path.join(repoRoot, 'test/support/colourBackend.mjs');
      const fleet = await ColourFleet.create();
      const dir = routers.makeTempDir('e2e-haproxy');
      let hap;
      let load;
      try {
        // Before Release Manager: blue serves 1.0.0 behind HAProxy, under a light load.
        const blue = spawnSync('sh', [script], { env: { ...process.env, COLOR: 'blue', VERSION: '1.0.0', BG_DIR: fleet.dir, NODE: process.execPath, BACKEND: backend }, encoding: 'utf8' });
        assert.equal(blue.status, 0, blue.stderr);
        hap = await routers.startHaproxy(dir, { blue: fleet.address('blue'), green: fleet.address('green') });
        const router = new HaproxyRouter({ socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers });
        load = new LoadRecorder({ url: hap.url, rate: 60, maxInFlight: 4 }).start();

        // The workspace's pipeline: its one step deploys the release to the colour in $COLOR.
        const deploy = `VERSION="$RELEASE_VERSION" BG_DIR=${q(fleet.dir)} NODE=${q(process.execPath)} BACKEND=${q(backend)} sh ${q(script)}`;
        fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
        fs.writeFileSync(path.join(workspace, '.vscode/release-pipelines.json'), JSON.stringify({
          pipelines: [{ name: 'deploy-colour', steps: [{ name: 'deploy', type: 'shell', command: deploy, timeoutSeconds: 60 }] }],
        }, null, 2));

        // dev runs that pipeline …
        await runCommand(page, 'Release Manager: Edit Environment Settings', { prompts: true });
        await waitForPrompt(page, 'which environment?');
        await pickRow(page, 'dev');
        await waitForPrompt(page, 'Edit Environment Settings: dev');
        await pickRow(page, 'Pipeline:');
        await waitForPrompt(page, 'Pipeline of dev');
        await pickRow(page, 'deploy-colour');
        await notification(page, "dev: ").waitFor();

        // … and has a traffic router: the JSON is checked as it is typed.
        await runCommand(page, 'Release Manager: Configure Traffic Router', { prompts: true });
        await waitForPrompt(page, 'Configure Traffic Router: which environment?');
        await pickRow(page, 'dev');
        const box = (await waitForPrompt(page, 'Configure Traffic Router: dev')).locator('.quick-input-box input');
        await box.fill(JSON.stringify({ kind: 'haproxy', socketPath: 'admin.sock', backend: hap.backend, servers: hap.servers, endpoints: fleet.endpoints() }));
        await page.locator('.quick-input-widget .quick-input-message', { hasText: 'Must be an absolute path' }).waitFor();
        await answerPrompt(page, 'Configure Traffic Router: dev', JSON.stringify({
          kind: 'haproxy', socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers, endpoints: fleet.endpoints(),
          // Here a person moves the traffic: no automatic promotion; quick checks.
          blueGreen: { autoPromotionEnabled: false, prePromotionAnalysis: { consecutiveSuccesses: 2, intervalMs: 100 } },
        }));
        await notification(page, 'Saved the haproxy router settings of dev.').waitFor();

        // A release, set up: green gets 1.4.0 through the pipeline, checked, then the dashboard opens on Traffic.
        await runCommand(page, 'Release Manager: Create Release', { prompts: true });
        await answerPrompt(page, 'Create Release (1/4): name', 'Storefront search');
        await answerPrompt(page, 'Create Release (2/4): version', '1.4.0');
        await answerPrompt(page, 'Create Release (3/4): planned start', '');
        await answerPrompt(page, 'Create Release (4/4): planned end', '');
        await notification(page, 'Created release 1.4.0').waitFor();
        await runCommand(page, 'Release Manager: Set Up Blue-Green Rollout', { prompts: true });
        await waitForPrompt(page, 'Set Up Blue-Green Rollout: which release?');
        await pickRow(page, '1.4.0');
        await waitForPrompt(page, 'which environment?');
        await pickRow(page, 'dev');
        const wv = webviewFrame(page);
        await wv.locator('#traffic[data-state="awaiting_promotion"]').waitFor({ timeout: 60_000 });
        await wv.locator('#colour-green', { hasText: '1.4.0' }).waitFor();
        // HAProxy's own checks see green before it takes traffic.
        await routers.waitForHaproxyServerUp(router, hap.backend, 'green');

        // Switch from the webview: 10 %, then 50 %.
        await wv.locator('#traffic-switch', { hasText: 'Switch green to 10 %' }).click();
        await wv.locator('#traffic-split[data-green="10"]').waitFor({ timeout: 20_000 });
        await wv.locator('#traffic-switch', { hasText: 'Switch green to 50 %' }).click();
        await wv.locator('#traffic-split[data-green="50"]').waitFor({ timeout: 20_000 });
        // The live split: the router's counters show requests reaching green.
        await wv.locator('#colour-green:not([data-rps=""]):not([data-rps="0"])').waitFor({ timeout: 20_000 });
        assert.equal(await wv.locator('#traffic-steps li[data-status="current"]').getAttribute('data-weight'), '50');
        assert.equal(await wv.locator('#traffic-timeline li[data-status="current"]').getAttribute('data-state'), 'switching');
        assert.deepEqual(await router.getWeights(), { blue: 50, green: 50 });
        await clearNotifications(page);
        await page.mouse.move(1, 1);
        await wv.locator('#colour-green:not([data-rps=""]):not([data-rps="0"])').waitFor();
        await screenshot('traffic');

        // Roll back from the webview: all traffic on blue at once.
        await wv.locator('#traffic-rollback').click();
        await wv.locator('#traffic[data-state="rolled_back"]').waitFor({ timeout: 20_000 });
        assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
        const summary = await load.stop();
        load = undefined;
        assert.equal(summary.socketErrors + summary.http5xx, 0, `the load saw ${summary.socketErrors} socket errors and ${summary.http5xx} 5xx`);
      } finally {
        await load?.stop();
        await hap?.stop();
        await fleet.stop();
        routers.removeTempDir(dir);
      }
    },
  },
};
