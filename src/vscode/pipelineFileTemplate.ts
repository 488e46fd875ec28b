// The workspace pipeline file as the commands write it: a template for a new file, and a new
// pipeline added to an existing one as text, so the file's comments and layout stay as the team
// wrote them. Pure (no 'vscode'): unit-tested in plain mocha.
import type { PipelineStep } from '../core/model';
import { parseJsonc, parsePipelineFile } from '../core/pipelineDefinition';
import { ValidationError } from '../core/model';

/**
 * What `$schema` names. The JSON language service prefers a document's `$schema` over the
 * extension's jsonValidation association, so it must be a URI VS Code can load: the extension
 * serves the schema under this scheme (a TextDocumentContentProvider, see pipelineHost.ts).
 */
export const PIPELINE_SCHEMA_SCHEME = 'release-manager';
export const PIPELINE_SCHEMA_URI = `${PIPELINE_SCHEMA_SCHEME}:/schemas/release-pipelines.schema.json`;

/** The steps a new pipeline starts with: something that runs, to be edited. */
export function starterSteps(): PipelineStep[] {
  return [
    { name: 'build', type: 'shell', command: 'echo "Building $RELEASE_VERSION for $TARGET_ENV"', timeoutSeconds: 600 },
    { name: 'deploy', type: 'shell', command: 'echo "Deploying $RELEASE_VERSION to $TARGET_ENV"', timeoutSeconds: 900 },
  ];
}

/** A new file with one pipeline. */
export function pipelineFileTemplate(name: string, steps: PipelineStep[] = starterSteps()): string {
  const doc = { $schema: PIPELINE_SCHEMA_URI, pipelines: [{ name, steps }] };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export interface Insertion {
  text: string;
  /** Offset in the new text where the added pipeline's object starts. */
  at: number;
}

/**
 * `source` with a pipeline appended to its `pipelines` list, leaving everything else as it was.
 * Refused (ValidationError naming the field) when the file does not parse, has no `pipelines`
 * list, or already has a pipeline of that name.
 */
export function addPipeline(source: string, name: string, steps: PipelineStep[] = starterSteps()): Insertion {
  const parsed = parsePipelineFile(source);
  const syntax = parsed.errors.find((e) => e.path === '(file)');
  if (syntax) throw new ValidationError('file', `${syntax.message}; fix it before adding a pipeline`);
  const doc = parseJsonc(source);
  const root = doc.value as { pipelines?: unknown };
  if (typeof root !== 'object' || root === null || !Array.isArray(root.pipelines)) {
    throw new ValidationError('pipelines', 'the file has no "pipelines" list to add to; fix it first');
  }
  const list = root.pipelines as { name?: unknown }[];
  if (list.some((p) => typeof p?.name === 'string' && p.name.trim().toLowerCase() === name.trim().toLowerCase())) {
    throw new ValidationError('name', `the file already declares a pipeline named '${name}'`);
  }
  const open = offsetOf(source, doc.positions.get('pipelines')!);
  const close = matchingBracket(source, open);
  const indent = lineIndent(source, open);
  const inner = `${indent}  `;
  const body = JSON.stringify({ name, steps }, null, 2).split('\n').map((l) => `${inner}${l}`).join('\n');
  // The last element (or the '[' when empty), then whatever trails it (a comma, comments, blanks).
  const lastEnd = list.length ? endOfLastElement(source, open, close) : open + 1;
  const between = source.slice(lastEnd, close);
  const hasTrailingComma = /^\s*,/.test(stripComments(between));
  const prefix = list.length && !hasTrailingComma ? ',' : '';
  const before = source.slice(0, lastEnd) + prefix;
  // Comments after the last element stay where they were.
  const kept = between.replace(/\s+$/, '');
  const insert = `${kept}\n${body}${hasTrailingComma ? ',' : ''}\n${indent}`;
  const text = before + insert + source.slice(close);
  return { text, at: before.length + kept.length + 1 + inner.length };
}

function offsetOf(source: string, p: { line: number; column: number }): number {
  let line = 1;
  let i = 0;
  while (line < p.line) {
    const nl = source.indexOf('\n', i);
    if (nl < 0) break;
    i = nl + 1;
    line++;
  }
  return i + p.column - 1;
}

function lineIndent(source: string, offset: number): string {
  const start = source.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(source.slice(start))![0];
}

/** Scans JSONC from an opening bracket to its match, skipping strings and comments. */
function matchingBracket(source: string, open: number): number {
  let depth = 0;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (c === '"') i = endOfString(source, i);
    else if (c === '/' && source[i + 1] === '/') i = source.indexOf('\n', i) < 0 ? source.length : source.indexOf('\n', i);
    else if (c === '/' && source[i + 1] === '*') i = source.indexOf('*/', i + 2) + 1;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new ValidationError('pipelines', 'the list is not closed');
}

function endOfString(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === '"') return i;
  }
  return source.length;
}

/** Just after the last element of the list that opens at `open` and closes at `close`. */
function endOfLastElement(source: string, open: number, close: number): number {
  let end = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = source[i]!;
    if (c === '"') {
      i = endOfString(source, i);
      end = i + 1;
    } else if (c === '/' && source[i + 1] === '/') i = source.indexOf('\n', i);
    else if (c === '/' && source[i + 1] === '*') i = source.indexOf('*/', i + 2) + 1;
    else if (!/[\s,]/.test(c)) end = i + 1;
  }
  return end;
}

function stripComments(s: string): string {
  return s.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}
