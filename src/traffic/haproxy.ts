// HAProxy adapter: weights through the runtime API on the admin socket (hitless, exact), read
// back from `show servers state`, per-server counters from `show stat`. Runtime weights are lost
// when HAProxy reloads or restarts, so every change is also written into the cfg file.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Colour, ColourCounters, TrafficRouter, Weights } from '../core/ports';
import { outputTail, runProcess, writeFileAtomic } from './processes';
import { COLOURS, formatWeights, parseWeights, sameWeights, toPercent } from './weights';

export interface HaproxyRouterConfig {
  /** The `stats socket … level admin` path. */
  socketPath: string;
  /** Backend (or listen section) holding both colours. */
  backend: string;
  /** Server names inside the backend. */
  servers: Record<Colour, string>;
  /** When set, weights are also written here (atomically) and `validate` runs `haproxy -c` on it. */
  configPath?: string;
}

export interface HaproxyRouterOptions {
  /** Default `haproxy` from PATH. */
  haproxyBin?: string;
  /** Per runtime-API command. Default 2000 ms. */
  commandTimeoutMs?: number;
  /** For `haproxy -c`. Default 15000 ms. */
  checkTimeoutMs?: number;
  /** Sees every runtime-API command sent, in order (diagnostics, tests). */
  trace?: (command: string) => void;
}

/** Proxy and server names HAProxy accepts; anything else could smuggle a second command. */
export const HAPROXY_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

export class HaproxyRouter implements TrafficRouter {
  readonly kind = 'haproxy' as const;
  readonly capabilities = { weighted: true, hitless: true, perColourMetrics: true };
  private readonly bin: string;
  private readonly commandTimeoutMs: number;
  private readonly checkTimeoutMs: number;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly config: HaproxyRouterConfig, private readonly options: HaproxyRouterOptions = {}) {
    if (!path.isAbsolute(config.socketPath)) throw new Error(`socketPath: must be an absolute path, got ${config.socketPath}`);
    for (const [field, name] of [['backend', config.backend], ['servers.blue', config.servers.blue], ['servers.green', config.servers.green]]) {
      if (!HAPROXY_NAME.test(name)) throw new Error(`${field}: not a valid HAProxy name: ${JSON.stringify(name)}`);
    }
    if (config.servers.blue === config.servers.green) throw new Error('servers: blue and green must be different servers');
    this.bin = options.haproxyBin ?? 'haproxy';
    this.commandTimeoutMs = options.commandTimeoutMs ?? 2000;
    this.checkTimeoutMs = options.checkTimeoutMs ?? 15_000;
  }

  async validate(w: Weights): Promise<void> {
    const weights = parseWeights(w);
    // The running HAProxy must know the backend and both servers.
    await this.readServers();
    const cfg = this.config.configPath;
    if (!cfg) return;
    const candidate = rewriteHaproxyWeights(fs.readFileSync(cfg, 'utf8'), this.config.backend, this.config.servers, weights);
    const tmp = `${cfg}.validate-${process.pid}-${Date.now()}`;
    fs.writeFileSync(tmp, candidate, { mode: 0o600 });
    try {
      await this.check(tmp, cfg);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  async getWeights(): Promise<Weights> {
    const { weight } = await this.readServers();
    return toPercent(weight.blue, weight.green);
  }

  async setWeights(w: Weights): Promise<void> {
    const weights = parseWeights(w);
    return this.serialise(async () => {
      const servers = await this.readServers();
      const current = servers.weight;
      // All traffic onto a server HAProxy holds down or in maintenance would be all 503s.
      for (const colour of COLOURS) {
        const other: Colour = colour === 'blue' ? 'green' : 'blue';
        if (weights[other] === 0 && current[other] > 0 && !servers.serving[colour]) {
          throw new Error(`refusing ${formatWeights(weights)}: HAProxy reports ${this.config.backend}/${this.config.servers[colour]} (${colour}) ${servers.state[colour]}, so ${colour} cannot take all traffic; nothing was changed`);
        }
      }
      // Raise the colour that gains first: lowering the other side first can leave the backend
      // with no server for an instant, which HAProxy answers with 503s (note, pitfall 5).
      const order: Colour[] = weights.green > current.green ? ['green', 'blue'] : ['blue', 'green'];
      const done: Colour[] = [];
      for (const colour of order) {
        if (current[colour] === weights[colour]) continue;
        const cmd = `set server ${this.config.backend}/${this.config.servers[colour]} weight ${weights[colour]}`;
        const reply = (await this.command(cmd)).trim();
        if (reply !== '') {
          const partial = done.length ? ` (${done.join(', ')} already changed; no side was lowered before the other was raised)` : '';
          throw new Error(`haproxy refused "${cmd}": ${reply}${partial}`);
        }
        done.push(colour);
      }
      if (this.config.configPath) {
        try {
          const cfg = this.config.configPath;
          writeFileAtomic(cfg, rewriteHaproxyWeights(fs.readFileSync(cfg, 'utf8'), this.config.backend, this.config.servers, weights));
        } catch (err) {
          throw new Error(`weights ${formatWeights(weights)} are live but could not be saved to ${this.config.configPath} (a restart would lose them): ${(err as Error).message}`);
        }
      }
    });
  }

  /** HAProxy applies a weight at once; this reads it back until it matches. */
  async verify(w: Weights, timeoutMs: number): Promise<number> {
    const weights = parseWeights(w);
    const started = Date.now();
    for (;;) {
      const live = await this.getWeights();
      if (sameWeights(live, weights)) return Date.now() - started;
      if (Date.now() - started >= timeoutMs) {
        throw new Error(`haproxy still routes ${formatWeights(live)} after ${timeoutMs} ms, expected ${formatWeights(weights)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Cumulative per-server responses and 5xx since HAProxy started (they reset on restart). */
  async counters(): Promise<Record<Colour, ColourCounters>> {
    const csv = await this.command('show stat -1 4 -1');
    const lines = csv.split('\n').filter((l) => l.trim() !== '');
    const header = lines[0]?.startsWith('# ') ? lines[0].slice(2).split(',') : null;
    if (!header) throw new Error(`unexpected "show stat" reply: ${csv.slice(0, 200)}`);
    const col = (name: string) => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`"show stat" has no ${name} column`);
      return i;
    };
    const [px, sv, x5] = [col('pxname'), col('svname'), col('hrsp_5xx')];
    const responses = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'].map(col);
    const result: Partial<Record<Colour, ColourCounters>> = {};
    for (const line of lines.slice(1)) {
      const f = line.split(',');
      if (f[px] !== this.config.backend) continue;
      const colour = COLOURS.find((c) => this.config.servers[c] === f[sv]);
      if (!colour) continue;
      const num = (i: number) => Number(f[i]) || 0;
      result[colour] = { requests: responses.reduce((sum, i) => sum + num(i), 0), errors5xx: num(x5) };
    }
    return { blue: this.requireServer(result, 'blue'), green: this.requireServer(result, 'green') };
  }

  /** One command per connection: HAProxy answers and closes in non-interactive mode. */
  command(line: string): Promise<string> {
    if (/[\n\r;]/.test(line)) return Promise.reject(new Error('one runtime-API command at a time (no newline or ";")'));
    this.options.trace?.(line);
    const { socketPath } = this.config;
    const timeoutMs = this.commandTimeoutMs;
    return new Promise((resolve, reject) => {
      const socket = net.connect(socketPath);
      let out = '';
      socket.setEncoding('utf8');
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      socket.on('connect', () => socket.end(`${line}\n`));
      socket.on('data', (d: string) => { out += d; });
      socket.on('end', () => resolve(out));
      socket.on('error', (err: NodeJS.ErrnoException) => {
        reject(new Error(`haproxy admin socket ${socketPath}: ${err.code ?? err.message}${err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? ' (is HAProxy running with "stats socket … level admin"?)' : ''}`));
      });
    });
  }

  /** Raw runtime weights (0..256) and state of both servers, from `show servers state`. */
  private async readServers(): Promise<{ weight: Weights; serving: Record<Colour, boolean>; state: Record<Colour, string> }> {
    const reply = await this.command(`show servers state ${this.config.backend}`);
    const lines = reply.split('\n');
    const headerLine = lines.find((l) => l.startsWith('# '));
    if (!headerLine) throw new Error(`haproxy: ${reply.trim() || 'empty reply'} (backend ${this.config.backend})`);
    const header = headerLine.slice(2).trim().split(/\s+/);
    const col = (name: string) => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`"show servers state" has no ${name} column: ${headerLine}`);
      return i;
    };
    const [nameCol, weightCol, opCol, adminCol] = [col('srv_name'), col('srv_uweight'), col('srv_op_state'), col('srv_admin_state')];
    const rows = new Map<string, string[]>();
    for (const line of lines) {
      if (line.startsWith('#') || !line.trim()) continue;
      const f = line.trim().split(/\s+/);
      if (f.length > Math.max(weightCol, opCol, adminCol)) rows.set(f[nameCol], f);
    }
    const row = (colour: Colour) => {
      const f = rows.get(this.config.servers[colour]);
      if (!f || !Number.isFinite(Number(f[weightCol]))) {
        throw new Error(`server ${this.config.servers[colour]} (${colour}) not found in backend ${this.config.backend} (servers: ${[...rows.keys()].join(', ') || 'none'})`);
      }
      return f;
    };
    const result = { weight: { blue: 0, green: 0 }, serving: { blue: false, green: false }, state: { blue: '', green: '' } };
    for (const colour of COLOURS) {
      const f = row(colour);
      const op = Number(f[opCol]);
      const admin = Number(f[adminCol]);
      result.weight[colour] = Number(f[weightCol]);
      // srv_op_state 2 = running; any srv_admin_state bit = maintenance or drain.
      result.serving[colour] = op === 2 && admin === 0;
      result.state[colour] = admin !== 0 ? 'in maintenance or drain' : (['DOWN', 'STARTING', 'UP', 'STOPPING'][op] ?? `in state ${op}`);
    }
    return result;
  }

  private requireServer(result: Partial<Record<Colour, ColourCounters>>, colour: Colour): ColourCounters {
    const c = result[colour];
    if (!c) throw new Error(`"show stat" has no row for ${this.config.backend}/${this.config.servers[colour]} (${colour})`);
    return c;
  }

  private async check(file: string, shownAs: string): Promise<void> {
    const run = (quiet: boolean) => runProcess({ file: this.bin, args: ['-c', ...(quiet ? ['-q'] : []), '-f', file], cwd: path.dirname(shownAs), timeoutMs: this.checkTimeoutMs });
    const r = await run(true);
    if (r.code === 0) return;
    let why = `timed out after ${this.checkTimeoutMs} ms`;
    if (!r.timedOut) {
      // -q also silences the alerts: ask again, verbosely, for the reason.
      const verbose = await run(false);
      const alerts = `${verbose.stderr}\n${verbose.stdout}`.split('\n').filter((l) => l.includes('[ALERT]'))
        .map((l) => l.replace(/^\[ALERT\]\s*\(\d+\)\s*:\s*/, '').trim());
      why = (alerts.length ? alerts.join('; ') : outputTail(verbose) || `exit code ${r.code}`).split(file).join(shownAs);
    }
    throw new Error(`haproxy -c refused ${shownAs} with the new weights: ${why}`);
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

const SECTION = /^\s*(global|defaults|frontend|backend|listen|resolvers|peers|userlist|program|http-errors|ring|mailers|cache|fcgi-app|crt-store)\b\s*(\S*)/;

/**
 * The cfg text with the two servers' `weight` set (added when absent) inside `backend <name>` or
 * `listen <name>`. Everything else, comments included, is kept byte for byte.
 */
export function rewriteHaproxyWeights(text: string, backend: string, servers: Record<Colour, string>, w: Weights): string {
  const lines = text.split('\n');
  let inBackend = false;
  const found = new Set<Colour>();
  for (let i = 0; i < lines.length; i++) {
    const section = SECTION.exec(lines[i]);
    if (section) {
      inBackend = (section[1] === 'backend' || section[1] === 'listen') && section[2] === backend;
      continue;
    }
    if (!inBackend) continue;
    const m = /^(\s*server\s+)(\S+)(.*)$/.exec(lines[i]);
    if (!m) continue;
    const colour = COLOURS.find((c) => servers[c] === m[2]);
    if (!colour) continue;
    const hash = m[3].indexOf('#');
    const body = hash >= 0 ? m[3].slice(0, hash) : m[3];
    const comment = hash >= 0 ? m[3].slice(hash) : '';
    const replaced = /(\s)weight\s+\S+/.test(body)
      ? body.replace(/(\s)weight\s+\S+/, `$1weight ${w[colour]}`)
      : `${body.trimEnd()} weight ${w[colour]}${comment ? ' ' : ''}`;
    lines[i] = `${m[1]}${m[2]}${replaced}${comment}`;
    found.add(colour);
  }
  for (const colour of COLOURS) {
    if (!found.has(colour)) throw new Error(`no "server ${servers[colour]}" line (${colour}) in backend ${backend} of the cfg file`);
  }
  return lines.join('\n');
}
