// Services and dependencies proposed from an open workspace: compose files and npm/yarn/pnpm
// workspaces. The user accepts or rejects the proposal; every item says where it came from.
import path from 'node:path';
import { compareNames, findCycles } from '../core/dependencyGraph';
import {
  compareComposeFiles,
  isComposeFileName,
  mergeComposeFiles,
  parseComposeFile,
  validateComposeProject,
  type ComposeFileResult,
  type ComposeService,
  type DependsOnCondition,
} from './compose';
import { MAX_FILE_BYTES, type DiscoveryDiagnostic } from './diagnostic';
import { DEFAULT_IGNORE, joinRel, normaliseRel, readCapped, walkDirs } from './files';
import { readPackageWorkspace, type DependencyField, type PackageEdge } from './packageWorkspaces';

export interface DiscoverOptions {
  /** Folder levels searched below the root (0 = the root only). Default 6. */
  maxDepth?: number;
  /** Folder names never entered. Default node_modules, .git, dist. */
  ignore?: readonly string[];
  /** Larger files are reported, not read. Default 1 MB (MAX_FILE_BYTES). */
  maxBytes?: number;
}

export interface SourceRef {
  /** Relative to the root, with forward slashes. */
  file: string;
  /** 1-based. */
  line: number;
}

export interface ProposedService {
  name: string;
  /**
   * Folder the service owns, relative to the root: the build context for compose services that
   * have one (absent for image-only services and remote contexts), the package folder for packages.
   */
  path?: string;
  source: SourceRef;
  /** Compose profiles; absent when the service always runs. */
  profiles?: string[];
  kind: 'compose' | 'package';
  image?: string;
}

export interface ProposedEdge {
  /** The dependent. */
  from: string;
  /** The dependency, deployed first. */
  to: string;
  source: SourceRef;
  kind: 'depends_on' | 'links' | 'package';
  /** Compose depends_on condition (service_started for the short form). */
  condition?: DependsOnCondition;
  /** package.json field the dependency is declared in. */
  field?: DependencyField;
}

export interface Proposal {
  services: ProposedService[];
  edges: ProposedEdge[];
  diagnostics: DiscoveryDiagnostic[];
  /** Every file read, relative to the root, sorted. */
  files: string[];
}

export async function discoverServices(rootDir: string, options: DiscoverOptions = {}): Promise<Proposal> {
  const maxDepth = options.maxDepth ?? 6;
  const ignore = options.ignore ?? DEFAULT_IGNORE;
  const maxBytes = options.maxBytes ?? MAX_FILE_BYTES;
  const root = path.resolve(rootDir);
  const diagnostics: DiscoveryDiagnostic[] = [];
  const files = new Set<string>();
  const services: ProposedService[] = [];
  const edges: ProposedEdge[] = [];
  const taken = new Map<string, ProposedService>();

  const addService = (s: ProposedService): boolean => {
    const prev = taken.get(s.name);
    if (prev) {
      diagnostics.push({
        file: s.source.file, line: s.source.line, column: 1, severity: 'warning', code: 'discovery/duplicate-name',
        message: `"${s.name}" is already proposed from ${prev.source.file}:${prev.source.line}; this one is left out`,
      });
      return false;
    }
    taken.set(s.name, s);
    services.push(s);
    return true;
  };

  const tree = await walkDirs(root, maxDepth, ignore);

  // ---- compose: all files merged by service name, as `docker compose -f … -f …` would
  const composeFiles = tree.flatMap((d) => d.files.filter(isComposeFileName).map((f) => joinRel(d.dir, f))).sort(compareComposeFiles);
  const parsed: ComposeFileResult[] = [];
  for (const file of composeFiles) {
    files.add(file);
    const read = await readCapped(path.join(root, file), maxBytes);
    if (!read.ok) {
      diagnostics.push({ file, line: 1, column: 1, severity: 'error', code: 'compose/unreadable', message: read.message });
      continue;
    }
    parsed.push(parseComposeFile(file, read.content, { maxBytes }));
  }
  const compose = mergeComposeFiles(parsed);
  diagnostics.push(...compose.diagnostics, ...validateComposeProject(compose));
  const composeNames = new Set<string>();
  for (const s of compose.services) {
    const proposed: ProposedService = { name: s.name, source: { file: s.file, line: s.line }, kind: 'compose' };
    const p = buildPath(s);
    if (p !== undefined) proposed.path = p;
    if (s.profiles.length) proposed.profiles = [...s.profiles];
    if (s.image !== undefined) proposed.image = s.image;
    if (addService(proposed)) composeNames.add(s.name);
  }
  const composePairs = new Map<string, ProposedEdge>();
  for (const e of compose.edges) {
    if (!composeNames.has(e.from) || !composeNames.has(e.to)) continue; // unknown targets are diagnostics
    const key = `${e.from}\u0000${e.to}`;
    const prev = composePairs.get(key);
    if (prev && (prev.kind === 'depends_on' || e.kind === 'links')) continue;
    const edge: ProposedEdge = { from: e.from, to: e.to, source: { file: e.file, line: e.line }, kind: e.kind };
    if (e.condition) edge.condition = e.condition;
    composePairs.set(key, edge);
  }
  edges.push(...composePairs.values());

  // ---- package workspaces: every folder whose package.json declares workspaces or that has pnpm-workspace.yaml
  const seenDirs = new Set<string>();
  const packageNames = new Set<string>();
  const packageEdges: PackageEdge[] = [];
  for (const d of tree) {
    const hasPnpm = d.files.includes('pnpm-workspace.yaml');
    if (!hasPnpm && !d.files.includes('package.json')) continue;
    if (!hasPnpm && !(await declaresWorkspaces(path.join(root, d.dir, 'package.json'), maxBytes))) continue;
    const ws = await readPackageWorkspace(root, d.dir, { maxDepth, ignore, maxBytes });
    if (!ws) continue;
    for (const f of ws.files) files.add(f);
    diagnostics.push(...ws.diagnostics);
    const mine = new Set<string>();
    for (const p of ws.packages) {
      if (seenDirs.has(p.dir)) continue; // nested workspace roots can list the same folder
      seenDirs.add(p.dir);
      if (addService({ name: p.name, path: p.dir, source: { file: p.file, line: p.line }, kind: 'package' })) {
        mine.add(p.name);
        packageNames.add(p.name);
      }
    }
    for (const e of ws.edges) if (mine.has(e.from) && packageNames.has(e.to)) packageEdges.push(e);
  }
  const packagePairs = new Map<string, ProposedEdge>();
  for (const e of packageEdges) {
    const key = `${e.from}\u0000${e.to}`;
    if (packagePairs.has(key)) continue; // first field wins: dependencies, dev, peer, optional
    packagePairs.set(key, { from: e.from, to: e.to, source: { file: e.file, line: e.line }, kind: 'package', field: e.field });
  }
  edges.push(...packagePairs.values());
  for (const cycle of findCycles(packageNames, packageEdges)) {
    for (let i = 0; i + 1 < cycle.path.length; i++) {
      const e = packageEdges.find((x) => x.from === cycle.path[i] && x.to === cycle.path[i + 1])!;
      diagnostics.push({
        file: e.file, line: e.line, column: e.column, endLine: e.endLine, endColumn: e.endColumn,
        severity: 'error', code: 'package/dependency-cycle', message: `Dependency cycle: ${cycle.text}`,
      });
    }
  }

  diagnostics.sort((a, b) => compareNames(a.file, b.file) || a.line - b.line || a.column - b.column);
  return { services, edges, diagnostics, files: [...files].sort(compareNames) };
}

/** The build context as a folder relative to the root; undefined for remote or escaping contexts. */
function buildPath(s: ComposeService): string | undefined {
  const context = s.build?.context;
  if (context === undefined) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@') || context.includes('${')) return undefined;
  const dir = s.file.includes('/') ? s.file.slice(0, s.file.lastIndexOf('/')) : '.';
  return normaliseRel(joinRel(dir, context.replace(/\\/g, '/'))) ?? undefined;
}

async function declaresWorkspaces(abs: string, maxBytes: number): Promise<boolean> {
  const read = await readCapped(abs, maxBytes);
  // A cheap filter before the full parse in readPackageWorkspace (which reports errors).
  return read.ok && Buffer.from(read.content).includes('"workspaces"');
}
