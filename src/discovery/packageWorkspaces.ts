// npm / yarn / pnpm workspaces → packages and the edges between siblings, each edge located at
// the dependency's line in the dependent's package.json. Node only (reads the file system).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq } from 'yaml';
import type { YAMLMap } from 'yaml';
import { compareNames } from '../core/dependencyGraph';
import { MAX_FILE_BYTES, type DiscoveryDiagnostic, type SourceRange } from './diagnostic';
import { DEFAULT_IGNORE, joinRel, normaliseRel, readCapped } from './files';
import { scalarString, YamlSource } from './yamlSource';

export const DEPENDENCY_FIELDS = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'] as const;
export type DependencyField = (typeof DEPENDENCY_FIELDS)[number];

export interface WorkspacePackage extends SourceRange {
  /** The package.json `name`. */
  name: string;
  /** The package folder, relative to the discovery root (posix). */
  dir: string;
  /** Its package.json, relative to the discovery root; the range is that of the `name` value. */
  file: string;
}

export interface PackageEdge extends SourceRange {
  /** The dependent package. */
  from: string;
  /** The sibling workspace package it depends on. */
  to: string;
  /** The dependent's package.json; the range is that of the dependency's key. */
  file: string;
  field: DependencyField;
  /** The version range as written: `workspace:*`, `^1.2.0`, … */
  spec: string;
}

export interface PackageWorkspace {
  /** The workspace root folder, relative to the discovery root. */
  root: string;
  manager: 'npm' | 'yarn' | 'pnpm';
  /** The files that declare the package patterns. */
  manifests: string[];
  patterns: string[];
  packages: WorkspacePackage[];
  edges: PackageEdge[];
  diagnostics: DiscoveryDiagnostic[];
  /** Every file read, relative to the discovery root. */
  files: string[];
}

export interface PackageWorkspaceOptions {
  /** How deep `**` descends below its literal prefix. */
  maxDepth?: number;
  ignore?: readonly string[];
  maxBytes?: number;
}

/**
 * The workspace declared in `workspaceDir` (relative to `rootDir`) by package.json `workspaces`
 * (array or `{ packages: [] }`) and/or pnpm-workspace.yaml `packages:`; null when it declares none.
 */
export async function readPackageWorkspace(
  rootDir: string,
  workspaceDir = '.',
  options: PackageWorkspaceOptions = {},
): Promise<PackageWorkspace | null> {
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const ignore = options.ignore ?? DEFAULT_IGNORE;
  const maxDepth = options.maxDepth ?? 8;
  const ws: PackageWorkspace = { root: workspaceDir, manager: 'npm', manifests: [], patterns: [], packages: [], edges: [], diagnostics: [], files: [] };

  const rootManifest = joinRel(workspaceDir, 'package.json');
  const rootPkg = await readJsonManifest(rootDir, rootManifest, maxBytes, ws);
  if (rootPkg) {
    const declared = rootPkg.src.get(rootPkg.map, 'workspaces');
    if (declared) {
      let list = declared.value;
      if (isMap(list)) list = rootPkg.src.get(list, 'packages')?.value ?? null;
      if (isSeq(list)) {
        ws.manifests.push(rootManifest);
        ws.patterns.push(...stringItems(rootPkg.src, list, ws, 'workspaces'));
      } else {
        ws.diagnostics.push(rootPkg.src.diagnostic(declared.value, 'error', 'package/invalid-workspaces', '`workspaces` must be a list of folder patterns or { "packages": [...] }'));
      }
    }
  }

  const pnpmFile = joinRel(workspaceDir, 'pnpm-workspace.yaml');
  const pnpmRead = await readCapped(path.join(rootDir, pnpmFile), maxBytes);
  if (pnpmRead.ok) {
    ws.files.push(pnpmFile);
    ws.manager = 'pnpm';
    const { source, diagnostics } = YamlSource.parse(pnpmFile, pnpmRead.content, 'package', { maxBytes });
    ws.diagnostics.push(...diagnostics);
    const root = source?.contents ?? null;
    if (source && root !== null) {
      const packages = isMap(root) ? source.get(root, 'packages') : undefined;
      if (!isMap(root)) {
        ws.diagnostics.push(source.diagnostic(root, 'error', 'package/invalid-workspaces', 'pnpm-workspace.yaml must be a mapping'));
      } else if (packages && isSeq(packages.value)) {
        ws.manifests.push(pnpmFile);
        ws.patterns.push(...stringItems(source, packages.value, ws, 'packages'));
      } else if (packages && packages.value !== null) {
        ws.diagnostics.push(source.diagnostic(packages.value, 'error', 'package/invalid-workspaces', '`packages` must be a list of folder patterns'));
      }
    }
  } else if (!pnpmRead.message.includes('ENOENT')) {
    ws.files.push(pnpmFile);
    ws.diagnostics.push({ file: pnpmFile, line: 1, column: 1, severity: 'error', code: 'package/unreadable', message: pnpmRead.message });
  }

  if (!ws.manifests.length) return ws.diagnostics.length ? ws : null;
  if (ws.manager !== 'pnpm' && (await exists(path.join(rootDir, workspaceDir, 'yarn.lock')))) ws.manager = 'yarn';

  const dirs = await resolveWorkspaceDirs(path.join(rootDir, workspaceDir), ws.patterns, maxDepth, ignore);
  const byName = new Map<string, WorkspacePackage>();
  const manifests: { pkg: WorkspacePackage; src: YamlSource; map: YAMLMap }[] = [];
  for (const dir of dirs) {
    const relDir = dir === '.' ? workspaceDir : joinRel(workspaceDir, dir);
    const file = joinRel(relDir, 'package.json');
    const read = await readJsonManifest(rootDir, file, maxBytes, ws);
    if (!read) continue;
    const nameEntry = read.src.get(read.map, 'name');
    const name = scalarString(nameEntry?.value ?? null);
    if (!name) {
      ws.diagnostics.push(read.src.diagnostic(nameEntry?.value ?? read.map, 'warning', 'package/missing-name', 'Workspace package has no "name": other packages cannot depend on it'));
      continue;
    }
    const pkg: WorkspacePackage = { name, dir: relDir, file, ...read.src.range(nameEntry!.value) };
    const clash = byName.get(name);
    if (clash) {
      ws.diagnostics.push(read.src.diagnostic(nameEntry!.value, 'warning', 'package/duplicate-name', `Package name "${name}" is also used by ${clash.file}; only the first is proposed`));
      continue;
    }
    byName.set(name, pkg);
    ws.packages.push(pkg);
    manifests.push({ pkg, ...read });
  }

  for (const { pkg, src, map } of manifests) {
    for (const field of DEPENDENCY_FIELDS) {
      const block = src.get(map, field);
      if (!block || block.value === null) continue;
      if (!isMap(block.value)) {
        ws.diagnostics.push(src.diagnostic(block.value, 'warning', 'package/invalid-dependencies', `"${field}" must be an object`));
        continue;
      }
      for (const dep of src.entries(block.value)) {
        const spec = scalarString(dep.value) ?? '';
        const to = aliasTarget(spec) ?? dep.name;
        if (to === pkg.name || !byName.has(to)) continue;
        ws.edges.push({ from: pkg.name, to, file: pkg.file, ...src.range(dep.key), field, spec });
      }
    }
  }
  return ws;
}

async function readJsonManifest(
  rootDir: string,
  file: string,
  maxBytes: number,
  ws: PackageWorkspace,
): Promise<{ src: YamlSource; map: YAMLMap } | null> {
  const read = await readCapped(path.join(rootDir, file), maxBytes);
  if (!read.ok) {
    if (!read.message.includes('ENOENT')) {
      ws.files.push(file);
      ws.diagnostics.push({ file, line: 1, column: 1, severity: 'error', code: 'package/unreadable', message: read.message });
    }
    return null;
  }
  ws.files.push(file);
  const { source, diagnostics } = YamlSource.parse(file, read.content, 'package', { maxBytes, json: true });
  ws.diagnostics.push(...diagnostics);
  if (!source) return null;
  const map = source.contents;
  if (!isMap(map)) {
    ws.diagnostics.push(source.diagnostic(map, 'error', 'package/not-an-object', 'package.json must be an object'));
    return null;
  }
  return { src: source, map };
}

function stringItems(src: YamlSource, seq: import('yaml').YAMLSeq, ws: PackageWorkspace, what: string): string[] {
  const out: string[] = [];
  for (const item of src.items(seq)) {
    const s = scalarString(item);
    if (s === undefined || s === '') ws.diagnostics.push(src.diagnostic(item, 'warning', 'package/invalid-pattern', `Each entry of "${what}" must be a folder pattern`));
    else out.push(s);
  }
  return out;
}

/** The real package behind an alias: `npm:@acme/db@^1` or pnpm's `workspace:@acme/db@*` → `@acme/db`. */
function aliasTarget(spec: string): string | undefined {
  return /^(?:npm|workspace):((?:@[^/@]+\/)?[^/@]+)@/.exec(spec)?.[1];
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- folder globs

/**
 * Folders (relative to `base`, posix, sorted) holding a package.json and matched by the patterns:
 * `*`, `?`, `[abc]`, `**` (any depth), `{a,b}`, and `!pattern` to exclude. As in npm and pnpm,
 * wildcards do not match names starting with a dot.
 */
export async function resolveWorkspaceDirs(
  base: string,
  patterns: readonly string[],
  maxDepth = 8,
  ignore: readonly string[] = DEFAULT_IGNORE,
): Promise<string[]> {
  const include: string[] = [];
  const exclude: ((p: string) => boolean)[] = [];
  for (const raw of patterns) {
    for (const p of expandBraces(raw.trim())) {
      if (p.startsWith('!')) {
        const m = compileFolderGlob(p.slice(1));
        if (m) exclude.push(m);
      } else include.push(p);
    }
  }
  const ignored = new Set(ignore);
  const found = new Set<string>();
  for (const pattern of include) {
    const norm = normalisePattern(pattern);
    if (norm === null) continue;
    const match = compileFolderGlob(norm)!;
    const segs = norm === '.' ? [] : norm.split('/');
    const firstGlob = segs.findIndex((s) => /[*?[]/.test(s));
    const prefix = firstGlob === -1 ? segs : segs.slice(0, firstGlob);
    const rest = firstGlob === -1 ? [] : segs.slice(firstGlob);
    const depth = rest.includes('**') ? maxDepth : rest.length;
    const start = prefix.length ? prefix.join('/') : '.';
    if (prefix.some((s) => ignored.has(s))) continue;
    const walk = async (rel: string, left: number): Promise<void> => {
      if (match(rel) && (await exists(path.join(base, rel, 'package.json')))) found.add(rel);
      if (left <= 0) return;
      let entries;
      try {
        entries = await fs.readdir(path.join(base, rel), { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.isDirectory() && !ignored.has(e.name)) await walk(joinRel(rel, e.name), left - 1);
      }
    };
    await walk(start, depth);
  }
  return [...found].filter((d) => !exclude.some((m) => m(d))).sort(compareNames);
}

function normalisePattern(pattern: string): string | null {
  let p = pattern.replace(/\\/g, '/').replace(/\/+$/, '');
  if (p.endsWith('/package.json')) p = p.slice(0, -'/package.json'.length);
  // `**` may not take part in a .. step; normaliseRel would treat it as a name, which is right.
  return normaliseRel(p === '' ? '.' : p);
}

/** `{a,b}c` → ['ac', 'bc'] (nested braces expand too; at most 256 results). */
export function expandBraces(pattern: string): string[] {
  const open = pattern.indexOf('{');
  if (open === -1) return [pattern];
  let depth = 0;
  let close = -1;
  const commas: number[] = [];
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) {
      close = i;
      break;
    } else if (c === ',' && depth === 1) commas.push(i);
  }
  if (close === -1 || !commas.length) return [pattern];
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  const bounds = [open, ...commas, close];
  const out: string[] = [];
  for (let k = 0; k + 1 < bounds.length && out.length < 256; k++) {
    for (const t of expandBraces(head + pattern.slice(bounds[k]! + 1, bounds[k + 1]) + tail)) {
      if (out.length < 256) out.push(t);
    }
  }
  return out;
}

/** A matcher for relative posix folder paths ('.' is the base itself); null for an unusable pattern. */
export function compileFolderGlob(pattern: string): ((relDir: string) => boolean) | null {
  const norm = normalisePattern(pattern);
  if (norm === null) return null;
  const segs = norm === '.' ? [] : norm.split('/');
  const matchers = segs.map((s) => (s === '**' ? null : segmentRegExp(s)));
  return (relDir: string) => {
    const parts = relDir === '.' || relDir === '' ? [] : relDir.split('/');
    // memo over (pattern index, path index): `**` makes plain recursion exponential
    const memo = new Map<number, boolean>();
    const go = (i: number, j: number): boolean => {
      const key = i * (parts.length + 1) + j;
      const cached = memo.get(key);
      if (cached !== undefined) return cached;
      let r: boolean;
      if (i === matchers.length) r = j === parts.length;
      else if (matchers[i] === null) {
        r = go(i + 1, j) || (j < parts.length && !parts[j]!.startsWith('.') && go(i, j + 1));
      } else r = j < parts.length && matchers[i]!.test(parts[j]!) && go(i + 1, j + 1);
      memo.set(key, r);
      return r;
    };
    return go(0, 0);
  };
}

function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end === -1) re += '\\[';
      else {
        let body = seg.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  // Wildcards never match a leading dot (npm, pnpm and minimatch agree).
  const dotSafe = /^[*?[]/.test(seg) ? '(?!\\.)' : '';
  return new RegExp(`^${dotSafe}${re}$`);
}
