// A parsed YAML (or JSON) file whose nodes we read with their positions. We walk the AST instead
// of calling toJS(): positions survive, and aliases are only followed where we look, one step at
// a time, so alias bombs (billion laughs) cost nothing.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, YAMLParseError } from 'yaml';
import type { Document, Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import {
  decodeUtf8,
  MAX_FILE_BYTES,
  notTextReason,
  type DiagnosticSeverity,
  type DiscoveryDiagnostic,
  type SourceRange,
} from './diagnostic';

export interface MapEntry {
  /** The key as a string (non-scalar keys are skipped). */
  name: string;
  key: Scalar;
  /** The value with aliases resolved; null for an empty value. */
  value: Node | null;
}

export interface ParseOptions {
  maxBytes?: number;
  /** Most syntax errors reported for one file (the rest are summed up in one line). */
  maxErrors?: number;
  /** JSON files: duplicate keys are legal there (the last one wins). */
  json?: boolean;
}

const MAX_MERGE_DEPTH = 16;

export class YamlSource {
  private anchors: Map<string, { start: number; node: Node }[]> | undefined;
  /**
   * Entries copied in through `<<` merges, file-wide. Merging a large anchor into many maps is
   * the merge-key flavour of an alias bomb; past this budget merges are skipped and reported.
   */
  private mergeBudget = 200_000;
  /** Set once merges were skipped for lack of budget. */
  mergeBudgetExceeded = false;

  private constructor(
    readonly file: string,
    readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  /**
   * Parse `content`; never throws. `source` is null when the file cannot be used (too big,
   * binary, syntax errors): the diagnostics say why.
   */
  static parse(
    file: string,
    content: string | Uint8Array,
    codePrefix: string,
    options: ParseOptions = {},
  ): { source: YamlSource | null; diagnostics: DiscoveryDiagnostic[] } {
    const diagnostics: DiscoveryDiagnostic[] = [];
    const at = (severity: DiagnosticSeverity, code: string, message: string): DiscoveryDiagnostic => ({
      file, line: 1, column: 1, severity, message, code: `${codePrefix}/${code}`,
    });
    const bad = notTextReason(content, options.maxBytes ?? MAX_FILE_BYTES);
    if (bad) return { source: null, diagnostics: [at('error', bad.code, bad.message)] };
    const text = decodeUtf8(content);
    if (text === null) return { source: null, diagnostics: [at('error', 'binary', 'Not a text file (it is not valid UTF-8)')] };
    const lines = new LineCounter();
    let doc: Document.Parsed;
    try {
      doc = parseDocument(text, {
        lineCounter: lines,
        prettyErrors: false,
        merge: !options.json,
        // The library checks key uniqueness pairwise (quadratic: minutes for a 5 MB map);
        // duplicateKeys() below does it with a Set.
        uniqueKeys: false,
      });
    } catch (e) {
      return { source: null, diagnostics: [at('error', 'parse-failed', `Could not parse: ${(e as Error).message}`)] };
    }
    const source = new YamlSource(file, doc, lines);
    if (!doc.errors.length && !options.json) {
      for (const key of duplicateKeys(doc)) {
        doc.errors.push(new YAMLParseError([key.range![0], key.range![1]], 'DUPLICATE_KEY', `Map keys must be unique ("${String(key.value)}" appears before)`));
      }
    }
    const maxErrors = options.maxErrors ?? 20;
    const errorCode = options.json ? 'invalid-json' : 'invalid-yaml';
    for (const err of doc.errors.slice(0, maxErrors)) {
      diagnostics.push({ file, ...source.offsets(err.pos[0], err.pos[1]), severity: 'error', message: cleanMessage(err.message), code: `${codePrefix}/${errorCode}` });
    }
    if (doc.errors.length > maxErrors) {
      const last = diagnostics[diagnostics.length - 1]!;
      diagnostics.push({ ...last, message: `…and ${doc.errors.length - maxErrors} more syntax errors` });
    }
    for (const w of doc.warnings.slice(0, maxErrors)) {
      diagnostics.push({ file, ...source.offsets(w.pos[0], w.pos[1]), severity: 'warning', message: cleanMessage(w.message), code: `${codePrefix}/yaml-warning` });
    }
    return { source: doc.errors.length ? null : source, diagnostics };
  }

  get contents(): Node | null {
    return this.resolve(this.doc.contents as Node | null);
  }

  /** 1-based position of a node (its value, without trailing comments). */
  range(node: Node | null | undefined): SourceRange {
    const r = node?.range;
    if (!r) return { line: 1, column: 1, endLine: 1, endColumn: 1 };
    return this.offsets(r[0], r[1]);
  }

  offsets(start: number, end: number): SourceRange {
    const a = this.lines.linePos(start);
    const b = this.lines.linePos(Math.max(start, end));
    return { line: a.line, column: a.col, endLine: b.line, endColumn: b.col };
  }

  diagnostic(node: Node | null | undefined, severity: DiagnosticSeverity, code: string, message: string): DiscoveryDiagnostic {
    return { file: this.file, ...this.range(node), severity, message, code };
  }

  /** Follow aliases (bounded: an alias to an alias to …). */
  resolve(node: Node | null | undefined): Node | null {
    let n: Node | null | undefined = node;
    for (let i = 0; i < MAX_MERGE_DEPTH && n && isAlias(n); i++) n = this.anchorFor(n.source, n.range?.[0] ?? Infinity);
    return n && !isAlias(n) ? n : null;
  }

  /**
   * The entries of a mapping, with `<<` merge keys applied (own keys win, then merged maps in
   * order), as docker compose reads them.
   */
  entries(map: YAMLMap, depth = 0): MapEntry[] {
    const own: MapEntry[] = [];
    const merged: MapEntry[] = [];
    for (const pair of map.items) {
      const key = pair.key as Node | null;
      if (!isScalar(key)) continue;
      if (typeof key.value === 'symbol') {
        if (depth >= MAX_MERGE_DEPTH) continue;
        const v = this.resolve(pair.value as Node | null);
        const sources = isSeq(v) ? v.items.map((i) => this.resolve(i as Node)) : [v];
        for (const s of sources) {
          if (!isMap(s)) continue;
          if (this.mergeBudget <= 0) {
            this.mergeBudgetExceeded = true;
            break;
          }
          const more = this.entries(s, depth + 1);
          this.mergeBudget -= more.length;
          merged.push(...more);
        }
        continue;
      }
      if (key.value === null || key.value === undefined) continue;
      own.push({ name: String(key.value), key, value: this.resolve(pair.value as Node | null) });
    }
    if (!merged.length) return own;
    const seen = new Set(own.map((e) => e.name));
    for (const e of merged) {
      if (seen.has(e.name)) continue;
      seen.add(e.name);
      own.push(e);
    }
    return own;
  }

  get(map: YAMLMap, name: string): MapEntry | undefined {
    return this.entries(map).find((e) => e.name === name);
  }

  items(seq: YAMLSeq): (Node | null)[] {
    return seq.items.map((i) => this.resolve(i as Node | null));
  }

  private anchorFor(name: string, before: number): Node | undefined {
    if (!this.anchors) {
      const anchors = new Map<string, { start: number; node: Node }[]>();
      try {
        visit(this.doc, (_key, node) => {
          const n = node as Node;
          if (n && typeof n === 'object' && 'anchor' in n && n.anchor && !isAlias(n)) {
            const list = anchors.get(n.anchor) ?? [];
            list.push({ start: n.range?.[0] ?? 0, node: n });
            anchors.set(n.anchor, list);
          }
        });
      } catch {
        // A document too deep to walk: aliases stay unresolved.
      }
      this.anchors = anchors;
    }
    // An alias refers to the closest anchor of that name before it.
    const list = this.anchors.get(name);
    if (!list) return undefined;
    // Binary search: the list is in document order.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.start < before) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? list[lo - 1]!.node : undefined;
  }
}

/** Second and later occurrences of a scalar key in the same mapping (merge keys aside). */
function duplicateKeys(doc: Document.Parsed): Scalar[] {
  const out: Scalar[] = [];
  try {
    visit(doc, {
      Map(_key, map) {
        const seen = new Set<unknown>();
        for (const pair of map.items) {
          const k = pair.key;
          if (!isScalar(k) || typeof k.value === 'symbol' || !k.range) continue;
          const id = k.value;
          if (seen.has(id)) out.push(k);
          else seen.add(id);
        }
      },
    });
  } catch {
    // Too deep to walk: the library has already reported such documents as errors.
  }
  return out;
}

/** The library's message without its " at line L, column C" suffix: our diagnostic carries the position. */
function cleanMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  return first.replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** No value: absent, `~`, `null` or nothing after the colon. */
export function isEmpty(node: Node | null | undefined): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export function scalarString(node: Node | null): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}
