// An environment's blue-green settings as stored in Environment.router: the router (parsed by
// routerConfig.ts, `endpoints` required), plus two keys of our own that the router never sees —
// `scaleDownCommand` (Argo's scale-down, run with COLOR after the delay) and `blueGreen` (the
// environment's strategy: steps, auto-promotion, analysis). Errors name the whole path, e.g.
// `environments.production.router.socketPath: must be an absolute path, got "admin.sock"`.
import { parseStrategyInput, type BlueGreenStrategyInput } from '../core/blueGreen';
import { ValidationError, type Environment } from '../core/model';
import type { Colour, ColourScaler, ProcessRunner, WorkspaceTrust } from '../core/ports';
import type { EnvironmentRouterSettings } from './routerFactory';
import { RouterConfigError, parseRouterConfig, type RouterConfig } from './routerConfig';
import { describe } from './weights';

/** Keys of Environment.router that belong to blue-green, not to the router adapter. */
export const BLUE_GREEN_KEYS = ['scaleDownCommand', 'scaleDownTimeoutSeconds', 'blueGreen'] as const;

export interface EnvironmentBlueGreenSettings {
  router: RouterConfig;
  /** Shell command run in the workspace folder with COLOR (the old colour), TARGET_ENV and RELEASE_ID. */
  scaleDownCommand?: string;
  scaleDownTimeoutSeconds?: number;
  blueGreen?: BlueGreenStrategyInput;
}

export const routerField = (environment: string) => `environments.${environment}.router`;

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Splits the stored object without validating: what the router adapter gets, and our keys. */
export function splitRouterSettings(value: unknown): { router: unknown; scaleDownCommand?: unknown; scaleDownTimeoutSeconds?: unknown; blueGreen?: unknown } {
  if (!isObject(value)) return { router: value };
  const { scaleDownCommand, scaleDownTimeoutSeconds, blueGreen, ...router } = value;
  return { router, scaleDownCommand, scaleDownTimeoutSeconds, blueGreen };
}

/**
 * Validates an environment's router settings for blue-green (what the Configure Traffic Router
 * command stores). Throws a ValidationError naming the field; returns the settings as stored.
 */
export function parseEnvironmentRouterSettings(environment: string, value: unknown): EnvironmentBlueGreenSettings {
  const field = routerField(environment);
  if (!isObject(value)) throw new ValidationError(field, `expected an object with a kind (haproxy, nginx or command), got ${describe(value)}`);
  const split = splitRouterSettings(value);
  let router: RouterConfig;
  try {
    router = parseRouterConfig(split.router, field);
  } catch (err) {
    if (err instanceof RouterConfigError) throw new ValidationError(err.field, err.reason);
    throw err;
  }
  if (!router.endpoints) {
    throw new ValidationError(`${field}.endpoints`, 'is required for blue-green: { "blue": { "healthUrl": …, "smokeUrl"?: … }, "green": { … } }, each reaching that colour directly');
  }
  const out: EnvironmentBlueGreenSettings = { router };
  if (split.scaleDownCommand !== undefined) {
    const c = split.scaleDownCommand;
    if (typeof c !== 'string' || c.trim() === '') throw new ValidationError(`${field}.scaleDownCommand`, `expected a shell command, got ${describe(c)}`);
    if (c.length > 4096) throw new ValidationError(`${field}.scaleDownCommand`, `is ${c.length} characters long; the limit is 4096`);
    if (c.includes('\0')) throw new ValidationError(`${field}.scaleDownCommand`, 'must not contain a NUL character');
    out.scaleDownCommand = c;
  }
  if (split.scaleDownTimeoutSeconds !== undefined) {
    const t = split.scaleDownTimeoutSeconds;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 1 || t > 3600) {
      throw new ValidationError(`${field}.scaleDownTimeoutSeconds`, `expected a number of seconds from 1 to 3600, got ${describe(t)}`);
    }
    out.scaleDownTimeoutSeconds = t;
  }
  if (split.blueGreen !== undefined) out.blueGreen = parseStrategyInput(split.blueGreen, `${field}.blueGreen`);
  return out;
}

/** What the settings command stores: the parsed router with our keys beside it. */
export function storedRouterSettings(s: EnvironmentBlueGreenSettings): Record<string, unknown> {
  return {
    ...s.router,
    ...(s.scaleDownCommand !== undefined && { scaleDownCommand: s.scaleDownCommand }),
    ...(s.scaleDownTimeoutSeconds !== undefined && { scaleDownTimeoutSeconds: s.scaleDownTimeoutSeconds }),
    ...(s.blueGreen !== undefined && { blueGreen: s.blueGreen }),
  };
}

/** Production for blue-green: the last environment of the promotion order, or a protected one. */
export function isProductionEnvironment(environments: readonly Environment[], name: string): boolean {
  const i = environments.findIndex((e) => e.name === name);
  if (i < 0) return false;
  return environments[i].protected || i === environments.length - 1;
}

/** SettingsRouterFactory's `load` over the environments (read each time, so edits apply at once). */
export function environmentRouterLoader(environments: { listEnvironments(): Promise<Environment[]> }): (environment: string) => Promise<EnvironmentRouterSettings | null> {
  return async (name) => {
    const all = await environments.listEnvironments();
    const env = all.find((e) => e.name === name);
    if (!env) return null;
    const split = splitRouterSettings(env.router);
    return { router: env.router === undefined ? undefined : split.router, production: isProductionEnvironment(all, name), strategy: split.blueGreen };
  };
}

export interface CommandColourScalerOptions {
  environments: { listEnvironments(): Promise<Environment[]> };
  runner: ProcessRunner;
  trust: WorkspaceTrust;
  /** The workspace folder: where the command runs. */
  cwd: string;
  onOutput?(environment: string, colour: Colour, text: string): void;
}

/**
 * Argo's scale-down after the delay: the environment's `scaleDownCommand`, run with COLOR set to
 * the old colour. Without one it reports `skipped` — the old colour stays up and can be rolled back to.
 */
export class CommandColourScaler implements ColourScaler {
  constructor(private readonly o: CommandColourScalerOptions) {}

  async scaleDown(req: { releaseId: string; environment: string; colour: Colour; signal: AbortSignal }): Promise<{ ok: boolean; summary: string; skipped?: boolean }> {
    const env = (await this.o.environments.listEnvironments()).find((e) => e.name === req.environment);
    const split = splitRouterSettings(env?.router);
    const command = typeof split.scaleDownCommand === 'string' && split.scaleDownCommand.trim() ? split.scaleDownCommand : undefined;
    if (!command) return { ok: true, skipped: true, summary: `${req.environment} has no scaleDownCommand in its router settings` };
    if (!this.o.trust.isTrusted()) return { ok: false, summary: 'the scale-down command did not run: the workspace is not trusted' };
    const timeout = typeof split.scaleDownTimeoutSeconds === 'number' ? split.scaleDownTimeoutSeconds : 120;
    const r = await this.o.runner.run({
      command,
      cwd: this.o.cwd,
      env: { COLOR: req.colour, TARGET_ENV: req.environment, RELEASE_ID: req.releaseId },
      timeoutMs: timeout * 1000,
      signal: req.signal,
      onOutput: (text) => this.o.onOutput?.(req.environment, req.colour, text),
      logCapBytes: 4096,
    });
    const last = r.log.trim().split('\n').pop() ?? '';
    if (r.exitCode === 0) return { ok: true, summary: last || `scaled down ${req.colour}` };
    const why = r.timedOut ? `timed out after ${timeout} s` : r.cancelled ? 'cancelled' : `exited ${r.exitCode ?? r.signal}`;
    return { ok: false, summary: `scaleDownCommand ${why}${last ? `: ${last}` : ''}` };
  }
}
