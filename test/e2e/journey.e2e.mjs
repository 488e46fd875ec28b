// Issue 8 §1: the whole product as one person drives it, in one VS Code window on the sample shop —
// discover its services, create release 1.0.0, see its risk and deployment order, promote it
// dev → test → staging through the shop's own pipeline (.vscode/release-pipelines.json: the deploy
// scripts start each service on 127.0.0.1, checked here on their ports), get production approved,
// roll it out there blue-green behind a real HAProxy (10 → 50 → 100 %, roll back, then ship it),
// create a monthly release train, link the release to a roadmap milestone, export the calendar.
// Palette, trees and dashboard buttons throughout; each stage is screenshotted (the README's
// pictures: docs/images/journey-*.png, rewritten with E2E_UPDATE_DOCS=1 or when missing).
// Issue 8 §4 along the way: 0 Content-Security-Policy violations in every webview frame, and every
// TCP listener of ours (code-server, extension host, HAProxy, the shop's services) on loopback only.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ical from 'node-ical';
import { tsImport } from 'tsx/esm/api';
import { repoRoot } from '../harness/codeServer.mjs';
import {
  SHOP_SERVICES, collectCspViolations, freeShopPortBase, httpGet, provokeCspViolation, shopHealth, shopPort,
} from './journey-support.mjs';
import {
  acceptQuickPick, answerDialog, answerPrompt, clearNotifications, editorTab, notification, openViewContainer, pickRow, runCommand, saveSmallPng,
  setEnvironmentPipeline, statusBarItem, toggleItems, viewPane, waitForPrompt, waitForTreeRow, webviewFrame, widenSideBar,
} from './workbench.mjs';

const DOCS_DIR = path.join(repoRoot, 'docs/images');
const DOCS_MAX_BYTES = 150 * 1024;
const DAY = 86_400_000;
const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

// The shop's services listen on SHOP_PORT_BASE + …; the extension host (and so every pipeline step)
// inherits it from the server's environment. Chosen when the file loads, as the test's env is read then.
const PORT_BASE = await freeShopPortBase();

export const tests = {
  'journey: discover, release, risk and order, promote through real pipelines, blue-green in production, train, roadmap, calendar': {
    timeout: 300_000,
    env: { SHOP_PORT_BASE: String(PORT_BASE) },
    // Production's traffic actions ask in a modal dialog, which the smoke-test driver refuses to show.
    smokeTestDriver: false,
    // For the pictures: VS Code would forward the shop's many ports and say so in a notification;
    // the minimap beside the calendar file is noise at README size.
    settings: { 'remote.autoForwardPorts': false, 'editor.minimap.enabled': false },
    run: async ({ page, server, workspace, screenshot, theme }) => {
      const t0 = Date.now();
      const csp = await collectCspViolations(page);
      // README-sized pictures; the workbench lays itself out again.
      await page.setViewportSize({ width: 1280, height: 800 });
      const stages = [];
      const stage = (name) => stages.push({ name, at: Date.now() });
      const shot = async (name) => {
        await page.mouse.move(1, 1);
        const file = await screenshot(name);
        const doc = path.join(DOCS_DIR, `${name}.png`);
        if (theme === 'dark' && (process.env.E2E_UPDATE_DOCS === '1' || !fs.existsSync(doc))) {
          const saved = await saveSmallPng(page, fs.readFileSync(file), doc, DOCS_MAX_BYTES);
          console.log(`    docs/images/${name}.png: ${saved.bytes} bytes (scale ${saved.scale.toFixed(2)})`);
        }
      };
      const wv = webviewFrame(page);

      const routers = await tsImport('../support/trafficRouters.ts', import.meta.url);
      const { LoadRecorder } = await tsImport('../support/loadRecorder.ts', import.meta.url);
      const { HaproxyRouter } = await tsImport('../../src/traffic/haproxy.ts', import.meta.url);
      const { describeListener, listenersOf, processFamily } = await tsImport('../support/listeners.ts', import.meta.url);
      routers.requireBinary('haproxy');
      const hapDir = routers.makeTempDir('journey-haproxy');
      let hap;
      let load;
      try {
        // ------------------------------------------------------------------ 1. discover the services
        stage('discover');
        await openViewContainer(page, 'Releases');
        await runCommand(page, 'Release Manager: Discover Services', { prompts: true });
        await waitForPrompt(page, 'Discover Services in shop');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'docker-compose.yml' }).first().waitFor();
        await shot('journey-1-discover');
        await acceptQuickPick(page);
        await notification(page, 'Added 6 services (db, redis, auth, api, worker, web)').waitFor();

        // ------------------------------------------------------------------ 2. create release 1.0.0
        stage('release');
        await runCommand(page, 'Release Manager: Create Release', { prompts: true });
        await answerPrompt(page, 'Create Release (1/5): name', 'Shop launch');
        await answerPrompt(page, 'Create Release (2/5): version', '1.0.0');
        await waitForPrompt(page, 'Create Release (3/5): services');
        await toggleItems(page, [...SHOP_SERVICES, 'db', 'redis']);
        await shot('journey-2-release');
        await acceptQuickPick(page);
        await answerPrompt(page, 'Create Release (4/5): planned start', `${ymd(new Date(Date.now() + DAY))} 09:00`);
        await answerPrompt(page, 'Create Release (5/5): planned end', `${ymd(new Date(Date.now() + 8 * DAY))} 18:00`);
        await notification(page, 'Created release 1.0.0 (Shop launch).').waitFor();
        await waitForTreeRow(page, 'Shop launch', { view: 'Releases' });
        await statusBarItem(page, '1.0.0 · planned').waitFor();

        // ------------------------------------------------------------------ 3. risk and deployment order
        stage('risk and order');
        await clearNotifications(page);
        await runCommand(page, 'Release Manager: Assess Release Risk', { prompts: true });
        await waitForPrompt(page, 'Assess Release Risk: which release?');
        await acceptQuickPick(page);
        await notification(page, 'Risk of release 1.0.0:').getByRole('button', { name: 'Open Dashboard' }).click();
        await editorTab(page, 'Release 1.0.0').waitFor();
        await wv.locator('#tab-overview[aria-selected="true"]').waitFor();
        await wv.locator('#risk-score:not([data-score=""])').waitFor();
        assert.ok((await wv.locator('#risk-factors tbody tr').count()) >= 5, 'each risk factor has its row');
        await wv.locator('#risk-factors tr[data-factor="dependencyFanIn"]').waitFor();
        assert.equal(await wv.locator('#field-services').innerText(), 'api, auth, db, redis, web, worker');
        await clearNotifications(page);
        await shot('journey-3-risk');

        await wv.locator('#tab-services').click();
        await wv.locator('#service-graph[data-state="ready"]').waitFor({ timeout: 60_000 });
        for (const name of [...SHOP_SERVICES, 'db', 'redis']) await wv.locator(`.graph-node[data-service="${name}"] .node-name`, { hasText: name }).waitFor();
        assert.deepEqual(await wv.locator('#deployment-order tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-service'))), ['db', 'redis', 'auth', 'api', 'web', 'worker']);
        await shot('journey-3-order');

        // ------------------------------------------------------------------ 4. promote through the pipeline
        // The shop's reviewed pipeline file is in the workspace; each environment runs it.
        stage('promotion');
        for (const env of ['dev', 'test', 'staging', 'production']) await setEnvironmentPipeline(page, env, 'shop');
        await clearNotifications(page);
        await wv.locator('#tab-promotion').click();
        for (const env of ['dev', 'test', 'staging']) {
          await wv.locator(`#promote-${env}`).click();
          await wv.locator(`#promotion-timeline li[data-env="${env}"][data-state="completed"]`).waitFor({ timeout: 90_000 });
          // The deploy scripts really started the services: each answers on its own port with the release.
          for (const service of SHOP_SERVICES) {
            const h = await shopHealth(PORT_BASE, service, env);
            assert.deepEqual([h.status, h.service, h.version, h.env], ['ok', service, '1.0.0', env], `${service} in ${env}`);
          }
          await waitForTreeRow(page, new RegExp(`^${env}.*1\\.0\\.0 ✓`), { view: 'Environments' });
        }
        // The last run's steps and log, from the timeline's link.
        await wv.locator('#promotion-timeline li[data-env="staging"] .timeline-run button', { hasText: 'Show' }).click();
        await wv.locator('#pipeline-run-status', { hasText: 'succeeded' }).waitFor();
        assert.deepEqual(await wv.locator('#pipeline-steps tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))), Array(5).fill('succeeded'));
        await wv.locator('#pipeline-steps tbody tr').last().click();
        await wv.locator('#step-log', { hasText: 'web-staging ok' }).waitFor();
        await clearNotifications(page);
        await shot('journey-4-pipeline');

        // Production is protected: request the approval, then approve it, in the Promotion tab.
        await wv.locator('#tab-promotion').click();
        await wv.locator('#promotion-timeline li[data-env="production"] .blockers', { hasText: 'production is protected' }).waitFor();
        await wv.locator('#request-approval-production').click();
        await wv.locator('#approval-production[data-approval="pending"]').waitFor();
        await wv.locator('#approve-production').click();
        await wv.locator('#approval-production[data-approval="approved"]').waitFor();
        await wv.locator('#promote-production').waitFor();
        await clearNotifications(page);
        await shot('journey-4-promotion');

        // ------------------------------------------------------------------ 5. blue-green in production
        stage('blue-green');
        // Before Release Manager: production runs the shop 0.9.0 on blue, behind HAProxy. There is no
        // UI path to a past the product did not see, so the test deploys it with the shop's script.
        for (const service of SHOP_SERVICES) {
          const r = spawnSync('deploy/deploy-service.sh', {
            cwd: workspace, encoding: 'utf8',
            env: { ...process.env, SERVICE: service, RELEASE_VERSION: '0.9.0', TARGET_ENV: 'production', COLOR: 'blue', SHOP_PORT_BASE: String(PORT_BASE) },
          });
          assert.equal(r.status, 0, `${service} 0.9.0 on blue: ${r.stderr}`);
        }
        const web = (colour) => `127.0.0.1:${shopPort(PORT_BASE, 'web', 'production', colour)}`;
        hap = await routers.startHaproxy(hapDir, { blue: web('blue'), green: web('green') });
        const router = new HaproxyRouter({ socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers });
        load = new LoadRecorder({ url: hap.url, rate: 20, maxInFlight: 4 }).start();

        // The router settings, typed into the palette's box (checked as JSON as they are typed).
        await runCommand(page, 'Release Manager: Configure Traffic Router', { prompts: true });
        await waitForPrompt(page, 'Configure Traffic Router: which environment?');
        await pickRow(page, 'production');
        await answerPrompt(page, 'Configure Traffic Router: production', JSON.stringify({
          kind: 'haproxy', socketPath: hap.socketPath, backend: hap.backend, servers: hap.servers,
          endpoints: {
            blue: { healthUrl: `http://${web('blue')}/health`, smokeUrl: `http://${web('blue')}/` },
            green: { healthUrl: `http://${web('green')}/health`, smokeUrl: `http://${web('green')}/` },
          },
          // Short bakes and checks, so the journey does not wait minutes.
          blueGreen: { stepBakeSeconds: 1, prePromotionAnalysis: { consecutiveSuccesses: 2, intervalMs: 100 }, postPromotionAnalysis: { durationSeconds: 2 } },
        }));
        await notification(page, 'Saved the haproxy router settings of production.').waitFor();
        await clearNotifications(page);

        // Set up in the Traffic tab: the pipeline deploys 1.0.0 to green (COLOR=green), checks it, waits.
        await wv.locator('#tab-traffic').click();
        await wv.locator('#traffic-setup-production').click();
        await wv.locator('#traffic[data-state="awaiting_promotion"]').waitFor({ timeout: 90_000 });
        for (const service of SHOP_SERVICES) {
          assert.equal((await shopHealth(PORT_BASE, service, 'production', 'green')).version, '1.0.0', `${service} green`);
          assert.equal((await shopHealth(PORT_BASE, service, 'production', 'blue')).version, '0.9.0', `${service} blue`);
        }
        await routers.waitForHaproxyServerUp(router, hap.backend, 'green');

        // 10 → 50 → 100 %, each confirmed in VS Code's modal (production).
        for (const weight of [10, 50, 100]) {
          await wv.locator('#traffic-switch', { hasText: `Switch green to ${weight} %` }).click();
          await answerDialog(page, `Switch production traffic to green ${weight} %`, 'Switch');
          await wv.locator(`#traffic-split[data-green="${weight}"]`).waitFor({ timeout: 30_000 });
          assert.deepEqual(await router.getWeights(), { blue: 100 - weight, green: weight });
          if (weight === 50) {
            // The live split: HAProxy's counters show requests reaching green.
            await wv.locator('#colour-green:not([data-rps=""]):not([data-rps="0"])').waitFor({ timeout: 20_000 });
            await clearNotifications(page);
            await shot('journey-5-traffic');
            // §4: every listening socket of ours is on loopback, with all of it running.
            checkListeners({ server, hap, workspace, listenersOf, processFamily, describeListener });
          }
        }
        // At 100 %, HAProxy sends everything to green.
        const served = await httpGet(hap.url);
        assert.match(served.body, /1\.0\.0/, 'HAProxy serves the shop 1.0.0');

        // Roll back: all traffic to blue at once.
        await wv.locator('#traffic-rollback:not([disabled])').click();
        await answerDialog(page, 'Roll back production to blue', 'Roll Back');
        await wv.locator('#traffic[data-state="rolled_back"]').waitFor({ timeout: 30_000 });
        assert.deepEqual(await router.getWeights(), { blue: 100, green: 0 });
        assert.match((await httpGet(hap.url)).body, /0\.9\.0/, 'HAProxy serves 0.9.0 again');
        // Production serves 0.9.0 again: the release is not deployed (it was, once 100 % passed its checks).
        await wv.locator('#release-status', { hasText: 'In progress' }).waitFor({ timeout: 5_000 });
        await clearNotifications(page);
        await shot('journey-5-rollback');

        // Then ship it: set up again and Promote through the remaining steps to 100 %.
        await wv.locator('#traffic-setup-production').click();
        await wv.locator('#traffic[data-state="awaiting_promotion"]').waitFor({ timeout: 90_000 });
        await routers.waitForHaproxyServerUp(router, hap.backend, 'green');
        assert.equal(await wv.locator('#release-status').innerText(), 'In progress', 'deployed to green, no traffic yet: not deployed');
        await wv.locator('#traffic-promote:not([disabled])').click();
        await answerDialog(page, 'Promote 1.0.0 in production', 'Promote');
        await wv.locator('#traffic[data-state="promoted"]').waitFor({ timeout: 60_000 });
        assert.deepEqual(await router.getWeights(), { blue: 0, green: 100 });
        await wv.locator('#release-status', { hasText: 'Deployed' }).waitFor({ timeout: 5_000 });
        const summary = await load.stop();
        load = undefined;
        assert.ok(summary.total > 50, `the load ran (${summary.total} requests)`);
        assert.equal(summary.socketErrors + summary.http5xx, 0, `switching dropped nothing: ${summary.socketErrors} socket errors, ${summary.http5xx} 5xx`);
        await wv.locator('#tab-promotion').click();
        await wv.locator('#promotion-timeline li[data-env="production"][data-state="completed"]').waitFor();
        await waitForTreeRow(page, /^production.*1\.0\.0 ✓/, { view: 'Environments' });

        // ------------------------------------------------------------------ 6. a monthly release train
        stage('train');
        await clearNotifications(page);
        const departure = new Date(Date.now() + 10 * DAY);
        await runCommand(page, 'Release Manager: Create Release Train', { prompts: true });
        await answerPrompt(page, 'Create Release Train (1/7): name', 'Monthly');
        await waitForPrompt(page, 'Create Release Train (2/7): frequency');
        await pickRow(page, 'Monthly');
        await answerPrompt(page, 'Create Release Train (3/7): first departure', `${ymd(departure)} 10:00`);
        await answerPrompt(page, 'Create Release Train (4/7): time zone', 'Europe/Berlin');
        await waitForPrompt(page, 'Create Release Train (5/7): version rule');
        await pickRow(page, 'Next minor');
        // Each departure's release names the shop's services (all proposed).
        await waitForPrompt(page, 'Create Release Train (6/7): services');
        await acceptQuickPick(page);
        await answerPrompt(page, 'Create Release Train (7/7): checkpoints', 'feature freeze -14d, branch cut -7d, code freeze -2d');
        await notification(page, "Created release train 'Monthly': first departure").waitFor();
        // The next departure, with the version it would get after 1.0.0.
        const next = await waitForTreeRow(page, `${ymd(departure)} 10:00`, { view: 'Release Trains' });
        assert.match(await next.innerText(), /1\.1\.0 · in \d+[dh]/);
        // For the picture: the other views folded, the side bar wide enough for the times, the
        // departure opened on its checkpoints.
        for (const title of ['Releases', 'Environments']) await viewPane(page, title).locator('.pane-header').click();
        await widenSideBar(page, 180);
        await next.click();
        await waitForTreeRow(page, 'Code freeze', { view: 'Release Trains' });
        await clearNotifications(page);
        await shot('journey-6-train');

        // ------------------------------------------------------------------ 7. roadmap milestone and its progress
        stage('roadmap');
        await runCommand(page, 'Release Manager: Create Roadmap', { prompts: true });
        await answerPrompt(page, 'Create Roadmap (1/2): name', 'Shop 2026');
        await answerPrompt(page, 'Create Roadmap (2/2): description', 'The shop goes live, then grows');
        await notification(page, "Created roadmap 'Shop 2026'").getByRole('button', { name: 'Add Milestone' }).click();
        await answerPrompt(page, "Add Milestone to 'Shop 2026' (1/3): title", 'Go live');
        await answerPrompt(page, "Add Milestone to 'Shop 2026' (2/3): due date", ymd(new Date(Date.now() + 14 * DAY)));
        await answerPrompt(page, "Add Milestone to 'Shop 2026' (3/3): weight", '2');
        await notification(page, "Added milestone 'Go live'").waitFor();
        await runCommand(page, 'Release Manager: Add Milestone', { prompts: true });
        await answerPrompt(page, "Add Milestone to 'Shop 2026' (1/3): title", 'Saved carts');
        await answerPrompt(page, "Add Milestone to 'Shop 2026' (2/3): due date", ymd(new Date(Date.now() + 60 * DAY)));
        await answerPrompt(page, "Add Milestone to 'Shop 2026' (3/3): weight", '1');
        await notification(page, "Added milestone 'Saved carts'").waitFor();
        await runCommand(page, 'Release Manager: Link Release to Milestones', { prompts: true });
        await waitForPrompt(page, 'Link Release to Milestones: which release?');
        await acceptQuickPick(page);
        await waitForPrompt(page, 'Link Release to Milestones: 1.0.0 (Shop launch)');
        await toggleItems(page, ['Go live']);
        await acceptQuickPick(page);
        await notification(page, "Linked to 'Go live'.").waitFor();
        await wv.locator('#tab-roadmap').click();
        // 1.0.0 is in production: the milestone it delivers is done, the roadmap 2/3 done (by weight).
        const milestone = wv.locator('.milestone[data-linked="true"]', { hasText: 'Go live' });
        await milestone.locator('.milestone-progress .num', { hasText: '100 %' }).waitFor();
        await milestone.locator('.milestone-state', { hasText: 'done' }).waitFor();
        await wv.locator('.roadmap .section-title', { hasText: '66.7 % done' }).waitFor();
        await clearNotifications(page);
        await shot('journey-7-roadmap');

        // ------------------------------------------------------------------ 8. export the calendar
        stage('calendar');
        // The save dialog proposes the calendar file the workspace keeps up to date; it exists, so
        // VS Code asks before overwriting it.
        const icsPath = path.join(workspace, '.vscode/releases.ics');
        const before = fs.existsSync(icsPath) ? fs.statSync(icsPath).mtimeMs : 0;
        await runCommand(page, 'Release Manager: Export Release Calendar', { prompts: true });
        const saveBox = (await waitForPrompt(page, 'Export Release Calendar')).locator('.quick-input-box input');
        // The dialog fills in the file name a moment after it opens.
        for (let i = 0; i < 50 && (await saveBox.inputValue()) !== icsPath; i++) await page.waitForTimeout(100);
        assert.equal(await saveBox.inputValue(), icsPath);
        await saveBox.press('Enter');
        const exported = notification(page, 'calendar events to .vscode/releases.ics');
        const overwrite = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: 'releases.ics already exists' }) });
        await Promise.race([exported.waitFor(), overwrite.waitFor()]);
        if (await overwrite.isVisible()) await overwrite.locator('.monaco-button', { hasText: /^OK$/ }).click();
        await exported.waitFor();
        assert.ok(fs.statSync(icsPath).mtimeMs > before, 'the export wrote the file');
        const events = Object.values(ical.sync.parseICS(fs.readFileSync(icsPath, 'utf8'))).filter((e) => e.type === 'VEVENT');
        const summaries = events.map((e) => String(e.summary));
        assert.ok(summaries.some((s) => s.includes('1.0.0') && s.includes('Shop launch')), `the release is in the calendar: ${summaries.join(' | ')}`);
        assert.ok(events.some((e) => /Monthly/.test(String(e.summary)) && ymd(new Date(e.start)) === ymd(departure)), `the train's first departure is in the calendar: ${summaries.join(' | ')}`);
        // Open it, as a person checking what their calendar app will import.
        await runCommand(page, 'Go to File...', { prompts: true });
        const quickOpen = page.locator('.quick-input-widget .quick-input-box input');
        await quickOpen.fill('.vscode/releases.ics');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'releases.ics' }).first().waitFor();
        await quickOpen.press('Enter');
        await editorTab(page, 'releases.ics').waitFor();
        await page.locator('.monaco-editor .view-lines', { hasText: 'BEGIN:VCALENDAR' }).first().waitFor();
        await shot('journey-8-calendar');

        // ------------------------------------------------------------------ §4: the webviews' CSP
        const watched = [...csp.watched];
        assert.ok(watched.some((w) => w.startsWith('load ') && w.includes('/webview/browser/pre/index.html')), `the CSP listener ran in the webview host frame (${watched.join(', ')})`);
        assert.ok(watched.some((w) => w.startsWith('document.open ')), `the CSP listener ran in the webview content frame (${watched.join(', ')})`);
        assert.deepEqual(csp.violations, [], 'no Content-Security-Policy violation in any webview frame');
        await editorTab(page, 'Release 1.0.0').click(); // the dashboard, back from behind the calendar file
        await wv.locator('#release-version', { hasText: '1.0.0' }).waitFor();
        assert.equal(await wv.locator('#csp-violations').getAttribute('data-count'), '0');
        // And the collector was listening: an injected inline script is blocked and reported.
        const provoked = await provokeCspViolation(page, csp);
        assert.deepEqual(provoked.violations.map((v) => [v.directive, v.blockedURI]), [['script-src-elem', 'inline']]);
        assert.equal(provoked.ran, false, 'the injected script did not run');
        stage('done');
        console.log(`    stages: ${stages.slice(0, -1).map((s, i) => `${s.name} ${((stages[i + 1].at - s.at) / 1000).toFixed(1)}s`).join(', ')}; total ${((Date.now() - t0) / 1000).toFixed(1)}s`);
      } finally {
        await load?.stop();
        await hap?.stop();
        routers.removeTempDir(hapDir);
      }
    },
  },
};

/**
 * Every TCP listener of the processes this run started — the code-server process group (server,
 * extension host, file watcher, pty host), this runner's children (Chromium, HAProxy) and the shop's
 * services (detached by their deploy script, found by their pid files) — is bound to 127.0.0.1 or ::1.
 */
function checkListeners({ server, hap, workspace, listenersOf, processFamily, describeListener }) {
  const runDir = path.join(workspace, '.run');
  const servicePids = fs.readdirSync(runDir).filter((f) => f.endsWith('.pid')).map((f) => Number(fs.readFileSync(path.join(runDir, f), 'utf8')));
  assert.equal(servicePids.length, 4 * 5, 'four services in dev, test, staging and both production colours');
  const ours = listenersOf(processFamily([server.pid, process.pid, hap.pid, ...servicePids], [server.pid]));
  const ports = new Set(ours.map((l) => l.port));
  for (const [what, port] of [['code-server', server.port], ['HAProxy', hap.port]]) assert.ok(ports.has(port), `${what}'s port ${port} is among the listeners found`);
  assert.ok(ours.filter((l) => servicePids.includes(l.pid)).length >= servicePids.length, 'every service instance was found listening');
  const exposed = ours.filter((l) => !l.loopback);
  assert.deepEqual(exposed.map(describeListener), [], `listening beyond loopback:\n${exposed.map(describeListener).join('\n')}`);
  console.log(`    listeners: ${ours.length} sockets of ${new Set(ours.map((l) => l.pid)).size} processes, all on loopback`);
}
