// The host's gate for messages from the dashboard webview: nothing reaches a manager before it
// passes here. Pure (no 'vscode', no node), so plain mocha tests it and the webview can reuse it
// for its own checks before sending.
import { LIMITS, type WebviewToHost } from './protocol';
import { TRAFFIC_ACTIONS, type TrafficAction } from './trafficView';
import { APPROVAL_DECISIONS, RUN_ACTIONS, type ApprovalDecision, type RunAction } from './pipelineView';

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
  'traffic/watch': ['type', 'watching', 'environment'],
  'traffic/action': ['type', 'requestId', 'action', 'environment'],
  'roadmap/link': ['type', 'requestId', 'roadmapId', 'milestoneId'],
  'roadmap/unlink': ['type', 'requestId', 'roadmapId', 'milestoneId'],
  'notes/generate': ['type', 'requestId'],
  'notes/edit': ['type', 'requestId'],
  'notes/export': ['type', 'requestId'],
  'metrics/refresh': ['type', 'requestId'],
  'service/add': ['type', 'requestId'],
  'service/edit': ['type', 'requestId', 'name'],
  'service/remove': ['type', 'requestId', 'name'],
  'promotion/promote': ['type', 'requestId', 'environment'],
  'promotion/approval': ['type', 'requestId', 'environment', 'decision'],
  'pipeline/action': ['type', 'requestId', 'runId', 'action'],
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

// The catalog's service names (src/core/serviceCatalog.ts validateServiceName), repeated here because
// this module may not import the core; the host's catalog checks again.
const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function serviceName(m: Fields): string {
  const v = text(m, 'name', LIMITS.serviceName, false);
  if (!SERVICE_NAME.test(v)) throw new Invalid('name', `${describe(v)} is not a service name (letters, digits, '.', '_' and '-', starting with a letter or digit)`);
  return v;
}

/** An id of a roadmap or milestone: one line, no spaces; the host looks it up. */
function entityId(m: Fields, field: string): string {
  const v = text(m, field, LIMITS.entityId, false);
  if (/\s/.test(v)) throw new Invalid(field, `${describe(v)} is not an id (no spaces)`);
  return v;
}

// A key that reads as itself: 1–40 characters, no spaces, control, zero-width or direction marks.
const PLAIN_KEY = /^[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\ufeff]{1,40}$/;

/** An unknown key as a refusal names it: as is when plain, else quoted and cut (an empty or 1 MB key still reads clearly). */
function keyName(key: string): string {
  if (PLAIN_KEY.test(key)) return key;
  return JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}…` : key);
}

/** An environment name, when given: one line; the host looks it up. */
function optionalEnvironment(m: Fields): string | undefined {
  return m.environment === undefined ? undefined : text(m, 'environment', LIMITS.environment, false);
}

function trafficAction(m: Fields): TrafficAction {
  const v = m.action;
  if (typeof v !== 'string' || !(TRAFFIC_ACTIONS as readonly string[]).includes(v)) throw new Invalid('action', `expected one of ${TRAFFIC_ACTIONS.join(', ')}, got ${describe(v)}`);
  return v as TrafficAction;
}

/** One of `allowed`, named by `field`. */
function oneOf<T extends string>(m: Fields, field: string, allowed: readonly T[]): T {
  const v = m[field];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new Invalid(field, `expected one of ${allowed.join(', ')}, got ${describe(v)}`);
  return v as T;
}

/** A pipeline run's id (the host looks it up among this release's runs). */
function runId(m: Fields): string {
  const v = text(m, 'runId', 200, false);
  if (/\s/.test(v)) throw new Invalid('runId', `${describe(v)} is not a run id (no spaces)`);
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
    if (extra !== undefined) throw new Invalid(keyName(extra), `is not a field of '${t}' (fields: ${ALLOWED_KEYS[t].join(', ')})`);
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
      case 'traffic/watch': {
        if (typeof m.watching !== 'boolean') throw new Invalid('watching', `expected true or false, got ${describe(m.watching)}`);
        const environment = optionalEnvironment(m);
        return { ok: true, message: { type: t, watching: m.watching, ...(environment !== undefined && { environment }) } };
      }
      case 'traffic/action': {
        const id = requestId(m);
        const action = trafficAction(m);
        const environment = optionalEnvironment(m);
        return { ok: true, message: { type: t, requestId: id, action, ...(environment !== undefined && { environment }) } };
      }
      case 'roadmap/link':
      case 'roadmap/unlink':
        return { ok: true, message: { type: t, requestId: requestId(m), roadmapId: entityId(m, 'roadmapId'), milestoneId: entityId(m, 'milestoneId') } };
      case 'notes/generate':
      case 'notes/edit':
      case 'notes/export':
      case 'metrics/refresh':
        return { ok: true, message: { type: t, requestId: requestId(m) } };
      case 'service/add':
        return { ok: true, message: { type: t, requestId: requestId(m) } };
      case 'service/edit':
      case 'service/remove':
        return { ok: true, message: { type: t, requestId: requestId(m), name: serviceName(m) } };
      case 'promotion/promote':
        return { ok: true, message: { type: t, requestId: requestId(m), environment: text(m, 'environment', 64, false) } };
      case 'promotion/approval':
        return {
          ok: true,
          message: { type: t, requestId: requestId(m), environment: text(m, 'environment', 64, false), decision: oneOf<ApprovalDecision>(m, 'decision', APPROVAL_DECISIONS) },
        };
      case 'pipeline/action':
        return { ok: true, message: { type: t, requestId: requestId(m), runId: runId(m), action: oneOf<RunAction>(m, 'action', RUN_ACTIONS) } };
    }
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, field: e.field, reason: e.reason, requestId: id };
    throw e;
  }
}

/** Every message type with its fields (`type` included): for code that must cover them all, such as the fuzz tests. */
export const WEBVIEW_MESSAGE_FIELDS: Readonly<Record<WebviewToHost['type'], readonly string[]>> = ALLOWED_KEYS;
