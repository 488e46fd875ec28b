import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../../src/shared/messageValidation';

const refused = (raw: unknown) => {
  const r = parseWebviewMessage(raw);
  assert.equal(r.ok, false, `accepted ${JSON.stringify(raw)}`);
  return r as { ok: false; field: string; reason: string; requestId?: string };
};

describe('webview message validation', () => {
  it('accepts each declared message', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'webview/ready' }), { ok: true, message: { type: 'webview/ready' } });
    assert.deepEqual(parseWebviewMessage({ type: 'conversation/post', requestId: 'post-1', text: 'Ship it\nafter lunch' }), {
      ok: true,
      message: { type: 'conversation/post', requestId: 'post-1', text: 'Ship it\nafter lunch' },
    });
    assert.deepEqual(parseWebviewMessage({ type: 'release/assessRisk', requestId: 'r_2' }), { ok: true, message: { type: 'release/assessRisk', requestId: 'r_2' } });
    assert.deepEqual(parseWebviewMessage({ type: 'webview/cspViolation', directive: 'script-src', blockedUri: '' }), {
      ok: true,
      message: { type: 'webview/cspViolation', directive: 'script-src', blockedUri: '' },
    });
  });

  it('refuses what is not an object or not a known type, naming the field', () => {
    for (const raw of [null, 'ready', 42, [], undefined]) assert.equal(refused(raw).field, 'message');
    // Every tab adds its types: the list is checked for the first ones and the shape, not in full.
    const r = refused({ type: 'release/delete', requestId: 'x' });
    assert.deepEqual({ ...r, reason: undefined }, { ok: false, field: 'type', reason: undefined, requestId: 'x' });
    assert.match(r.reason, /^'release\/delete' is not a message type \(webview\/ready, conversation\/post, release\/assessRisk, webview\/cspViolation(, [a-z]+\/[A-Za-z]+)*\)$/);
    assert.equal(refused({}).field, 'type');
    assert.equal(refused({ type: 'toString' }).field, 'type');
    assert.equal(refused({ type: '__proto__' }).field, 'type');
  });

  it('refuses unknown keys and wrong types, keeping the request id for the answer', () => {
    const extra = refused({ type: 'conversation/post', requestId: 'p1', text: 'hi', author: 'mallory' });
    assert.equal(extra.field, 'author');
    assert.equal(extra.requestId, 'p1');
    assert.match(extra.reason, /is not a field of 'conversation\/post'/);
    assert.equal(refused({ type: 'conversation/post', requestId: 'p1', text: 42 }).reason, 'expected text, got number 42');
    assert.equal(refused({ type: 'conversation/post', requestId: 'p1' }).field, 'text');
    assert.equal(refused({ type: 'conversation/post', requestId: 'p1', text: '   ' }).reason, 'must not be empty');
    assert.equal(refused({ type: 'conversation/post', requestId: 'p1', text: 'a\u0000b' }).reason, 'contains control characters');
    assert.match(refused({ type: 'conversation/post', requestId: 'p1', text: 'x'.repeat(20_001) }).reason, /20001 characters long; the limit is 20000/);
  });

  it('refuses malformed request ids', () => {
    for (const requestId of [undefined, '', 'a b', 'x'.repeat(101), 7, '<script>']) {
      const r = refused({ type: 'release/assessRisk', requestId });
      assert.equal(r.field, 'requestId');
      assert.equal(r.requestId, undefined);
    }
  });
});
