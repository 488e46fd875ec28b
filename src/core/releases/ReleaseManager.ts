import semver from 'semver';
import { Auditor } from '../audit';
import { buildCalendar } from '../calendar';
import {
  NotFoundError,
  RefusedError,
  ValidationError,
  type CalendarEvent,
  type Message,
  type Release,
  type ReleaseFilter,
  type ReleaseOptions,
  type ReleaseStatus,
  type ReleaseUpdates,
  RELEASE_STATUSES,
} from '../model';
import type { Clock, GitPort, Identity, Repositories, UnitOfWork } from '../ports';
import { assessReleaseRisk, type RiskContext } from '../risk';
import { compact, describe, keyName, listNames, optionalDate, optionalText, requireStringArray, requireText } from '../validate';

/** Writes a text file atomically (the extension's adapter writes tmp + rename). */
export interface TextFileWriter {
  writeText(path: string, text: string): Promise<void>;
}

export interface ReleaseManagerDeps {
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  git?: GitPort;
  files?: TextFileWriter;
  /** Upcoming freezes for the risk factor, when environments know them. */
  nextFreeze?: RiskContext['nextFreeze'];
  newId?: () => string;
}

/** Allowed status changes; anything else is refused with the reason. */
const TRANSITIONS: Record<ReleaseStatus, ReleaseStatus[]> = {
  planned: ['in_progress', 'cancelled'],
  in_progress: ['deployed', 'cancelled'],
  deployed: [],
  cancelled: [],
};

const WHY_FINAL: Record<ReleaseStatus, string> = {
  planned: '',
  in_progress: '',
  deployed: 'a deployed release is final; plan a new version instead',
  cancelled: 'a cancelled release is final; create a new release instead',
};

export function releaseLabel(r: Pick<Release, 'version' | 'name'>): string {
  return `${r.version} (${r.name})`;
}

/** Release creation, multi-service coordination, status tracking and risk assessment. */
export class ReleaseManager {
  private readonly uow: UnitOfWork;
  private readonly clock: Clock;
  private readonly identity: Identity;
  private readonly auditor: Auditor;
  private readonly newId: () => string;

  constructor(private readonly deps: ReleaseManagerDeps) {
    this.uow = deps.uow;
    this.clock = deps.clock;
    this.identity = deps.identity;
    this.auditor = new Auditor(deps.clock, deps.identity);
    this.newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
  }

  async createRelease(name: string, version: string, options: ReleaseOptions = {}): Promise<{ release: Release; conversationId: string }> {
    const input = validateNewRelease(name, version, options);
    const actor = await this.identity.currentUser();
    return this.uow.write((r) => insertRelease(r, input, { now: this.clock.now(), newId: this.newId, actor, auditor: this.auditor }));
  }

  getRelease(releaseId: string): Promise<Release | null> {
    if (typeof releaseId !== 'string') return Promise.resolve(null);
    return this.uow.read((r) => r.releases.get(releaseId));
  }

  listReleases(filter: ReleaseFilter = {}): Promise<Release[]> {
    if (filter.status !== undefined) {
      const list = Array.isArray(filter.status) ? filter.status : [filter.status];
      for (const s of list) {
        if (!RELEASE_STATUSES.includes(s)) throw new ValidationError('filter.status', `'${String(s)}' is not one of ${RELEASE_STATUSES.join(', ')}`);
      }
    }
    if (filter.limit !== undefined && (!Number.isInteger(filter.limit) || filter.limit < 0)) {
      throw new ValidationError('filter.limit', `expected a whole number ≥ 0, got ${describe(filter.limit)}`);
    }
    return this.uow.read((r) => r.releases.list(filter));
  }

  async updateRelease(releaseId: string, updates: ReleaseUpdates): Promise<Release> {
    if (typeof updates !== 'object' || updates === null) throw new ValidationError('updates', `expected an object, got ${describe(updates)}`);
    const known = ['name', 'version', 'description', 'services', 'plannedStart', 'plannedEnd', 'status', 'releaseNotes'];
    const unknownKeys = Object.keys(updates).filter((k) => !known.includes(k));
    if (unknownKeys.length) throw new ValidationError(keyName(unknownKeys[0]), `is not a field that can be updated (fields: ${known.join(', ')})`);
    // Validate every field before touching storage.
    const patch: Partial<Release> = {};
    if (updates.name !== undefined) patch.name = requireText('name', updates.name);
    if (updates.version !== undefined) patch.version = validateVersion(updates.version);
    if (updates.description !== undefined) patch.description = optionalText('description', updates.description, { max: 10_000, multiline: true });
    if (updates.releaseNotes !== undefined) patch.releaseNotes = optionalText('releaseNotes', updates.releaseNotes, { max: 200_000, multiline: true });
    if (updates.services !== undefined) patch.services = requireStringArray('services', updates.services, 500);
    if (updates.plannedStart !== undefined) patch.plannedStart = optionalDate('plannedStart', updates.plannedStart);
    if (updates.plannedEnd !== undefined) patch.plannedEnd = optionalDate('plannedEnd', updates.plannedEnd);
    if (updates.status !== undefined && !RELEASE_STATUSES.includes(updates.status)) {
      throw new ValidationError('status', `'${String(updates.status)}' is not one of ${RELEASE_STATUSES.join(', ')}`);
    }
    const actor = await this.identity.currentUser();

    return this.uow.write(async (r) => {
      const before = await this.require(r, releaseId);
      const after: Release = compact({ ...before, ...patch, updatedAt: this.clock.now() });
      if (before.status === 'cancelled') throw new RefusedError(`release ${releaseLabel(before)} is cancelled; it cannot be changed`);
      if (before.status !== 'planned' && patch.version !== undefined && patch.version !== before.version) {
        throw new RefusedError(`the version of release ${releaseLabel(before)} cannot change: it is ${before.status.replace('_', ' ')} and its deployments name ${before.version}`);
      }
      if (before.status === 'deployed' && patch.services !== undefined && JSON.stringify(patch.services) !== JSON.stringify(before.services)) {
        throw new RefusedError(`the services of release ${releaseLabel(before)} cannot change: it is deployed`);
      }
      checkWindow(after.plannedStart, after.plannedEnd);
      if (patch.version !== undefined && patch.version !== before.version) await checkVersionFree(r, before.projectId, patch.version);
      if (patch.services !== undefined) await checkServices(r, patch.services);
      if (updates.status !== undefined && updates.status !== before.status) {
        this.applyStatus(before, after, updates.status);
      }
      await r.releases.update(after);
      if (after.plannedStart?.getTime() !== before.plannedStart?.getTime() || after.plannedEnd?.getTime() !== before.plannedEnd?.getTime() ||
        after.name !== before.name || after.version !== before.version || after.status !== before.status) {
        await r.calendar.upsert(releaseCalendarEvent(after, after.updatedAt));
      }
      await this.auditor.record(r, actor, updates.status && updates.status !== before.status ? `release.status.${updates.status}` : 'release.update', 'release', after.id, before, after);
      return after;
    });
  }

  /** Planned or in progress → cancelled. */
  async cancelRelease(releaseId: string, reason?: string): Promise<Release> {
    const why = optionalText('reason', reason, { max: 2000, multiline: true });
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const before = await this.require(r, releaseId);
      const after: Release = { ...before, updatedAt: this.clock.now() };
      this.applyStatus(before, after, 'cancelled');
      await r.releases.update(after);
      await r.calendar.upsert(releaseCalendarEvent(after, after.updatedAt));
      await this.auditor.record(r, actor, 'release.status.cancelled', 'release', after.id, before, { ...after, reason: why });
      return after;
    });
  }

  /**
   * Computes `riskScore` and `riskFactors` (each with value, weight and explanation) and stores them.
   * Git factors run the real `git` before the transaction; they say "unavailable" when they cannot.
   */
  async assessRisk(releaseId: string): Promise<Release> {
    const release = await this.getRelease(releaseId);
    if (!release) throw new NotFoundError('release', String(releaseId));
    const now = this.clock.now();
    const { services, deployments, releases } = await this.uow.read(async (r) => ({
      services: await r.services.list(),
      deployments: await r.deployments.list({ since: new Date(now.getTime() - 30 * 86_400_000) }),
      releases: await r.releases.list(),
    }));
    const assessment = await assessReleaseRisk(release, {
      now,
      services,
      recentDeployments: deployments,
      releases,
      git: this.deps.git,
      nextFreeze: this.deps.nextFreeze,
    });
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const before = await this.require(r, releaseId);
      const after: Release = { ...before, riskScore: assessment.score, riskFactors: assessment.factors, updatedAt: this.clock.now() };
      await r.releases.update(after);
      await this.auditor.record(r, actor, 'release.risk', 'release', after.id, { riskScore: before.riskScore }, { riskScore: after.riskScore, riskFactors: after.riskFactors });
      return after;
    });
  }

  // ---------------------------------------------------------------- conversation

  async postMessage(conversationId: string, author: string, text: string): Promise<Message> {
    const who = requireText('author', author, { max: 200 });
    const body = requireText('text', text, { max: 20_000, multiline: true });
    const actor = await this.identity.currentUser();
    return this.uow.write(async (r) => {
      const c = typeof conversationId === 'string' ? await r.conversations.get(conversationId) : null;
      if (!c) throw new NotFoundError('conversation', String(conversationId));
      const m: Message = { id: this.newId(), conversationId: c.id, author: who, text: body, createdAt: this.clock.now() };
      await r.conversations.addMessage(m);
      await this.auditor.record(r, actor, 'conversation.post', 'conversation', c.id, undefined, m);
      return m;
    });
  }

  async listMessages(conversationId: string): Promise<Message[]> {
    return this.uow.read(async (r) => {
      const c = typeof conversationId === 'string' ? await r.conversations.get(conversationId) : null;
      if (!c) throw new NotFoundError('conversation', String(conversationId));
      return r.conversations.listMessages(c.id);
    });
  }

  // ---------------------------------------------------------------- calendar

  listCalendarEvents(): Promise<CalendarEvent[]> {
    return this.uow.read((r) => r.calendar.list());
  }

  /** Writes every calendar event (releases, and what later parts add) as an RFC 5545 file. */
  async exportCalendar(path: string, extra: CalendarEvent[] = []): Promise<{ path: string; events: number }> {
    const target = requireText('path', path, { max: 4096 });
    if (!this.deps.files) throw new Error('exportCalendar needs a file writer');
    const events = [...(await this.listCalendarEvents()), ...extra];
    const ics = buildCalendar(events, { name: 'Releases', now: this.clock.now() });
    await this.deps.files.writeText(target, ics);
    return { path: target, events: events.length };
  }

  // ---------------------------------------------------------------- internals

  private async require(r: Repositories, releaseId: string): Promise<Release> {
    const rel = typeof releaseId === 'string' ? await r.releases.get(releaseId) : null;
    if (!rel) throw new NotFoundError('release', String(releaseId));
    return rel;
  }

  private applyStatus(before: Release, after: Release, to: ReleaseStatus): void {
    const from = before.status;
    if (!TRANSITIONS[from].includes(to)) {
      const why = WHY_FINAL[from] || (from === 'planned' && to === 'deployed'
        ? 'it has not been deployed anywhere yet; promote it through the environments first'
        : `allowed from ${from.replace('_', ' ')}: ${TRANSITIONS[from].join(', ').replace(/_/g, ' ')}`);
      throw new RefusedError(`release ${releaseLabel(before)} cannot go from ${from.replace('_', ' ')} to ${to.replace('_', ' ')}: ${why}`);
    }
    after.status = to;
    const now = after.updatedAt;
    if (to === 'in_progress') after.actualStart ??= now;
    if (to === 'deployed') after.actualEnd ??= now;
  }
}

export function validateVersion(version: unknown): string {
  const v = requireText('version', version, { max: 256 });
  if (semver.valid(v) !== v) {
    const hint = semver.valid(semver.coerce(v) ?? '') ? ` — did you mean ${semver.coerce(v)?.version}?` : '';
    throw new ValidationError('version', `'${v}' is not a valid semantic version (MAJOR.MINOR.PATCH, e.g. 1.2.0)${hint}`);
  }
  return v;
}

function checkWindow(start: Date | undefined, end: Date | undefined): void {
  if (start && end && end.getTime() < start.getTime()) {
    throw new ValidationError('plannedEnd', `${end.toISOString()} is before plannedStart ${start.toISOString()}`);
  }
}

/** A release's fields after validation, before storage checks (version free, services known). */
export interface NewRelease {
  name: string;
  version: string;
  projectId?: string;
  description?: string;
  services: string[];
  plannedStart?: Date;
  plannedEnd?: Date;
  trainId?: string;
}

/** `createRelease`'s boundary checks, shared with the release-train scheduler. Changes nothing. */
export function validateNewRelease(name: unknown, version: unknown, options: ReleaseOptions = {}): NewRelease {
  const cleanName = requireText('name', name);
  const cleanVersion = validateVersion(version);
  if (typeof options !== 'object' || options === null) throw new ValidationError('options', `expected an object, got ${describe(options)}`);
  const description = optionalText('description', options.description, { max: 10_000, multiline: true });
  const projectId = optionalText('projectId', options.projectId, { max: 200 });
  const plannedStart = optionalDate('plannedStart', options.plannedStart);
  const plannedEnd = optionalDate('plannedEnd', options.plannedEnd);
  checkWindow(plannedStart, plannedEnd);
  const services = options.services === undefined ? [] : requireStringArray('services', options.services, 500);
  const trainId = optionalText('trainId', options.trainId, { max: 100 });
  return compact({ name: cleanName, version: cleanVersion, projectId, description, services, plannedStart, plannedEnd, trainId });
}

/**
 * Inserts a validated release with its conversation, calendar event and audit event, inside the
 * caller's transaction. Exported so that the release-train scheduler creates a departure's release
 * in the same transaction that records the departure (exactly once across processes).
 */
export async function insertRelease(
  r: Repositories,
  input: NewRelease,
  ctx: { now: Date; newId: () => string; actor: string; auditor: Auditor },
): Promise<{ release: Release; conversationId: string }> {
  await checkVersionFree(r, input.projectId, input.version);
  await checkServices(r, input.services);
  const { now } = ctx;
  const id = ctx.newId();
  const conversationId = ctx.newId();
  const release: Release = compact({
    id,
    projectId: input.projectId,
    name: input.name,
    version: input.version,
    description: input.description,
    status: 'planned',
    services: input.services,
    plannedStart: input.plannedStart,
    plannedEnd: input.plannedEnd,
    conversationId,
    trainId: input.trainId,
    createdAt: now,
    updatedAt: now,
  });
  await r.releases.insert(release);
  await r.conversations.insert({ id: conversationId, subjectType: 'release', subjectId: id, title: `Release ${input.version}`, createdAt: now });
  await r.calendar.upsert(releaseCalendarEvent(release, now));
  await ctx.auditor.record(r, ctx.actor, 'release.create', 'release', id, undefined, release);
  return { release, conversationId };
}

async function checkVersionFree(r: Repositories, projectId: string | undefined, version: string): Promise<void> {
  const clash = await r.releases.findByVersion(projectId, version);
  if (clash) {
    throw new ValidationError('version', `${version} already exists${projectId ? ` in project ${projectId}` : ''} (release '${clash.name}', ${clash.status.replace('_', ' ')})`);
  }
}

/** Refuses duplicates and names that are not in the service catalog, listing the known ones. */
export async function checkServices(r: Repositories, services: string[]): Promise<void> {
  const dup = services.find((s, i) => services.indexOf(s) !== i);
  if (dup) throw new ValidationError('services', `'${dup}' is listed twice`);
  if (!services.length) return;
  const known = (await r.services.list()).map((s) => s.name);
  const unknown = services.filter((s) => !known.includes(s));
  if (unknown.length) {
    throw new ValidationError(
      'services',
      known.length
        ? `unknown service${unknown.length > 1 ? 's' : ''} ${listNames(unknown.map((u) => `'${u}'`))}; known services: ${listNames(known)}`
        : `unknown service${unknown.length > 1 ? 's' : ''} ${listNames(unknown.map((u) => `'${u}'`))}; no services are defined yet (add or discover them first)`,
    );
  }
}

/** The release's calendar event: its planned window, or an hour from its creation when unscheduled. */
export function releaseCalendarEvent(release: Release, now: Date): CalendarEvent {
  const start = release.plannedStart ?? release.createdAt;
  const end = release.plannedEnd && release.plannedEnd.getTime() > start.getTime() ? release.plannedEnd : new Date(start.getTime() + 3_600_000);
  const prefix = release.status === 'cancelled' ? 'Cancelled: ' : '';
  return {
    id: `release-${release.id}`,
    kind: 'release',
    subjectId: release.id,
    title: `${prefix}Release ${release.version} — ${release.name}`,
    description: [
      release.description,
      `Status: ${release.status.replace('_', ' ')}`,
      release.services?.length ? `Services: ${release.services.join(', ')}` : undefined,
      release.plannedStart ? undefined : 'Not scheduled yet: shown at its creation time.',
    ].filter(Boolean).join('\n'),
    startsAt: start,
    endsAt: end,
    updatedAt: now,
  };
}
