// Promotion as a person drives it: the workspace's pipeline file, dev and test set to run it from
// the palette, a release created, then Promote pressed in the dashboard's Promotion tab — the run's
// step shows under the environment, the Environments tree follows, the Pipeline tab streams the
// running step's log; screenshots of both tabs. Then staging from the palette (a pending deployment
// marked by hand) and production's approval requested and given in the tab.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  answerPrompt, clearNotifications, notification, openViewContainer, pickRow, runCommand, setEnvironmentPipeline as setPipeline, waitForPrompt,
  waitForTreeRow, webviewFrame,
} from './workbench.mjs';

export const tests = {
  'Promotion tab: press Promote, see the step progress, the Environments tree and the live log follow': {
    timeout: 180_000,
    run: async ({ page, workspace, screenshot }) => {
      // The team's pipeline, reviewed in git: real shell steps in the workspace folder.
      fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      fs.writeFileSync(path.join(workspace, '.vscode/release-pipelines.json'), JSON.stringify({
        $schema: 'release-manager:/schemas/release-pipelines.schema.json',
        pipelines: [{
          name: 'ship',
          steps: [
            { name: 'build', type: 'shell', command: 'echo "building $RELEASE_VERSION"' },
            // Waits for the test to open its gate: the screenshots catch it running, however slow the machine.
            { name: 'deploy', type: 'shell', command: 'echo "deploying $RELEASE_VERSION to $TARGET_ENV"; while [ ! -f ".gate-$TARGET_ENV" ]; do sleep 0.2; done; echo "deployed to $TARGET_ENV"', timeoutSeconds: 120 },
            { name: 'smoke test', type: 'shell', command: 'echo "smoke test of $TARGET_ENV passed"' },
          ],
        }],
      }, null, 2));

      await openViewContainer(page, 'Releases');
      await setPipeline(page, 'dev', 'ship');
      await setPipeline(page, 'test', 'ship');

      await runCommand(page, 'Release Manager: Create Release', { prompts: true });
      await answerPrompt(page, 'Create Release (1/4): name', 'Checkout redesign');
      await answerPrompt(page, 'Create Release (2/4): version', '2.0.0');
      await answerPrompt(page, 'Create Release (3/4): planned start', '');
      await answerPrompt(page, 'Create Release (4/4): planned end', '');
      await notification(page, 'Created release 2.0.0').waitFor();
      await clearNotifications(page);

      // The dashboard, on the Promotion tab: the path as a timeline, Promote where the core allows it.
      const row = await waitForTreeRow(page, 'Checkout redesign', { view: 'Releases' });
      await row.click();
      const wv = webviewFrame(page);
      await wv.locator('#tab-promotion').click();
      await wv.locator('#promotion-timeline li[data-env="dev"][data-can-promote="true"]').waitFor();
      assert.equal(await wv.locator('#promotion-timeline > li').count(), 4);
      assert.equal(await wv.locator('#promote-test').count(), 0, 'test needs dev first: no Promote button');
      await wv.locator('#promotion-timeline li[data-env="test"] .blockers', { hasText: 'test needs a completed deployment of 2.0.0 in dev' }).waitFor();

      // Promote to dev (its gate open: it runs straight through); dev is completed and the tree follows.
      const gate = (env) => fs.writeFileSync(path.join(workspace, `.gate-${env}`), '');
      gate('dev');
      await wv.locator('#promote-dev').click();
      await wv.locator('#promotion-timeline li[data-env="dev"][data-state="completed"]').waitFor({ timeout: 60_000 });
      await waitForTreeRow(page, /^dev.*2\.0\.0 ✓/, { view: 'Environments' });

      // Promote to test: while its deploy step runs, the timeline shows the step and the tree says in progress.
      await clearNotifications(page);
      await wv.locator('#promote-test').click();
      await wv.locator('#run-progress-test', { hasText: 'step 2 of 3 — deploy (running)' }).waitFor({ timeout: 20_000 });
      await waitForTreeRow(page, /^test.*last: 2\.0\.0 in progress/, { view: 'Environments' });
      assert.equal(await wv.locator('#promote-dev', { hasText: 'Promote again' }).count(), 1);
      await page.mouse.move(1, 1);
      await screenshot('promotion');

      // The Pipeline tab streams the running step's log.
      await wv.locator('#run-progress-test button', { hasText: 'Show pipeline' }).click();
      await wv.locator('#pipeline-steps tr[data-step="1"][data-status="running"]').waitFor({ timeout: 20_000 });
      await wv.locator('#step-log[data-step="1"]', { hasText: 'deploying 2.0.0 to test' }).waitFor({ timeout: 10_000 });
      // Streamed live: the step is still running (its gate is closed) when its first line is on screen.
      assert.equal(await wv.locator('#pipeline-steps tr[data-step="1"]').getAttribute('data-status'), 'running');
      gate('test');
      await wv.locator('#pipeline-run-status', { hasText: 'succeeded' }).waitFor({ timeout: 60_000 });
      assert.deepEqual(await wv.locator('#pipeline-steps tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status'))), ['succeeded', 'succeeded', 'succeeded']);
      await waitForTreeRow(page, /^test.*2\.0\.0 ✓/, { view: 'Environments' });
      await clearNotifications(page);
      await page.mouse.move(1, 1);
      await screenshot('pipeline');

      // Back on the timeline: dev and test done, staging next, production protected.
      await wv.locator('#tab-promotion').click();
      await wv.locator('#promotion-timeline li[data-env="test"][data-state="completed"]').waitFor();
      assert.equal((await wv.locator('#promote-staging').innerText()).trim(), 'Promote');
      await wv.locator('#request-approval-production').waitFor();
      await wv.locator('#promotion-timeline li[data-env="production"] .blockers', { hasText: 'production is protected' }).waitFor();

      // From the palette: staging (no pipeline) gets a pending deployment, which the person marks.
      await clearNotifications(page);
      await runCommand(page, 'Release Manager: Promote Release', { prompts: true });
      await waitForPrompt(page, 'Promote Release: which release?');
      await pickRow(page, '2.0.0');
      await waitForPrompt(page, 'Promote Release 2.0.0: to which environment?');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'production' }).filter({ hasText: 'production needs a completed deployment' }).waitFor();
      await pickRow(page, 'staging');
      await notification(page, 'the deployment is pending, as staging has no pipeline').locator('a.monaco-button, .monaco-button', { hasText: 'Mark Deployment Status' }).first().click();
      await wv.locator('#promotion-timeline li[data-env="staging"][data-state="in_progress"]').waitFor();
      await runCommand(page, 'Release Manager: Mark Deployment Status', { prompts: true });
      await waitForPrompt(page, 'Mark Deployment Status: which deployment?');
      await pickRow(page, '2.0.0 → staging');
      await waitForPrompt(page, 'it is now…');
      await pickRow(page, 'completed');
      await answerPrompt(page, 'Mark 2.0.0 → staging completed', 'deployed by hand');
      await wv.locator('#promotion-timeline li[data-env="staging"][data-state="completed"]').waitFor();

      // Production is protected: request the approval and approve it in the tab; then it can be promoted.
      await wv.locator('#request-approval-production').click();
      await wv.locator('#approval-production[data-approval="pending"]').waitFor();
      await wv.locator('#approve-production').click();
      await wv.locator('#approval-production[data-approval="approved"]').waitFor();
      await wv.locator('#promote-production').waitFor();
    },
  },
};

tests['Untrusted workspace: releases can be planned and promoted, but shell steps, task steps and router commands are refused with the reason'] = {
  settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.untrustedFiles': 'open' },
  timeout: 120_000,
  run: async ({ page, workspace, screenshot }) => {
    fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(workspace, '.vscode/release-pipelines.json'), JSON.stringify({
      pipelines: [
        { name: 'ship', steps: [{ name: 'deploy', type: 'shell', command: 'touch should-not-exist' }] },
        { name: 'build', steps: [{ name: 'compile', type: 'task', task: 'rm-touch' }] },
      ],
    }, null, 2));
    // The task the `build` pipeline names: it would leave a file behind if it ran.
    fs.writeFileSync(path.join(workspace, '.vscode/tasks.json'), JSON.stringify({
      version: '2.0.0',
      tasks: [{ label: 'rm-touch', type: 'shell', command: 'touch task-ran' }],
    }, null, 2));
    await openViewContainer(page, 'Releases');
    await setPipeline(page, 'dev', 'ship');
    await runCommand(page, 'Release Manager: Create Release', { prompts: true });
    await answerPrompt(page, 'Create Release (1/4): name', 'Untrusted check');
    await answerPrompt(page, 'Create Release (2/4): version', '0.9.0');
    await answerPrompt(page, 'Create Release (3/4): planned start', '');
    await answerPrompt(page, 'Create Release (4/4): planned end', '');
    await notification(page, 'Created release 0.9.0').waitFor();
    const row = await waitForTreeRow(page, 'Untrusted check', { view: 'Releases' });
    await row.click();
    const wv = webviewFrame(page);
    await wv.locator('#tab-promotion').click();
    await wv.locator('#promote-dev').click();
    await wv.locator('#promotion-error', {
      hasText: "pipeline 'ship' has shell steps ('deploy'), which run only in a trusted workspace; trust this folder to run it",
    }).waitFor({ timeout: 20_000 });
    assert.equal(await wv.locator('#promotion-timeline li[data-env="dev"]').getAttribute('data-state'), 'not_deployed', 'nothing was deployed');
    assert.ok(!fs.existsSync(path.join(workspace, 'should-not-exist')), 'the shell step did not run');
    await page.mouse.move(1, 1);
    await screenshot('promotion-untrusted');

    // A pipeline whose step runs a VS Code task: refused the same way, and the task does not run.
    await setPipeline(page, 'dev', 'build');
    await wv.locator('#promotion-timeline li[data-env="dev"] .tag', { hasText: 'pipeline build' }).waitFor();
    await wv.locator('#promote-dev').click();
    await wv.locator('#promotion-error', {
      hasText: "pipeline 'build' has task steps ('compile'), which run only in a trusted workspace; trust this folder to run it",
    }).waitFor({ timeout: 20_000 });
    assert.equal(await wv.locator('#promotion-timeline li[data-env="dev"]').getAttribute('data-state'), 'not_deployed', 'nothing was deployed');

    // A command router: its settings can be saved, but blue-green (which would run its commands) is refused.
    await runCommand(page, 'Release Manager: Configure Traffic Router', { prompts: true });
    await waitForPrompt(page, 'Configure Traffic Router: which environment?');
    await pickRow(page, 'dev');
    await answerPrompt(page, 'Configure Traffic Router: dev', JSON.stringify({
      kind: 'command', getCommand: 'touch router-get-ran; echo blue=100 green=0', setCommand: 'touch router-set-ran',
      endpoints: { blue: { healthUrl: 'http://127.0.0.1:9/health' }, green: { healthUrl: 'http://127.0.0.1:9/health' } },
    }));
    await notification(page, 'Saved the command router settings of dev.').waitFor();
    await wv.locator('#tab-traffic').click();
    await wv.locator('#traffic-setup-dev').click();
    await wv.locator('#traffic-error', {
      hasText: "Setting up a blue-green rollout is not available in an untrusted workspace: blue-green runs the environment's pipeline and router commands; trust this folder to use it",
    }).waitFor({ timeout: 20_000 });
    await page.waitForTimeout(500); // anything started late would have written its file by now
    for (const f of ['task-ran', 'router-get-ran', 'router-set-ran']) assert.ok(!fs.existsSync(path.join(workspace, f)), `${f}: nothing ran`);
  },
};
