// Issue 8 §2: every webview → host message type, 12,000 generated invalid or hostile messages through
// the host's validator. Each must be refused with a short message naming a field; the validator must
// never throw and never touch Object.prototype. Types come from the validator's own table, so a type
// added later is fuzzed at once (and fails here until it has a sample in messageSamples.ts).
import assert from 'node:assert/strict';
import { parseWebviewMessage, WEBVIEW_MESSAGE_FIELDS } from '../../../src/shared/messageValidation';
import { polluted, prototypeFingerprint } from '../../support/fuzz/hostile';
import { MESSAGE_SAMPLES } from '../../support/fuzz/messageSamples';
import { fuzzSeed, Rng } from '../../support/fuzz/random';
import { judgeMessage } from '../../support/fuzz/judge';
import { uncoveredTypes, webviewMessageCases } from '../../support/fuzz/webviewMessages';

const CASES = 12_000;

describe('fuzz: webview → host messages (the host validator)', () => {
  it('has a valid sample for every message type the validator knows, and accepts each sample', () => {
    const missing = uncoveredTypes(WEBVIEW_MESSAGE_FIELDS, MESSAGE_SAMPLES);
    assert.deepEqual(missing, [], 'add a sample for each of these to test/support/fuzz/messageSamples.ts so that the fuzzer covers it');
    for (const type of Object.keys(WEBVIEW_MESSAGE_FIELDS)) {
      const r = parseWebviewMessage(MESSAGE_SAMPLES[type].valid);
      assert.ok(r.ok, `the sample of ${type} is refused: ${r.ok ? '' : `${r.field}: ${r.reason}`}`);
    }
  });

  it(`refuses ${CASES.toLocaleString('en')} invalid or hostile messages, each naming a field, without throwing or polluting prototypes`, function () {
    this.timeout(120_000);
    const seed = fuzzSeed();
    const rng = new Rng(seed);
    const before = prototypeFingerprint();
    const failures: string[] = [];
    const byField = new Map<string, number>();
    let n = 0;
    const started = performance.now();
    let slowest = 0;
    for (const c of webviewMessageCases(rng, WEBVIEW_MESSAGE_FIELDS, MESSAGE_SAMPLES, CASES, false)) {
      n++;
      const t0 = performance.now();
      let problem: string | undefined;
      try {
        const r = parseWebviewMessage(c.raw);
        problem = judgeMessage(c, r.ok ? { ok: true } : { ok: false, field: r.field, reason: r.reason });
        if (!r.ok) byField.set(r.field, (byField.get(r.field) ?? 0) + 1);
      } catch (e) {
        problem = `threw ${(e as Error)?.name}: ${String((e as Error)?.message ?? e).slice(0, 200)}`;
      }
      slowest = Math.max(slowest, performance.now() - t0);
      if (problem && failures.length < 25) failures.push(`case ${n} (${c.what}): ${problem}`);
      const p = polluted();
      if (p && failures.length < 25) failures.push(`case ${n} (${c.what}): a plain object now has '${p}'`);
    }
    const ms = performance.now() - started;
    console.log(`      ${n} messages over ${Object.keys(WEBVIEW_MESSAGE_FIELDS).filter((t) => MESSAGE_SAMPLES[t]).length} types in ${ms.toFixed(0)} ms (slowest ${slowest.toFixed(1)} ms), seed ${seed}; fields named: ${[...byField].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([f, k]) => `${f.slice(0, 20)} ${k}`).join(', ')}`);
    assert.equal(n, CASES);
    assert.deepEqual(failures, [], `seed ${seed} (rerun with FUZZ_SEED=${seed})`);
    assert.equal(prototypeFingerprint(), before, 'Object/Array/Function/String prototypes changed');
    assert.ok(slowest < 250, `one message took ${slowest.toFixed(0)} ms to judge`);
  });
});
