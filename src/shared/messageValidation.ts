// The host's gate for messages from the dashboard webview: nothing reaches a manager before it
// passes here. Pure (no 'vscode', no node), so plain mocha tests it and the webview can reuse it
// for its own checks before sending.
import { LIMITS, type WebviewToHost } from './protocol';

export type ParsedMessage = { ok: true; message: WebviewToHost } | { ok: false; field: string; reason: string; requestId?: string };

type Fields = Record<string, unknown>;

const REQUEST_ID = /^[A-Za-z0-9_-]+$/;
// Control characters other than tab and newlines (as the core's validators).
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const ALLOWED_KEYS: Record<WebviewToHost['type'], readonly string[]> = {
  'webview/ready': ['type'],
  'conversation/post': ['type', 'requestId', 'text'],
  'release/assessRisk': ['type', 'requestId'],
  'webview/cspViolation': ['type', 'directive', 'blockedUri'],
};

class Invalid extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return value.length > 40 ? `'${value.slice(0, 37)}…'` : `'${value}'`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function requestId(m: Fields): string {
  const v = m.requestId;
  if (typeof v !== 'string') throw new Invalid('requestId', `expected text, got ${describe(v)}`);
  if (v.length === 0 || v.length > LIMITS.requestId || !REQUEST_ID.test(v)) {
    throw new Invalid('requestId', `expected 1–${LIMITS.requestId} letters, digits, '-' or '_', got ${describe(v)}`);
  }
  return v;
}

function text(m: Fields, field: string, max: number, multiline: boolean): string {
  const v = m[field];
  if (typeof v !== 'string') throw new Invalid(field, `expected text, got ${describe(v)}`);
  if (v.trim() === '') throw new Invalid(field, 'must not be empty');
  if (v.length > max) throw new Invalid(field, `is ${v.length} characters long; the limit is ${max}`);
  if (!multiline && /[\r\n]/.test(v)) throw new Invalid(field, 'must be a single line');
  if (CONTROL.test(v)) throw new Invalid(field, 'contains control characters');
  return v;
}

/** A single line that may be empty (e.g. a CSP report's blocked URI, empty for inline code). */
function optionalLine(m: Fields, field: string, max: number): string {
  const v = m[field];
  if (typeof v !== 'string') throw new Invalid(field, `expected text, got ${describe(v)}`);
  if (v.length > max) throw new Invalid(field, `is ${v.length} characters long; the limit is ${max}`);
  if (/[\r\n]/.test(v) || CONTROL.test(v)) throw new Invalid(field, 'must be a single line without control characters');
  return v;
}

/** Checks shape, types and limits of a message from the webview. Unknown types and keys are refused. */
export function parseWebviewMessage(raw: unknown): ParsedMessage {
  let id: string | undefined;
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Invalid('message', `expected an object, got ${describe(raw)}`);
    const m = raw as Fields;
    if (typeof m.requestId === 'string' && REQUEST_ID.test(m.requestId) && m.requestId.length <= LIMITS.requestId) id = m.requestId;
    const type = m.type;
    if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(ALLOWED_KEYS, type)) {
      throw new Invalid('type', `${describe(type)} is not a message type (${Object.keys(ALLOWED_KEYS).join(', ')})`);
    }
    const t = type as WebviewToHost['type'];
    const extra = Object.keys(m).find((k) => !ALLOWED_KEYS[t].includes(k));
    if (extra !== undefined) throw new Invalid(extra, `is not a field of '${t}' (fields: ${ALLOWED_KEYS[t].join(', ')})`);
    switch (t) {
      case 'webview/ready':
        return { ok: true, message: { type: t } };
      case 'conversation/post':
        return { ok: true, message: { type: t, requestId: requestId(m), text: text(m, 'text', LIMITS.messageText, true) } };
      case 'release/assessRisk':
        return { ok: true, message: { type: t, requestId: requestId(m) } };
      case 'webview/cspViolation':
        return {
          ok: true,
          message: { type: t, directive: text(m, 'directive', 200, false), blockedUri: optionalLine(m, 'blockedUri', 2000) },
        };
    }
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, field: e.field, reason: e.reason, requestId: id };
    throw e;
  }
}
