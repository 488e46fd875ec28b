// Health gate, smoke request and the post-switch error-rate watcher of a blue-green rollout.
// Defaults follow notes/traffic-routers.md: 3 consecutive 200s 150 ms apart with a 500 ms
// timeout and a 30 s deadline; roll back past 5 % 5xx over 1 s with at least 10 requests.
import type { Colour, ColourCounters, TrafficRouter } from '../core/ports';
import { ProbeCounters, probeOnce, type ProbeResult } from './probe';

export interface HealthGateOptions {
  /** Successes in a row needed. Default 3. */
  consecutive?: number;
  /** Pause between attempts. Default 150 ms. */
  intervalMs?: number;
  /** Per attempt. Default 500 ms. */
  requestTimeoutMs?: number;
  /** Whole gate. Default 30000 ms. */
  deadlineMs?: number;
  signal?: AbortSignal;
  /** Status that counts as healthy; default any 2xx. */
  expectStatus?: number;
  onAttempt?: (attempt: { n: number; ok: boolean; detail: string }) => void;
}

export interface HealthGateResult {
  attempts: number;
  ms: number;
}

export class HealthGateError extends Error {
  constructor(message: string, readonly attempts: number, readonly ms: number, readonly lastFailure: string | undefined) {
    super(message);
    this.name = 'HealthGateError';
  }
}

function statusOk(status: number | undefined, expect: number | undefined): boolean {
  if (status === undefined) return false;
  return expect === undefined ? status >= 200 && status < 300 : status === expect;
}

function describeProbe(r: ProbeResult, expect: number | undefined): string {
  if (r.status === undefined) return r.error ?? 'no answer';
  const wanted = expect === undefined ? '2xx' : String(expect);
  return `HTTP ${r.status} (expected ${wanted})${r.colour ? ` from ${r.colour}` : ''}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Resolves once `url` answered `consecutive` times in a row with the expected status; any
 * failure resets the count. Rejects with a HealthGateError explaining the last failure when the
 * deadline passes, or when `signal` aborts.
 */
export async function waitHealthy(url: string, opts: HealthGateOptions = {}): Promise<HealthGateResult> {
  const consecutive = opts.consecutive ?? 3;
  const intervalMs = opts.intervalMs ?? 150;
  const requestTimeoutMs = opts.requestTimeoutMs ?? 500;
  const deadlineMs = opts.deadlineMs ?? 30_000;
  const started = Date.now();
  let attempts = 0;
  let streak = 0;
  let lastFailure: string | undefined;
  const fail = (why: string) => {
    const ms = Date.now() - started;
    const last = lastFailure ? `; last failure: ${lastFailure}` : '';
    return new HealthGateError(`${url} not healthy: ${why} after ${ms} ms and ${attempts} attempts (${streak} of ${consecutive} consecutive successes at the end)${last}`, attempts, ms, lastFailure);
  };
  for (;;) {
    if (opts.signal?.aborted) throw fail('cancelled');
    const remaining = deadlineMs - (Date.now() - started);
    if (remaining <= 0) throw fail(`deadline of ${deadlineMs} ms passed`);
    attempts++;
    const clamped = remaining < requestTimeoutMs;
    const r = await probeOnce(url, Math.min(requestTimeoutMs, remaining));
    const ok = statusOk(r.status, opts.expectStatus);
    const detail = describeProbe(r, opts.expectStatus);
    opts.onAttempt?.({ n: attempts, ok, detail });
    if (ok) {
      streak++;
      if (streak >= consecutive) return { attempts, ms: Date.now() - started };
    } else {
      streak = 0;
      // An attempt cut short by the gate's own deadline says nothing about the colour: keep the
      // previous failure as the reason unless there is none.
      if (!(clamped && r.status === undefined && lastFailure)) lastFailure = detail;
    }
    if (Date.now() - started + intervalMs >= deadlineMs && !ok) throw fail(`deadline of ${deadlineMs} ms passed`);
    await sleep(intervalMs, opts.signal);
  }
}

export interface SmokeOptions {
  /** Default 200. */
  expectStatus?: number;
  /** Default 2000 ms. */
  timeoutMs?: number;
}

export interface SmokeResult {
  status: number;
  colour?: Colour;
  ms: number;
}

/**
 * One GET on a real path. Catches a "lying" colour whose /health says 200 while its pages fail.
 */
export async function smokeRequest(url: string, opts: SmokeOptions = {}): Promise<SmokeResult> {
  const expect = opts.expectStatus ?? 200;
  const r = await probeOnce(url, opts.timeoutMs ?? 2000);
  if (r.status === undefined) throw new Error(`smoke GET ${url} failed: ${r.error ?? 'no answer'}`);
  if (r.status !== expect) throw new Error(`smoke GET ${url}: ${describeProbe(r, expect)}`);
  return { status: r.status, colour: r.colour, ms: r.ms };
}

export type CountersSource = () => Promise<Record<Colour, ColourCounters>>;

export interface Breach {
  colour: Colour;
  /** errors / requests over the window. */
  errorRate: number;
  requests: number;
  errors: number;
  /** Span the figures cover, ms. */
  windowMs: number;
  /** Epoch ms of the poll that saw the breach. */
  detectedAt: number;
}

export interface ErrorRateWatcherOptions {
  /** The colour that just received traffic. */
  colour: Colour;
  onBreach: (breach: Breach) => void;
  /**
   * Counts come from, in order: `counters`; the router's `counters()` when it has per-colour
   * metrics; probes through `probeUrl` (answers carry `X-Colour`).
   */
  counters?: CountersSource;
  router?: TrafficRouter;
  probeUrl?: string;
  /** Probes per second when probing (default 100). */
  probeRate?: number;
  /** Default 100 ms. */
  pollMs?: number;
  /** Default 1000 ms. */
  windowMs?: number;
  /** Breach when errors / requests exceeds this. Default 0.05. */
  threshold?: number;
  /** …over at least this many requests of the colour. Default 10. */
  minRequests?: number;
  /** A failed poll (router unreachable); polling goes on. */
  onError?: (err: Error) => void;
}

interface Sample { t: number; requests: number; errors: number }

/**
 * Polls cumulative per-colour counters and compares the newest with the sample one window
 * earlier (the first sample until a window has passed). Calls `onBreach` once, then stops.
 * A counter that goes backwards (router restarted) starts the window afresh.
 */
export class ErrorRateWatcher {
  private readonly source: CountersSource;
  private readonly probes: ProbeCounters | undefined;
  private samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private fired = false;
  readonly pollMs: number;
  readonly windowMs: number;
  readonly threshold: number;
  readonly minRequests: number;

  constructor(private readonly opts: ErrorRateWatcherOptions) {
    this.pollMs = opts.pollMs ?? 100;
    this.windowMs = opts.windowMs ?? 1000;
    this.threshold = opts.threshold ?? 0.05;
    this.minRequests = opts.minRequests ?? 10;
    const router = opts.router;
    if (opts.counters) {
      this.source = opts.counters;
    } else if (router?.capabilities.perColourMetrics && router.counters) {
      this.source = () => router.counters!();
    } else if (opts.probeUrl) {
      const rate = opts.probeRate ?? 100;
      this.probes = new ProbeCounters(opts.probeUrl, { intervalMs: Math.max(1, Math.round(1000 / rate)), timeoutMs: 1000 });
      const probes = this.probes;
      this.source = () => probes.counters();
    } else {
      throw new Error('ErrorRateWatcher needs counters, a router with per-colour metrics, or a probeUrl');
    }
  }

  /** True once onBreach was called. */
  get breached(): boolean {
    return this.fired;
  }

  start(): this {
    if (this.running || this.fired) return this;
    this.running = true;
    this.probes?.start();
    void this.poll();
    return this;
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.probes?.stop();
  }

  private async poll(): Promise<void> {
    if (!this.running) return;
    const started = Date.now();
    try {
      const all = await this.source();
      if (!this.running) return;
      const c = all[this.opts.colour];
      const now = Date.now();
      const sample: Sample = { t: now, requests: c.requests, errors: c.errors5xx };
      const last = this.samples[this.samples.length - 1];
      if (last && (sample.requests < last.requests || sample.errors < last.errors)) this.samples = [];
      this.samples.push(sample);
      // Keep exactly one sample at or before the window's start, as the base.
      while (this.samples.length > 1 && this.samples[1].t <= now - this.windowMs) this.samples.shift();
      const base = this.samples[0];
      const requests = sample.requests - base.requests;
      const errors = sample.errors - base.errors;
      if (requests >= this.minRequests && errors / requests > this.threshold) {
        this.fired = true;
        this.stop();
        this.opts.onBreach({ colour: this.opts.colour, errorRate: errors / requests, requests, errors, windowMs: now - base.t, detectedAt: now });
        return;
      }
    } catch (err) {
      this.opts.onError?.(err as Error);
    }
    if (this.running) this.timer = setTimeout(() => void this.poll(), Math.max(0, this.pollMs - (Date.now() - started)));
  }
}
