// Real HAProxy and nginx processes for the traffic tests, per /work/shared/notes/traffic-routers.md:
// foreground, one temp directory each, stopped by PID. A missing binary fails the test with the
// package to install; the routers are never mocked or skipped.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Weights } from '../../src/core/ports';
import { renderUpstream } from '../../src/traffic/nginx';

const PACKAGE_FOR: Record<string, string> = { haproxy: 'haproxy', nginx: 'nginx' };

/** Absolute path of a router binary, or an error naming the Debian package that provides it. */
export function requireBinary(name: 'haproxy' | 'nginx'): string {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch { /* next */ }
  }
  throw new Error(`${name} not found: install the Debian package ${PACKAGE_FOR[name]} (.ci/run does)`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** A temp directory readable by nginx's `nobody` workers (pitfall 2 in the note). */
export function makeTempDir(label: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `rm-${label}-`));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export function removeTempDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

// Children still running when the test process exits are killed by PID, never by name.
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) {
    if (child.pid !== undefined && child.exitCode === null) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  }
});

interface Launched {
  child: ChildProcess;
  output(): string;
}

function launch(bin: string, args: string[], cwd: string): Launched {
  const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let out = '';
  const keep = (chunk: Buffer) => { out = (out + chunk.toString()).slice(-8192); };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => out };
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, signal);
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resolves when `url` answers 200 (any colour); rejects with the router's output otherwise. */
async function waitForProxied200(url: string, launched: Launched, name: string, timeoutMs = 8000): Promise<number> {
  const started = Date.now();
  let last = 'no attempt';
  while (Date.now() - started < timeoutMs) {
    if (launched.child.exitCode !== null) {
      throw new Error(`${name} exited with code ${launched.child.exitCode}:\n${launched.output()}`);
    }
    last = await new Promise<string>((resolve) => {
      const req = http.get(url, { agent: false, timeout: 500 }, (res) => {
        res.resume();
        res.on('end', () => resolve(String(res.statusCode)));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => resolve((e as NodeJS.ErrnoException).code ?? e.message));
    });
    if (last === '200') return Date.now() - started;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${name} did not proxy a 200 within ${timeoutMs} ms (last: ${last}):\n${launched.output()}`);
}

export interface RouterTargets {
  /** `127.0.0.1:port` of each backend. */
  blue: string;
  green: string;
  weights?: Weights;
}

// ------------------------------------------------------------------------------------- HAProxy

export interface TestHaproxy {
  readonly dir: string;
  readonly port: number;
  readonly url: string;
  readonly cfgPath: string;
  readonly socketPath: string;
  readonly backend: 'be_app';
  readonly servers: { blue: 'blue'; green: 'green' };
  readonly pid: number;
  /** Stops and starts again from the cfg file as it is now (e.g. rewritten by the router). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  output(): string;
}

export function haproxyConfig(dir: string, port: number, t: RouterTargets): string {
  const w = t.weights ?? { blue: 100, green: 0 };
  return `global
  stats socket ${dir}/admin.sock mode 600 level admin
  pidfile ${dir}/haproxy.pid
  log stderr format short local0 notice
  nbthread 2
defaults
  mode http
  log global
  timeout connect 2s
  timeout client 30s
  timeout server 30s
  timeout http-keep-alive 10s
  retries 2
  option redispatch
frontend fe_app
  bind 127.0.0.1:${port}
  default_backend be_app
backend be_app
  # roundrobin, not static-rr: static-rr ignores runtime weights
  balance roundrobin
  option httpchk GET /health
  http-check expect status 200
  default-server inter 500ms fastinter 200ms downinter 500ms rise 2 fall 2
  server blue  ${t.blue} weight ${w.blue} check
  server green ${t.green} weight ${w.green} check
`;
}

export async function startHaproxy(dir: string, targets: RouterTargets): Promise<TestHaproxy> {
  const bin = requireBinary('haproxy');
  const port = await freePort();
  const cfgPath = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(cfgPath, haproxyConfig(dir, port, targets));
  const check = spawnSync(bin, ['-c', '-q', '-f', cfgPath], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy -c refused the test config:\n${check.stderr}${check.stdout}`);
  const url = `http://127.0.0.1:${port}/`;
  let launched!: Launched;
  const boot = async () => {
    launched = launch(bin, ['-db', '-f', cfgPath], dir);
    await waitForProxied200(url, launched, 'haproxy');
  };
  await boot();
  return {
    dir,
    port,
    url,
    cfgPath,
    socketPath: path.join(dir, 'admin.sock'),
    backend: 'be_app',
    servers: { blue: 'blue', green: 'green' },
    get pid() { return launched.child.pid ?? -1; },
    async restart() {
      await stopChild(launched.child, 'SIGTERM');
      await boot();
    },
    stop: () => stopChild(launched.child, 'SIGTERM'),
    output: () => launched.output(),
  };
}

/**
 * Waits until HAProxy's own health checks count `server` up (state 2 in `show servers state`), so
 * that the traffic a switch gives it is really served by it — and so that a router refusing to send
 * all traffic to a DOWN server is not met right after a backend restarted.
 */
export async function waitForHaproxyServerUp(
  router: { command(cmd: string): Promise<string> }, backend: string, server: string, { timeoutMs = 10_000, intervalMs = 100 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let row = '';
  for (;;) {
    const state = await router.command(`show servers state ${backend}`);
    row = state.split('\n').find((l) => l.split(/\s+/)[3] === server) ?? '';
    if (row.split(/\s+/)[5] === '2') return;
    if (Date.now() > deadline) throw new Error(`HAProxy did not count ${server} up within ${timeoutMs} ms: ${row || 'no such server'}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ------------------------------------------------------------------------------------- nginx

export interface TestNginx {
  readonly dir: string;
  readonly port: number;
  readonly url: string;
  /** The `-p` prefix (with trailing slash) and `-c` file the router must reuse. */
  readonly prefix: string;
  readonly confFile: string;
  readonly upstreamFile: string;
  readonly upstreamName: 'app';
  readonly accessLog: string;
  readonly pid: number;
  stop(): Promise<void>;
  output(): string;
}

export function nginxConfig(dir: string, port: number): string {
  return `worker_processes 2;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log notice;
events { worker_connections 1024; }
http {
  client_body_temp_path ${dir}/tmp/client_body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  log_format bg escape=json '{"t":"$msec","st":$status,"up":"$upstream_addr","ust":"$upstream_status"}';
  access_log ${dir}/access.log bg;
  include ${dir}/upstream.conf;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_next_upstream error timeout;
      proxy_connect_timeout 1s;
    }
  }
}
`;
}

export async function startNginx(dir: string, targets: RouterTargets): Promise<TestNginx> {
  const bin = requireBinary('nginx');
  const port = await freePort();
  fs.mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  fs.chmodSync(dir, 0o755);
  const confFile = path.join(dir, 'nginx.conf');
  const upstreamFile = path.join(dir, 'upstream.conf');
  fs.writeFileSync(confFile, nginxConfig(dir, port));
  fs.writeFileSync(upstreamFile, renderUpstream('app', { blue: targets.blue, green: targets.green }, targets.weights ?? { blue: 100, green: 0 }));
  const prefix = `${dir}/`;
  const url = `http://127.0.0.1:${port}/`;
  const launched = launch(bin, ['-p', prefix, '-c', 'nginx.conf', '-e', 'stderr', '-g', 'daemon off;'], dir);
  await waitForProxied200(url, launched, 'nginx');
  return {
    dir,
    port,
    url,
    prefix,
    confFile: 'nginx.conf',
    upstreamFile,
    upstreamName: 'app',
    accessLog: path.join(dir, 'access.log'),
    get pid() { return launched.child.pid ?? -1; },
    // SIGTERM is nginx's fast shutdown: the tests do not need the graceful QUIT drain.
    stop: () => stopChild(launched.child, 'SIGTERM'),
    output: () => launched.output(),
  };
}
