import { Auditor } from './audit';
import { NotFoundError, RefusedError, ValidationError, type HealthCheck, type Service, type ServiceInput } from './model';
import type { Clock, Identity, Repositories, UnitOfWork } from './ports';
import { describe, listNames, optionalText, requireStringArray, requireText } from './validate';

const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

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
      const after: Service = { ...before, ...merged, dependencies: merged.dependencies ?? [], updatedAt: this.clock.now() };
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
      await r.services.remove(s.id);
      await this.auditor.record(r, actor, 'service.remove', 'service', s.id, s, undefined);
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
      healthCheck: validateHealthCheck(input.healthCheck),
      dependencies: deps,
    };
  }
}
