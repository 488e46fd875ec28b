// Generates invalid and hostile argument objects for the commands, from each command's argument
// spec (the same Spec objects the commands check with, src/vscode/commandArgs.ts checkArgs). Each case
// breaks a sample in exactly one way no command may accept; other fields may carry hostile text.
// 'shape' cases must be refused by checkArgs itself (naming `arguments` or `arguments.<key>`);
// 'value' cases pass the shape check with a value no manager may accept (over every limit, control
// characters, unknown keys inside an object), so they reach the managers' validators.
import {
  deepObject,
  defineOwn,
  HOSTILE_KEYS,
  hostileText,
  invalidText,
  kindOf,
  wrongValue,
  type ValueKind,
} from './hostile';
import type { Spec } from '../../../src/vscode/commandArgs';
import type { Rng } from './random';
import { describeValue } from './webviewMessages';

export type ArgKind = 'string' | 'string[]' | 'object' | 'tab' | 'accept' | 'boolean' | 'number' | 'list' | 'objectOrNull' | 'colour';
/** The commands' own spec type (src/vscode/commandArgs.ts): what checkArgs checks. */
export type ArgSpec = Spec;
export type Args = Record<string, unknown>;

export const ARG_KINDS: readonly string[] = ['string', 'string[]', 'object', 'tab', 'accept', 'boolean', 'number', 'list', 'objectOrNull', 'colour'];

export interface ArgCase {
  arg: unknown;
  what: string;
  /** 'shape': checkArgs must refuse it; 'value': the command's managers must. */
  level: 'shape' | 'value';
  /** For shape cases: the field the refusal must name (`arguments` or `arguments.<key>`). */
  field?: string;
  /** Getters and proxies: not to be read by the generator either. */
  noRiders?: boolean;
}

/** What a command takes: an argument object (its spec), nothing, or only a tree row. */
export type CommandArgsEntry =
  | { args: ArgSpec; sample?: Args }
  | { args: 'none' }
  | { args: 'treeNode' };

const KIND_VALUE: Record<ArgKind, ValueKind> = {
  string: 'string',
  'string[]': 'array',
  object: 'object',
  tab: 'string',
  accept: 'array',
  boolean: 'boolean',
  number: 'number',
  list: 'array',
  objectOrNull: 'object',
  colour: 'string',
};

/** A stand-in value of the right shape for a required key without a sample value. */
export function placeholder(kind: string): unknown {
  switch (kind) {
    case 'string':
      return 'fuzz-sample';
    case 'tab':
      return 'overview';
    case 'boolean':
      return true;
    case 'number':
      return 1;
    case 'object':
    case 'objectOrNull':
      return {};
    case 'colour':
      return 'green';
    default:
      return [];
  }
}

/** The sample, completed with placeholders for required keys it lacks. */
export function baseArgs(spec: ArgSpec, sample: Args | undefined): Args {
  const out: Args = { ...(sample ?? {}) };
  for (const [k, { kind, required }] of Object.entries(spec)) if (required && !(k in out)) out[k] = placeholder(kind);
  return out;
}

/** Kinds in a spec the generator does not know (it cannot break them reliably). */
export function unknownKinds(spec: ArgSpec): string[] {
  return Object.entries(spec)
    .filter(([, s]) => !ARG_KINDS.includes(s.kind))
    .map(([k, s]) => `${k}: ${s.kind}`);
}

/** A value of `kind` that checkArgs refuses. */
function wrongForKind(rng: Rng, kind: ArgKind, jsonOnly: boolean): unknown {
  switch (kind) {
    case 'string[]':
    case 'accept':
      if (rng.chance(0.3)) return [rng.pick(['ok', 'svc']), wrongValue(rng, 'string', jsonOnly)];
      if (kind === 'accept' && rng.chance(0.3)) return rng.pick(['ALL', 'all ', '*', 'none', invalidText(rng)]);
      return wrongValue(rng, 'array', jsonOnly);
    case 'tab':
      return rng.chance(0.5) ? wrongValue(rng, 'string', jsonOnly) : rng.pick(['Overview', 'overview ', '../overview', '__proto__', invalidText(rng)]);
    case 'colour':
      return rng.chance(0.5) ? wrongValue(rng, 'string', jsonOnly) : rng.pick(['Blue', 'red', 'green ', 'blue\u200b', '', invalidText(rng)]);
    case 'objectOrNull': {
      let v = wrongValue(rng, 'object', jsonOnly);
      while (v === null) v = wrongValue(rng, 'object', jsonOnly);
      return v;
    }
    default:
      return wrongValue(rng, KIND_VALUE[kind], jsonOnly);
  }
}

/** A value of the right shape that no manager accepts. */
function invalidForKind(rng: Rng, kind: ArgKind, sampleValue: unknown): unknown {
  switch (kind) {
    case 'string':
      return invalidText(rng);
    case 'string[]':
    case 'accept':
    case 'list':
      return rng.chance(0.2) ? [deepObject(10_000)] : [invalidText(rng)];
    case 'object':
    case 'objectOrNull': {
      const inner = sampleValue && typeof sampleValue === 'object' && !Array.isArray(sampleValue) ? (sampleValue as Args) : {};
      const keys = Object.keys(inner);
      if (keys.length && rng.chance(0.5)) {
        const k = rng.pick(keys);
        return { ...inner, [k]: rng.chance(0.7) ? invalidText(rng) : deepObject(10_000) };
      }
      // An unknown key inside: every object argument names its fields, so none may take it.
      let key = rng.pick(HOSTILE_KEYS);
      if (keys.includes(key)) key = `${key}_unknown`;
      return defineOwn({ ...inner }, key, rng.chance(0.5) ? 'x' : deepObject(100));
    }
    default:
      return wrongForKind(rng, kind, false);
  }
}

type Maker = (rng: Rng, spec: ArgSpec, base: Args, jsonOnly: boolean) => ArgCase;

const notAnObject: Maker = (rng, _spec, base, jsonOnly) => {
  if (!jsonOnly && rng.chance(0.4)) {
    const k = rng.int(4);
    const arg =
      k === 0 ? Object.create(base)
      : k === 1 ? Object.assign(new (class FakeNode { readonly kind = 'release'; })(), base)
      : k === 2 ? Object.assign(new Date(), base)
      : [base];
    return { arg, what: ['the sample as a prototype', 'a class instance', 'a Date with the sample', 'the sample in a list'][k], level: 'shape', field: 'arguments' };
  }
  const arg = wrongValue(rng, 'object', jsonOnly);
  return { arg, what: `${describeValue(arg)} instead of an object`, level: 'shape', field: 'arguments' };
};

const extraKey: Maker = (rng, spec, base, jsonOnly) => {
  let key = rng.pick(HOSTILE_KEYS);
  if (Object.prototype.hasOwnProperty.call(spec, key)) key = `${key}_extra`;
  const arg = defineOwn({ ...base }, key, rng.chance(0.5) ? hostileText(rng, key) : wrongValue(rng, 'other', jsonOnly));
  return { arg, what: `extra key ${describeValue(key)}`, level: 'shape', field: `arguments.${key}` };
};

const missing: Maker = (rng, spec, base, jsonOnly) => {
  const required = Object.keys(spec).filter((k) => spec[k].required);
  if (!required.length) return extraKey(rng, spec, base, jsonOnly);
  const k = rng.pick(required);
  const arg = { ...base };
  delete arg[k];
  return { arg, what: `no ${k}`, level: 'shape', field: `arguments.${k}` };
};

const wrongType: Maker = (rng, spec, base, jsonOnly) => {
  const k = rng.pick(Object.keys(spec));
  const v = wrongForKind(rng, spec[k].kind as ArgKind, jsonOnly);
  return { arg: { ...base, [k]: v }, what: `${k} = ${describeValue(v)}`, level: 'shape', field: `arguments.${k}` };
};

const invalidValue: Maker = (rng, spec, base) => {
  const k = rng.pick(Object.keys(spec));
  const v = invalidForKind(rng, spec[k].kind as ArgKind, base[k]);
  return { arg: { ...base, [k]: v }, what: `${k} = ${describeValue(v)}`, level: 'value' };
};

/** Tricks only same-process callers can play: getters, throwing proxies, a `__proto__` own key. */
const trick: Maker = (rng, spec, base, jsonOnly) => {
  const keys = Object.keys(spec);
  const k = rng.int(jsonOnly ? 1 : 3);
  if (k === 0) {
    const arg = defineOwn({ ...base }, '__proto__', { ...base, isAdmin: true });
    return { arg, what: 'a __proto__ key holding the sample', level: 'shape', field: 'arguments.__proto__' };
  }
  if (k === 1) {
    const key = rng.pick(keys);
    const arg = { ...base };
    delete arg[key];
    let reads = 0;
    // Text on the first read, an object afterwards: a check-then-use race if the value is read twice.
    Object.defineProperty(arg, key, { enumerable: true, configurable: true, get: () => (reads++ === 0 ? 'fuzz' : { evil: true }) });
    return { arg, what: `${key} as a getter`, level: 'shape', field: `arguments.${key}`, noRiders: true };
  }
  const arg = new Proxy({ ...base }, {
    ownKeys: () => {
      throw new Error('hostile proxy: ownKeys');
    },
    get: () => {
      throw new Error('hostile proxy: get');
    },
  });
  return { arg, what: 'a proxy whose traps throw', level: 'shape', field: 'arguments', noRiders: true };
};

const deep: Maker = (rng, spec, base) => {
  const k = rng.pick(Object.keys(spec));
  const kind = spec[k].kind;
  return { arg: { ...base, [k]: deepObject(10_000) }, what: `${k} nested 10,000 levels deep`, level: kind === 'object' || kind === 'objectOrNull' ? 'value' : 'shape', field: kind === 'object' || kind === 'objectOrNull' ? undefined : `arguments.${k}` };
};

const MAKERS: [number, Maker][] = [
  [6, notAnObject],
  [14, extraKey],
  [12, missing],
  [24, wrongType],
  [30, invalidValue],
  [8, trick],
  [6, deep],
];
const TOTAL = MAKERS.reduce((n, [w]) => n + w, 0);

function pickMaker(rng: Rng): Maker {
  let x = rng.int(TOTAL);
  for (const [w, m] of MAKERS) {
    if (x < w) return m;
    x -= w;
  }
  return MAKERS[0][1];
}

/** One invalid case for a command taking an argument object described by `spec`. */
export function argCase(rng: Rng, spec: ArgSpec, sample: Args | undefined, jsonOnly: boolean): ArgCase {
  const base = baseArgs(spec, sample);
  const c = Object.keys(spec).length ? pickMaker(rng)(rng, spec, base, jsonOnly) : pickMaker(rng) === notAnObject ? notAnObject(rng, spec, base, jsonOnly) : extraKey(rng, spec, base, jsonOnly);
  // Riders: hostile text in the other text fields.
  if (rng.chance(0.4) && !c.noRiders && c.arg && typeof c.arg === 'object' && Object.getPrototypeOf(c.arg) === Object.prototype && !Array.isArray(c.arg)) {
    const a = c.arg as Args;
    const broken = c.field?.startsWith('arguments.') ? c.field.slice('arguments.'.length) : undefined;
    for (const [k, { kind }] of Object.entries(spec)) {
      if (k === broken || kind !== 'string' || typeof a[k] !== 'string' || Object.getOwnPropertyDescriptor(a, k)?.get) continue;
      if (!c.what.startsWith(`${k} =`) && rng.chance(0.5)) {
        a[k] = hostileText(rng, k);
        c.what += `, ${k} = ${describeValue(a[k])}`;
      }
    }
  }
  return c;
}

/** Cases for a command that takes no argument object: anything but nothing or `{}` is refused. */
export function noArgsCase(rng: Rng, jsonOnly: boolean): ArgCase {
  return rng.chance(0.5) ? notAnObject(rng, {}, {}, jsonOnly) : extraKey(rng, {}, {}, jsonOnly);
}

/** Cases for a command only a tree row can run: every object is refused. */
export function treeNodeCase(rng: Rng, jsonOnly: boolean): ArgCase {
  if (rng.chance(0.3)) {
    // Look-alikes of the tree's nodes (same fields), which are not the real class.
    const arg = { kind: rng.pick(['more', 'release', 'folder']), status: 'deployed', shown: 200, total: 1e9, session: { name: 'fake' } };
    return { arg, what: 'a look-alike of a tree node', level: 'shape', field: 'arguments' };
  }
  // Whatever it is, the refusal is of the argument as a whole: it is not a row of the tree.
  return { ...noArgsCase(rng, jsonOnly), field: 'arguments' };
}

export { kindOf };
