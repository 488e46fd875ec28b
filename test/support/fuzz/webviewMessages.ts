// Generates invalid and hostile webview → host messages from the validator's own table of message
// types and fields (src/shared/messageValidation.ts WEBVIEW_MESSAGE_FIELDS), so a message type added
// later is fuzzed without touching this file. Each case breaks a valid sample of its type in exactly
// one way that no validator may accept, and may carry hostile (possibly acceptable) text in its other
// fields; so every case must be refused, naming a field.
import {
  defineOwn,
  deepObject,
  HOSTILE_KEYS,
  hostileText,
  invalidText,
  kindOf,
  protoObject,
  wrongValue,
} from './hostile';
import type { Rng } from './random';

export type Message = Record<string, unknown>;

export interface MessageCase {
  raw: unknown;
  /** How the case was made (printed when it is not refused as expected). */
  what: string;
  /** The field the refusal must name, when only one field is wrong. */
  field?: string;
  /** Fields any of which the refusal may name (several hostile fields). */
  anyOf: string[];
}

/** A valid message of a type (the fuzzer breaks copies of it), and which of its fields may be left out. */
export interface MessageSample {
  valid: Message;
  optional?: readonly string[];
}

/** One sample per message type; a type without one cannot be fuzzed. */
export type MessageSamples = Record<string, MessageSample>;

/** Types of the table that have no sample, or whose sample does not use exactly the table's fields. */
export function uncoveredTypes(table: Readonly<Record<string, readonly string[]>>, samples: MessageSamples): string[] {
  const out: string[] = [];
  for (const [type, fields] of Object.entries(table)) {
    const s = samples[type];
    if (!s) {
      out.push(`${type}: no valid sample`);
      continue;
    }
    const keys = [...Object.keys(s.valid), ...(s.optional ?? [])].filter((k, i, a) => a.indexOf(k) === i).sort();
    if (s.valid.type !== type || keys.join(',') !== [...fields].sort().join(',')) {
      out.push(`${type}: the sample's fields (${keys.join(', ')}) are not the validator's (${[...fields].join(', ')})`);
    }
  }
  return out;
}

/** A key short and printable enough that a validator's message quotes it as is. */
export const plainKey = (k: string) => k.length > 0 && k.length <= 40 && !/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060\ufeff\s]/.test(k);

interface Ctx {
  type: string;
  base: Message;
  /** The validator's fields of this type. */
  fields: readonly string[];
  /** Fields that may be left out. */
  optional: readonly string[];
  types: readonly string[];
  jsonOnly: boolean;
}

type Mutation = (rng: Rng, c: Ctx) => Omit<MessageCase, 'anyOf'>;

const notAnObject: Mutation = (rng, c) => {
  const raw = wrongValue(rng, 'object', c.jsonOnly);
  return { raw, what: `a ${kindOf(raw)} instead of a message`, field: 'message' };
};

const badType: Mutation = (rng, c) => {
  const m = { ...c.base };
  const choice = rng.int(6);
  let v: unknown;
  if (choice === 0) delete m.type;
  else {
    v =
      choice === 1 ? wrongValue(rng, 'string', c.jsonOnly)
      : choice === 2 ? invalidText(rng)
      : choice === 3 ? `${c.type} `
      : choice === 4 ? rng.pick([c.type.toUpperCase(), `${c.type}\u200B`, `\u202E${c.type}`, c.type.replace('/', '\\'), `${c.type}/../webview/ready`])
      : rng.pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'release/delete', 'webview/eval', '']);
    if (typeof v === 'string' && c.types.includes(v)) v = `${v}!`;
    m.type = v;
  }
  return { raw: m, what: choice === 0 ? 'no type' : `type ${describeValue(v)}`, field: 'type' };
};

const extraKey: Mutation = (rng, c) => {
  let key = rng.pick(HOSTILE_KEYS);
  if (c.fields.includes(key)) key = `${key}_extra`;
  const m = defineOwn({ ...c.base }, key, rng.chance(0.5) ? hostileText(rng, key) : wrongValue(rng, 'other', c.jsonOnly));
  return { raw: m, what: `extra key ${describeValue(key)}`, field: key };
};

const missing: Mutation = (rng, c) => {
  const required = c.fields.filter((f) => f !== 'type' && !c.optional.includes(f));
  if (!required.length) return extraKey(rng, c);
  const f = rng.pick(required);
  const m = { ...c.base };
  delete m[f];
  return { raw: m, what: `no ${f}`, field: f };
};

const wrongType: Mutation = (rng, c) => {
  const present = c.fields.filter((f) => f !== 'type' && f in c.base);
  if (!present.length) return extraKey(rng, c);
  const f = rng.pick(present);
  let v = wrongValue(rng, kindOf(c.base[f]), c.jsonOnly);
  // An optional field may reasonably read null as "not given".
  while (v === null && c.optional.includes(f)) v = wrongValue(rng, kindOf(c.base[f]), c.jsonOnly);
  return { raw: { ...c.base, [f]: v }, what: `${f} = ${describeValue(v)}`, field: f };
};

const invalidString: Mutation = (rng, c) => {
  const texts = c.fields.filter((f) => f !== 'type' && typeof c.base[f] === 'string');
  if (!texts.length) return wrongType(rng, c);
  const f = rng.pick(texts);
  const v = invalidText(rng);
  return { raw: { ...c.base, [f]: v }, what: `${f} = ${describeValue(v)}`, field: f };
};

const deepValue: Mutation = (rng, c) => {
  const present = c.fields.filter((f) => f !== 'type' && f in c.base);
  if (!present.length) return extraKey(rng, c);
  const f = rng.pick(present);
  return { raw: { ...c.base, [f]: deepObject(10_000) }, what: `${f} nested 10,000 levels deep`, field: f };
};

/** `__proto__` as JSON.parse leaves it: an own key, holding another message or a type. */
const protoKey: Mutation = (rng, c) => {
  if (rng.chance(0.5)) {
    // No own type at all, only one "inherited" through the key.
    const raw = protoObject({ ...c.base });
    return { raw, what: 'the message hidden behind a __proto__ key', field: 'type' };
  }
  const raw = defineOwn({ ...c.base }, '__proto__', { type: rng.pick(c.types), isAdmin: true });
  return { raw, what: '__proto__ key beside valid fields', field: '__proto__' };
};

const MUTATIONS: [number, Mutation][] = [
  [4, notAnObject],
  [12, badType],
  [14, extraKey],
  [14, missing],
  [22, wrongType],
  [22, invalidString],
  [6, deepValue],
  [6, protoKey],
];
const TOTAL = MUTATIONS.reduce((n, [w]) => n + w, 0);

function pickMutation(rng: Rng): Mutation {
  let x = rng.int(TOTAL);
  for (const [w, m] of MUTATIONS) {
    if (x < w) return m;
    x -= w;
  }
  return MUTATIONS[0][1];
}

/**
 * `count` cases, spread evenly over the table's types that have a sample. `jsonOnly`: only values a real webview can
 * send (it posts JSON), no NaN, functions, dates or cycles.
 */
export function* webviewMessageCases(
  rng: Rng,
  table: Readonly<Record<string, readonly string[]>>,
  samples: MessageSamples,
  count: number,
  jsonOnly: boolean,
): Generator<MessageCase> {
  const types = Object.keys(table);
  // Types without a sample are reported by uncoveredTypes (their test fails); the rest are fuzzed.
  const covered = types.filter((t) => samples[t]);
  for (let i = 0; i < count; i++) {
    const type = covered[i % covered.length];
    const fields = table[type];
    const sample = samples[type];
    const base = { ...sample.valid };
    const c = pickMutation(rng)(rng, { type, base, fields, optional: sample.optional ?? [], types, jsonOnly });
    let what = `${type}: ${c.what}`;
    let field = c.field;
    // Riders: hostile text in the other text fields, so that it reaches the validators too.
    if (rng.chance(0.4) && c.raw && typeof c.raw === 'object' && !Array.isArray(c.raw) && field !== 'message' && field !== 'type') {
      const m = c.raw as Message;
      for (const f of fields) {
        if (f === 'type' || f === c.field || typeof base[f] !== 'string' || !Object.prototype.hasOwnProperty.call(m, f)) continue;
        if (rng.chance(0.6)) {
          m[f] = hostileText(rng, f);
          what += `, ${f} = ${describeValue(m[f])}`;
          field = undefined;
        }
      }
    }
    const anyOf = [...fields, ...(c.field !== undefined ? [c.field] : []), 'message'];
    yield { raw: c.raw, what, field, anyOf };
  }
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') {
    const shown = v.length > 30 ? `${v.slice(0, 27)}…(${v.length} chars)` : v;
    return JSON.stringify(shown);
  }
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'symbol' || typeof v === 'function') return typeof v;
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Date) return 'a Date';
  if (typeof v === 'object' && v !== null) return `an object (${Object.keys(v).slice(0, 3).join(', ')})`;
  return String(v);
}
