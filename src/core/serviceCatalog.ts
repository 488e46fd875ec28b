import { Auditor } from './audit';
import { findCycles } from './dependencyGraph';
import { NotFoundError, RefusedError, ValidationError, type HealthCheck, type Service, type ServiceInput } from './model';
import type { Clock, Identity, Repositories, UnitOfWork } from './ports';
import { compact, describe, keyName, listNames, optionalText, requireStringArray, requireText } from './validate';

/** A service found in the workspace (structurally src/discovery's ProposedService). */
export interface DiscoveredService {
  name: string;
  path?: string;
  source: { file: string; line: number };
  kind?: 'compose' | 'package';
  profiles?: string[];
}

/** A dependency found in the workspace (structurally src/discovery's ProposedEdge): `from` needs `to` first. */
export interface DiscoveredEdge {
  from: string;
  to: string;
  source: { file: string; line: number };
}

/** What discovery proposes (src/discovery's `Proposal` is one). */
export interface DiscoveryProposal {
  services: readonly DiscoveredService[];
  edges: readonly DiscoveredEdge[];
}

export interface DiscoveryResult {
  /** New services, in proposal order. */
  added: string[];
  /** Services already in the catalog that gained dependencies, a path or where they came from. */
  updated: { name: string; dependenciesAdded: string[]; pathSet?: string }[];
  /** Selected services already in the catalog with nothing new. */
  unchanged: string[];
  /** Selected names that were not applied, with why. */
  skipped: { name: string; reason: string }[];
  /** Edges from accepted services that were not applied: their target is unknown or not selected. */
  unresolved: { from: string; to: string; source: string; reason: string }[];
  /** Dependency cycles in the catalog after applying (`api → auth → api`); the order refuses them until one edge goes. */
  cycles: string[];
}

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** What updateService may change. */
const SERVICE_FIELDS = ['name', 'path', 'deployCommand', 'rollbackCommand', 'healthCheck', 'dependencies'];

export function validateServiceName(field: string, value: unknown): string {
  const name = requireText(field, value, { max: 63 });
  if (!SERVICE_NAME.test(name)) {
    throw new ValidationError(field, `'${name}' is not a service name (letters, digits, '.', '_' and '-', starting with a letter or digit)`);
  }
  return name;
}

function validatePath(value: unknown): string | undefined {
  const p = optionalText('path', value, { max: 500 });
  if (p === undefined) return undefined;
  const norm = p.replace(/\\/g, '/').replace(/\/+$/, '');
  if (norm.startsWith('/') || /^[A-Za-z]:/.test(norm)) throw new ValidationError('path', `'${p}' must be relative to the workspace folder`);
  if (norm.split('/').includes('..')) throw new ValidationError('path', `'${p}' must stay inside the workspace folder (no '..')`);
  return norm === '' ? '.' : norm;
}

export function validateHealthCheck(value: unknown): HealthCheck | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ValidationError('healthCheck', `expected an object with a url, got ${describe(value)}`);
  const v = value as Record<string, unknown>;
  const url = requireText('healthCheck.url', v.url, { max: 2000 });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ValidationError('healthCheck.url', `'${url}' is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ValidationError('healthCheck.url', 'must be http or https');
  const hc: HealthCheck = { url };
  if (v.expectStatus !== undefined) {
    if (!Number.isInteger(v.expectStatus) || (v.expectStatus as number) < 100 || (v.expectStatus as number) > 599) {
      throw new ValidationError('healthCheck.expectStatus', `expected an HTTP status 100–599, got ${describe(v.expectStatus)}`);
    }
    hc.expectStatus = v.expectStatus as number;
  }
  if (v.timeoutMs !== undefined) {
    if (!Number.isInteger(v.timeoutMs) || (v.timeoutMs as number) < 1 || (v.timeoutMs as number) > 600_000) {
      throw new ValidationError('healthCheck.timeoutMs', `expected milliseconds 1–600000, got ${describe(v.timeoutMs)}`);
    }
    hc.timeoutMs = v.timeoutMs as number;
  }
  return hc;
}

/** The services a release can name, with their dependencies (by name). */
export class ServiceCatalog {
  private readonly auditor: Auditor;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly clock: Clock,
    private readonly identity: Identity,
    private readonly newId: () => string = () => globalThis.crypto.randomUUID(),
  ) {
    this.auditor = new Auditor(clock, identity);
  }

  listServices(): Promise<Service[]> {
    return this.uow.read((r) => r.services.list());
  }

  getService(name: string): Promise<Service | null> {
    return this.uow.read((r) => r.services.getByName(name));
  }

  async addService(input: ServiceInput): Promise<Service> {
    return (await this.addServices([input]))[0];
  }

  /** Adds several services in one transaction; they may depend on each other. */
  async addServices(inputs: ServiceInput[]): Promise<Service[]> {
    if (!Array.isArray(inputs)) throw new ValidationError('services', `expected a list, got ${describe(inputs)}`);
    const clean = inputs.map((i, n) => this.validateInput(i, inputs.length > 1 ? `services[${n}].` : ''));
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const existing = new Set((await r.services.list()).map((s) => s.name));
      const batch = new Set<string>();
      for (const c of clean) {
        if (existing.has(c.name) || batch.has(c.name)) throw new ValidationError('name', `a service named '${c.name}' already exists`);
        batch.add(c.name);
      }
      const known = new Set([...existing, ...batch]);
      const now = this.clock.now();
      const out: Service[] = [];
      for (const c of clean) {
        this.checkDependencies(c.name, c.dependencies ?? [], known);
        const s: Service = { id: this.newId(), ...c, dependencies: c.dependencies ?? [], createdAt: now, updatedAt: now };
        await r.services.insert(s);
        await this.auditor.record(r, actor, 'service.add', 'service', s.id, undefined, s);
        out.push(s);
      }
      return out;
    });
  }

  async updateService(name: string, patch: Partial<ServiceInput>): Promise<Service> {
    if (typeof patch !== 'object' || patch === null) throw new ValidationError('patch', `expected an object, got ${describe(patch)}`);
    // A misspelt or foreign key would otherwise be dropped silently and the "change" audited as done.
    const unknownKey = Object.keys(patch).find((k) => !SERVICE_FIELDS.includes(k));
    if (unknownKey !== undefined) throw new ValidationError(keyName(unknownKey), `is not a field of a service (fields: ${SERVICE_FIELDS.join(', ')})`);
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const before = await this.require(r, name);
      const merged = this.validateInput({ ...before, ...patch, healthCheck: 'healthCheck' in patch ? patch.healthCheck : before.healthCheck }, '');
      const all = await r.services.list();
      if (merged.name !== before.name && all.some((s) => s.name === merged.name)) {
        throw new ValidationError('name', `a service named '${merged.name}' already exists`);
      }
      if (merged.name !== before.name) {
        const dependents = all.filter((s) => s.dependencies.includes(before.name)).map((s) => s.name);
        if (dependents.length) throw new RefusedError(`cannot rename '${before.name}': ${listNames(dependents)} depend on it`);
      }
      this.checkDependencies(merged.name, merged.dependencies ?? [], new Set([...all.map((s) => s.name), merged.name]));
      const dependencies = merged.dependencies ?? [];
      const after: Service = {
        ...before,
        ...merged,
        dependencies,
        dependencySources: keepSources(before.dependencySources, dependencies),
        updatedAt: this.clock.now(),
      };
      await r.services.update(after);
      await this.auditor.record(r, actor, 'service.update', 'service', after.id, before, after);
      return after;
    });
  }

  async removeService(name: string): Promise<void> {
    const actor = await this.identity.currentUser();
    await this.uow.write(async (r) => {
      const s = await this.require(r, name);
      const dependents = (await r.services.list()).filter((o) => o.dependencies.includes(s.name)).map((o) => o.name);
      if (dependents.length) throw new RefusedError(`cannot remove '${s.name}': ${listNames(dependents)} depend on it`);
      const open = (await r.releases.list({ status: ['planned', 'in_progress'] })).filter((rel) => rel.services?.includes(s.name));
      if (open.length) {
        throw new RefusedError(`cannot remove '${s.name}': open releases include it (${listNames(open.map((o) => o.version))})`);
      }
      const trains = (await r.trains.list()).filter((t) => t.services.includes(s.name));
      if (trains.length) {
        throw new RefusedError(`cannot remove '${s.name}': release trains deploy it (${listNames(trains.map((t) => t.name))}); edit their services first`);
      }
      await r.services.remove(s.id);
      await this.auditor.record(r, actor, 'service.remove', 'service', s.id, s, undefined);
    });
  }

  /**
   * Accepts services discovered in the workspace (src/discovery `Proposal`), in one transaction:
   * `selection` names the proposed services the user accepted. New ones are added; ones already in
   * the catalog get the discovered dependencies merged into theirs (nothing is removed) and a path
   * when they had none. Every applied edge keeps where it came from (`file:line`). An edge whose
   * target is neither accepted nor in the catalog is not applied and is reported. A package whose
   * folder is also an accepted compose service's (`@shop/api` in services/api) is the same service:
   * its edges are carried over to that service's name.
   */
  async applyDiscovery(proposal: DiscoveryProposal, selection: readonly string[]): Promise<DiscoveryResult> {
    const { services: proposed, edges } = validateProposal(proposal);
    const selected = new Set(requireStringArray('selection', selection, 10_000));
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const result: DiscoveryResult = { added: [], updated: [], unchanged: [], skipped: [], unresolved: [], cycles: [] };
      const existing = new Map((await r.services.list()).map((s) => [s.name, s]));
      const byName = new Map(proposed.map((p) => [p.name, p]));
      for (const name of selected) if (!byName.has(name)) result.skipped.push({ name, reason: 'is not in the proposal' });

      // Which selected services can be accepted under their own name.
      const accepted = new Map<string, DiscoveredService>();
      const invalid = new Map<string, string>();
      for (const p of proposed) {
        if (!selected.has(p.name)) continue;
        try {
          validateServiceName('name', p.name);
          accepted.set(p.name, p);
        } catch (err) {
          invalid.set(p.name, (err as ValidationError).reason);
        }
      }
      // A package in the same folder as an accepted (or catalogued) compose service is that service.
      const byPath = new Map<string, string>();
      for (const s of existing.values()) if (s.path !== undefined && s.path !== '.') byPath.set(s.path, s.name);
      for (const p of accepted.values()) if (p.kind !== 'package' && p.path !== undefined && p.path !== '.') byPath.set(p.path, p.name);
      const alias = new Map<string, string>();
      for (const p of proposed) {
        if (p.kind !== 'package' || p.path === undefined) continue;
        const same = byPath.get(p.path);
        if (same !== undefined && same !== p.name) alias.set(p.name, same);
      }
      for (const p of proposed) {
        if (!selected.has(p.name)) continue;
        const target = alias.get(p.name);
        if (target !== undefined) {
          accepted.delete(p.name);
          // Selecting the package alone still updates the catalogued service it stands for.
          if (!accepted.has(target) && existing.has(target)) accepted.set(target, { ...p, name: target });
          result.skipped.push({ name: p.name, reason: `is the service '${target}' (same folder ${p.path}); its dependencies are merged into '${target}'` });
        } else if (invalid.has(p.name)) {
          result.skipped.push({ name: p.name, reason: invalid.get(p.name)! });
        }
      }
      const resolve = (name: string) => alias.get(name) ?? name;

      // Edges from accepted services, by dependent.
      const found = new Map<string, Map<string, string>>();
      for (const e of edges) {
        const from = resolve(e.from);
        if (!accepted.has(from)) continue;
        const to = resolve(e.to);
        if (to === from) continue;
        const where = `${e.source.file}:${e.source.line}`;
        if (!accepted.has(to) && !existing.has(to)) {
          const reason = byName.has(e.to)
            ? `'${e.to}' was not selected and is not in the catalog`
            : `'${e.to}' is not a discovered or catalogued service`;
          result.unresolved.push({ from: e.from, to: e.to, source: where, reason });
          continue;
        }
        const deps = found.get(from) ?? new Map<string, string>();
        if (!deps.has(to)) deps.set(to, where);
        found.set(from, deps);
      }

      const now = this.clock.now();
      for (const p of accepted.values()) {
        const deps = found.get(p.name) ?? new Map<string, string>();
        const path = safePath(p.path);
        const before = existing.get(p.name);
        if (!before) {
          const dependencies = [...deps.keys()].sort();
          const s: Service = compact({
            id: this.newId(),
            name: p.name,
            path,
            dependencies,
            source: `${p.source.file}:${p.source.line}`,
            dependencySources: dependencies.length ? Object.fromEntries(dependencies.map((d) => [d, deps.get(d)!])) : undefined,
            createdAt: now,
            updatedAt: now,
          });
          await r.services.insert(s);
          await this.auditor.record(r, actor, 'service.add', 'service', s.id, undefined, s);
          result.added.push(s.name);
          continue;
        }
        const added = [...deps.keys()].filter((d) => !before.dependencies.includes(d)).sort();
        const sources = { ...before.dependencySources };
        let sourcesChanged = false;
        for (const [d, where] of deps) {
          if (sources[d] === undefined) {
            sources[d] = where;
            sourcesChanged = true;
          }
        }
        const setPath = before.path === undefined && path !== undefined ? path : undefined;
        const setSource = before.source === undefined ? `${p.source.file}:${p.source.line}` : undefined;
        if (!added.length && !sourcesChanged && setPath === undefined && setSource === undefined) {
          result.unchanged.push(p.name);
          continue;
        }
        const after: Service = compact({
          ...before,
          path: before.path ?? setPath,
          source: before.source ?? setSource,
          dependencies: [...before.dependencies, ...added].sort(),
          dependencySources: sources,
          updatedAt: now,
        });
        await r.services.update(after);
        await this.auditor.record(r, actor, 'service.update', 'service', after.id, before, after);
        const change: DiscoveryResult['updated'][number] = { name: p.name, dependenciesAdded: added };
        if (setPath !== undefined) change.pathSet = setPath;
        result.updated.push(change);
      }

      if (result.added.length || result.updated.length) {
        const all = await r.services.list();
        result.cycles = findCycles(
          all.map((s) => s.name),
          all.flatMap((s) => s.dependencies.map((to) => ({ from: s.name, to }))),
        ).map((c) => c.text);
      }
      return result;
    });
  }

  private async require(r: Repositories, name: string): Promise<Service> {
    const s = await r.services.getByName(String(name));
    if (!s) throw new NotFoundError('service', String(name));
    return s;
  }

  private checkDependencies(name: string, deps: string[], known: Set<string>): void {
    if (deps.includes(name)) throw new ValidationError('dependencies', `'${name}' cannot depend on itself`);
    const unknown = deps.filter((d) => !known.has(d));
    if (unknown.length) {
      throw new ValidationError('dependencies', `unknown service${unknown.length > 1 ? 's' : ''} ${listNames(unknown.map((u) => `'${u}'`))}; known services: ${listNames([...known].sort())}`);
    }
  }

  private validateInput(input: ServiceInput, prefix: string): ServiceInput {
    if (typeof input !== 'object' || input === null) throw new ValidationError(`${prefix}service`, `expected an object, got ${describe(input)}`);
    const deps = input.dependencies === undefined ? [] : requireStringArray(`${prefix}dependencies`, input.dependencies, 500);
    if (new Set(deps).size !== deps.length) throw new ValidationError(`${prefix}dependencies`, 'lists a service twice');
    return {
      name: validateServiceName(`${prefix}name`, input.name),
      path: validatePath(input.path),
      deployCommand: optionalText(`${prefix}deployCommand`, input.deployCommand, { max: 4000 }),
      rollbackCommand: optionalText(`${prefix}rollbackCommand`, input.rollbackCommand, { max: 4000 }),
      healthCheck: validateHealthCheck(input.healthCheck),
      dependencies: deps,
    };
  }
}

/** The sources of the dependencies a service still has. */
function keepSources(sources: Record<string, string> | undefined, dependencies: readonly string[]): Record<string, string> | undefined {
  if (!sources) return undefined;
  const kept = Object.entries(sources).filter(([d]) => dependencies.includes(d));
  return kept.length ? Object.fromEntries(kept) : undefined;
}

/** A discovered folder, or undefined when it is not a path the catalog accepts. */
function safePath(p: string | undefined): string | undefined {
  try {
    return validatePath(p);
  } catch {
    return undefined;
  }
}

function validateProposal(proposal: DiscoveryProposal): DiscoveryProposal {
  if (typeof proposal !== 'object' || proposal === null) throw new ValidationError('proposal', `expected an object, got ${describe(proposal)}`);
  if (!Array.isArray(proposal.services)) throw new ValidationError('proposal.services', `expected a list, got ${describe(proposal.services)}`);
  if (!Array.isArray(proposal.edges)) throw new ValidationError('proposal.edges', `expected a list, got ${describe(proposal.edges)}`);
  const where = (field: string, v: unknown) => {
    const src = v as { file?: unknown; line?: unknown } | null;
    if (typeof src !== 'object' || src === null || typeof src.file !== 'string' || !Number.isInteger(src.line)) {
      throw new ValidationError(field, v === undefined ? 'is missing (expected { file, line })' : `expected { file, line }, got ${describe(v)}`);
    }
  };
  proposal.services.forEach((s, i) => {
    if (typeof s !== 'object' || s === null || typeof s.name !== 'string') throw new ValidationError(`proposal.services[${i}].name`, 'expected text');
    if (s.path !== undefined && typeof s.path !== 'string') throw new ValidationError(`proposal.services[${i}].path`, `expected text, got ${describe(s.path)}`);
    where(`proposal.services[${i}].source`, s.source);
  });
  proposal.edges.forEach((e, i) => {
    if (typeof e !== 'object' || e === null || typeof e.from !== 'string' || typeof e.to !== 'string') {
      throw new ValidationError(`proposal.edges[${i}]`, 'expected { from, to, source }');
    }
    where(`proposal.edges[${i}].source`, e.source);
  });
  return proposal;
}
