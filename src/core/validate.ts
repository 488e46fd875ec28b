// Boundary checks shared by the managers. Each failure names the field and the reason.
import { ValidationError } from './model';

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function requireText(field: string, value: unknown, opts: { max?: number; allowEmpty?: boolean; multiline?: boolean } = {}): string {
  if (typeof value !== 'string') throw new ValidationError(field, `expected text, got ${describe(value)}`);
  const text = opts.multiline ? value : value.trim();
  if (!opts.allowEmpty && text.trim() === '') throw new ValidationError(field, 'must not be empty');
  const max = opts.max ?? 200;
  if (text.length > max) throw new ValidationError(field, `is ${text.length} characters long; the limit is ${max}`);
  if (!opts.multiline && /[\r\n]/.test(text)) throw new ValidationError(field, 'must be a single line');
  if (CONTROL.test(text)) throw new ValidationError(field, 'contains control characters');
  return text;
}

export function optionalText(field: string, value: unknown, opts: { max?: number; multiline?: boolean } = {}): string | undefined {
  if (value === undefined || value === null) return undefined;
  const t = requireText(field, value, { ...opts, allowEmpty: true });
  return t.trim() === '' ? undefined : t;
}

export function optionalDate(field: string, value: unknown): Date | undefined {
  if (value === undefined || value === null) return undefined;
  const d = value instanceof Date ? value : typeof value === 'string' && value.trim() !== '' ? new Date(value) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new ValidationError(field, `expected a date, got ${describe(value)}`);
  return d;
}

export function requireStringArray(field: string, value: unknown, max = 1000): string[] {
  if (!Array.isArray(value)) throw new ValidationError(field, `expected a list of names, got ${describe(value)}`);
  if (value.length > max) throw new ValidationError(field, `has ${value.length} entries; the limit is ${max}`);
  return value.map((v, i) => requireText(`${field}[${i}]`, v));
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'an invalid date' : 'a date';
  if (typeof value === 'string') return value.length > 40 ? `'${value.slice(0, 37)}…'` : `'${value}'`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

// A key that reads as itself: 1–40 characters, no spaces, control, zero-width or direction marks.
const PLAIN_KEY = /^[^\s\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\ufeff]{1,40}$/;

/** An object key as a refusal names it: as is when plain, else quoted and cut (an empty or 100 KB key still reads clearly). */
export function keyName(key: string): string {
  return PLAIN_KEY.test(key) ? key : JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}…` : key);
}

/** A list in a message: "a, b and 3 more". */
export function listNames(names: string[], max = 10): string {
  if (names.length === 0) return '(none)';
  if (names.length <= max) return names.join(', ');
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

/** Drops keys whose value is undefined, so that a model read back from storage equals the one written. */
export function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
