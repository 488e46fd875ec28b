// Compose files → services and dependency edges, each with the file and line it came from.
// Reads what deployment order needs (services, depends_on, links, profiles, image, build) and
// ignores the rest (extends, include, networks, …). Never throws on bad input: it becomes a
// diagnostic.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Node, YAMLMap } from 'yaml';
import { compareNames, DependencyGraph } from '../core/dependencyGraph';
import type { DiscoveryDiagnostic, SourceRange } from './diagnostic';
import { isEmpty, scalarString, YamlSource, type MapEntry, type ParseOptions } from './yamlSource';

export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';
export const DEPENDS_ON_CONDITIONS: readonly DependsOnCondition[] = [
  'service_started',
  'service_healthy',
  'service_completed_successfully',
];

export interface ComposeBuild {
  /** As written (relative to the compose file's folder, or a URL). Defaults to '.' in the long form. */
  context: string;
  dockerfile?: string;
  target?: string;
}

export interface ComposeService extends SourceRange {
  name: string;
  /** The file of the first definition (later files only override keys). */
  file: string;
  profiles: string[];
  image?: string;
  build?: ComposeBuild;
}

export interface ComposeEdge extends SourceRange {
  /** The dependent service. */
  from: string;
  /** The service it needs first. */
  to: string;
  /** Where the dependency is written (the name in depends_on / links). */
  file: string;
  kind: 'depends_on' | 'links';
  /** depends_on only; the short (list) form means service_started. */
  condition?: DependsOnCondition;
  /** depends_on long form `required: false`. */
  required?: boolean;
  /** links `name:alias`. */
  alias?: string;
}

export interface ComposeFileResult {
  file: string;
  services: ComposeService[];
  edges: ComposeEdge[];
  diagnostics: DiscoveryDiagnostic[];
}

export interface ComposeProject {
  /** The files, in merge order. */
  files: string[];
  services: ComposeService[];
  edges: ComposeEdge[];
  diagnostics: DiscoveryDiagnostic[];
}

export interface ComposeInput {
  file: string;
  content: string | Uint8Array;
}

/** Read one compose file. Diagnostics cover syntax and shape, not references to other services. */
export function parseComposeFile(file: string, content: string | Uint8Array, options: ParseOptions = {}): ComposeFileResult {
  const result: ComposeFileResult = { file, services: [], edges: [], diagnostics: [] };
  try {
    const { source, diagnostics } = YamlSource.parse(file, content, 'compose', options);
    result.diagnostics.push(...diagnostics);
    if (source) readServices(source, result);
  } catch (e) {
    // Defensive: the reader above is written not to throw, but a compose file must never take
    // discovery down with it.
    result.services = [];
    result.edges = [];
    result.diagnostics.push({ file, line: 1, column: 1, severity: 'error', code: 'compose/parse-failed', message: `Could not read compose file: ${(e as Error).message}` });
  }
  return result;
}

function readServices(src: YamlSource, out: ComposeFileResult): void {
  const root = src.contents;
  if (isEmpty(root)) return; // empty file: nothing to propose
  if (!isMap(root)) {
    out.diagnostics.push(src.diagnostic(root, 'error', 'compose/not-a-map', 'A compose file must be a mapping at the top level (services:, volumes:, …)'));
    return;
  }
  const services = src.get(root, 'services');
  if (!services || isEmpty(services.value)) return;
  if (!isMap(services.value)) {
    out.diagnostics.push(src.diagnostic(services.value, 'error', 'compose/services-not-a-map', '`services` must be a mapping of service names to their definitions'));
    return;
  }
  for (const entry of src.entries(services.value)) readService(src, entry, out);
  if (src.mergeBudgetExceeded) {
    out.diagnostics.push(src.diagnostic(services.key, 'warning', 'compose/too-many-merges', 'This file merges (<<) more keys than discovery reads; some merged keys were ignored'));
  }
}

function readService(src: YamlSource, entry: MapEntry, out: ComposeFileResult): void {
  const name = entry.name;
  const service: ComposeService = { name, file: src.file, ...src.range(entry.key), profiles: [] };
  out.services.push(service);
  const def = entry.value;
  if (isEmpty(def)) return;
  if (!isMap(def)) {
    out.diagnostics.push(src.diagnostic(def, 'error', 'compose/service-not-a-map', `Service "${name}" must be a mapping`));
    return;
  }
  const keys = new Map(src.entries(def).map((e) => [e.name, e] as const));

  const profiles = keys.get('profiles')?.value ?? null;
  if (!isEmpty(profiles)) {
    const list = isSeq(profiles) ? src.items(profiles).map(scalarString) : null;
    if (!list || list.some((p) => p === undefined)) {
      out.diagnostics.push(src.diagnostic(profiles, 'error', 'compose/invalid-profiles', `profiles of "${name}" must be a list of names`));
    } else {
      service.profiles = [...new Set(list as string[])];
    }
  }

  const image = scalarString(keys.get('image')?.value ?? null);
  if (image !== undefined) service.image = image;

  const build = keys.get('build')?.value ?? null;
  if (!isEmpty(build)) {
    if (isScalar(build)) {
      const context = scalarString(build);
      if (context !== undefined) service.build = { context };
    } else if (isMap(build)) {
      const b = new Map(src.entries(build).map((e) => [e.name, e.value] as const));
      const result: ComposeBuild = { context: scalarString(b.get('context') ?? null) ?? '.' };
      const dockerfile = scalarString(b.get('dockerfile') ?? null);
      const target = scalarString(b.get('target') ?? null);
      if (dockerfile !== undefined) result.dockerfile = dockerfile;
      if (target !== undefined) result.target = target;
      service.build = result;
    } else {
      out.diagnostics.push(src.diagnostic(build, 'error', 'compose/invalid-build', `build of "${name}" must be a path or a mapping`));
    }
  }

  const dependsOn = keys.get('depends_on')?.value ?? null;
  if (dependsOn && !isEmpty(dependsOn)) readDependsOn(src, name, dependsOn, out);

  const links = keys.get('links')?.value ?? null;
  if (!isEmpty(links)) {
    if (!isSeq(links)) {
      out.diagnostics.push(src.diagnostic(links, 'error', 'compose/invalid-links', `links of "${name}" must be a list of "service" or "service:alias"`));
    } else {
      for (const item of src.items(links)) {
        const text = scalarString(item);
        if (text === undefined || text === '') {
          out.diagnostics.push(src.diagnostic(item, 'error', 'compose/invalid-links', `Each link of "${name}" must be "service" or "service:alias"`));
          continue;
        }
        const colon = text.indexOf(':');
        const edge: ComposeEdge = { from: name, to: colon < 0 ? text : text.slice(0, colon), file: src.file, ...src.range(item), kind: 'links' };
        if (colon >= 0) edge.alias = text.slice(colon + 1);
        out.edges.push(edge);
      }
    }
  }
}

function readDependsOn(src: YamlSource, name: string, node: Node, out: ComposeFileResult): void {
  if (isSeq(node)) {
    for (const item of src.items(node)) {
      const to = scalarString(item);
      if (to === undefined || to === '') {
        out.diagnostics.push(src.diagnostic(item, 'error', 'compose/invalid-depends-on', `Each entry of depends_on in "${name}" must be a service name`));
        continue;
      }
      out.edges.push({ from: name, to, file: src.file, ...src.range(item), kind: 'depends_on', condition: 'service_started' });
    }
    return;
  }
  if (!isMap(node)) {
    out.diagnostics.push(src.diagnostic(node, 'error', 'compose/invalid-depends-on', `depends_on of "${name}" must be a list of services or a mapping of service to condition`));
    return;
  }
  for (const dep of src.entries(node)) {
    const edge: ComposeEdge = { from: name, to: dep.name, file: src.file, ...src.range(dep.key), kind: 'depends_on', condition: 'service_started' };
    if (!isEmpty(dep.value)) {
      if (!isMap(dep.value)) {
        out.diagnostics.push(src.diagnostic(dep.value, 'error', 'compose/invalid-depends-on', `depends_on.${dep.name} of "${name}" must be a mapping (condition:, required:, restart:)`));
      } else {
        const opts = new Map(src.entries(dep.value).map((e) => [e.name, e.value] as const));
        const condNode = opts.get('condition') ?? null;
        if (!isEmpty(condNode)) {
          const cond = scalarString(condNode);
          if (cond !== undefined && (DEPENDS_ON_CONDITIONS as readonly string[]).includes(cond)) {
            edge.condition = cond as DependsOnCondition;
          } else {
            out.diagnostics.push(src.diagnostic(condNode, 'error', 'compose/invalid-condition', `Unknown condition "${cond ?? ''}": use ${DEPENDS_ON_CONDITIONS.join(', ')}`));
          }
        }
        const required = opts.get('required') ?? null;
        if (isScalar(required) && typeof required.value === 'boolean') edge.required = required.value;
      }
    }
    out.edges.push(edge);
  }
}

/**
 * Merge files in order, as `docker compose -f a -f b` does for what we read: a service defined
 * again is the same service (first definition keeps its location; image/build from the later
 * file win; profiles are appended); depends_on entries merge by target (the later one's condition
 * and location win); links are a union.
 */
export function mergeComposeFiles(files: readonly ComposeFileResult[]): ComposeProject {
  const services = new Map<string, ComposeService>();
  const edges = new Map<string, ComposeEdge>();
  const diagnostics: DiscoveryDiagnostic[] = [];
  for (const f of files) {
    diagnostics.push(...f.diagnostics);
    for (const s of f.services) {
      const prev = services.get(s.name);
      if (!prev) {
        services.set(s.name, { ...s, profiles: [...s.profiles], ...(s.build ? { build: { ...s.build } } : {}) });
        continue;
      }
      if (s.image !== undefined) prev.image = s.image;
      if (s.build) prev.build = { ...prev.build, ...s.build };
      prev.profiles = [...new Set([...prev.profiles, ...s.profiles])];
    }
    for (const e of f.edges) {
      const key = `${e.kind}\u0000${e.from}\u0000${e.to}`;
      if (e.kind === 'links' && edges.has(key)) continue;
      edges.delete(key); // re-insert so that the order follows the winning definition
      edges.set(key, e);
    }
  }
  return { files: files.map((f) => f.file), services: [...services.values()], edges: [...edges.values()], diagnostics };
}

/** References to undefined services and dependency cycles, located at the dependency that causes them. */
export function validateComposeProject(project: Pick<ComposeProject, 'services' | 'edges'>): DiscoveryDiagnostic[] {
  const diagnostics: DiscoveryDiagnostic[] = [];
  const names = new Set(project.services.map((s) => s.name));
  for (const e of project.edges) {
    if (names.has(e.to)) continue;
    const verb = e.kind === 'links' ? 'links to' : 'depends on';
    diagnostics.push({
      file: e.file, line: e.line, column: e.column, endLine: e.endLine, endColumn: e.endColumn,
      severity: 'error', code: 'compose/unknown-service',
      message: `Service "${e.from}" ${verb} "${e.to}", which is not defined`,
    });
  }
  const graph = DependencyGraph.build(names, project.edges);
  const cycles = graph.cycles();
  if (!cycles.length) return diagnostics;
  // The depends_on entry (else the link) that makes each step of the cycle.
  const byPair = new Map<string, ComposeEdge>();
  for (const e of project.edges) {
    const key = `${e.from}\u0000${e.to}`;
    if (!byPair.has(key) || (e.kind === 'depends_on' && byPair.get(key)!.kind !== 'depends_on')) byPair.set(key, e);
  }
  for (const cycle of cycles) {
    for (let i = 0; i + 1 < cycle.path.length; i++) {
      const e = byPair.get(`${cycle.path[i]!}\u0000${cycle.path[i + 1]!}`)!;
      diagnostics.push({
        file: e.file, line: e.line, column: e.column, endLine: e.endLine, endColumn: e.endColumn,
        severity: 'error', code: 'compose/dependency-cycle',
        message: `Dependency cycle: ${cycle.text}`,
      });
    }
  }
  return diagnostics;
}

/** Parse, merge in the given order, validate. */
export function loadComposeProject(inputs: readonly ComposeInput[], options: ParseOptions = {}): ComposeProject {
  const project = mergeComposeFiles(inputs.map((i) => parseComposeFile(i.file, i.content, options)));
  project.diagnostics.push(...validateComposeProject(project));
  return project;
}

/**
 * The services docker compose would start with these profiles active: those without profiles
 * and those sharing one with `active`, plus `*` meaning all.
 */
export function servicesForProfiles(services: readonly ComposeService[], active: readonly string[]): ComposeService[] {
  const all = active.includes('*');
  return services.filter((s) => all || s.profiles.length === 0 || s.profiles.some((p) => active.includes(p)));
}

/**
 * Order of files in one folder as docker compose picks them up: the default names first
 * (compose.yaml … docker-compose.yml), then overrides and the rest alphabetically.
 */
export const DEFAULT_COMPOSE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export function compareComposeFiles(a: string, b: string): number {
  const da = a.includes('/') ? a.slice(0, a.lastIndexOf('/')) : '';
  const db = b.includes('/') ? b.slice(0, b.lastIndexOf('/')) : '';
  if (da !== db) {
    const depth = da.split('/').length - db.split('/').length;
    if (da === '' || db === '') return da === '' ? -1 : 1;
    return depth || compareNames(da, db);
  }
  const ra = DEFAULT_COMPOSE_NAMES.indexOf(a.slice(da.length ? da.length + 1 : 0));
  const rb = DEFAULT_COMPOSE_NAMES.indexOf(b.slice(db.length ? db.length + 1 : 0));
  if (ra !== rb) return ra === -1 ? 1 : rb === -1 ? -1 : ra - rb;
  return compareNames(a, b);
}

/** Names docker compose uses, plus variants such as docker-compose.prod.yml. */
export function isComposeFileName(name: string): boolean {
  return /compose[^/]*\.ya?ml$/i.test(name);
}
