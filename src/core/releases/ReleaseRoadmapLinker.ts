import { Auditor } from '../audit';
import { NotFoundError, RefusedError, ValidationError } from '../model';
import type { Clock, Identity, Repositories, UnitOfWork } from '../ports';
import { localToInstant, validateTimeZone } from '../recurrence';
import {
  computeProgress,
  estimatePace,
  type Milestone,
  type ReleaseMilestoneLink,
  type Roadmap,
  type RoadmapProgress,
} from '../roadmaps';
import { compact, describe, keyName, optionalText, requireText } from '../validate';
import { releaseLabel } from './ReleaseManager';

export interface MilestoneInput {
  title: string;
  /** A Date, an ISO instant, or 'YYYY-MM-DD' (the end of that day in the linker's zone). */
  dueDate?: Date | string;
  /** Share of the roadmap, > 0; default 1. */
  weight?: number;
}

export interface MilestoneUpdates {
  title?: string;
  /** null removes the due date. */
  dueDate?: Date | string | null;
  weight?: number;
  /** 0-based new place in the roadmap; the others move up or down. */
  position?: number;
}

export interface RoadmapInput {
  name: string;
  description?: string;
  milestones?: MilestoneInput[];
}

export interface ReleaseRoadmapLinkerDeps {
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  newId?: () => string;
  /** Zone in which a due date 'YYYY-MM-DD' ends; default the host's. */
  timeZone?: string;
}

const MAX_MILESTONES = 200;
const MAX_WEIGHT = 1000;
const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Roadmaps with milestones, releases linked to milestones, and progress per milestone.
 * Linking a release to a milestone it is already linked to is idempotent: it answers the existing
 * link with `created: false` and records nothing. A cancelled release cannot be linked.
 */
export class ReleaseRoadmapLinker {
  private readonly auditor: Auditor;
  private readonly newId: () => string;
  private readonly timeZone: string;

  constructor(private readonly deps: ReleaseRoadmapLinkerDeps) {
    this.auditor = new Auditor(deps.clock, deps.identity);
    this.newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
    this.timeZone = validateTimeZone(deps.timeZone ?? (new Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'), 'timeZone');
  }

  // ---------------------------------------------------------------- roadmaps

  async createRoadmap(input: RoadmapInput): Promise<Roadmap> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ValidationError('roadmap', `expected an object, got ${describe(input)}`);
    const name = requireText('name', input.name, { max: 200 });
    const description = optionalText('description', input.description, { max: 10_000, multiline: true });
    const raw = input.milestones ?? [];
    if (!Array.isArray(raw)) throw new ValidationError('milestones', `expected a list, got ${describe(raw)}`);
    if (raw.length > MAX_MILESTONES) throw new ValidationError('milestones', `has ${raw.length} entries; the limit is ${MAX_MILESTONES}`);
    const milestones = raw.map((m, i) => this.validateMilestone(m, `milestones[${i}]`));
    const actor = await this.deps.identity.currentUser();
    return this.deps.uow.write(async (r) => {
      await this.checkNameFree(r, name);
      const now = this.deps.clock.now();
      const id = this.newId();
      const roadmap: Roadmap = compact({
        id,
        name,
        description,
        milestones: milestones.map((m, position) => compact<Milestone>({ id: this.newId(), roadmapId: id, ...m, position, createdAt: now })),
        createdAt: now,
        updatedAt: now,
      });
      await r.roadmaps.insert(roadmap);
      await this.auditor.record(r, actor, 'roadmap.create', 'roadmap', id, undefined, roadmap);
      return roadmap;
    });
  }

  async updateRoadmap(roadmapId: string, updates: { name?: string; description?: string | null }): Promise<Roadmap> {
    if (typeof updates !== 'object' || updates === null) throw new ValidationError('updates', `expected an object, got ${describe(updates)}`);
    const unknown = Object.keys(updates).find((k) => k !== 'name' && k !== 'description');
    if (unknown !== undefined) throw new ValidationError(keyName(unknown), 'is not a field that can be updated (fields: name, description)');
    const name = updates.name === undefined ? undefined : requireText('name', updates.name, { max: 200 });
    const description = updates.description === undefined ? undefined : optionalText('description', updates.description, { max: 10_000, multiline: true });
    const actor = await this.deps.identity.currentUser();
    return this.deps.uow.write(async (r) => {
      const before = await this.require(r, roadmapId);
      if (name !== undefined && name.toLowerCase() !== before.name.toLowerCase()) await this.checkNameFree(r, name);
      const after: Roadmap = compact({
        ...before,
        ...(name !== undefined ? { name } : {}),
        ...('description' in updates ? { description } : {}),
        updatedAt: this.deps.clock.now(),
      });
      await r.roadmaps.update(after);
      await this.auditor.record(r, actor, 'roadmap.update', 'roadmap', after.id, strip(before), strip(after));
      return after;
    });
  }

  /** Removes the roadmap, its milestones and their links; the releases stay. */
  async deleteRoadmap(roadmapId: string): Promise<void> {
    const actor = await this.deps.identity.currentUser();
    await this.deps.uow.write(async (r) => {
      const before = await this.require(r, roadmapId);
      const links = await r.roadmaps.links({ roadmapId: before.id });
      await r.roadmaps.remove(before.id);
      await this.auditor.record(r, actor, 'roadmap.delete', 'roadmap', before.id, { ...before, links }, undefined);
    });
  }

  getRoadmap(roadmapId: string): Promise<Roadmap | null> {
    if (typeof roadmapId !== 'string') return Promise.resolve(null);
    return this.deps.uow.read((r) => r.roadmaps.get(roadmapId));
  }

  listRoadmaps(): Promise<Roadmap[]> {
    return this.deps.uow.read((r) => r.roadmaps.list());
  }

  // ---------------------------------------------------------------- milestones

  async addMilestone(roadmapId: string, input: MilestoneInput): Promise<Milestone> {
    const m = this.validateMilestone(input, 'milestone');
    const actor = await this.deps.identity.currentUser();
    return this.deps.uow.write(async (r) => {
      const roadmap = await this.require(r, roadmapId);
      if (roadmap.milestones.length >= MAX_MILESTONES) throw new RefusedError(`roadmap '${roadmap.name}' has ${MAX_MILESTONES} milestones, the limit`);
      const now = this.deps.clock.now();
      const milestone = compact<Milestone>({ id: this.newId(), roadmapId: roadmap.id, ...m, position: roadmap.milestones.length, createdAt: now });
      await r.roadmaps.insertMilestone(milestone);
      await this.touch(r, roadmap, now);
      await this.auditor.record(r, actor, 'milestone.add', 'roadmap', roadmap.id, undefined, milestone);
      return milestone;
    });
  }

  async updateMilestone(roadmapId: string, milestoneId: string, updates: MilestoneUpdates): Promise<Milestone> {
    if (typeof updates !== 'object' || updates === null) throw new ValidationError('updates', `expected an object, got ${describe(updates)}`);
    const known = ['title', 'dueDate', 'weight', 'position'];
    const unknown = Object.keys(updates).find((k) => !known.includes(k));
    // `!== undefined`: an empty key is unknown too.
    if (unknown !== undefined) throw new ValidationError(keyName(unknown), `is not a field that can be updated (fields: ${known.join(', ')})`);
    const title = updates.title === undefined ? undefined : requireText('title', updates.title, { max: 200 });
    const weight = updates.weight === undefined ? undefined : validateWeight(updates.weight, 'weight');
    const dueDate = updates.dueDate === undefined || updates.dueDate === null ? undefined : this.validateDue(updates.dueDate, 'dueDate');
    if (updates.position !== undefined && (!Number.isInteger(updates.position) || updates.position < 0)) {
      throw new ValidationError('position', `expected a whole number ≥ 0, got ${describe(updates.position)}`);
    }
    const actor = await this.deps.identity.currentUser();
    return this.deps.uow.write(async (r) => {
      const roadmap = await this.require(r, roadmapId);
      const before = requireMilestone(roadmap, milestoneId);
      const after: Milestone = compact({
        ...before,
        ...(title !== undefined ? { title } : {}),
        ...(weight !== undefined ? { weight } : {}),
        ...(updates.dueDate !== undefined ? { dueDate } : {}),
      });
      if (updates.position !== undefined && updates.position !== before.position) {
        const order = roadmap.milestones.filter((m) => m.id !== before.id);
        order.splice(Math.min(updates.position, order.length), 0, after);
        for (const [i, m] of order.entries()) {
          if (m.id === after.id) after.position = i;
          else if (m.position !== i) await r.roadmaps.updateMilestone({ ...m, position: i });
        }
      }
      await r.roadmaps.updateMilestone(after);
      await this.touch(r, roadmap, this.deps.clock.now());
      await this.auditor.record(r, actor, 'milestone.update', 'roadmap', roadmap.id, before, after);
      return after;
    });
  }

  /** Removes the milestone and its release links. */
  async removeMilestone(roadmapId: string, milestoneId: string): Promise<void> {
    const actor = await this.deps.identity.currentUser();
    await this.deps.uow.write(async (r) => {
      const roadmap = await this.require(r, roadmapId);
      const before = requireMilestone(roadmap, milestoneId);
      const links = await r.roadmaps.links({ milestoneId: before.id });
      await r.roadmaps.removeMilestone(before.id);
      for (const [i, m] of roadmap.milestones.filter((x) => x.id !== before.id).entries()) {
        if (m.position !== i) await r.roadmaps.updateMilestone({ ...m, position: i });
      }
      await this.touch(r, roadmap, this.deps.clock.now());
      await this.auditor.record(r, actor, 'milestone.remove', 'roadmap', roadmap.id, { ...before, links }, undefined);
    });
  }

  // ---------------------------------------------------------------- links

  /**
   * Links a release to a milestone. A release may link to several milestones (of one or several
   * roadmaps). Linking again is idempotent: `created: false`, nothing recorded.
   */
  async linkRelease(releaseId: string, roadmapId: string, milestoneId: string): Promise<{ link: ReleaseMilestoneLink; created: boolean }> {
    const actor = await this.deps.identity.currentUser();
    return this.deps.uow.write(async (r) => {
      const release = typeof releaseId === 'string' ? await r.releases.get(releaseId) : null;
      if (!release) throw new NotFoundError('release', String(releaseId));
      const roadmap = await this.require(r, roadmapId);
      const milestone = requireMilestone(roadmap, milestoneId);
      const existing = (await r.roadmaps.links({ releaseId: release.id, milestoneId: milestone.id }))[0];
      if (existing) return { link: existing, created: false };
      if (release.status === 'cancelled') {
        throw new RefusedError(`release ${releaseLabel(release)} is cancelled; a cancelled release cannot deliver milestone '${milestone.title}'`);
      }
      const link: ReleaseMilestoneLink = { releaseId: release.id, milestoneId: milestone.id, roadmapId: roadmap.id, linkedAt: this.deps.clock.now() };
      await r.roadmaps.link(link);
      await this.auditor.record(r, actor, 'release.link', 'release', release.id, undefined, { ...link, milestone: milestone.title, roadmap: roadmap.name });
      return { link, created: true };
    });
  }

  /** Refused when the release is not linked to the milestone. */
  async unlinkRelease(releaseId: string, roadmapId: string, milestoneId: string): Promise<void> {
    const actor = await this.deps.identity.currentUser();
    await this.deps.uow.write(async (r) => {
      const release = typeof releaseId === 'string' ? await r.releases.get(releaseId) : null;
      if (!release) throw new NotFoundError('release', String(releaseId));
      const roadmap = await this.require(r, roadmapId);
      const milestone = requireMilestone(roadmap, milestoneId);
      const existing = (await r.roadmaps.links({ releaseId: release.id, milestoneId: milestone.id }))[0];
      if (!existing) throw new RefusedError(`release ${releaseLabel(release)} is not linked to milestone '${milestone.title}' of roadmap '${roadmap.name}'`);
      await r.roadmaps.unlink(release.id, milestone.id);
      await this.auditor.record(r, actor, 'release.unlink', 'release', release.id, { ...existing, milestone: milestone.title, roadmap: roadmap.name }, undefined);
    });
  }

  /** The milestones a release is linked to, with their roadmaps' names (for the release's page). */
  async milestonesOf(releaseId: string): Promise<{ roadmapId: string; roadmap: string; milestone: Milestone }[]> {
    return this.deps.uow.read(async (r) => {
      const links = typeof releaseId === 'string' ? await r.roadmaps.links({ releaseId }) : [];
      const out: { roadmapId: string; roadmap: string; milestone: Milestone }[] = [];
      for (const l of links) {
        const roadmap = await r.roadmaps.get(l.roadmapId);
        const milestone = roadmap?.milestones.find((m) => m.id === l.milestoneId);
        if (roadmap && milestone) out.push({ roadmapId: roadmap.id, roadmap: roadmap.name, milestone });
      }
      return out;
    });
  }

  // ---------------------------------------------------------------- progress

  /**
   * Per milestone: its releases, percent deployed to production, and whether it is at risk at the
   * recent pace (see src/core/roadmaps.ts for the rule, also given in the result as text).
   */
  async trackProgress(roadmapId: string, now: Date = this.deps.clock.now()): Promise<RoadmapProgress> {
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new ValidationError('now', `expected a date, got ${describe(now)}`);
    const { roadmap, links, releases } = await this.deps.uow.read(async (r) => ({
      roadmap: await this.require(r, roadmapId),
      links: await r.roadmaps.links({ roadmapId }),
      releases: await r.releases.listSummaries(),
    }));
    const pace = estimatePace(releases);
    return computeProgress(roadmap, links, new Map(releases.map((x) => [x.id, x])), pace, now);
  }

  // ---------------------------------------------------------------- internals

  private validateMilestone(raw: unknown, field: string): Omit<Milestone, 'id' | 'roadmapId' | 'position' | 'createdAt'> {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError(field, `expected { title, dueDate?, weight? }, got ${describe(raw)}`);
    const m = raw as Record<string, unknown>;
    const unknown = Object.keys(m).find((k) => !['title', 'dueDate', 'weight'].includes(k) && m[k] !== undefined);
    if (unknown !== undefined) throw new ValidationError(`${field}.${keyName(unknown)}`, 'unknown field (expected title, dueDate, weight)');
    return compact({
      title: requireText(`${field}.title`, m.title, { max: 200 }),
      dueDate: m.dueDate === undefined || m.dueDate === null ? undefined : this.validateDue(m.dueDate, `${field}.dueDate`),
      weight: m.weight === undefined ? 1 : validateWeight(m.weight, `${field}.weight`),
    });
  }

  private validateDue(value: unknown, field: string): Date {
    if (typeof value === 'string' && DATE_ONLY_RE.test(value)) {
      // The whole day counts: due 2026-04-30 means by the end of that day where the team is.
      return new Date(localToInstant(`${value}T23:59`, this.timeZone, field).getTime() + 59_999);
    }
    const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw new ValidationError(field, `expected a date (YYYY-MM-DD or an ISO time), got ${describe(value)}`);
    return d;
  }

  private async touch(r: Repositories, roadmap: Roadmap, now: Date): Promise<void> {
    await r.roadmaps.update({ ...roadmap, updatedAt: now });
  }

  private async checkNameFree(r: Repositories, name: string): Promise<void> {
    const clash = await r.roadmaps.getByName(name);
    if (clash) throw new ValidationError('name', `a roadmap named '${clash.name}' exists already`);
  }

  private async require(r: Repositories, roadmapId: string): Promise<Roadmap> {
    const roadmap = typeof roadmapId === 'string' ? await r.roadmaps.get(roadmapId) : null;
    if (!roadmap) throw new NotFoundError('roadmap', String(roadmapId));
    return roadmap;
  }
}

function requireMilestone(roadmap: Roadmap, milestoneId: string): Milestone {
  const m = roadmap.milestones.find((x) => x.id === milestoneId);
  if (!m) throw new NotFoundError(`milestone of roadmap '${roadmap.name}'`, String(milestoneId));
  return m;
}

function validateWeight(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > MAX_WEIGHT) {
    throw new ValidationError(field, `expected a number above 0 and at most ${MAX_WEIGHT}, got ${describe(value)}`);
  }
  return value;
}

/** The roadmap's own fields for the audit log (milestones are audited one by one). */
function strip(r: Roadmap): Omit<Roadmap, 'milestones'> {
  const { milestones: _milestones, ...rest } = r;
  return rest;
}
