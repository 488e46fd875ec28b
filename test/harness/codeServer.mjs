// A throwaway VS Code server (code-server 4.100.3's own server-main.js = VS Code 1.100.3) per run,
// as in shared/notes/vscode-harness.md "Launch a throwaway server per run": free port on 127.0.0.1,
// fresh user-data / extensions / server-data dirs, its own TMPDIR and its own process group, so
// stop() can end the server, extension host, file watcher and pty host together.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const harnessDir = path.join(repoRoot, 'tools/vscode-harness');
export const serverMain = path.join(harnessDir, 'node_modules/code-server/lib/vscode/out/server-main.js');
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium flags from the note: headless, no sandbox (root), nothing that phones home. */
export const chromiumArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const baseSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

// hc is for a manual check (--theme hc); 'both' runs dark and light.
export const THEMES = { dark: 'Default Dark Modern', light: 'Default Light Modern', hc: 'Default High Contrast' };

/** True when tools/vscode-harness/install.sh has completed (its stamp matches the lockfile). */
export function harnessInstalled() {
  return fs.existsSync(serverMain) && fs.existsSync(path.join(harnessDir, 'node_modules/playwright-core/package.json'))
    && fs.existsSync(path.join(harnessDir, 'node_modules/.harness-lock.sha256'));
}

/** Runs install.sh when the harness is missing (fast no-op otherwise). Throws on failure. */
export function ensureHarness() {
  if (harnessInstalled()) return;
  console.log('[harness] not installed; running tools/vscode-harness/install.sh');
  const r = spawnSync('bash', [path.join(harnessDir, 'install.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`tools/vscode-harness/install.sh failed (exit ${r.status})`);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Copies a folder to a fresh temp dir (e.g. samples/shop), so tests never dirty the repo. */
export function copyToTemp(src, prefix = 'rm-vscode-ws-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dest = path.join(dir, path.basename(src));
  fs.cpSync(src, dest, {
    recursive: true,
    filter: (p) => !/[\\/](\.run|node_modules)$/.test(p) && !/release-manager\.sqlite/.test(p),
  });
  return dest;
}

/** Fresh file: baseSettings + extra. Existing file (a persistent dataDir): extra merged in, if it is plain JSON. */
function writeSettings(file, extra) {
  let current = null;
  if (fs.existsSync(file)) {
    try { current = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return; /* JSONC edited by a person: leave it */ }
  }
  fs.writeFileSync(file, JSON.stringify({ ...(current ?? baseSettings), ...extra }, null, 2));
}

/**
 * Installs an extension folder as a symlink named <publisher>.<name>-<version>, as VS Code names
 * installed extensions. The extension host realpaths extension locations, so require('vscode')
 * resolves for the symlinked code, and a rebuild shows after "Developer: Reload Window".
 */
export function linkExtension(extensionsDir, extensionDir) {
  const pkg = JSON.parse(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
  const id = `${pkg.publisher}.${pkg.name}`.toLowerCase();
  for (const e of fs.readdirSync(extensionsDir)) {
    if (!e.toLowerCase().startsWith(`${id}-`)) continue;
    const p = path.join(extensionsDir, e);
    // Unlink a link explicitly: never walk into the linked repository.
    if (fs.lstatSync(p).isSymbolicLink()) fs.unlinkSync(p);
    else fs.rmSync(p, { recursive: true, force: true });
  }
  // The server rescans the folder when its extensions.json is missing; stale entries would hide the link.
  fs.rmSync(path.join(extensionsDir, 'extensions.json'), { force: true });
  fs.symlinkSync(extensionDir, path.join(extensionsDir, `${id}-${pkg.version}`), 'dir');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a server and resolves once GET /version answers.
 * @param {object} [o]
 * @param {Record<string, unknown>} [o.settings]  user settings merged over baseSettings
 * @param {Record<string, string>} [o.env]       extra env for the server; the extension host inherits it
 * @param {number} [o.port]                      fixed port (default: a free one)
 * @param {number} [o.startTimeoutMs]
 * @param {boolean} [o.keepRunDir]               keep user-data/logs after stop() (for debugging)
 * @param {string[]} [o.extraArgs]               extra server-main.js arguments
 * @param {string} [o.dataDir]                   persistent dir for user data/extensions/logs instead
 *                                               of a fresh temp one (never removed; settings kept)
 * @param {string[]} [o.linkExtensions]          extension folders to install as symlinks into the
 *                                               extensions dir (loads them like installed ones)
 * @param {boolean} [o.smokeTestDriver]           default true; newer workbenches read `payload` only with it (the note)
 */
export async function startCodeServer(o = {}) {
  if (!fs.existsSync(serverMain)) {
    throw new Error(`code-server is not installed (${serverMain} missing): run tools/vscode-harness/install.sh`);
  }
  // A free port can be taken between probing and listening (parallel runs): try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce({ ...o, port: o.port ?? (await freePort()) });
    } catch (e) {
      if (o.port || attempt >= 3 || !/EADDRINUSE/.test(String(e?.message))) throw e;
    }
  }
}

async function startOnce(o) {
  const port = o.port;
  const host = `127.0.0.1:${port}`;
  const runDir = o.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rm-code-server-'));
  for (const d of ['ud/User', 'exts', 'sd', 'tmp']) fs.mkdirSync(path.join(runDir, d), { recursive: true });
  writeSettings(path.join(runDir, 'ud/User/settings.json'), o.settings ?? {});
  for (const ext of o.linkExtensions ?? []) linkExtension(path.join(runDir, 'exts'), ext);
  const logFile = path.join(runDir, 'server.log');
  const logFd = fs.openSync(logFile, 'w');
  const args = [
    serverMain,
    '--host', '127.0.0.1', '--port', String(port),
    '--without-connection-token', '--accept-server-license-terms',
    ...(o.smokeTestDriver === false ? [] : ['--enable-smoke-test-driver']),
    '--disable-telemetry',
    '--user-data-dir', path.join(runDir, 'ud'),
    '--server-data-dir', path.join(runDir, 'sd'),
    '--extensions-dir', path.join(runDir, 'exts'),
    ...(o.extraArgs ?? []),
  ];
  // detached: the server becomes a process-group leader (setsid), so one kill(-pid) ends it all.
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    env: { ...process.env, TMPDIR: path.join(runDir, 'tmp'), ...(o.env ?? {}) },
  });
  fs.closeSync(logFd);
  const pid = child.pid;
  let exited = null;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => {
    exited = { code, signal };
    resolve(exited);
  }));
  // If our own process dies first, do not leave the group behind.
  const killOnExit = () => { try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ } };
  process.on('exit', killOnExit);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', killOnExit);
    const signalGroup = (sig) => { try { process.kill(-pid, sig); } catch { /* gone */ } };
    signalGroup('SIGTERM');
    await Promise.race([exitPromise, sleep(5000)]);
    // Children of the server (extension host, pty host) may outlive it briefly; SIGKILL the group.
    signalGroup('SIGKILL');
    if (!o.keepRunDir && !o.dataDir) fs.rmSync(runDir, { recursive: true, force: true });
  };

  const url = `http://${host}`;
  const deadline = Date.now() + (o.startTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      await stop();
      throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${tail}`);
    }
    try {
      const r = await fetch(`${url}/version`, { signal: AbortSignal.timeout(2000) });
      if (r.ok) break;
    } catch { /* not listening yet */ }
    // The server logs EADDRINUSE but keeps running; fail fast instead of waiting for the deadline.
    if (fs.readFileSync(logFile, 'utf8').includes('EADDRINUSE')) {
      await stop();
      throw new Error(`code-server could not listen on ${host}: EADDRINUSE`);
    }
    if (Date.now() > deadline) {
      const tail = fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
      await stop();
      throw new Error(`code-server did not answer ${url}/version within ${o.startTimeoutMs ?? 30_000} ms:\n${tail}`);
    }
    await sleep(250);
  }
  return { url, host, port, pid, runDir, logFile, stop, exited: exitPromise };
}

/**
 * The workbench URL opening `folder`, with a `payload` (as @vscode/test-web does) that loads the
 * extension from source and, optionally, runs an extension test entry. The CLI flags
 * --extensionDevelopmentPath/--extensionTestsPath are rejected by the server; payload works.
 *
 * The URIs use the authority DEV_AUTHORITY instead of the server's host:port. The server maps any
 * vscode-remote URI to its path, so the extension loads the same; but the workbench compares the
 * URI with the builtin extensions' locations (vscode-remote://127.0.0.1:PORT/…), and since the
 * harness lives INSIDE the repo (tools/vscode-harness/node_modules/code-server/…), with the real
 * host:port every builtin theme counts as "contributed by the extension under development": the
 * theme service then ignores workbench.colorTheme and picks the first builtin theme (Light+).
 */
export const DEV_AUTHORITY = 'extension-dev';

export function workbenchUrl(server, { folder, extensionDevelopmentPath = repoRoot, extensionTestsPath } = {}) {
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', `vscode-remote://${DEV_AUTHORITY}${extensionDevelopmentPath}`]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${DEV_AUTHORITY}${extensionTestsPath}`]);
  const q = [];
  if (folder) q.push(`folder=${encodeURIComponent(folder)}`);
  if (payload.length) q.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.url}/${q.length ? `?${q.join('&')}` : ''}`;
}

/** playwright-core from the harness (root has it too, but the harness pins the one we verified). */
export async function loadChromium() {
  const { createRequire } = await import('node:module');
  const req = createRequire(path.join(harnessDir, 'package.json'));
  return req('playwright-core').chromium;
}

/** A persistent Chromium context with a fresh profile dir; close() removes the profile. */
export async function launchBrowser({ viewport = { width: 1400, height: 900 } } = {}) {
  const chromium = await loadChromium();
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rm-chrome-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath, headless: true, args: chromiumArgs, viewport,
  });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  const close = async () => {
    await ctx.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
  };
  return { ctx, page, close };
}
