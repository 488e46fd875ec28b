import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest, HttpRequestOptionsError } from '../../../src/process/httpRequest';

describe('httpRequest', function () {
  this.timeout(15_000);
  let server: http.Server;
  let base: string;
  const hits = new Map<string, number>();

  before(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const n = (hits.get(url.pathname) ?? 0) + 1;
      hits.set(url.pathname, n);
      switch (url.pathname) {
        case '/health':
          res.writeHead(200, { 'content-type': 'text/plain' }).end('healthy');
          return;
        case '/flaky': // 503 twice, then 200
          if (n <= 2) res.writeHead(503).end('warming up');
          else res.writeHead(200).end('ready');
          return;
        case '/down':
          res.writeHead(503).end('down');
          return;
        case '/created':
          res.writeHead(201).end();
          return;
        case '/echo': {
          let body = '';
          req.setEncoding('utf8');
          req.on('data', (d) => (body += d));
          req.on('end', () => res.writeHead(200).end(`${req.method} ${req.headers['x-release'] ?? ''} ${body}`));
          return;
        }
        case '/big':
          res.writeHead(200);
          res.end('y'.repeat(1024 * 1024));
          return;
        case '/hang': // headers never come
          return;
        default:
          res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => hits.clear());
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('200 is ok', async () => {
    const r = await httpRequest({ url: `${base}/health` });
    assert.equal(r.ok, true);
    assert.equal(r.status, 200);
    assert.equal(r.attempts, 1);
    assert.equal(r.bodyExcerpt, 'healthy');
    assert.equal(r.error, undefined);
    assert.ok(r.durationMs >= 0 && r.durationMs < 2000);
  });

  it('retries 503 until 200', async () => {
    const r = await httpRequest({ url: `${base}/flaky`, expectStatus: 200, retries: 3, retryDelayMs: 50 });
    assert.equal(r.ok, true);
    assert.equal(r.status, 200);
    assert.equal(r.attempts, 3);
    assert.equal(r.bodyExcerpt, 'ready');
    assert.ok(r.durationMs >= 100, `durationMs ${r.durationMs}`);
  });

  it('says what it expected and what it got after the last attempt', async () => {
    const r = await httpRequest({ url: `${base}/down`, expectStatus: 200, retries: 2, retryDelayMs: 10 });
    assert.equal(r.ok, false);
    assert.equal(r.status, 503);
    assert.equal(r.attempts, 3);
    assert.equal(r.bodyExcerpt, 'down');
    assert.equal(r.error, `GET ${base}/down: expected 200, got 503 after 3 attempts`);
    assert.equal(hits.get('/down'), 3);
  });

  it('accepts a list of statuses and describes it', async () => {
    assert.equal((await httpRequest({ url: `${base}/created`, expectStatus: [200, 201] })).ok, true);
    const r = await httpRequest({ url: `${base}/created`, expectStatus: [200, 204] });
    assert.equal(r.error, `GET ${base}/created: expected 200 or 204, got 201 after 1 attempt`);
    const d = await httpRequest({ url: `${base}/missing` });
    assert.equal(d.error, `GET ${base}/missing: expected 2xx, got 404 after 1 attempt`);
  });

  it('sends method, headers and body', async () => {
    const r = await httpRequest({ url: `${base}/echo`, method: 'POST', headers: { 'x-release': '1.2.3' }, body: 'payload ✓' });
    assert.equal(r.bodyExcerpt, 'POST 1.2.3 payload ✓');
  });

  it('caps the body excerpt', async () => {
    const r = await httpRequest({ url: `${base}/big`, bodyExcerptBytes: 100 });
    assert.equal(r.ok, true);
    assert.equal(r.bodyExcerpt, 'y'.repeat(100));
  });

  it('times out each attempt', async () => {
    const r = await httpRequest({ url: `${base}/hang`, timeoutMs: 200, retries: 1, retryDelayMs: 10 });
    assert.equal(r.ok, false);
    assert.equal(r.status, null);
    assert.equal(r.attempts, 2);
    assert.equal(r.error, `GET ${base}/hang: no response within 200 ms after 2 attempts`);
    assert.ok(r.durationMs >= 400 && r.durationMs < 1500, `durationMs ${r.durationMs}`);
  });

  it('reports connection refused', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const r = await httpRequest({ url: `http://127.0.0.1:${port}/health`, retries: 1, retryDelayMs: 10 });
    assert.equal(r.ok, false);
    assert.equal(r.status, null);
    assert.equal(r.error, `GET http://127.0.0.1:${port}/health: connection refused (ECONNREFUSED) after 2 attempts`);
  });

  it('is cancelled by its signal, also during the delay between attempts', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const t0 = performance.now();
    const r = await httpRequest({ url: `${base}/down`, retries: 10, retryDelayMs: 5000, signal: ac.signal });
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(r.cancelled, true);
    assert.equal(r.ok, false);
    assert.match(r.error!, /: cancelled after 1 attempt$/);
    const hung = new AbortController();
    setTimeout(() => hung.abort(), 100);
    const h = await httpRequest({ url: `${base}/hang`, timeoutMs: 5000, signal: hung.signal });
    assert.equal(h.cancelled, true);
    assert.ok(h.durationMs < 1000);
  });

  it('rejects invalid options with an error naming the field', async () => {
    const fails = async (options: Parameters<typeof httpRequest>[0], field: string, message: RegExp) => {
      await assert.rejects(httpRequest(options), (err: unknown) => {
        assert.ok(err instanceof HttpRequestOptionsError);
        assert.equal(err.field, field);
        assert.match(err.message, message);
        return true;
      });
    };
    await fails({ url: 'not a url' }, 'url', /^url: not a valid URL: "not a url"$/);
    await fails({ url: 'ftp://127.0.0.1/x' }, 'url', /^url: must be an http: or https: URL, got ftp:$/);
    await fails({ url: 'file:///etc/passwd' }, 'url', /^url: /);
    await fails({ url: `${base}/health`, expectStatus: 42 }, 'expectStatus', /^expectStatus: not an HTTP status: 42$/);
    await fails({ url: `${base}/health`, expectStatus: [] }, 'expectStatus', /^expectStatus: /);
    await fails({ url: `${base}/health`, retries: -1 }, 'retries', /^retries: must be a non-negative integer/);
    await fails({ url: `${base}/health`, method: 'GET /x' }, 'method', /^method: /);
    await fails({ url: `${base}/health`, headers: { 'x-a': 'v\r\nx-b: 1' } }, 'headers', /^headers: /);
    assert.equal(hits.size, 0, 'no request was made');
  });

  it('keeps credentials out of messages', async () => {
    const r = await httpRequest({ url: base.replace('http://', 'http://user:secret@') + '/down' });
    assert.ok(!r.error!.includes('secret'), r.error);
    assert.ok(r.error!.startsWith(`GET ${base}/down:`), r.error);
  });
});
