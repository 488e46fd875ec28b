// Probing through a router. Contract with the backends: every response, errors included,
// carries `X-Colour: blue|green`, which is how a probe knows which colour answered.
import http from 'node:http';
import https from 'node:https';
import type { Colour, ColourCounters, Weights } from '../core/ports';
import { formatWeights, parseWeights } from './weights';

export interface ProbeResult {
  /** HTTP status, or undefined when the request failed. */
  status?: number;
  colour?: Colour;
  /** Why the request failed: `ECONNREFUSED`, `timeout after 500 ms`… */
  error?: string;
  ms: number;
}

/** One GET on a fresh connection (no pooling: each probe sees the router's current config). */
export function probeOnce(url: string, timeoutMs = 1000): Promise<ProbeResult> {
  const started = Date.now();
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: Omit<ProbeResult, 'ms'>) => {
      if (settled) return;
      settled = true;
      resolve({ ...r, ms: Date.now() - started });
    };
    const req = mod.get(url, { agent: false, timeout: timeoutMs, headers: { 'User-Agent': 'release-manager-probe' } }, (res) => {
      const raw = res.headers['x-colour'];
      const colour = raw === 'blue' || raw === 'green' ? raw : undefined;
      res.resume();
      res.on('end', () => done({ status: res.statusCode, colour }));
      res.on('error', (e) => done({ error: errorText(e) }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`timeout after ${timeoutMs} ms`), { code: 'ETIMEDOUT_PROBE' })));
    req.on('error', (e) => done({ error: errorText(e) }));
  });
}

function errorText(e: Error): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ETIMEDOUT_PROBE') return e.message;
  return code ? `${code}${e.message && !e.message.includes(code) ? ` (${e.message})` : ''}` : e.message;
}

export interface SplitVerifyOptions {
  probeTimeoutMs?: number;
  /** Override the window size (probes). */
  window?: number;
  /** Override the accepted deviation, in percentage points. */
  tolerancePp?: number;
}

/**
 * Probes `url` until the answers match the split, resolving with the ms it took.
 * - A colour at 0 %: the last 20 answers all came from the other colour.
 * - Both colours live: the green share of the last W answers (W = 2000 / smaller weight, 100..1000)
 *   is within max(2, 2σ) percentage points of the target. Routers with smooth weighted round
 *   robin (nginx, HAProxy) land well inside that; random ones pass once a window is typical.
 * Failed probes or answers without `X-Colour` do not count either way.
 */
export async function verifySplitByProbes(url: string, w: Weights, timeoutMs: number, opts: SplitVerifyOptions = {}): Promise<number> {
  const weights = parseWeights(w);
  const started = Date.now();
  const minority = Math.min(weights.blue, weights.green);
  const window = opts.window ?? (minority === 0 ? 20 : Math.min(1000, Math.max(100, Math.ceil(2000 / minority))));
  const p = weights.green / 100;
  const tolerance = opts.tolerancePp ?? Math.max(2, 200 * Math.sqrt((p * (1 - p)) / window));
  const recent: Colour[] = [];
  let greens = 0;
  let lastFailure = '';
  let probes = 0;
  for (;;) {
    const r = await probeOnce(url, opts.probeTimeoutMs ?? 1000);
    probes++;
    if (r.colour) {
      recent.push(r.colour);
      if (r.colour === 'green') greens++;
      if (recent.length > window) {
        if (recent.shift() === 'green') greens--;
      }
      if (recent.length === window) {
        const greenPct = (greens * 100) / window;
        const ok = minority === 0 ? greenPct === weights.green : Math.abs(greenPct - weights.green) <= tolerance;
        if (ok) return Date.now() - started;
      }
    } else {
      lastFailure = r.error ?? `HTTP ${r.status} without an X-Colour header`;
    }
    if (Date.now() - started >= timeoutMs) {
      const seen = recent.length ? `green ${((greens * 100) / recent.length).toFixed(1)} % of the last ${recent.length} answers` : 'no colour answered';
      throw new Error(`split ${formatWeights(weights)} not observed through ${url} within ${timeoutMs} ms (${probes} probes; ${seen}${lastFailure ? `; last failure: ${lastFailure}` : ''})`);
    }
  }
}

/**
 * Per-colour counters gathered by probing a URL at a steady rate, for routers without
 * per-colour metrics. Answers without `X-Colour` (router-made 502s, socket errors) are counted
 * in `unattributed`, not charged to a colour.
 */
export class ProbeCounters {
  private readonly totals: Record<Colour, ColourCounters> = { blue: { requests: 0, errors5xx: 0 }, green: { requests: 0, errors5xx: 0 } };
  unattributed = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private running = false;

  constructor(private readonly url: string, private readonly opts: { intervalMs?: number; concurrency?: number; timeoutMs?: number } = {}) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = () => {
      if (!this.running) return;
      const limit = this.opts.concurrency ?? 4;
      if (this.inFlight < limit) {
        this.inFlight++;
        void probeOnce(this.url, this.opts.timeoutMs ?? 1000).then((r) => {
          this.inFlight--;
          if (!this.running) return;
          if (!r.colour) { this.unattributed++; return; }
          const c = this.totals[r.colour];
          c.requests++;
          if (r.status !== undefined && r.status >= 500) c.errors5xx++;
        });
      }
      this.timer = setTimeout(tick, this.opts.intervalMs ?? 10);
    };
    tick();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  counters(): Promise<Record<Colour, ColourCounters>> {
    return Promise.resolve({ blue: { ...this.totals.blue }, green: { ...this.totals.green } });
  }
}
