// HTTP requests for pipeline `http` steps and deployment health checks. Node only.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { HttpClient } from '../core/ports';

export interface HttpRequestOptions {
  /** http: or https: only. */
  url: string;
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Accepted status (or statuses). Default: any 2xx. */
  expectStatus?: number | number[];
  /** Per attempt, from connecting to the end of the body excerpt. Default 10 000 ms. */
  timeoutMs?: number;
  /** Further attempts after the first fails (any failure: network, timeout, unexpected status). Default 0. */
  retries?: number;
  /** Pause between attempts. Default 1000 ms. */
  retryDelayMs?: number;
  signal?: AbortSignal;
  /** Bytes of the (last) response body kept in `bodyExcerpt`. Default 4096. */
  bodyExcerptBytes?: number;
}

export interface HttpResult {
  /** The last attempt got an expected status. */
  ok: boolean;
  /** Status of the last response, null when no response arrived. */
  status: number | null;
  attempts: number;
  durationMs: number;
  /** Start of the last response body, UTF-8, at most `bodyExcerptBytes`. */
  bodyExcerpt: string;
  cancelled: boolean;
  /** One line for a person, e.g. `GET http://127.0.0.1:1234/health: expected 200, got 503 after 3 attempts`. */
  error?: string;
}

/** Thrown before any request when an option is invalid; `field` names the offending option. */
export class HttpRequestOptionsError extends Error {
  constructor(
    readonly field: keyof HttpRequestOptions,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'HttpRequestOptionsError';
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function validate(o: HttpRequestOptions): URL {
  let url: URL;
  try {
    url = new URL(o.url);
  } catch {
    throw new HttpRequestOptionsError('url', `not a valid URL: ${JSON.stringify(String(o.url))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpRequestOptionsError('url', `must be an http: or https: URL, got ${url.protocol}`);
  }
  if (o.method !== undefined && !TOKEN.test(o.method)) {
    throw new HttpRequestOptionsError('method', `not a valid HTTP method: ${JSON.stringify(o.method)}`);
  }
  const statuses = o.expectStatus === undefined ? [] : Array.isArray(o.expectStatus) ? o.expectStatus : [o.expectStatus];
  if (o.expectStatus !== undefined && statuses.length === 0) throw new HttpRequestOptionsError('expectStatus', 'must list at least one status');
  for (const s of statuses) {
    if (!Number.isInteger(s) || s < 100 || s > 599) throw new HttpRequestOptionsError('expectStatus', `not an HTTP status: ${s}`);
  }
  const nonNegative = (field: 'timeoutMs' | 'retries' | 'retryDelayMs' | 'bodyExcerptBytes', integer: boolean) => {
    const v = o[field];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (integer && !Number.isInteger(v))) {
      throw new HttpRequestOptionsError(field, `must be a non-negative ${integer ? 'integer' : 'number'}, got ${String(v)}`);
    }
  };
  nonNegative('timeoutMs', false);
  nonNegative('retries', true);
  nonNegative('retryDelayMs', false);
  nonNegative('bodyExcerptBytes', true);
  for (const [name, value] of Object.entries(o.headers ?? {})) {
    if (!TOKEN.test(name)) throw new HttpRequestOptionsError('headers', `invalid header name ${JSON.stringify(name)}`);
    if (/[\r\n\0]/.test(value)) throw new HttpRequestOptionsError('headers', `header ${name} contains a line break or NUL`);
  }
  return url;
}

/** The URL as shown in messages: without user:password. */
function displayUrl(url: URL): string {
  if (!url.username && !url.password) return url.href;
  const copy = new URL(url.href);
  copy.username = '';
  copy.password = '';
  return copy.href;
}

function describeExpected(statuses: number[] | null): string {
  if (!statuses) return '2xx';
  if (statuses.length === 1) return String(statuses[0]);
  return `${statuses.slice(0, -1).join(', ')} or ${statuses[statuses.length - 1]}`;
}

function describeNetworkError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ECONNRESET':
      return 'connection reset (ECONNRESET)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${err.code})`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable (${err.code})`;
    default:
      return err.code ? `${err.message} (${err.code})` : err.message;
  }
}

type Attempt =
  | { kind: 'response'; status: number; body: string }
  | { kind: 'timeout' }
  | { kind: 'cancelled' }
  | { kind: 'network'; message: string };

function attemptOnce(url: URL, o: HttpRequestOptions, timeoutMs: number, excerptCap: number): Promise<Attempt> {
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let req: http.ClientRequest | undefined;
    const finish = (a: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      req?.destroy();
      resolve(a);
    };
    const onAbort = () => finish({ kind: 'cancelled' });
    const body = typeof o.body === 'string' ? Buffer.from(o.body, 'utf8') : o.body;
    const headers: Record<string, string | number> = { ...o.headers };
    if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['content-length'] = body.length;
    const lib = url.protocol === 'https:' ? https : http;
    // A fresh connection per attempt (agent: false): a retry must not reuse a socket the failed
    // attempt left in a bad state, and nothing lingers in a pool after the step.
    try {
      req = lib.request(url, { method: o.method ?? 'GET', headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => {
          const excerpt = Buffer.concat(chunks).subarray(0, excerptCap);
          finish({ kind: 'response', status: res.statusCode ?? 0, body: excerpt.toString('utf8') });
        };
        res.on('data', (chunk: Buffer) => {
          if (kept < excerptCap) {
            chunks.push(chunk);
            kept += chunk.length;
          }
          // The status is known; the rest of a large (or endless) body is not worth waiting for.
          if (kept >= excerptCap) done();
        });
        res.once('end', done);
        res.once('error', done);
        res.once('aborted', done);
      });
    } catch (err) {
      return finish({ kind: 'network', message: (err as Error).message });
    }
    req.once('error', (err) => finish({ kind: 'network', message: describeNetworkError(err) }));
    timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted) return onAbort();
    req.end(body);
  });
}

/**
 * One HTTP request with retries. Never rejects for network failures, timeouts, unexpected
 * statuses or cancellation: those come back as `ok: false` with `error` set. Throws
 * `HttpRequestOptionsError` (naming the field) for invalid options, before any request is made.
 */
export async function httpRequest(options: HttpRequestOptions): Promise<HttpResult> {
  const url = validate(options);
  const started = performance.now();
  const method = (options.method ?? 'GET').toUpperCase();
  const expected = options.expectStatus === undefined ? null : Array.isArray(options.expectStatus) ? options.expectStatus : [options.expectStatus];
  const accepts = (s: number) => (expected ? expected.includes(s) : s >= 200 && s < 300);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 0;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const excerptCap = options.bodyExcerptBytes ?? 4096;
  const label = `${method} ${displayUrl(url)}`;

  let attempts = 0;
  let last: Attempt = { kind: 'cancelled' };
  const finish = (fields: Partial<HttpResult>): HttpResult => ({
    ok: false,
    status: last.kind === 'response' ? last.status : null,
    attempts,
    durationMs: Math.round(performance.now() - started),
    bodyExcerpt: last.kind === 'response' ? last.body : '',
    cancelled: false,
    ...fields,
  });
  const times = () => `after ${attempts} attempt${attempts === 1 ? '' : 's'}`;

  for (;;) {
    if (options.signal?.aborted) return finish({ cancelled: true, error: `${label}: cancelled ${times()}` });
    attempts++;
    last = await attemptOnce(url, options, timeoutMs, excerptCap);
    if (last.kind === 'response' && accepts(last.status)) return finish({ ok: true });
    if (last.kind === 'cancelled') return finish({ cancelled: true, error: `${label}: cancelled ${times()}` });
    if (attempts > retries) {
      const why =
        last.kind === 'response'
          ? `expected ${describeExpected(expected)}, got ${last.status}`
          : last.kind === 'timeout'
            ? `no response within ${timeoutMs} ms`
            : last.message;
      return finish({ error: `${label}: ${why} ${times()}` });
    }
    if (retryDelayMs > 0) {
      const aborted = await new Promise<boolean>((resolve) => {
        const onAbort = () => {
          clearTimeout(t);
          resolve(true);
        };
        const t = setTimeout(() => {
          options.signal?.removeEventListener('abort', onAbort);
          resolve(false);
        }, retryDelayMs);
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
      if (aborted) return finish({ cancelled: true, error: `${label}: cancelled ${times()}` });
    }
  }
}

/** The core's `HttpClient` port (health checks, pipeline http steps) over `httpRequest`. */
export const httpClient: HttpClient = { request: (spec) => httpRequest(spec) };
