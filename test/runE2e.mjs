// UI tests: Playwright drives the real VS Code workbench (code-server 4.100.3 = VS Code 1.100.3) in
// headless Chromium, with the extension loaded from source and a temp copy of samples/shop open.
//
// Test files: test/e2e/*.e2e.mjs, each exporting
//   export const tests = {
//     'name': async ({ page, server, workspace, screenshot, theme }) => { ... },
//     'other': { settings: { ... }, env: { ... }, timeout: 120_000, smokeTestDriver: false, run: async (ctx) => { ... } },
//   };
// Every test gets its own server, browser profile and workspace copy, with the workbench already
// loaded and the extension's activity-bar entry present. screenshot(name) writes
// artifacts/screenshots/<name>.<theme>.png. Helpers for the workbench live in test/e2e/workbench.mjs.
//
// Usage: node test/runE2e.mjs [--grep PATTERN] [--theme dark|light|hc|both] [--no-build] [--keep] [--verbose]
// Prints "e2e: N passed, N failed" last; exit 0 only when all passed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';
import {
  THEMES, copyToTemp, ensureHarness, launchBrowser, repoRoot, startCodeServer, workbenchUrl,
} from './harness/codeServer.mjs';
import { waitForProgressDone, waitForWorkbench } from './e2e/workbench.mjs';

const { values: opts } = util.parseArgs({
  options: {
    grep: { type: 'string' },
    theme: { type: 'string', default: process.env.E2E_THEME ?? 'dark' },
    'no-build': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const themes = opts.theme === 'both' ? ['dark', 'light'] : [opts.theme];
for (const t of themes) if (!THEMES[t]) { console.error(`unknown --theme ${t} (dark, light, hc, both)`); process.exit(2); }

const e2eDir = path.join(repoRoot, 'test/e2e');
const shotsDir = path.join(repoRoot, 'artifacts/screenshots');
const DEFAULT_TIMEOUT = 90_000;
let passed = 0;
let failed = 0;
let active = null; // cleanup of the test that is running, for Ctrl-C

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

async function runOne(file, name, spec, theme) {
  const test = typeof spec === 'function' ? { run: spec } : spec;
  const t0 = Date.now();
  const cleanups = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
  };
  active = cleanup;
  let page;
  try {
    const workspace = copyToTemp(path.join(repoRoot, 'samples/shop'));
    cleanups.push(async () => {
      spawnSync('bash', [path.join(workspace, 'deploy/stop-all.sh')], { stdio: 'ignore' });
      if (!opts.keep) fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
    });
    const server = await startCodeServer({
      settings: { 'workbench.colorTheme': THEMES[theme], ...(test.settings ?? {}) },
      env: test.env,
      // false: VS Code shows modal dialogs (the smoke-test driver makes them throw "refused to show dialog in tests").
      smokeTestDriver: test.smokeTestDriver,
      keepRunDir: opts.keep,
    });
    cleanups.push(server.stop);
    const browser = await launchBrowser();
    cleanups.push(browser.close);
    page = browser.page;
    if (opts.verbose) page.on('console', (m) => console.log(`    [browser ${m.type()}] ${m.text()}`));
    const url = workbenchUrl(server, { folder: workspace });
    await page.goto(url);
    await waitForWorkbench(page);
    const screenshot = async (shot) => {
      fs.mkdirSync(shotsDir, { recursive: true });
      const p = path.join(shotsDir, `${slug(shot)}.${theme}.png`);
      await waitForProgressDone(page);
      await page.screenshot({ path: p });
      return p;
    };
    const timeout = test.timeout ?? DEFAULT_TIMEOUT;
    page.setDefaultTimeout(Math.min(30_000, timeout));
    let timer;
    await Promise.race([
      test.run({ page, server, workspace, screenshot, theme, url }),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${timeout} ms`)), timeout); }),
    ]).finally(() => clearTimeout(timer));
    passed++;
    console.log(`  ✔ ${name} [${theme}] (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  } catch (e) {
    failed++;
    console.log(`  ✘ ${name} [${theme}] (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
    console.log(`    ${path.relative(repoRoot, file)}: ${String(e?.stack ?? e).split('\n').join('\n    ')}`);
    if (page) {
      fs.mkdirSync(shotsDir, { recursive: true });
      const p = path.join(shotsDir, `FAILED-${slug(name)}.${theme}.png`);
      await page.screenshot({ path: p }).then(() => console.log(`    screenshot: ${path.relative(repoRoot, p)}`), () => {});
    }
  } finally {
    await cleanup();
    active = null;
  }
}

async function main() {
  ensureHarness();
  if (!opts['no-build']) {
    const b = spawnSync(process.execPath, [path.join(repoRoot, 'esbuild.mjs')], { stdio: 'inherit', cwd: repoRoot });
    if (b.status !== 0) throw new Error('extension build (node esbuild.mjs) failed');
  }
  const files = fs.readdirSync(e2eDir).filter((f) => f.endsWith('.e2e.mjs')).sort().map((f) => path.join(e2eDir, f));
  for (const theme of themes) {
    console.log(`e2e (${THEMES[theme]})`);
    for (const file of files) {
      const mod = await import(pathToFileURL(file).href);
      const tests = mod.tests ?? mod.default ?? {};
      for (const [name, spec] of Object.entries(tests)) {
        if (opts.grep && !name.includes(opts.grep) && !path.basename(file).includes(opts.grep)) continue;
        await runOne(file, name, spec, theme);
      }
    }
  }
  if (passed + failed === 0) {
    failed++;
    console.error('[e2e] no test matched');
  }
}

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    await active?.();
    console.log(`e2e: ${passed} passed, ${failed + 1} failed`);
    process.exit(1);
  });
}
const t0 = Date.now();
try {
  await main();
} catch (e) {
  failed++;
  console.error(`[e2e] FAILED: ${e?.stack ?? e}`);
}
console.log(`[e2e] done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
