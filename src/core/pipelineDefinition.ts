// Pipeline definitions: validation of steps (shared by the palette/dashboard editor and the
// workspace file) and the parser of the workspace file `.vscode/release-pipelines.json`.
// Pure: no I/O. The file is JSON with comments and trailing commas allowed (VS Code edits files in
// .vscode/ as JSONC), parsed here with positions so every error names its JSON path and line.
import { PIPELINE_STEP_TYPES, ValidationError, type PipelineStep, type PipelineStepType } from './model';

/** The workspace file teams review in git; its JSON schema is media/schemas/release-pipelines.schema.json. */
export const PIPELINE_FILE = '.vscode/release-pipelines.json';

export const MAX_STEPS = 200;
const MAX_SECONDS = 7 * 24 * 3600;
const MAX_RETRIES = 100;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** A pipeline as declared (file or editor), before it gets an id. */
export interface PipelineInput {
  name: string;
  steps: PipelineStep[];
}

export interface PipelineIssue {
  /** JSON path, e.g. `pipelines[1].steps[0].timeoutSeconds`. */
  path: string;
  message: string;
  /** 1-based position in the file, when known. */
  line?: number;
  column?: number;
}

/** `path: message`, the form every error is shown in. */
export const formatIssue = (i: PipelineIssue) => `${i.path}: ${i.message}`;

type Issues = PipelineIssue[];

const COMMON = ['name', 'type', 'timeoutSeconds', 'retries', 'continueOnError'];
const FIELDS: Record<PipelineStepType, string[]> = {
  shell: ['command'],
  task: ['task'],
  http: ['url', 'method', 'expectStatus', 'headers', 'body'],
  approval: ['prompt'],
  wait: ['seconds'],
  deployServices: [],
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `'${v.length > 30 ? `${v.slice(0, 27)}…` : v}'`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

function text(v: unknown, path: string, issues: Issues, opts: { max: number; multiline?: boolean; optional?: boolean }): string | undefined {
  if (v === undefined && opts.optional) return undefined;
  if (typeof v !== 'string') {
    issues.push({ path, message: v === undefined ? 'is required' : `expected text, got ${kind(v)}` });
    return undefined;
  }
  const t = opts.multiline ? v : v.trim();
  if (t.trim() === '') return opts.optional ? undefined : void issues.push({ path, message: 'must not be empty' });
  if (t.length > opts.max) return void issues.push({ path, message: `is ${t.length} characters long; the limit is ${opts.max}` });
  if (!opts.multiline && /[\r\n]/.test(t)) return void issues.push({ path, message: 'must be a single line' });
  if (CONTROL.test(t)) return void issues.push({ path, message: 'contains control characters' });
  return t;
}

function positive(v: unknown, path: string, issues: Issues, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return void issues.push({ path, message: 'expected a positive number' });
  if (v > max) return void issues.push({ path, message: `is more than ${max}` });
  return v;
}

function status(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 100 && v <= 599;
}

/** Checks one step; pushes issues naming `path.field`; returns the clean step when it has none. */
export function checkStep(raw: unknown, path: string, issues: Issues): PipelineStep | undefined {
  if (!isObject(raw)) return void issues.push({ path, message: `expected an object, got ${kind(raw)}` });
  const before = issues.length;
  const type = raw.type;
  if (typeof type !== 'string' || !PIPELINE_STEP_TYPES.includes(type as PipelineStepType)) {
    issues.push({
      path: `${path}.type`,
      message: type === undefined ? `is required (one of ${PIPELINE_STEP_TYPES.join(', ')})` : `${kind(type)} is not one of ${PIPELINE_STEP_TYPES.join(', ')}`,
    });
    return undefined;
  }
  const t = type as PipelineStepType;
  for (const key of Object.keys(raw)) {
    if (!COMMON.includes(key) && !FIELDS[t].includes(key)) {
      issues.push({ path: `${path}.${key}`, message: `is not a field of a ${t} step (fields: ${[...COMMON, ...FIELDS[t]].join(', ')})` });
    }
  }
  const name = text(raw.name, `${path}.name`, issues, { max: 100 });
  const timeoutSeconds = positive(raw.timeoutSeconds, `${path}.timeoutSeconds`, issues, MAX_SECONDS);
  let retries: number | undefined;
  if (raw.retries !== undefined) {
    if (typeof raw.retries !== 'number' || !Number.isInteger(raw.retries) || raw.retries < 0 || raw.retries > MAX_RETRIES) {
      issues.push({ path: `${path}.retries`, message: `expected a whole number from 0 to ${MAX_RETRIES}` });
    } else retries = raw.retries;
  }
  let continueOnError: boolean | undefined;
  if (raw.continueOnError !== undefined) {
    if (typeof raw.continueOnError !== 'boolean') issues.push({ path: `${path}.continueOnError`, message: 'expected true or false' });
    else continueOnError = raw.continueOnError;
  }
  const base = { name: name ?? '', ...(timeoutSeconds !== undefined && { timeoutSeconds }), ...(retries !== undefined && { retries }),
    ...(continueOnError !== undefined && { continueOnError }) };
  let step: PipelineStep | undefined;
  switch (t) {
    case 'shell': {
      const command = text(raw.command, `${path}.command`, issues, { max: 20_000, multiline: true });
      step = { ...base, type: 'shell', command: command ?? '' };
      break;
    }
    case 'task': {
      const task = text(raw.task, `${path}.task`, issues, { max: 200 });
      step = { ...base, type: 'task', task: task ?? '' };
      break;
    }
    case 'http': {
      const url = text(raw.url, `${path}.url`, issues, { max: 4096 });
      if (url !== undefined) {
        let parsed: URL | undefined;
        try {
          parsed = new URL(url);
        } catch {
          issues.push({ path: `${path}.url`, message: `'${url}' is not a valid URL` });
        }
        if (parsed && parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
          issues.push({ path: `${path}.url`, message: `must be an http: or https: URL, got ${parsed.protocol}` });
        }
      }
      const s: PipelineStep = { ...base, type: 'http', url: url ?? '' };
      if (raw.method !== undefined) {
        if (typeof raw.method !== 'string' || !TOKEN.test(raw.method)) issues.push({ path: `${path}.method`, message: `${kind(raw.method)} is not an HTTP method` });
        else s.method = raw.method.toUpperCase();
      }
      if (raw.expectStatus !== undefined) {
        const e = raw.expectStatus;
        if (Array.isArray(e)) {
          if (e.length === 0) issues.push({ path: `${path}.expectStatus`, message: 'must list at least one status' });
          e.forEach((x, i) => { if (!status(x)) issues.push({ path: `${path}.expectStatus[${i}]`, message: 'expected an HTTP status from 100 to 599' }); });
          s.expectStatus = e as number[];
        } else if (!status(e)) issues.push({ path: `${path}.expectStatus`, message: 'expected an HTTP status from 100 to 599, or a list of them' });
        else s.expectStatus = e as number;
      }
      if (raw.headers !== undefined) {
        if (!isObject(raw.headers)) issues.push({ path: `${path}.headers`, message: `expected an object of header names to values, got ${kind(raw.headers)}` });
        else {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(raw.headers)) {
            if (!TOKEN.test(k)) issues.push({ path: `${path}.headers`, message: `'${k}' is not a valid header name` });
            else if (typeof v !== 'string' || /[\r\n\0]/.test(v)) issues.push({ path: `${path}.headers.${k}`, message: 'expected a single line of text' });
            else headers[k] = v;
          }
          s.headers = headers;
        }
      }
      if (raw.body !== undefined) {
        if (typeof raw.body !== 'string') issues.push({ path: `${path}.body`, message: `expected text, got ${kind(raw.body)}` });
        else if (raw.body.length > 1_000_000) issues.push({ path: `${path}.body`, message: 'is longer than 1,000,000 characters' });
        else s.body = raw.body;
      }
      step = s;
      break;
    }
    case 'approval': {
      const prompt = text(raw.prompt, `${path}.prompt`, issues, { max: 2000, multiline: true, optional: true });
      step = { ...base, type: 'approval', ...(prompt !== undefined && { prompt }) };
      break;
    }
    case 'wait': {
      const seconds = raw.seconds === undefined ? void issues.push({ path: `${path}.seconds`, message: 'is required (a positive number)' })
        : positive(raw.seconds, `${path}.seconds`, issues, MAX_SECONDS);
      step = { ...base, type: 'wait', seconds: seconds ?? 0 };
      break;
    }
    case 'deployServices':
      step = { ...base, type: 'deployServices' };
      break;
  }
  return issues.length === before ? step : undefined;
}

/** Checks a step list (1 to MAX_STEPS steps, unique names). */
export function checkSteps(raw: unknown, path: string, issues: Issues): PipelineStep[] | undefined {
  if (!Array.isArray(raw)) return void issues.push({ path, message: raw === undefined ? 'is required (a list of steps)' : `expected a list of steps, got ${kind(raw)}` });
  if (raw.length === 0) return void issues.push({ path, message: 'must have at least one step' });
  if (raw.length > MAX_STEPS) return void issues.push({ path, message: `has ${raw.length} steps; the limit is ${MAX_STEPS}` });
  const before = issues.length;
  const steps = raw.map((s, i) => checkStep(s, `${path}[${i}]`, issues));
  const seen = new Map<string, number>();
  steps.forEach((s, i) => {
    if (!s) return;
    const key = s.name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) issues.push({ path: `${path}[${i}].name`, message: `'${s.name}' is also the name of ${path}[${first}]; step names must be unique` });
    else seen.set(key, i);
  });
  return issues.length === before ? (steps as PipelineStep[]) : undefined;
}

export function checkPipelineName(raw: unknown, path: string, issues: Issues): string | undefined {
  return text(raw, path, issues, { max: 100 });
}

/** For the editor: the first issue as a ValidationError naming the field (`steps[0].timeoutSeconds`). */
export function validateSteps(raw: unknown): PipelineStep[] {
  const issues: Issues = [];
  const steps = checkSteps(raw, 'steps', issues);
  if (issues.length || !steps) throw new ValidationError(issues[0]?.path ?? 'steps', issues[0]?.message ?? 'invalid');
  return steps;
}

// ---------------------------------------------------------------- the workspace file

export interface PipelineFileResult {
  pipelines: PipelineInput[];
  /** Empty when the file is valid; then every pipeline is in `pipelines`. */
  errors: PipelineIssue[];
}

/**
 * Parses the workspace pipeline file:
 * `{ "$schema"?: …, "pipelines": [ { "name": "deploy", "steps": [ { "name": "build", "type": "shell", "command": "npm run build" } ] } ] }`.
 * Comments and trailing commas are accepted. Errors name the JSON path and the line and column;
 * a file with errors yields no pipelines (a half-applied file would be harder to reason about).
 */
export function parsePipelineFile(text: string, fileName: string = PIPELINE_FILE): PipelineFileResult {
  let doc: ParsedJson;
  try {
    doc = parseJsonc(text);
  } catch (err) {
    if (err instanceof JsoncSyntaxError) {
      return { pipelines: [], errors: [{ path: '(file)', message: `${fileName}:${err.line}:${err.column}: ${err.message}`, line: err.line, column: err.column }] };
    }
    throw err;
  }
  const issues: Issues = [];
  const root = doc.value;
  const pipelines: PipelineInput[] = [];
  if (!isObject(root)) {
    issues.push({ path: '(root)', message: `expected an object with "pipelines", got ${kind(root)}` });
  } else {
    for (const key of Object.keys(root)) {
      if (key !== 'pipelines' && key !== '$schema') issues.push({ path: key, message: 'is not a known field (expected "pipelines" and optionally "$schema")' });
    }
    const list = root.pipelines;
    if (!Array.isArray(list)) {
      issues.push({ path: 'pipelines', message: list === undefined ? 'is required (a list of pipelines)' : `expected a list of pipelines, got ${kind(list)}` });
    } else {
      const names = new Map<string, number>();
      list.forEach((p, i) => {
        const path = `pipelines[${i}]`;
        if (!isObject(p)) return void issues.push({ path, message: `expected an object with name and steps, got ${kind(p)}` });
        for (const key of Object.keys(p)) {
          if (key !== 'name' && key !== 'steps') issues.push({ path: `${path}.${key}`, message: 'is not a field of a pipeline (fields: name, steps)' });
        }
        const name = checkPipelineName(p.name, `${path}.name`, issues);
        const steps = checkSteps(p.steps, `${path}.steps`, issues);
        if (name !== undefined) {
          const first = names.get(name.toLowerCase());
          if (first !== undefined) issues.push({ path: `${path}.name`, message: `'${name}' is also the name of pipelines[${first}]; pipeline names must be unique` });
          else names.set(name.toLowerCase(), i);
        }
        if (name !== undefined && steps) pipelines.push({ name, steps });
      });
    }
  }
  for (const issue of issues) {
    const at = locate(doc.positions, issue.path);
    if (at) {
      issue.line = at.line;
      issue.column = at.column;
    }
  }
  return issues.length ? { pipelines: [], errors: issues } : { pipelines, errors: [] };
}

/** The position of `path`, or of its nearest ancestor that exists in the file. */
function locate(positions: Map<string, Position>, path: string): Position | undefined {
  let p = path;
  for (;;) {
    const at = positions.get(p);
    if (at) return at;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return positions.get('');
    p = p.slice(0, cut);
  }
}

// ---------------------------------------------------------------- JSON with comments, with positions

interface Position {
  line: number;
  column: number;
}

interface ParsedJson {
  value: unknown;
  /** Where each value starts, by JSON path ('' is the root). */
  positions: Map<string, Position>;
}

export class JsoncSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
    this.name = 'JsoncSyntaxError';
  }
}

const MAX_DEPTH = 64;

/** JSON plus // and /* *\/ comments and trailing commas. Keys become paths `a.b[0]`. */
export function parseJsonc(source: string): ParsedJson {
  let i = 0;
  const positions = new Map<string, Position>();
  const lineStarts = [0];
  for (let k = 0; k < source.length; k++) if (source.charCodeAt(k) === 10) lineStarts.push(k + 1);
  const posAt = (offset: number): Position => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
  };
  const fail = (message: string, at = i): never => {
    const p = posAt(at);
    throw new JsoncSyntaxError(message, p.line, p.column);
  };
  const skip = () => {
    for (;;) {
      const c = source[i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\ufeff') i++;
      else if (c === '/' && source[i + 1] === '/') {
        while (i < source.length && source[i] !== '\n') i++;
      } else if (c === '/' && source[i + 1] === '*') {
        const end = source.indexOf('*/', i + 2);
        if (end < 0) fail('unterminated comment');
        i = end + 2;
      } else return;
    }
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      if (i >= source.length) fail('unterminated string', start);
      const c = source[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\n' || c.charCodeAt(0) < 0x20) fail('line break or control character in a string (use \\n)');
      if (c === '\\') {
        const e = source[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && e in map) {
          out += map[e];
          i += 2;
        } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
          i += 6;
        } else fail('invalid escape in a string');
      } else {
        out += c;
        i++;
      }
    }
  };
  const value = (path: string, depth: number): unknown => {
    skip();
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    positions.set(path, posAt(i));
    const c = source[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      skip();
      if (source[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        skip();
        if (source[i] !== '"') fail(source[i] === '}' ? 'expected a property name' : `expected a property name in double quotes, got ${show(source[i])}`);
        const keyAt = i;
        const key = str();
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`duplicate property "${key}"`, keyAt);
        skip();
        if (source[i] !== ':') fail(`expected ':' after "${key}", got ${show(source[i])}`);
        i++;
        const childPath = path ? `${path}.${key}` : key;
        Object.defineProperty(obj, key, { value: value(childPath, depth + 1), enumerable: true, writable: true, configurable: true });
        skip();
        if (source[i] === ',') {
          i++;
          skip();
          if (source[i] === '}') {
            i++;
            return obj;
          }
          continue;
        }
        if (source[i] === '}') {
          i++;
          return obj;
        }
        fail(`expected ',' or '}', got ${show(source[i])}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      skip();
      if (source[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(`${path}[${arr.length}]`, depth + 1));
        skip();
        if (source[i] === ',') {
          i++;
          skip();
          if (source[i] === ']') {
            i++;
            return arr;
          }
          continue;
        }
        if (source[i] === ']') {
          i++;
          return arr;
        }
        fail(`expected ',' or ']', got ${show(source[i])}`);
      }
    }
    if (c === '"') return str();
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i, i + 400));
    if (m && m[0]) {
      i += m[0].length;
      return Number(m[0]);
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (source.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(c === undefined ? 'unexpected end of file' : `unexpected ${show(c)}`);
  };
  const v = value('', 0);
  skip();
  if (i < source.length) fail(`unexpected ${show(source[i])} after the end of the document`);
  return { value: v, positions };
}

function show(c: string | undefined): string {
  return c === undefined ? 'end of file' : JSON.stringify(c);
}
