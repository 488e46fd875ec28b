// `npm start`: Release Manager running in a real VS Code (code-server 4.100.3 = VS Code 1.100.3)
// on 127.0.0.1, with samples/shop open. Open the printed URL in a browser; Ctrl-C stops everything.
//
//   node scripts/start.mjs [--workspace DIR] [--port N] [--theme dark|light] [--no-watch]
//
// - Installs the harness (tools/vscode-harness/install.sh) when it is missing.
// - Builds once, then keeps `esbuild.mjs --watch` running: after a change, run
//   "Developer: Reload Window" in the browser.
// - The extension is installed as a symlink to this repo in the server's extensions folder (the
//   server rejects --extensionDevelopmentPath; a symlink loads it like an installed extension,
//   so the URL stays short and survives opening another folder).
// - User data (settings, layout, the extension's global state) persists in .vscode-test/code-server.
//   The release database lives in the workspace (.vscode/release-manager.sqlite, git-ignored).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { THEMES, ensureHarness, freePort, repoRoot, startCodeServer } from '../test/harness/codeServer.mjs';

const { values: opts } = util.parseArgs({
  options: {
    workspace: { type: 'string', default: path.join(repoRoot, 'samples/shop') },
    port: { type: 'string' },
    theme: { type: 'string' },
    'no-watch': { type: 'boolean', default: false },
  },
});
const workspace = path.resolve(opts.workspace);
if (!fs.existsSync(workspace)) {
  console.error(`workspace ${workspace} does not exist`);
  process.exit(2);
}
if (opts.theme && !THEMES[opts.theme]) {
  console.error(`unknown --theme ${opts.theme} (dark, light)`);
  process.exit(2);
}

async function portToUse() {
  if (opts.port) return Number(opts.port);
  // A stable default, so a bookmarked URL keeps working; a free one if it is taken.
  const preferred = 8800;
  const free = await import('node:net').then((net) => new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(preferred, '127.0.0.1', () => s.close(() => resolve(true)));
  }));
  return free ? preferred : freePort();
}

ensureHarness();
const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('build failed (node esbuild.mjs); fix the errors above and run npm start again');
  process.exit(1);
}

const server = await startCodeServer({
  port: await portToUse(),
  dataDir: path.join(repoRoot, '.vscode-test/code-server'),
  settings: opts.theme ? { 'workbench.colorTheme': THEMES[opts.theme] } : {},
  linkExtensions: [repoRoot],
  smokeTestDriver: false,
});

let watcher = null;
if (!opts['no-watch']) {
  watcher = spawn(process.execPath, ['esbuild.mjs', '--watch'], { cwd: repoRoot, stdio: 'inherit' });
}

let stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  console.log('\nstopping…');
  if (watcher && watcher.exitCode === null) watcher.kill('SIGTERM');
  await server.stop();
  // Services started by the sample's deploy scripts run in their own sessions; stop them too.
  const stopAll = path.join(workspace, 'deploy/stop-all.sh');
  if (fs.existsSync(stopAll)) spawnSync('bash', [stopAll], { stdio: 'inherit' });
  process.exit(code);
}
process.on('SIGINT', () => shutdown(0));
process.on('SIGTERM', () => shutdown(0));
server.exited.then((e) => {
  if (stopping) return;
  console.error(`code-server exited unexpectedly (${JSON.stringify(e)}); log: ${server.logFile}`);
  shutdown(1);
});

const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
console.log(`
Release Manager is running in VS Code ${'1.100.3'} (code-server).
  Open:      ${url}
  Workspace: ${path.relative(process.cwd(), workspace) || '.'}
  Server log: ${path.relative(process.cwd(), server.logFile)}
Press Ctrl-C to stop.
`);
