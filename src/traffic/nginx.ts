// nginx adapter: the split lives in an upstream include file that is rewritten atomically,
// checked with `nginx -t`, applied with `nginx -s reload` (same -p/-c as the running master) and
// confirmed by probing through the router, since reload returns before new workers serve.
//
// Reset caveat (measured, see notes/traffic-routers.md): a reload is not hitless. Old workers
// finish their in-flight requests and then close their idle keep-alive client connections;
// a client that sends on such a connection at that instant gets a TCP reset (ECONNRESET /
// "socket hang up"), 110–150 ms after the reload, 0–15 per switch at 1,000 req/s. They are
// never HTTP 5xx. Clients that retry an idempotent request once on a fresh connection see none.
// Hence `hitless: false`. Runtime counters do not survive a reload either, which is why
// per-colour counts come from the access log rather than from nginx itself.
import fs from 'node:fs';
import path from 'node:path';
import type { Colour, ColourCounters, TrafficRouter, Weights } from '../core/ports';
import { verifySplitByProbes } from './probe';
import { outputTail, runProcess, writeFileAtomic } from './processes';
import { COLOURS, formatWeights, parseWeights, toPercent } from './weights';

export interface NginxRouterConfig {
  /** The `-p` prefix of the running nginx. */
  prefix: string;
  /** The `-c` file of the running nginx (relative to the prefix, or absolute). */
  confFile: string;
  /** The file `include`d by the http block that holds the upstream (relative to the prefix, or absolute). */
  upstreamFile: string;
  upstreamName: string;
  /** `ip:port` of each colour; written into the upstream and matched against `$upstream_addr`. */
  servers: Record<Colour, string>;
  /** A URL through the router whose answers carry `X-Colour`. */
  probeUrl: string;
  /**
   * Access log written with the JSON format
   * `'{"t":"$msec","st":$status,"up":"$upstream_addr","ust":"$upstream_status"}'` (escape=json);
   * enables `counters()`.
   */
  accessLog?: string;
}

export interface NginxRouterOptions {
  /** Default `nginx` from PATH. */
  nginxBin?: string;
  /** For `nginx -t` and `nginx -s reload`. Default 15000 ms. */
  commandTimeoutMs?: number;
  /** setWeights resolves only once verify() observed the split; this bounds it. Default 5000 ms. */
  verifyTimeoutMs?: number;
}

export const NGINX_UPSTREAM_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
/** `ip:port`, `[ipv6]:port` or `host:port`, nothing nginx would read as another parameter. */
export const NGINX_SERVER = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):([0-9]{1,5})$/;

/** The upstream include file for a split; weight 0 is written `down` (nginx rejects weight=0). */
export function renderUpstream(name: string, servers: Record<Colour, string>, w: Weights): string {
  const lines = COLOURS.map((c) => w[c] === 0
    ? `  server ${servers[c]} down;  # ${c}`
    : `  server ${servers[c]} weight=${w[c]} max_fails=0;  # ${c}`);
  return `# Written by Release Manager (${formatWeights(w)}); rewritten on every switch.
upstream ${name} {
  zone ${name} 64k;
${lines.join('\n')}
  keepalive 16;
}
`;
}

/** The split an upstream file asks for: `weight=N` (default 1), `down` = 0. */
export function parseUpstream(text: string, servers: Record<Colour, string>): Weights {
  const raw: Partial<Record<Colour, number>> = {};
  for (const m of text.matchAll(/^\s*server\s+([^\s;]+)([^;]*);/gm)) {
    const colour = COLOURS.find((c) => servers[c] === m[1]);
    if (!colour) continue;
    const params = m[2].trim().split(/\s+/);
    const weight = params.find((p) => p.startsWith('weight='));
    raw[colour] = params.includes('down') ? 0 : weight ? Number(weight.slice(7)) : 1;
  }
  for (const c of COLOURS) {
    if (raw[c] === undefined || !Number.isFinite(raw[c])) throw new Error(`upstream file has no "server ${servers[c]}" line (${c})`);
  }
  return toPercent(raw.blue as number, raw.green as number);
}

export class NginxRouter implements TrafficRouter {
  readonly kind = 'nginx' as const;
  readonly capabilities: TrafficRouter['capabilities'];
  /** Present when an access log is configured: counts since the first call, per colour. */
  readonly counters?: () => Promise<Record<Colour, ColourCounters>>;
  private readonly bin: string;
  private readonly upstreamPath: string;
  private readonly confPath: string;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly config: NginxRouterConfig, private readonly options: NginxRouterOptions = {}) {
    if (!path.isAbsolute(config.prefix)) throw new Error(`prefix: must be an absolute path, got ${config.prefix}`);
    if (!NGINX_UPSTREAM_NAME.test(config.upstreamName)) throw new Error(`upstreamName: not a valid upstream name: ${JSON.stringify(config.upstreamName)}`);
    for (const c of COLOURS) {
      if (!NGINX_SERVER.test(config.servers[c])) throw new Error(`servers.${c}: must be host:port, got ${JSON.stringify(config.servers[c])}`);
    }
    this.bin = options.nginxBin ?? 'nginx';
    this.upstreamPath = path.resolve(config.prefix, config.upstreamFile);
    this.confPath = path.resolve(config.prefix, config.confFile);
    this.capabilities = { weighted: true, hitless: false, perColourMetrics: !!config.accessLog };
    if (config.accessLog) {
      const tail = new AccessLogTail(path.resolve(config.prefix, config.accessLog), config.servers);
      this.counters = () => tail.read();
    }
  }

  /** Runs `nginx -t` on the configuration as it would be with these weights, live files untouched. */
  async validate(w: Weights): Promise<void> {
    const weights = parseWeights(w);
    const candidate = renderUpstream(this.config.upstreamName, this.config.servers, weights);
    const conf = fs.readFileSync(this.confPath, 'utf8');
    const confDir = path.dirname(this.confPath);
    const stamp = `${process.pid}-${Date.now()}`;
    const upstreamTmp = `${this.upstreamPath}.validate-${stamp}`;
    let replaced = false;
    const testConf = conf.replace(/^(\s*include\s+)("?)([^";\s]+)\2(\s*;)/gm, (all, lead: string, _q: string, file: string, end: string) => {
      if (path.resolve(confDir, file) !== this.upstreamPath) return all;
      replaced = true;
      return `${lead}${upstreamTmp}${end}`;
    });
    const confTmp = path.join(confDir, `.${path.basename(this.confPath)}.validate-${stamp}`);
    try {
      if (replaced) {
        fs.writeFileSync(upstreamTmp, candidate);
        fs.writeFileSync(confTmp, testConf);
      }
      // Without a direct include of the upstream file in the -c file, only the current config
      // can be tested; the rendered upstream itself is built from validated values.
      await this.nginx(['-t', '-q'], replaced ? confTmp : undefined, 'nginx -t');
    } finally {
      fs.rmSync(upstreamTmp, { force: true });
      fs.rmSync(confTmp, { force: true });
    }
  }

  /**
   * The split in the upstream file: what nginx was last told to run. Open-source nginx has no
   * API to read a live upstream; setWeights only resolves once probes observed the file's split.
   */
  async getWeights(): Promise<Weights> {
    return parseUpstream(await fs.promises.readFile(this.upstreamPath, 'utf8'), this.config.servers);
  }

  async setWeights(w: Weights): Promise<void> {
    const weights = parseWeights(w);
    return this.serialise(async () => {
      const next = renderUpstream(this.config.upstreamName, this.config.servers, weights);
      let previous: string | undefined;
      try { previous = fs.readFileSync(this.upstreamPath, 'utf8'); } catch { /* first write */ }
      if (previous !== next) {
        writeFileAtomic(this.upstreamPath, next, '.new');
        const restore = () => {
          if (previous === undefined) fs.rmSync(this.upstreamPath, { force: true });
          else writeFileAtomic(this.upstreamPath, previous, '.new');
        };
        try {
          await this.nginx(['-t', '-q'], undefined, 'nginx -t');
          // Never `kill -HUP`: it exits 0 and silently keeps the old config on an error.
          await this.nginx(['-s', 'reload'], undefined, 'nginx -s reload');
        } catch (err) {
          restore();
          throw new Error(`${(err as Error).message}; the upstream file was restored and the previous configuration stays live`);
        }
      }
      await this.verify(weights, this.options.verifyTimeoutMs ?? 5000);
    });
  }

  /**
   * Probes on fresh connections, which new workers accept once the reload took. Clients already
   * holding a keep-alive connection to an old worker keep the old split until that worker
   * closes it (measured 110–150 ms after the reload: the moment of the resets above).
   */
  verify(w: Weights, timeoutMs: number): Promise<number> {
    return verifySplitByProbes(this.config.probeUrl, w, timeoutMs);
  }

  private async nginx(args: string[], confOverride: string | undefined, label: string): Promise<void> {
    const timeoutMs = this.options.commandTimeoutMs ?? 15_000;
    const r = await runProcess({
      file: this.bin,
      args: ['-p', this.config.prefix, '-c', confOverride ?? this.config.confFile, '-e', 'stderr', ...args],
      cwd: this.config.prefix,
      timeoutMs,
    });
    if (r.code !== 0) {
      let why = r.timedOut ? `timed out after ${timeoutMs} ms` : outputTail(r) || `exit code ${r.code}`;
      if (confOverride) why = why.split(confOverride).join(this.confPath);
      throw new Error(`${label} failed: ${why}`);
    }
  }

  private serialise<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * Follows the JSON access log from a remembered offset. Starts at the end of the file on the
 * first read (counters are cumulative from then on); starts over when the file was rotated
 * (new inode) or truncated. A retried request (`up: "a, b"`) counts for the last upstream tried.
 */
class AccessLogTail {
  private offset: number | undefined;
  private ino: number | undefined;
  private partial = '';
  private readonly totals: Record<Colour, ColourCounters> = { blue: { requests: 0, errors5xx: 0 }, green: { requests: 0, errors5xx: 0 } };
  private reading: Promise<Record<Colour, ColourCounters>> | undefined;

  constructor(private readonly file: string, private readonly servers: Record<Colour, string>) {}

  read(): Promise<Record<Colour, ColourCounters>> {
    // Concurrent callers share one read so no byte range is parsed twice.
    this.reading ??= this.readNew().finally(() => { this.reading = undefined; });
    return this.reading;
  }

  private async readNew(): Promise<Record<Colour, ColourCounters>> {
    const fh = await fs.promises.open(this.file, 'r').catch((err: NodeJS.ErrnoException) => {
      throw new Error(`access log ${this.file}: ${err.code ?? err.message}`);
    });
    try {
      const st = await fh.stat();
      if (this.offset === undefined || st.ino !== this.ino || st.size < this.offset) {
        const first = this.offset === undefined;
        this.offset = first ? st.size : 0;
        this.ino = st.ino;
        this.partial = '';
      }
      const chunk = Buffer.alloc(1 << 20);
      while (this.offset < st.size) {
        const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, st.size - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const text = this.partial + chunk.subarray(0, bytesRead).toString('utf8');
        const lines = text.split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) this.count(line);
      }
    } finally {
      await fh.close();
    }
    return { blue: { ...this.totals.blue }, green: { ...this.totals.green } };
  }

  private count(line: string): void {
    if (!line.trim()) return;
    let entry: { up?: unknown; ust?: unknown };
    try { entry = JSON.parse(line); } catch { return; }
    if (typeof entry.up !== 'string') return;
    const addr = lastItem(entry.up);
    const colour = COLOURS.find((c) => this.servers[c] === addr);
    if (!colour) return;
    const status = Number(typeof entry.ust === 'string' ? lastItem(entry.ust) : '');
    this.totals[colour].requests++;
    if (status >= 500) this.totals[colour].errors5xx++;
  }
}

/** The last entry of `$upstream_addr` / `$upstream_status` ("a, b" after a retry, "a : b" across groups). */
function lastItem(list: string): string {
  return list.split(/\s*(?:,|\s:\s)\s*/).filter(Boolean).pop() ?? '';
}
