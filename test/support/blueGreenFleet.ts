// Real parts for the blue-green manager tests: each colour's backend is its own process, (re)started
// by test/support/deployColour.sh run through the real NodeProcessRunner — the ColourDeployer the
// container would build from an environment's pipeline, with COLOR in the step's environment.
// Processes are stopped by PID (from their pid files), never by name.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { BlueGreenTarget, Colour, ColourDeployRequest, ColourDeployResult, ColourDeployer, ColourScaler, RouterFactory, WorkspaceTrust } from '../../src/core/ports';
import { NodeProcessRunner } from '../../src/process/processRunner';
import { SettingsRouterFactory, type EnvironmentRouterSettings } from '../../src/traffic/routerFactory';
import { freePort, makeTempDir, removeTempDir } from './trafficRouters';

export const DEPLOY_SCRIPT = path.resolve(__dirname, 'deployColour.sh');
export const BACKEND_SCRIPT = path.resolve(__dirname, 'colourBackend.mjs');

export type BackendMode = 'ok' | 'unhealthy' | 'fail-root';

const started = new Set<number>();
process.on('exit', () => {
  for (const pid of started) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
});

function alive(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

export class ColourFleet {
  readonly runner = new NodeProcessRunner();

  private constructor(readonly dir: string, readonly ports: Record<Colour, number>) {}

  static async create(): Promise<ColourFleet> {
    const dir = makeTempDir('bluegreen');
    const ports = { blue: await freePort(), green: await freePort() };
    for (const c of ['blue', 'green'] as const) fs.writeFileSync(path.join(dir, `${c}.port`), String(ports[c]));
    return new ColourFleet(dir, ports);
  }

  address(c: Colour): string {
    return `127.0.0.1:${this.ports[c]}`;
  }

  url(c: Colour): string {
    return `http://127.0.0.1:${this.ports[c]}`;
  }

  /** Check endpoints as router settings name them: each colour reached directly. */
  endpoints(): { blue: { healthUrl: string; smokeUrl: string }; green: { healthUrl: string; smokeUrl: string } } {
    return {
      blue: { healthUrl: `${this.url('blue')}/health`, smokeUrl: `${this.url('blue')}/` },
      green: { healthUrl: `${this.url('green')}/health`, smokeUrl: `${this.url('green')}/` },
    };
  }

  /** The mode the colour's next deploy starts in. */
  startMode(c: Colour, mode: BackendMode): void {
    fs.writeFileSync(path.join(this.dir, `${c}.mode`), mode);
  }

  /** Changes a running backend's mode (fault injection after a deploy). */
  setMode(c: Colour, mode: BackendMode): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.get(`${this.url(c)}/__mode/${mode}`, { agent: false, timeout: 2000 }, (res) => {
        res.resume();
        res.on('end', () => resolve());
      });
      req.on('error', reject);
    });
  }

  pid(c: Colour): number | undefined {
    try {
      return Number(fs.readFileSync(path.join(this.dir, `${c}.pid`), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** Runs the deploy script as a pipeline step would. */
  async deploy(c: Colour, version: string, signal?: AbortSignal, onOutput?: (text: string) => void): Promise<ColourDeployResult> {
    const r = await this.runner.run({
      command: '"$DEPLOY_SCRIPT"',
      cwd: this.dir,
      env: { COLOR: c, VERSION: version, BG_DIR: this.dir, NODE: process.execPath, BACKEND: BACKEND_SCRIPT, DEPLOY_SCRIPT },
      timeoutMs: 30_000,
      signal,
      onOutput: onOutput ? (text) => onOutput(text) : undefined,
    });
    const pid = this.pid(c);
    if (pid) started.add(pid);
    const last = r.log.trim().split('\n').pop() ?? '';
    if (r.exitCode === 0) return { ok: true, summary: last };
    return { ok: false, summary: r.cancelled ? 'cancelled' : `deploy script exited ${r.exitCode ?? r.signal}: ${last}` };
  }

  async stop(): Promise<void> {
    for (const c of ['blue', 'green'] as const) {
      const pid = this.pid(c);
      if (!pid) continue;
      try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ }
      for (let i = 0; i < 60 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
      if (alive(pid)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
      started.delete(pid);
    }
    removeTempDir(this.dir);
  }
}

/** The ColourDeployer over the fleet's deploy script; records every request. */
export class ScriptDeployer implements ColourDeployer {
  readonly calls: Omit<ColourDeployRequest, 'signal' | 'onOutput'>[] = [];
  constructor(private readonly fleet: ColourFleet) {}

  deploy(req: ColourDeployRequest): Promise<ColourDeployResult> {
    this.calls.push({ releaseId: req.releaseId, version: req.version, environment: req.environment, colour: req.colour, env: { ...req.env } });
    return this.fleet.deploy(req.env.COLOR, req.version, req.signal, req.onOutput);
  }
}

/** Scale-down hook that records calls (the old colour keeps running, so later tests can use it). */
export class RecordingScaler implements ColourScaler {
  readonly calls: { environment: string; colour: Colour; at: number }[] = [];
  async scaleDown(req: { releaseId: string; environment: string; colour: Colour }): Promise<{ ok: boolean; summary: string }> {
    this.calls.push({ environment: req.environment, colour: req.colour, at: Date.now() });
    return { ok: true, summary: `scaled down ${req.colour}` };
  }
}

export class SwitchableTrust implements WorkspaceTrust {
  trusted = true;
  isTrusted(): boolean {
    return this.trusted;
  }
}

/** The real settings factory over a fixed map of environment → settings. */
export function settingsFactory(settings: Record<string, EnvironmentRouterSettings>, trust: WorkspaceTrust): RouterFactory & { forEnvironment(env: string): Promise<BlueGreenTarget> } {
  return new SettingsRouterFactory({ load: async (env) => settings[env] ?? null, trust });
}

/** Polls `fn` every 25 ms until it returns something truthy (returned), or fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined | false>): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`${what} not reached within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
