// Helpers of the journey e2e (journey.e2e.mjs) that are not about VS Code's DOM: the sample shop's
// ports, HTTP checks of its services, and a collector of Content-Security-Policy violations in every
// frame of the page, webviews included.
import http from 'node:http';
import net from 'node:net';

// As samples/shop/deploy/lib/common.sh computes them: base + 100·service + 10·environment + colour.
const SERVICE_INDEX = { web: 1, api: 2, worker: 3, auth: 4 };
const ENV_INDEX = { dev: 0, staging: 1, production: 2, test: 3 };
export const SHOP_SERVICES = Object.keys(SERVICE_INDEX);

/** The port of one instance of the sample's services; colour blue and none share a port. */
export function shopPort(base, service, environment, colour) {
  if (!(service in SERVICE_INDEX) || !(environment in ENV_INDEX)) throw new Error(`no port for ${service} in ${environment}`);
  return base + 100 * SERVICE_INDEX[service] + 10 * ENV_INDEX[environment] + (colour === 'green' ? 1 : 0);
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A SHOP_PORT_BASE whose instance ports are all free now. Below the kernel's ephemeral range
 * (32768+), so the free ports other runs pick (code-server, HAProxy) do not collide with it.
 */
export async function freeShopPortBase() {
  const ports = (base) => SHOP_SERVICES.flatMap((s) => Object.keys(ENV_INDEX).flatMap((e) => [shopPort(base, s, e), shopPort(base, s, e, 'green')]));
  const bases = Array.from({ length: 24 }, (_, i) => 20_000 + 500 * i).sort(() => Math.random() - 0.5);
  for (const base of bases) {
    let free = true;
    for (const p of ports(base)) if (!(await portFree(p))) { free = false; break; }
    if (free) return base;
  }
  throw new Error('no free SHOP_PORT_BASE between 20000 and 32000');
}

/** GET `url` (no keep-alive); resolves { status, body } or { error }. */
export function httpGet(url, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ error: e.code ?? e.message }));
  });
}

/** The /health answer of one shop instance, parsed; throws naming the instance when it does not answer. */
export async function shopHealth(base, service, environment, colour) {
  const port = shopPort(base, service, environment, colour);
  const r = await httpGet(`http://127.0.0.1:${port}/health`);
  if (r.status !== 200) throw new Error(`${service} in ${environment}${colour ? ` (${colour})` : ''} does not answer on 127.0.0.1:${port}: ${r.error ?? `status ${r.status}`}`);
  return JSON.parse(r.body);
}

/**
 * Collects `securitypolicyviolation` events in every frame the page creates from now on — the
 * webviews' host frames and their content frames included — into `violations`; `watched` lists
 * where the listener was installed (`load <url>` or `document.open <url>`), so a test can check
 * that the webviews were covered.
 *
 * A webview's content frame is loaded as an empty page and then filled by its parent with
 * document.open()/write(), which erases the listeners of the document: the init script therefore
 * adds its listener again right after each document.open().
 */
export async function collectCspViolations(page) {
  const violations = [];
  const watched = new Set();
  await page.exposeBinding('__rmJourneyCspViolation', ({ frame }, v) => {
    violations.push({ ...v, frameUrl: frame?.url() });
  });
  await page.exposeBinding('__rmJourneyCspWatching', (_source, how) => {
    watched.add(how);
  });
  await page.addInitScript(() => {
    const report = (e) => {
      globalThis.__rmJourneyCspViolation?.({
        directive: e.effectiveDirective || e.violatedDirective,
        blockedURI: e.blockedURI,
        sourceFile: e.sourceFile,
        line: e.lineNumber,
        sample: e.sample,
        documentURI: e.documentURI,
      });
    };
    const watch = (how) => {
      document.addEventListener('securitypolicyviolation', report, true);
      globalThis.__rmJourneyCspWatching?.(`${how} ${location.href}`);
    };
    watch('load');
    const open = Document.prototype.open;
    Document.prototype.open = function (...args) {
      const result = open.apply(this, args);
      if (this === document) watch('document.open');
      return result;
    };
  });
  return { violations, watched };
}

/**
 * Proves the collector is live: an inline script added to the frame showing `#root` (the dashboard)
 * is blocked by its nonce-only policy (`ran` false), and the collector sees exactly that violation.
 */
export async function provokeCspViolation(page, csp) {
  const before = csp.violations.length;
  let dashboard;
  for (const f of page.frames()) {
    if (await f.evaluate(() => !!document.getElementById('root')).catch(() => false)) dashboard = f;
  }
  if (!dashboard) throw new Error('no dashboard frame to provoke a CSP violation in');
  await dashboard.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__rmJourneyInline = true';
    document.body.append(s);
  });
  for (let i = 0; i < 50 && csp.violations.length === before; i++) await new Promise((r) => setTimeout(r, 100));
  const ran = await dashboard.evaluate(() => globalThis.__rmJourneyInline === true);
  return { violations: csp.violations.slice(before), ran };
}
