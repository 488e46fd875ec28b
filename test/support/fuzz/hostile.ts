// The hostile values the fuzzers draw from: wrong types, huge strings, unicode tricks, path
// traversal, prototype keys, deep nesting, NaN/Infinity. Two kinds of strings matter:
// - INVALID_TEXT is refused by every text field we have (over every length limit, or holding
//   control characters), so a case carrying one is invalid whatever else it holds;
// - HOSTILE_TEXT may well be accepted (it is text a person could type); it rides along in the other
//   fields of an invalid case, so it reaches the validators and the code behind them.
import type { Rng } from './random';

export const ONE_MB = 1 << 20;

/** 1 MB of text; built once (a case holds a reference, not a copy). */
export const HUGE_TEXT = 'A'.repeat(ONE_MB);
/** 1 MB of right-to-left overrides and zero-width characters. */
export const HUGE_UNICODE = '\u202E\u200B\u200D\uFEFF'.repeat(ONE_MB / 4);

export const INVALID_TEXT: readonly string[] = [
  HUGE_TEXT,
  HUGE_UNICODE,
  'nul\u0000byte',
  '\u0000',
  '\u001b[2J\u001b[31mterminal escape',
  'bell\u0007',
  'del\u007f',
  '../../etc/passwd\u0000.ics',
  'x\u000bvertical tab',
];

/** Path traversal aimed at a sentinel folder that must never appear (the fuzz tests check it does not). */
export const ESCAPE_SENTINEL = 'rm-fuzz-escape-sentinel';

export const TRAVERSAL_TEXT: readonly string[] = [
  `${'../'.repeat(24)}tmp/${ESCAPE_SENTINEL}/passwd.ics`,
  `..\\..\\..\\..\\..\\..\\..\\..\\tmp\\${ESCAPE_SENTINEL}\\x.ics`,
  `/tmp/${ESCAPE_SENTINEL}/abs.ics`,
  `%2e%2e%2f%2e%2e%2ftmp%2f${ESCAPE_SENTINEL}`,
  `file:///tmp/${ESCAPE_SENTINEL}/x.ics`,
];

export const HOSTILE_TEXT: readonly string[] = [
  '../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/shadow',
  '\\\\server\\share\\x',
  '\u202Egnp.exe', // right-to-left override: shows as "exe.png"
  'abc\u200Bdef', // zero-width space
  '\u200D\u200C\u2060',
  '\uFEFFbom',
  'e\u0301\u0301\u0301\u0301',
  '👩‍👩‍👧‍👦 family',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  'שלום עולם',
  'مرحبا بالعالم',
  '\uD800', // lone high surrogate
  'x\uDC00y', // lone low surrogate
  '\uDBFF\uDFFF',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  '$(touch /tmp/pwned)',
  '`id`',
  '; rm -rf ~',
  "Robert'); DROP TABLE releases;--",
  '<img src=x onerror=alert(1)>',
  '${process.exit(1)}',
  '{{constructor.constructor("return process")()}}',
  '%s%s%s%n',
  ' ',
  '',
  '\t',
  'line one\nline two',
  'a'.repeat(201),
  'NaN',
  'null',
  '1e309',
  ...TRAVERSAL_TEXT,
];

/** Key names for extra fields: prototype keys, look-alikes of real keys, unicode, huge. */
export const HOSTILE_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  '__defineGetter__',
  'then',
  'length',
  '',
  ' ',
  '0',
  'type ',
  'Type',
  'requestId\u200B',
  '\u202Etype',
  '../../etc/passwd',
  'nul\u0000key',
  '$where',
  'k'.repeat(100_000),
];

/** `{a: {a: … }}` `depth` levels deep, built without recursion. */
export function deepObject(depth: number): Record<string, unknown> {
  let o: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) o = { nest: o };
  return o;
}

/** `[[[ … ]]]` `depth` levels deep. */
export function deepArray(depth: number): unknown[] {
  let a: unknown[] = ['leaf'];
  for (let i = 0; i < depth; i++) a = [a];
  return a;
}

/** Sets an own, enumerable data property — also for '__proto__', which an assignment or a literal would turn into the prototype. */
export function defineOwn<T extends object>(o: T, key: string, value: unknown): T {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

/** What JSON.parse makes of `{"__proto__": …}`: an own key, as a webview message would carry it. */
export function protoObject(inner: unknown): Record<string, unknown> {
  return JSON.parse(`{"__proto__": ${JSON.stringify(inner)}, "constructor": {"prototype": {"polluted": "yes"}}}`) as Record<string, unknown>;
}

export type ValueKind = 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null' | 'other';

export function kindOf(v: unknown): ValueKind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return t;
  if (t === 'object') return 'object';
  return 'other';
}

const DEEP_OBJECT = deepObject(10_000);
const DEEP_ARRAY = deepArray(10_000);

/** Values that survive JSON (what a webview can send): no NaN, functions, dates or cycles. */
const JSON_VALUES: readonly unknown[] = [
  42, 0, -1, 1.5, 1e308, true, false, null, [], ['x'], [1, 2, 3], {}, { x: 1 }, { type: 'webview/ready' },
  DEEP_OBJECT, DEEP_ARRAY, protoObject({ polluted: 'yes' }), [HUGE_TEXT], { text: HUGE_TEXT },
];

function cyclic(): Record<string, unknown> {
  const c: Record<string, unknown> = { name: 'cycle' };
  c.self = c;
  return c;
}

/** Values only code in the same process can pass (other extensions, keybindings' args are JSON). */
const PROCESS_VALUES: readonly unknown[] = [
  NaN, Infinity, -Infinity, -0, 10n, Symbol('hostile'), () => 'function', new Date(NaN), new Date(0), /regexp/g,
  new Map([['k', 'v']]), new Set(['x']), new Uint8Array(8), Object.create(null), cyclic(), new Error('an error object'),
  Promise.resolve('a promise'),
];

/** A value whose kind is not `expected` (a number field also refuses NaN and ±Infinity). */
export function wrongValue(rng: Rng, expected: ValueKind, jsonOnly: boolean): unknown {
  const pool = jsonOnly ? JSON_VALUES : [...JSON_VALUES, ...PROCESS_VALUES, ...JSON_VALUES];
  for (;;) {
    const v = rng.chance(0.25) ? rng.pick(HOSTILE_TEXT) : rng.pick(pool);
    const k = kindOf(v);
    if (expected === 'number' && typeof v === 'number' && !Number.isFinite(v)) return v;
    if (k !== expected) return v;
  }
}

export function invalidText(rng: Rng): string {
  return rng.pick(INVALID_TEXT);
}

/** A rider for a text field: hostile text a validator may accept (paths get only the sentinel traversal). */
export function hostileText(rng: Rng, key: string): string {
  return /path|file|uri/i.test(key) ? rng.pick(TRAVERSAL_TEXT) : rng.pick(HOSTILE_TEXT);
}

/** Enough of Object.prototype and friends to tell whether anything polluted them. */
export function prototypeFingerprint(): string {
  const describeProto = (p: object) =>
    Object.getOwnPropertyNames(p)
      .sort()
      .map((k) => {
        const d = Object.getOwnPropertyDescriptor(p, k)!;
        return `${k}:${typeof d.value}:${d.writable}:${typeof d.get}`;
      })
      .join(',');
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map(describeProto).join('|');
}

/** True when a plain `{}` shows a property that only pollution could have given it. */
export function polluted(): string | undefined {
  const probe = {} as Record<string, unknown>;
  for (const k of ['polluted', 'leaf', 'nest', 'x', 'type', 'text', 'name', 'self', 'isAdmin']) {
    if (probe[k] !== undefined) return k;
  }
  return undefined;
}
