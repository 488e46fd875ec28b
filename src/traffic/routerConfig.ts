// Router settings come from workspace files and user settings: untrusted until parsed here.
// Every error names the field and the reason, e.g. `router.socketPath: must be an absolute path`.
import path from 'node:path';
import type { ColourEndpoints, TrafficRouter, WorkspaceTrust } from '../core/ports';
import { CommandRouter, type CommandRouterConfig } from './command';
import { HAPROXY_NAME, HaproxyRouter, type HaproxyRouterConfig } from './haproxy';
import { NGINX_SERVER, NGINX_UPSTREAM_NAME, NginxRouter, type NginxRouterConfig } from './nginx';
import { describe } from './weights';

export type RouterConfig = (
  | ({ kind: 'haproxy' } & HaproxyRouterConfig)
  | ({ kind: 'nginx' } & NginxRouterConfig)
  | ({ kind: 'command' } & CommandRouterConfig)
) & {
  /** Blue-green checks: each colour's health and smoke URLs (reached directly), and a probe URL through the router. */
  endpoints?: ColourEndpoints;
};

export type RouterKind = RouterConfig['kind'];

export class RouterConfigError extends Error {
  constructor(readonly field: string, readonly reason: string) {
    super(`${field}: ${reason}`);
    this.name = 'RouterConfigError';
  }
}

type Obj = Record<string, unknown>;

function object(value: unknown, field: string, allowed: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RouterConfigError(field, `must be an object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new RouterConfigError(`${field}.${key}`, `unknown field (allowed: ${allowed.join(', ')})`);
  }
  return value as Obj;
}

function string(o: Obj, key: string, field: string, opts: { optional?: boolean; max?: number } = {}): string | undefined {
  const v = o[key];
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string') throw new RouterConfigError(`${field}.${key}`, `must be a string, got ${describe(v)}`);
  if (v.trim() === '') throw new RouterConfigError(`${field}.${key}`, 'must not be empty');
  if (v.length > (opts.max ?? 4096)) throw new RouterConfigError(`${field}.${key}`, `must be at most ${opts.max ?? 4096} characters`);
  if (/[\0]/.test(v)) throw new RouterConfigError(`${field}.${key}`, 'must not contain a NUL character');
  return v;
}

function required(o: Obj, key: string, field: string, max?: number): string {
  return string(o, key, field, { max }) as string;
}

function absolutePath(o: Obj, key: string, field: string, optional = false): string | undefined {
  const v = string(o, key, field, { optional });
  if (v === undefined) return undefined;
  if (!path.isAbsolute(v)) throw new RouterConfigError(`${field}.${key}`, `must be an absolute path, got ${describe(v)}`);
  if (/[\n\r]/.test(v)) throw new RouterConfigError(`${field}.${key}`, 'must not contain a line break');
  return v;
}

/** A path nginx reads: absolute, or relative to the prefix; no characters that end a directive. */
function nginxPath(o: Obj, key: string, field: string, optional = false): string | undefined {
  const v = string(o, key, field, { optional });
  if (v === undefined) return undefined;
  if (/[\s;{}"'$#]/.test(v)) throw new RouterConfigError(`${field}.${key}`, `must not contain spaces, quotes or any of ; { } $ #, got ${describe(v)}`);
  return v;
}

function matching(o: Obj, key: string, field: string, re: RegExp, what: string): string {
  const v = required(o, key, field, 200);
  if (!re.test(v)) throw new RouterConfigError(`${field}.${key}`, `must be ${what}, got ${describe(v)}`);
  return v;
}

function servers(o: Obj, field: string, check: (s: Obj, key: 'blue' | 'green', f: string) => string): { blue: string; green: string } {
  const f = `${field}.servers`;
  const s = object(o.servers, f, ['blue', 'green']);
  const result = { blue: check(s, 'blue', f), green: check(s, 'green', f) };
  if (result.blue === result.green) throw new RouterConfigError(f, `blue and green must differ, both are ${describe(result.blue)}`);
  return result;
}

function hostPort(s: Obj, key: string, field: string): string {
  const v = matching(s, key, field, NGINX_SERVER, 'host:port (e.g. 127.0.0.1:8081)');
  const port = Number(NGINX_SERVER.exec(v)?.[2]);
  if (port < 1 || port > 65535) throw new RouterConfigError(`${field}.${key}`, `port must be 1..65535, got ${port}`);
  return v;
}

function httpUrl(o: Obj, key: string, field: string, optional = false): string | undefined {
  const v = string(o, key, field, { optional });
  if (v === undefined) return undefined;
  let u: URL;
  try { u = new URL(v); } catch { throw new RouterConfigError(`${field}.${key}`, `must be an http(s) URL, got ${describe(v)}`); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new RouterConfigError(`${field}.${key}`, `must be an http(s) URL, got ${describe(v)}`);
  return v;
}

function integer(o: Obj, key: string, field: string, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RouterConfigError(`${field}.${key}`, `must be an integer from ${min} to ${max}, got ${describe(v)}`);
  }
  return v;
}

function environment(o: Obj, key: string, field: string): Record<string, string> | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RouterConfigError(`${field}.${key}`, `must be an object of strings, got ${describe(v)}`);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(v)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RouterConfigError(`${field}.${key}.${name}`, 'is not a valid environment variable name');
    if (name.startsWith('BG_')) throw new RouterConfigError(`${field}.${key}.${name}`, 'BG_* variables are set by Release Manager');
    if (typeof value !== 'string') throw new RouterConfigError(`${field}.${key}.${name}`, `must be a string, got ${describe(value)}`);
    if (value.includes('\0')) throw new RouterConfigError(`${field}.${key}.${name}`, 'must not contain a NUL character');
    env[name] = value;
  }
  return env;
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** `endpoints: { blue: { healthUrl, smokeUrl? }, green: { … }, probeUrl? }`; optional for the router, required for blue-green. */
function endpoints(o: Obj, field: string): ColourEndpoints | undefined {
  if (o.endpoints === undefined) return undefined;
  const f = `${field}.endpoints`;
  const e = object(o.endpoints, f, ['blue', 'green', 'probeUrl']);
  const colour = (c: 'blue' | 'green') => {
    const cf = `${f}.${c}`;
    const co = object(e[c], cf, ['healthUrl', 'smokeUrl']);
    return withoutUndefined({ healthUrl: httpUrl(co, 'healthUrl', cf) as string, smokeUrl: httpUrl(co, 'smokeUrl', cf, true) });
  };
  return withoutUndefined({ blue: colour('blue'), green: colour('green'), probeUrl: httpUrl(e, 'probeUrl', f, true) });
}

/** Parses one environment's router settings. */
export function parseRouterConfig(value: unknown, field = 'router'): RouterConfig {
  const kind = (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj).kind : undefined);
  switch (kind) {
    case 'haproxy': {
      const o = object(value, field, ['kind', 'socketPath', 'backend', 'servers', 'configPath', 'endpoints']);
      return withoutUndefined({
        kind,
        socketPath: absolutePath(o, 'socketPath', field) as string,
        backend: matching(o, 'backend', field, HAPROXY_NAME, 'an HAProxy backend name (letters, digits, _ . : -)'),
        servers: servers(o, field, (s, k, f) => matching(s, k, f, HAPROXY_NAME, 'an HAProxy server name (letters, digits, _ . : -)')),
        configPath: absolutePath(o, 'configPath', field, true),
        endpoints: endpoints(o, field),
      });
    }
    case 'nginx': {
      const o = object(value, field, ['kind', 'prefix', 'confFile', 'upstreamFile', 'upstreamName', 'servers', 'probeUrl', 'accessLog', 'endpoints']);
      return withoutUndefined({
        kind,
        prefix: absolutePath(o, 'prefix', field) as string,
        confFile: nginxPath(o, 'confFile', field) as string,
        upstreamFile: nginxPath(o, 'upstreamFile', field) as string,
        upstreamName: matching(o, 'upstreamName', field, NGINX_UPSTREAM_NAME, 'an upstream name (letters, digits, _ . -)'),
        servers: servers(o, field, hostPort),
        probeUrl: httpUrl(o, 'probeUrl', field) as string,
        accessLog: nginxPath(o, 'accessLog', field, true),
        endpoints: endpoints(o, field),
      });
    }
    case 'command': {
      const o = object(value, field, ['kind', 'setCommand', 'getCommand', 'validateCommand', 'cwd', 'env', 'timeoutMs', 'probeUrl', 'endpoints']);
      return withoutUndefined({
        kind,
        setCommand: required(o, 'setCommand', field),
        getCommand: required(o, 'getCommand', field),
        validateCommand: string(o, 'validateCommand', field, { optional: true }),
        cwd: absolutePath(o, 'cwd', field, true),
        env: environment(o, 'env', field),
        timeoutMs: integer(o, 'timeoutMs', field, 100, 600_000),
        probeUrl: httpUrl(o, 'probeUrl', field, true),
        endpoints: endpoints(o, field),
      });
    }
    default:
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new RouterConfigError(field, `must be an object with a kind, got ${describe(value)}`);
      }
      throw new RouterConfigError(`${field}.kind`, `must be "haproxy", "nginx" or "command", got ${describe(kind)}`);
  }
}

/** Parses `{ "<environment>": { kind, … }, … }`; errors read `routers.production.backend: …`. */
export function parseRouterConfigs(value: unknown, field = 'routers'): Record<string, RouterConfig> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RouterConfigError(field, `must be an object keyed by environment, got ${describe(value)}`);
  }
  const result: Record<string, RouterConfig> = {};
  for (const [env, cfg] of Object.entries(value)) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(env)) throw new RouterConfigError(`${field}.${env}`, 'environment names use letters, digits, _ . - (1–64)');
    result[env] = parseRouterConfig(cfg, `${field}.${env}`);
  }
  return result;
}

export interface CreateRouterOptions {
  haproxyBin?: string;
  nginxBin?: string;
  /** Command routers refuse to run when the workspace is not trusted. */
  trust?: WorkspaceTrust;
  /** Working directory of command routers without a cwd (the workspace folder). */
  defaultCwd?: string;
  /** nginx: bound on the probes that confirm a switch. */
  verifyTimeoutMs?: number;
}

export function createRouter(config: RouterConfig, opts: CreateRouterOptions = {}): TrafficRouter {
  switch (config.kind) {
    case 'haproxy': {
      const { kind: _kind, endpoints: _endpoints, ...rest } = config;
      return new HaproxyRouter(rest, { haproxyBin: opts.haproxyBin });
    }
    case 'nginx': {
      const { kind: _kind, endpoints: _endpoints, ...rest } = config;
      return new NginxRouter(rest, { nginxBin: opts.nginxBin, verifyTimeoutMs: opts.verifyTimeoutMs });
    }
    case 'command': {
      const { kind: _kind, endpoints: _endpoints, ...rest } = config;
      return new CommandRouter(rest, { trust: opts.trust, defaultCwd: opts.defaultCwd });
    }
  }
}
