// Multi-root: a workspace of two folders (the sample shop and an empty "billing" folder). Each folder
// keeps its own releases in its own database (<folder>/.vscode/release-manager.sqlite); a command
// run from the palette asks which folder; the Releases view shows a row per folder with its
// releases under it; a dashboard says which folder its release belongs to.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import initSqlJs from 'sql.js';
import {
  answerPrompt, clearNotifications, editorTab, notification, openViewContainer, pickRow, runCommand, viewPane,
  waitForPrompt, waitForTreeRow, waitForWorkbench, webviewFrame,
} from './workbench.mjs';

const DB = '.vscode/release-manager.sqlite';

/** The release versions in a folder's database file as last saved (the journal is folded in within ~1 s). */
function versionsOnDisk(SQL, folder) {
  const file = path.join(folder, DB);
  if (!fs.existsSync(file)) return [];
  const db = new SQL.Database(fs.readFileSync(file));
  try {
    const rows = db.exec('SELECT version FROM releases ORDER BY version');
    return rows.length ? rows[0].values.map((v) => String(v[0])) : [];
  } finally {
    db.close();
  }
}

async function waitForVersions(SQL, folder, expected, timeout = 15_000) {
  const started = Date.now();
  for (;;) {
    const got = versionsOnDisk(SQL, folder);
    if (JSON.stringify(got) === JSON.stringify(expected)) return;
    if (Date.now() - started > timeout) assert.fail(`${path.basename(folder)}'s ${DB} holds ${JSON.stringify(got)}, expected ${JSON.stringify(expected)} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function createRelease(page, folder, name, version) {
  await runCommand(page, 'Release Manager: Create Release', { prompts: true });
  await waitForPrompt(page, 'Release Manager: which folder?');
  await pickRow(page, folder);
  await answerPrompt(page, 'Create Release (1/4): name', name);
  await answerPrompt(page, 'Create Release (2/4): version', version);
  await answerPrompt(page, 'Create Release (3/4): planned start', '');
  await answerPrompt(page, 'Create Release (4/4): planned end', '');
  await notification(page, `Created release ${version} (${name}).`).waitFor();
  await clearNotifications(page);
}

export const tests = {
  'multi-root: each folder keeps its own releases in its own database; the palette asks which folder': {
    timeout: 180_000,
    run: async ({ page, workspace, url, screenshot }) => {
      const SQL = await initSqlJs();
      const shop = workspace;
      const billing = path.join(path.dirname(workspace), 'billing');
      fs.mkdirSync(billing);
      fs.writeFileSync(path.join(billing, 'README.md'), '# Billing\n');
      const wsFile = path.join(path.dirname(workspace), 'shop-and-billing.code-workspace');
      fs.writeFileSync(wsFile, JSON.stringify({ folders: [{ path: shop }, { path: billing }] }, null, 2));
      const u = new URL(url);
      u.searchParams.delete('folder');
      u.searchParams.set('workspace', wsFile);
      await page.goto(u.toString());
      await waitForWorkbench(page);
      await openViewContainer(page, 'Releases');

      await createRelease(page, 'billing', 'Invoices v2', '7.7.0');
      await createRelease(page, path.basename(shop), 'Shop launch', '1.0.0');

      // Each database holds its own folder's release, and only that.
      await waitForVersions(SQL, billing, ['7.7.0']);
      await waitForVersions(SQL, shop, ['1.0.0']);

      // The Releases view: a row per folder, each release under its own folder.
      await waitForTreeRow(page, 'Invoices v2', { view: 'Releases' });
      await waitForTreeRow(page, 'Shop launch', { view: 'Releases' });
      const rows = await viewPane(page, 'Releases').locator('.monaco-list-row').evaluateAll((els) =>
        els.map((e) => ({ text: (e.getAttribute('aria-label') ?? e.textContent ?? '').trim(), level: Number(e.getAttribute('aria-level')) })));
      const at = (re) => rows.findIndex((r) => re.test(r.text));
      const shopRow = at(new RegExp(`^${path.basename(shop)}\\b`));
      const billingRow = at(/^billing\b/);
      assert.ok(shopRow >= 0 && billingRow > shopRow, `folder rows in workspace order: ${JSON.stringify(rows)}`);
      assert.equal(rows[shopRow].level, 1);
      assert.equal(rows[billingRow].level, 1);
      const shopRelease = at(/Shop launch/);
      const billingRelease = at(/Invoices v2/);
      assert.ok(shopRelease > shopRow && shopRelease < billingRow, `Shop launch under ${path.basename(shop)}: ${JSON.stringify(rows)}`);
      assert.ok(billingRelease > billingRow, `Invoices v2 under billing: ${JSON.stringify(rows)}`);
      assert.ok(rows[billingRelease].level > 1);
      await screenshot('multi-root-releases');

      // The dashboard of billing's release says its folder.
      await viewPane(page, 'Releases').locator('.monaco-list-row', { hasText: 'Invoices v2' }).first().click();
      await editorTab(page, 'Release 7.7.0').waitFor();
      const wv = webviewFrame(page);
      await wv.locator('#release-folder', { hasText: 'billing' }).waitFor();
      assert.equal(await wv.locator('#release-name').innerText(), 'Invoices v2');
    },
  },
};
