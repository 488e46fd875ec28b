// Issue 7 as a person meets it: create a monthly release train through the palette (the boxes refuse
// a date that does not exist and a zone that is not one), see it in the Release Trains view with its
// next departures and checkpoints and the countdown in the status bar; then a roadmap with milestones,
// a release linked to one from the palette and to another from the dashboard's Roadmap tab, and the
// Metrics and Notes tabs.
import assert from 'node:assert/strict';
import {
  acceptQuickPick,
  answerPrompt,
  clearNotifications,
  editorTab,
  notification,
  openViewContainer,
  pickRow,
  promptMessage,
  runCommand,
  statusBarItem,
  toggleItems,
  viewPane,
  waitForPrompt,
  waitForTreeRow,
  webviewFrame,
  widenSideBar,
} from './workbench.mjs';

const pad = (n) => String(n).padStart(2, '0');
const ymd = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const DAY = 86_400_000;

export const tests = {
  'release trains: create a monthly train through the palette, see departures, checkpoints and the countdown': {
    timeout: 120_000,
    run: async ({ page, screenshot }) => {
      await openViewContainer(page, 'Releases');
      const trains = viewPane(page, 'Release Trains');
      await trains.locator('.welcome-view-content').getByRole('button', { name: 'Create Release Train' }).waitFor();

      await runCommand(page, 'Release Manager: Create Release Train', { prompts: true });
      await answerPrompt(page, 'Create Release Train (1/6): name', 'Monthly');
      await waitForPrompt(page, 'Create Release Train (2/6): frequency');
      await pickRow(page, 'Monthly');
      // Three days ahead: the feature freeze (-14d) and branch cut (-7d) of the first departure have passed, the code freeze (-2d) is near.
      const first = `${ymd(new Date(Date.now() + 3 * DAY))} 10:00`;
      await answerPrompt(page, 'Create Release Train (3/6): first departure', '2030-02-30 10:00');
      await promptMessage(page).filter({ hasText: 'is not a calendar date' }).waitFor();
      await answerPrompt(page, 'Create Release Train (3/6): first departure', first);
      await answerPrompt(page, 'Create Release Train (4/6): time zone', 'Mars/Base');
      await promptMessage(page).filter({ hasText: "'Mars/Base' is not an IANA time zone" }).waitFor();
      await answerPrompt(page, 'Create Release Train (4/6): time zone', 'Europe/Berlin');
      await waitForPrompt(page, 'Create Release Train (5/6): version rule');
      await pickRow(page, 'Next minor');
      const checkpoints = (await waitForPrompt(page, 'Create Release Train (6/6): checkpoints')).locator('.quick-input-box input');
      assert.equal(await checkpoints.inputValue(), 'feature freeze -14d, branch cut -7d, code freeze -2d', 'proposes the common three');
      await checkpoints.fill('code freeze 2d');
      await promptMessage(page).filter({ hasText: 'is not "name offset"' }).waitFor();
      await checkpoints.fill('feature freeze -14d, branch cut -7d, code freeze -2d');
      await checkpoints.press('Enter');
      await notification(page, "Created release train 'Monthly': first departure").waitFor();

      // The tree: the train, its next departures (wall clock in Berlin, the version each would get), the first one's checkpoints.
      const row = await waitForTreeRow(page, 'Monthly', { view: 'Release Trains' });
      assert.match(await row.innerText(), /monthly on day \d+ .*at 10:00 Europe\/Berlin · next minor/);
      const departure = await waitForTreeRow(page, `${first.slice(0, 10)} 10:00`, { view: 'Release Trains' });
      assert.match(await departure.innerText(), /0\.1\.0 · in \d+[dh]/);
      await departure.click(); // expands it
      await waitForTreeRow(page, 'Code freeze', { view: 'Release Trains' });
      assert.match(await (await waitForTreeRow(page, 'Feature freeze', { view: 'Release Trains' })).innerText(), /passed/);
      await statusBarItem(page, 'code freeze in').waitFor();

      // For the picture: the other two views folded, the side bar wide enough for the times.
      for (const title of ['Releases', 'Environments']) await viewPane(page, title).locator('.pane-header').click();
      await widenSideBar(page, 260);
      await clearNotifications(page);
      await page.mouse.move(1, 1);
      await screenshot('trains');
    },
  },

  'roadmap and metrics: milestones linked from the palette and the dashboard, progress and risk, DORA figures with definitions': {
    timeout: 180_000,
    run: async ({ page, screenshot }) => {
      await openViewContainer(page, 'Releases');
      await runCommand(page, 'Release Manager: Create Release', { prompts: true });
      await answerPrompt(page, 'Create Release (1/4): name', 'Checkout redesign');
      await answerPrompt(page, 'Create Release (2/4): version', '1.2.0');
      await answerPrompt(page, 'Create Release (3/4): planned start', '');
      await answerPrompt(page, 'Create Release (4/4): planned end', '');
      await notification(page, 'Created release 1.2.0 (Checkout redesign).').waitFor();

      await runCommand(page, 'Release Manager: Create Roadmap', { prompts: true });
      await answerPrompt(page, 'Create Roadmap (1/2): name', '2026 H2');
      await answerPrompt(page, 'Create Roadmap (2/2): description', 'What the shop ships this half');
      const created = notification(page, "Created roadmap '2026 H2'");
      await created.getByRole('button', { name: 'Add Milestone' }).click();
      await answerPrompt(page, "Add Milestone to '2026 H2' (1/3): title", 'Guest checkout');
      await answerPrompt(page, "Add Milestone to '2026 H2' (2/3): due date", '2026-13-01');
      await promptMessage(page).filter({ hasText: 'is not a calendar date' }).waitFor();
      // Due yesterday: with its release not deployed, it is at risk.
      await answerPrompt(page, "Add Milestone to '2026 H2' (2/3): due date", ymd(new Date(Date.now() - DAY)));
      await answerPrompt(page, "Add Milestone to '2026 H2' (3/3): weight", '2');
      await notification(page, "Added milestone 'Guest checkout'").waitFor();

      await runCommand(page, 'Release Manager: Add Milestone', { prompts: true });
      await answerPrompt(page, "Add Milestone to '2026 H2' (1/3): title", 'Saved carts');
      await answerPrompt(page, "Add Milestone to '2026 H2' (2/3): due date", ymd(new Date(Date.now() + 60 * DAY)));
      await answerPrompt(page, "Add Milestone to '2026 H2' (3/3): weight", '1');
      await notification(page, "Added milestone 'Saved carts'").waitFor();

      await runCommand(page, 'Release Manager: Link Release to Milestones', { prompts: true });
      await waitForPrompt(page, 'Link Release to Milestones: which release?');
      await acceptQuickPick(page);
      await waitForPrompt(page, 'Link Release to Milestones: 1.2.0 (Checkout redesign)');
      await toggleItems(page, ['Guest checkout']);
      await acceptQuickPick(page);
      await notification(page, "Linked to 'Guest checkout'.").waitFor();

      // The dashboard's Roadmap tab: the release's milestone at risk with the rule; the other one to link from here.
      const row = await waitForTreeRow(page, 'Checkout redesign', { view: 'Releases' });
      await row.click();
      await editorTab(page, 'Release 1.2.0').waitFor();
      const wv = webviewFrame(page);
      await wv.locator('#tab-roadmap').click();
      const mine = wv.locator('.milestone[data-linked="true"]', { hasText: 'Guest checkout' });
      await mine.waitFor();
      assert.equal(await mine.getAttribute('data-at-risk'), 'true');
      await mine.locator('.risk-text', { hasText: 'has passed with 1 release not deployed (1.2.0)' }).waitFor();
      await wv.locator('.rule', { hasText: 'Percent done: linked releases deployed to production' }).waitFor();
      await wv.locator('.milestone[data-linked="false"]', { hasText: 'Saved carts' }).getByRole('button', { name: 'Link' }).click();
      await wv.locator('.milestone[data-linked="true"]', { hasText: 'Saved carts' }).waitFor();
      await clearNotifications(page);
      await page.mouse.move(1, 1);
      await screenshot('roadmap');

      // Metrics: the four DORA figures, each with its band and definition.
      await wv.locator('#tab-metrics').click();
      await wv.locator('#metrics-figures > li').nth(3).waitFor();
      assert.deepEqual(await wv.locator('#metrics-figures > li h3').allInnerTexts(), ['Deployment frequency', 'Lead time for changes', 'Change failure rate', 'Time to restore service']);
      await wv.locator('#metrics-figures li[data-figure="leadTime"] .definition', { hasText: 'Median time from a commit' }).waitFor();
      await wv.locator('#metrics-refresh').click();
      await wv.locator('#metrics-window').waitFor();
      await wv.locator('#metrics vscode-progress-ring').waitFor({ state: 'detached' });
      await screenshot('metrics');

      // Notes: no git repository here, and the dashboard says so in the core's words.
      await wv.locator('#tab-notes').click();
      await wv.locator('#notes-generate').click();
      await wv.locator('#notes-error', { hasText: 'the workspace folder is not in a git repository' }).waitFor();

      assert.equal(await wv.locator('#csp-violations').getAttribute('data-count'), '0');
    },
  },
};
