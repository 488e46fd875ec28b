// The same integration suite under desktop VS Code (Electron) via @vscode/test-electron.
// test-electron downloads VS Code from update.code.visualstudio.com (cached in .vscode-test/),
// which this project's machines and CI cannot reach: here it fails fast with a clear message.
// The offline path is `node test/runIntegration.mjs` (code-server, same tests, same entry).
//
// Usage: node test/runElectron.mjs [--grep PATTERN] [--no-build]
//   VSCODE_EXECUTABLE_PATH=/path/to/code  use a local VS Code instead of downloading one
//   VSCODE_VERSION=1.100.3                 version to download (default: the engines floor we test)
// Prints "electron: N passed, N failed" last.
import { runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { copyToTemp, repoRoot } from './harness/codeServer.mjs';
import { buildIntegrationTests } from './harness/buildIntegration.mjs';

const { values: opts } = util.parseArgs({
  options: { grep: { type: 'string' }, 'no-build': { type: 'boolean', default: false } },
});
const version = process.env.VSCODE_VERSION ?? '1.100.3';
const DOWNLOAD_TIMEOUT_MS = 20_000;
const OFFLINE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|timed? ?out|socket hang up|Failed to get JSON|Failed to download/i;

let summary = { passed: 0, failed: 1 };
let reason = '';
const workspace = copyToTemp(path.join(repoRoot, 'samples/shop'));
const resultsFile = path.join(os.tmpdir(), `rm-electron-results-${process.pid}.json`);

try {
  if (!opts['no-build']) {
    const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('extension build (node esbuild.mjs) failed');
  }
  const extensionTestsPath = await buildIntegrationTests();
  const run = runTests({
    version,
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH,
    extensionDevelopmentPath: repoRoot,
    extensionTestsPath,
    extensionTestsEnv: {
      RELEASE_MANAGER_TEST_RESULTS: resultsFile,
      ...(opts.grep ? { RELEASE_MANAGER_TEST_GREP: opts.grep } : {}),
    },
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--no-sandbox'],
    timeout: DOWNLOAD_TIMEOUT_MS, // idle timeout of the download
  });
  // A download that neither fails nor progresses must not hang the run either.
  const startTimeout = process.env.VSCODE_EXECUTABLE_PATH ? 0 : 10 * 60_000;
  let timer;
  const code = await (startTimeout
    ? Promise.race([run, new Promise((_, rej) => { timer = setTimeout(() => rej(new Error('timed out downloading or running VS Code')), startTimeout); })])
    : run).finally(() => clearTimeout(timer));
  try {
    const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8'));
    summary = { passed: r.passed, failed: r.failed };
  } catch {
    summary = { passed: 0, failed: 1 };
    if (code === 0) reason = 'VS Code exited 0 but the test entry wrote no results';
  }
  if (code !== 0 && !summary.failed) { summary.failed = 1; reason = `VS Code exited with code ${code}`; }
} catch (e) {
  const msg = String(e?.stack ?? e);
  reason = OFFLINE.test(msg) && !process.env.VSCODE_EXECUTABLE_PATH
    ? `@vscode/test-electron could not download VS Code ${version} (${msg.split('\n')[0]}).\n`
      + '  This machine reaches only the npm registry and Debian apt, so desktop VS Code cannot be fetched here.\n'
      + '  The offline path runs the same suite in a real VS Code extension host: npm run test:integration (code-server 4.100.3).\n'
      + '  With a local VS Code, set VSCODE_EXECUTABLE_PATH=/path/to/code.'
    : msg;
} finally {
  spawnSync('bash', [path.join(workspace, 'deploy/stop-all.sh')], { stdio: 'ignore' });
  fs.rmSync(path.dirname(workspace), { recursive: true, force: true });
  fs.rmSync(resultsFile, { force: true });
}
if (reason) console.error(`[electron] FAILED: ${reason}`);
console.log(`electron: ${summary.passed} passed, ${summary.failed} failed`);
process.exit(summary.failed || reason ? 1 : 0);
