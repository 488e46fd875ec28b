// Runs test/integration/**/*.test.ts with mocha inside a REAL VS Code extension host:
// code-server 4.100.3 (VS Code 1.100.3) + headless Chromium, workspace = a temp copy of samples/shop.
// Usage: node test/runIntegration.mjs [--grep PATTERN] [--no-build] [--timeout SECONDS] [--keep] [--verbose]
// Prints "integration: N passed, N failed" last; exit 0 only when all passed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import {
  copyToTemp, ensureHarness, launchBrowser, repoRoot, startCodeServer, workbenchUrl,
} from './harness/codeServer.mjs';
import { buildIntegrationTests, integrationOutDir as outDir } from './harness/buildIntegration.mjs';

const { values: opts } = util.parseArgs({
  options: {
    grep: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '240' },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
// Workbench chatter that is expected offline (see the note's "Harmless noise"); --verbose shows it.
const HARMLESS = /^(Resolving connection token|Resolved connection token|Creating a socket|Updating additional builtin extensions cache|ChatSessionStore:)|\[Service Worker\]|getaddrinfo ENOTFOUND/;
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;

let summary = null; // { passed, failed }
let reason = '';
const cleanups = [];
async function cleanup() {
  for (const c of cleanups.splice(0).reverse()) await c().catch((e) => console.error(`[integration] cleanup: ${e.message}`));
}
function finish() {
  const s = summary ?? { passed: 0, failed: 1 };
  if (reason) console.error(`[integration] FAILED: ${reason}`);
  console.log(`integration: ${s.passed} passed, ${s.failed} failed`);
  process.exit(s.failed === 0 && !reason ? 0 : 1);
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => { reason = `interrupted (${sig})`; await cleanup(); finish(); });
}

async function main() {
  ensureHarness();
  if (!opts['no-build']) {
    const b = spawnSync(process.execPath, [path.join(repoRoot, 'esbuild.mjs')], { stdio: 'inherit', cwd: repoRoot });
    if (b.status !== 0) { reason = 'extension build (node esbuild.mjs) failed'; return; }
  }
  await buildIntegrationTests();
  console.log(`[integration] built tests in ${elapsed()}`);

  const workspace = copyToTemp(path.join(repoRoot, 'samples/shop'));
  cleanups.push(async () => {
    spawnSync('bash', [path.join(workspace, 'deploy/stop-all.sh')], { stdio: 'ignore' });
    if (!opts.keep) fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  });
  const resultsFile = path.join(os.tmpdir(), `rm-integration-results-${process.pid}-${Date.now()}.json`);
  cleanups.push(async () => fs.rmSync(resultsFile, { force: true }));

  const server = await startCodeServer({
    keepRunDir: true,
    env: {
      RELEASE_MANAGER_TEST_RESULTS: resultsFile,
      ...(opts.grep ? { RELEASE_MANAGER_TEST_GREP: opts.grep } : {}),
    },
  });
  let keepServerDir = opts.keep;
  cleanups.push(async () => {
    await server.stop();
    if (keepServerDir) console.error(`[integration] server logs kept in ${server.runDir}`);
    else fs.rmSync(server.runDir, { recursive: true, force: true });
  });
  console.log(`[integration] code-server ${server.url} ready in ${elapsed()}`);

  const browser = await launchBrowser();
  cleanups.push(browser.close);
  const { page } = browser;
  let exitCode;
  const exited = new Promise((resolve) => { exitCode = resolve; });
  // Register both bindings BEFORE navigation: the workbench looks for them at startup.
  await page.exposeFunction('codeAutomationLog', (_type, args) => {
    const line = util.format(...(args ?? []));
    if (opts.verbose || !HARMLESS.test(line)) console.log(line);
  });
  await page.exposeFunction('codeAutomationExit', (code) => exitCode(code));
  if (opts.verbose) page.on('console', (m) => console.log(`[browser ${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => opts.verbose && console.log(`[browser pageerror] ${e.message}`));

  await page.goto(workbenchUrl(server, {
    folder: workspace,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath: path.join(outDir, 'index.js'),
  }));
  const timeoutMs = Number(opts.timeout) * 1000;
  const code = await Promise.race([
    exited,
    new Promise((r) => setTimeout(() => r('timeout'), timeoutMs)),
    server.exited.then((e) => `server exited ${JSON.stringify(e)}`),
  ]);

  let results = null;
  try { results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')); } catch { /* never reported */ }
  if (results) {
    summary = { passed: results.passed, failed: results.failed };
    for (const f of results.failures ?? []) console.error(`[integration] FAIL ${f.title}\n${f.error}\n`);
  }
  if (code === 'timeout') {
    summary = { passed: 0, failed: 1 };
    reason = `the extension host did not report within ${opts.timeout}s (no codeAutomationExit)`;
  } else if (typeof code === 'string') {
    summary = { passed: 0, failed: 1 };
    reason = code;
  } else if (!results) {
    summary = { passed: 0, failed: 1 };
    reason = `the extension host exited with code ${code} but wrote no results (test entry failed to load? see the log above)`;
  } else if (code !== 0 && results.failed === 0) {
    reason = `the extension host exited with code ${code}`;
  }
  if (reason || summary.failed) {
    keepServerDir = true;
    await page.screenshot({ path: path.join(repoRoot, 'artifacts/integration-failure.png') }).catch(() => {});
  }
  console.log(`[integration] done in ${elapsed()}`);
}

try {
  await main();
} catch (e) {
  reason = e?.stack ?? String(e);
}
await cleanup();
finish();
