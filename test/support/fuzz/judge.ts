// How the fuzz tests judge a refusal: it names the field the case broke (or one of the fields it
// made hostile), it is short enough to read (never an echo of a 1 MB input), and for commands it is
// one of the errors the product reports as the user's (bad input, a refused request, not found).
import type { ArgCase } from './commandArgs';
import { plainKey, type MessageCase } from './webviewMessages';

/** A refusal longer than this does not read as a clear error (and likely echoes what it refuses). */
export const MAX_REFUSAL = 2_000;

/** Errors a command may refuse bad input with; anything else is a crash in the user's eyes ("Release Manager failed: …"). */
export const EXPECTED_ERRORS = ['ValidationError', 'RefusedError', 'NotFoundError'];

/** Whether `field` names `key`: a plain key as is, any other (empty, huge, invisible characters) in a short quoted form. */
function names(field: string, key: string, prefix = ''): boolean {
  if (plainKey(key)) return field === `${prefix}${key}`;
  return field.startsWith(`${prefix}"`) && field.length <= prefix.length + 60;
}

/** Why a webview message's outcome is wrong, or undefined when it was refused as it must be. */
export function judgeMessage(c: MessageCase, outcome: { ok: boolean; field?: string; reason?: string }): string | undefined {
  if (outcome.ok) return 'accepted';
  const field = outcome.field ?? '';
  const text = `${field}: ${outcome.reason ?? ''}`;
  if (!field) return 'refused without naming a field';
  if (!outcome.reason) return `refused without a reason (field ${field})`;
  if (text.length > MAX_REFUSAL) return `the refusal is ${text.length} characters long`;
  const expected = c.field !== undefined ? [c.field] : c.anyOf;
  if (!expected.some((k) => names(field, k))) return `named '${field.slice(0, 60)}', expected ${expected.map((k) => `'${k.slice(0, 30)}'`).join(' or ')}`;
  return undefined;
}

/** Why a command's refusal of an argument case is wrong, or undefined. */
export function judgeCommandError(c: ArgCase, e: unknown): string | undefined {
  const err = e as { name?: unknown; message?: unknown; field?: unknown } | null;
  const name = typeof err?.name === 'string' ? err.name : typeof e;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  if (!EXPECTED_ERRORS.includes(name)) return `failed with ${name}: ${message.slice(0, 300)}`;
  if (message.length > MAX_REFUSAL) return `the refusal is ${message.length} characters long: ${message.slice(0, 100)}…`;
  if (name === 'ValidationError' && (typeof err?.field !== 'string' || !err.field)) return `a ValidationError without a field: ${message.slice(0, 200)}`;
  if (c.level === 'shape') {
    const field = typeof err?.field === 'string' ? err.field : '';
    if (name !== 'ValidationError') return `expected a ValidationError naming ${c.field}, got ${name}: ${message.slice(0, 200)}`;
    const want = c.field!;
    const ok = want.startsWith('arguments.') ? names(field, want.slice('arguments.'.length), 'arguments.') : field === want;
    if (!ok) return `named '${field.slice(0, 80)}', expected '${want.slice(0, 80)}' (${message.slice(0, 150)})`;
  }
  return undefined;
}
