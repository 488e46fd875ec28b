// A bounded-rate load generator that records every request: unlike autocannon it never hides a
// failure by re-sending silently. Keep-alive pool; a GET that meets ECONNRESET is retried ONCE
// on a fresh connection and counted in `resets` (what an nginx reload does to idle keep-alive
// connections); anything else, or a second failure, is a socket error.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Colour } from '../../src/core/ports';

/** Epoch ms with sub-ms precision, the time base of every record. */
export function clock(): number {
  return performance.timeOrigin + performance.now();
}

export interface LoadRecord {
  start: number;
  end: number;
  status?: number;
  colour?: Colour;
  /** Final socket error (after the retry, if one was made). */
  error?: string;
  /** The first attempt was reset and the request retried on a fresh connection. */
  reset: boolean;
}

export interface LoadSummary {
  total: number;
  ok: number;
  http5xx: number;
  socketErrors: number;
  resets: number;
  byColour: Record<Colour, number>;
  durationMs: number;
  ratePerSec: number;
  /** Requests not sent because `maxInFlight` were outstanding for too long. */
  skipped: number;
  /** First few socket errors, for messages. */
  errorSamples: string[];
}

export interface LoadOptions {
  url: string;
  /** Requests per second. Default 500. */
  rate?: number;
  /** Bound on outstanding requests. Default 16. */
  maxInFlight?: number;
  timeoutMs?: number;
}

export class LoadRecorder {
  readonly records: LoadRecord[] = [];
  private readonly rate: number;
  private readonly maxInFlight: number;
  private readonly agent: http.Agent;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private sent = 0;
  private skipped = 0;
  private inFlight = 0;
  private drained: (() => void) | undefined;
  private stoppedAt = 0;

  constructor(private readonly opts: LoadOptions) {
    this.rate = opts.rate ?? 500;
    this.maxInFlight = opts.maxInFlight ?? 16;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.maxInFlight });
  }

  start(): this {
    this.t0 = clock();
    this.timer = setInterval(() => this.tick(), 2);
    return this;
  }

  /** Stops sending, waits for outstanding requests, returns the whole run's summary. */
  async stop(): Promise<LoadSummary> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.stoppedAt = clock();
    if (this.inFlight > 0) await new Promise<void>((r) => { this.drained = r; });
    this.agent.destroy();
    return this.summary();
  }

  /** Summary of the records whose request started in [from, to). */
  summary(from = -Infinity, to = Infinity): LoadSummary {
    const rs = this.records.filter((r) => r.start >= from && r.start < to);
    const byColour: Record<Colour, number> = { blue: 0, green: 0 };
    let ok = 0;
    let http5xx = 0;
    let socketErrors = 0;
    let resets = 0;
    const errorSamples: string[] = [];
    for (const r of rs) {
      if (r.reset) resets++;
      if (r.error) {
        socketErrors++;
        if (errorSamples.length < 5) errorSamples.push(r.error);
        continue;
      }
      if (r.colour) byColour[r.colour]++;
      if (r.status !== undefined && r.status >= 500) http5xx++;
      else ok++;
    }
    const first = Math.max(from, this.t0);
    const last = Math.min(to, this.stoppedAt || clock());
    const durationMs = Math.max(0, last - first);
    return {
      total: rs.length, ok, http5xx, socketErrors, resets, byColour, durationMs,
      ratePerSec: durationMs > 0 ? (rs.length * 1000) / durationMs : 0,
      skipped: this.skipped, errorSamples,
    };
  }

  /**
   * ms from `at` until every later answer (requests started before `until`) came from `colour`:
   * the start of the last other-colour answer after `at`, minus `at` (0 when there is none).
   */
  switchLatency(colour: Colour, at: number, until = Infinity): number {
    let lastOther = at;
    for (const r of this.records) {
      if (r.start >= at && r.start < until && r.colour && r.colour !== colour && r.start > lastOther) lastOther = r.start;
    }
    return lastOther - at;
  }

  private tick(): void {
    const due = Math.floor(((clock() - this.t0) * this.rate) / 1000);
    // A bounded backlog: if the target stalls, drop what is far behind instead of bursting.
    if (due - this.sent > this.maxInFlight * 4) {
      this.skipped += due - this.sent - this.maxInFlight * 4;
      this.sent = due - this.maxInFlight * 4;
    }
    while (this.sent < due && this.inFlight < this.maxInFlight) {
      this.sent++;
      this.fire();
    }
  }

  private fire(): void {
    this.inFlight++;
    const record: LoadRecord = { start: clock(), end: 0, reset: false };
    this.records.push(record);
    const finish = () => {
      if (record.end !== 0) return;
      record.end = clock();
      this.inFlight--;
      if (this.inFlight === 0 && this.drained && !this.timer) this.drained();
    };
    const attempt = (fresh: boolean) => {
      const req = http.get(this.opts.url, { agent: fresh ? false : this.agent, timeout: this.opts.timeoutMs ?? 5000 }, (res) => {
        const c = res.headers['x-colour'];
        res.resume();
        res.on('end', () => {
          record.status = res.statusCode;
          record.colour = c === 'blue' || c === 'green' ? c : undefined;
          finish();
        });
        res.on('error', (e) => { record.error = errorCode(e); finish(); });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
      req.on('error', (e) => {
        if (!fresh && (e as NodeJS.ErrnoException).code === 'ECONNRESET') {
          record.reset = true;
          attempt(true);
          return;
        }
        record.error = errorCode(e);
        finish();
      });
    };
    attempt(false);
  }
}

function errorCode(e: Error): string {
  return (e as NodeJS.ErrnoException).code ?? e.message;
}
