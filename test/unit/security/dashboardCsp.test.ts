// Issue 8 §4: the Content-Security-Policy the dashboard host serves (src/vscode/dashboardHtml.ts,
// the page dashboardPanel.ts sets as webview.html): nothing by default, scripts by a fresh nonce
// only, no eval, the ELK worker from blob: only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NONCE_BYTES, dashboardPage } from '../../../src/vscode/dashboardHtml';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';
const page = () =>
  dashboardPage({
    cspSource: CSP_SOURCE,
    scriptUri: `${CSP_SOURCE}/ext/dist/webview.js`,
    styleUri: `${CSP_SOURCE}/ext/media/dashboard.css`,
    releaseId: 'r1',
    folder: 'file:///work/shop',
    tab: 'overview',
  });

/** The policy of the page's <meta http-equiv>, as directive → sources. */
function policyOf(html: string): Map<string, string[]> {
  const metas = [...html.matchAll(/<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/gi)];
  assert.equal(metas.length, 1, 'exactly one CSP meta tag');
  const policy = new Map<string, string[]>();
  for (const part of metas[0]![1]!.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    assert.ok(!policy.has(name), `directive ${name} appears once`);
    policy.set(name, sources);
  }
  return policy;
}

function nonceOf(html: string): string {
  const sources = policyOf(html).get('script-src') ?? [];
  const m = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(sources[0] ?? '');
  assert.ok(m, `script-src starts with a nonce source, got ${sources.join(' ')}`);
  return m[1]!;
}

describe('dashboard Content-Security-Policy', () => {
  it("has default-src 'none'", () => {
    assert.deepEqual(policyOf(page()).get('default-src'), ["'none'"]);
  });

  it('allows scripts by nonce only: no host, scheme, self, inline or eval source', () => {
    const html = page();
    const scriptSrc = policyOf(html).get('script-src');
    assert.equal(scriptSrc?.length, 1, `script-src is the nonce alone, got ${scriptSrc?.join(' ')}`);
    nonceOf(html);
    // No script-src-elem / -attr widening it, and no other directive that runs scripts.
    for (const d of ['script-src-elem', 'script-src-attr']) assert.ok(!policyOf(html).has(d), `${d} is not set`);
  });

  it("has no 'unsafe-eval' anywhere and no 'unsafe-inline' for scripts", () => {
    const policy = policyOf(page());
    for (const [name, sources] of policy) {
      assert.ok(!sources.includes("'unsafe-eval'"), `${name} has no 'unsafe-eval'`);
      assert.ok(!sources.includes("'wasm-unsafe-eval'"), `${name} has no 'wasm-unsafe-eval'`);
      if (name.startsWith('script-src') || name === 'default-src') assert.ok(!sources.includes("'unsafe-inline'"), `${name} has no 'unsafe-inline'`);
    }
  });

  it('lets workers start only from blob: (the ELK layout worker)', () => {
    assert.deepEqual(policyOf(page()).get('worker-src'), ['blob:']);
  });

  it('loads styles, fonts and images only from the extension (webview.cspSource), and fetches nothing', () => {
    const policy = policyOf(page());
    assert.equal(policy.get('style-src')?.[0], CSP_SOURCE);
    assert.deepEqual(policy.get('font-src'), [CSP_SOURCE]);
    assert.deepEqual(policy.get('img-src'), [CSP_SOURCE, 'data:']);
    for (const d of ['connect-src', 'frame-src', 'child-src', 'object-src']) assert.ok(!policy.has(d), `${d} falls back to default-src 'none'`);
  });

  it('gives every script tag the nonce of the policy, and has no inline script', () => {
    const html = page();
    const nonce = nonceOf(html);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    assert.ok(scripts.length >= 1);
    for (const [, attrs, body] of scripts) {
      assert.match(attrs!, new RegExp(`\\bnonce="${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}"`));
      assert.match(attrs!, /\bsrc="[^"]+"/, 'the script is a file of the extension');
      assert.equal(body!.trim(), '', 'no inline script');
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, 'no inline event handler attributes');
  });

  it(`draws a fresh nonce of at least ${NONCE_BYTES} random bytes per render`, () => {
    const nonces = Array.from({ length: 500 }, () => nonceOf(page()));
    assert.equal(new Set(nonces).size, nonces.length, 'every render has its own nonce');
    for (const n of nonces) assert.ok(Buffer.from(n, 'base64').length >= 16, `nonce ${n} carries at least 16 bytes`);
    assert.ok(NONCE_BYTES >= 16);
    // The bytes come from node:crypto's CSPRNG, not Math.random.
    const source = fs.readFileSync(path.resolve(__dirname, '../../../src/vscode/dashboardHtml.ts'), 'utf8');
    assert.match(source, /import \{ randomBytes \} from 'node:crypto';/);
    assert.match(source, /randomBytes\(NONCE_BYTES\)/);
    assert.doesNotMatch(source, /Math\.random/);
  });

  it('is the page the panel serves (dashboardPanel.ts builds nothing else)', () => {
    const panel = fs.readFileSync(path.resolve(__dirname, '../../../src/vscode/dashboardPanel.ts'), 'utf8');
    assert.match(panel, /webview\.html = dashboardHtml\(/);
    assert.match(panel, /return dashboardPage\(\{/);
    assert.doesNotMatch(panel, /Content-Security-Policy"/, 'no second policy in the panel');
  });
});
