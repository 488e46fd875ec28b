// The Promotion and Pipeline tabs' messages through the host's validator: each field checked and
// named, unknown keys refused.
import assert from 'node:assert/strict';
import { parseWebviewMessage } from '../../../src/shared/messageValidation';

const refused = (raw: unknown) => {
  const p = parseWebviewMessage(raw);
  assert.equal(p.ok, false, JSON.stringify(raw));
  return p.ok ? { field: '', reason: '' } : p;
};

describe('webview messages of the Promotion and Pipeline tabs', () => {
  it('accepts well-formed ones', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'promotion/promote', requestId: 'a1', environment: 'eu production' }), {
      ok: true,
      message: { type: 'promotion/promote', requestId: 'a1', environment: 'eu production' },
    });
    for (const decision of ['request', 'approve', 'reject']) {
      assert.equal(parseWebviewMessage({ type: 'promotion/approval', requestId: 'a2', environment: 'production', decision }).ok, true);
    }
    for (const action of ['cancel', 'retry', 'ignore', 'abort', 'approve']) {
      assert.equal(parseWebviewMessage({ type: 'pipeline/action', requestId: 'a3', runId: '0b6c1c1e-2f0a-4c55-9b1e-8d2b0c7f9a10', action }).ok, true);
    }
  });

  it('names the field of a bad one', () => {
    assert.equal(refused({ type: 'promotion/promote', requestId: 'b1' }).field, 'environment');
    assert.equal(refused({ type: 'promotion/promote', requestId: 'b2', environment: 'x'.repeat(65) }).field, 'environment');
    assert.equal(refused({ type: 'promotion/promote', requestId: 'b3', environment: 'a\nb' }).field, 'environment');
    assert.equal(refused({ type: 'promotion/promote', requestId: 'b4', environment: 'dev', pipeline: 'x' }).field, 'pipeline');
    assert.equal(refused({ type: 'promotion/approval', requestId: 'b5', environment: 'production', decision: 'force' }).field, 'decision');
    assert.match(refused({ type: 'promotion/approval', requestId: 'b6', environment: 'production', decision: 'force' }).reason, /^expected one of request, approve, reject, got 'force'$/);
    assert.equal(refused({ type: 'pipeline/action', requestId: 'b7', runId: 'a b', action: 'retry' }).field, 'runId');
    assert.equal(refused({ type: 'pipeline/action', requestId: 'b8', runId: 'r', action: 'kill' }).field, 'action');
    assert.equal(refused({ type: 'pipeline/action', runId: 'r', action: 'cancel' }).field, 'requestId');
  });
});
