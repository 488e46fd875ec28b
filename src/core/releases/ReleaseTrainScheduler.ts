import { Auditor } from '../audit';
import { NotFoundError, RefusedError, ValidationError, type Release } from '../model';
import type { Clock, Identity, Repositories, UnitOfWork } from '../ports';
import {
  describeRecurrence,
  formatInstant,
  formatLocal,
  FREQUENCIES,
  localOccurrencesBetween,
  nextOccurrence,
  validateRecurrence,
  validateTimeZone,
  type Frequency,
  type LocalOccurrence,
  type RecurrenceRule,
} from '../recurrence';
import {
  checkpointTimes,
  formatCountdown,
  offsetMinutes,
  validateCheckpoints,
  VersionBook,
  VERSION_RULES,
  type CheckpointTime,
  type ReleaseTrain,
  type TrainCheckpoint,
  type TrainDeparture,
  type VersionRule,
} from '../releaseTrains';
import { describe, keyName, requireStringArray, requireText } from '../validate';
import { checkServices, insertRelease, releaseLabel } from './ReleaseManager';

export interface TrainScheduleInput {
  name: string;
  frequency: Frequency;
  /**
   * The first departure. A Date is an instant (its wall clock in `timeZone` becomes the departure
   * time); a string 'YYYY-MM-DDTHH:mm' is the wall clock in `timeZone`; 'YYYY-MM-DD' needs `time`.
   */
  startDate: Date | string;
  /** Default true. */
  enabled?: boolean;
  /** IANA zone of the departures; default the host's zone. */
  timeZone?: string;
  /** 'HH:mm' departure time of day; overrides the time in `startDate`. */
  time?: string;
  /** RFC 5545 RRULE body, only with frequency 'custom' (e.g. 'FREQ=MONTHLY;BYDAY=1TU'). */
  rrule?: string;
  /** Default 'next-minor'. */
  versionRule?: VersionRule;
  services?: string[];
  checkpoints?: TrainCheckpoint[];
}

export type TrainScheduleUpdates = Partial<TrainScheduleInput>;

export interface ReleaseTrainSchedulerDeps {
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  newId?: () => string;
  /** Zone of trains created without one; default the host's. */
  defaultTimeZone?: string;
  /** Departures handled per write transaction (default 100): bounds how long catching up holds the lock. */
  batchSize?: number;
}

export interface DepartureOutcome {
  trainId: string;
  trainName: string;
  departureAt: Date;
  releaseId?: string;
  version?: string;
  /** Why no release was created. */
  error?: string;
}

export interface RunDueResult {
  /** Departures this call handled, in time order per train. */
  departures: DepartureOutcome[];
  /** Trains that could not be handled at all (storage failure…); the next run retries them. */
  errors: { trainId: string; trainName: string; message: string }[];
  /** True when a train had more due departures than one run handles; call again. */
  more: boolean;
}

export interface UpcomingCheckpoint extends CheckpointTime {
  passed: boolean;
}

export interface UpcomingDeparture {
  trainId: string;
  trainName: string;
  at: Date;
  /** Scheduled wall clock 'YYYY-MM-DDTHH:mm' in the train's zone. */
  local: string;
  timeZone: string;
  /** "Tue 2026-03-31 09:00 Europe/Berlin". */
  label: string;
  /** The version the release would get if nothing else changes before then. */
  expectedVersion: string;
  services: string[];
  checkpoints: UpcomingCheckpoint[];
}

export interface NextCheckpoint {
  trainId: string;
  trainName: string;
  /** A checkpoint's name, or 'departure'. */
  name: string;
  kind: 'checkpoint' | 'departure';
  at: Date;
  departureAt: Date;
  /** "code freeze in 2d" (Monthly train): the status bar's text. */
  text: string;
}

export interface Horizon {
  days?: number;
  hours?: number;
}

const DEFAULT_BATCH = 100;
/** Departures one run handles per train; the rest wait for the next run (`more`). */
const MAX_PER_RUN = 5_000;
const DAY_MS = 86_400_000;
const TRAIN_FIELDS = ['name', 'frequency', 'startDate', 'enabled', 'timeZone', 'time', 'rrule', 'versionRule', 'services', 'checkpoints'];

/**
 * Release trains: a schedule of departures, each creating its release exactly once.
 *
 * Exactly once, also with two windows on one workspace: each batch of departures is one write
 * transaction that reads the departure records under the database lock (storage reloads the other
 * process's changes first), creates the release of each departure not recorded yet through
 * ReleaseManager's `insertRelease`, and records the departure — the (train, instant) primary key is
 * the backstop. Departures missed while VS Code was closed are caught up in time order.
 */
export class ReleaseTrainScheduler {
  private readonly auditor: Auditor;
  private readonly newId: () => string;
  private readonly defaultTimeZone: string;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ReleaseTrainSchedulerDeps) {
    this.auditor = new Auditor(deps.clock, deps.identity);
    this.newId = deps.newId ?? (() => globalThis.crypto.randomUUID());
    this.defaultTimeZone = deps.defaultTimeZone ?? hostTimeZone();
  }

  // ---------------------------------------------------------------- schedules

  async createSchedule(input: TrainScheduleInput): Promise<ReleaseTrain> {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ValidationError('schedule', `expected an object, got ${describe(input)}`);
    checkKnownFields(input);
    const name = requireText('name', input.name, { max: 200 });
    const recurrence = buildRecurrence(
      { frequency: input.frequency, startDate: input.startDate, time: input.time, rrule: input.rrule, timeZone: input.timeZone ?? this.defaultTimeZone },
      undefined,
    );
    const enabled = validateEnabled(input.enabled ?? true);
    const versionRule = validateVersionRule(input.versionRule ?? 'next-minor');
    const services = input.services === undefined ? [] : requireStringArray('services', input.services, 500);
    const checkpoints = validateCheckpoints(input.checkpoints);
    const actor = await this.deps.identity.currentUser();
    return this.deps.uow.write(async (r) => {
      await this.checkNameFree(r, name);
      await checkServices(r, services);
      const now = this.deps.clock.now();
      const train: ReleaseTrain = {
        id: this.newId(),
        name,
        recurrence,
        enabled,
        versionRule,
        services,
        checkpoints,
        activeFrom: now,
        createdAt: now,
        updatedAt: now,
      };
      await r.trains.insert(train);
      await this.auditor.record(r, actor, 'train.create', 'train', train.id, undefined, train);
      return train;
    });
  }

  /**
   * Changes any field of createSchedule. A changed schedule (frequency, start, time, zone, rule) only
   * applies from now on: departures of the new schedule before now never create releases.
   */
  async updateSchedule(trainId: string, updates: TrainScheduleUpdates): Promise<ReleaseTrain> {
    if (typeof updates !== 'object' || updates === null || Array.isArray(updates)) throw new ValidationError('updates', `expected an object, got ${describe(updates)}`);
    checkKnownFields(updates);
    const name = updates.name === undefined ? undefined : requireText('name', updates.name, { max: 200 });
    const enabled = updates.enabled === undefined ? undefined : validateEnabled(updates.enabled);
    const versionRule = updates.versionRule === undefined ? undefined : validateVersionRule(updates.versionRule);
    const services = updates.services === undefined ? undefined : requireStringArray('services', updates.services, 500);
    const checkpoints = updates.checkpoints === undefined ? undefined : validateCheckpoints(updates.checkpoints);
    const scheduleChanged = ['frequency', 'startDate', 'time', 'rrule', 'timeZone'].some((k) => (updates as Record<string, unknown>)[k] !== undefined);
    // Validate the schedule against the stored one before the transaction: only its fields are read.
    const current = await this.requireRead(trainId);
    const recurrence = scheduleChanged ? buildRecurrence(updates, current.recurrence) : undefined;
    const actor = await this.deps.identity.currentUser();
    return this.deps.uow.write(async (r) => {
      const before = await this.require(r, trainId);
      if (name !== undefined && name.toLowerCase() !== before.name.toLowerCase()) await this.checkNameFree(r, name);
      if (services !== undefined) await checkServices(r, services);
      const now = this.deps.clock.now();
      const after: ReleaseTrain = {
        ...before,
        ...(name !== undefined ? { name } : {}),
        ...(enabled !== undefined ? { enabled } : {}),
        ...(versionRule !== undefined ? { versionRule } : {}),
        ...(services !== undefined ? { services } : {}),
        ...(checkpoints !== undefined ? { checkpoints } : {}),
        ...(recurrence !== undefined ? { recurrence } : {}),
        updatedAt: now,
      };
      const rescheduled = recurrence !== undefined && JSON.stringify(recurrence) !== JSON.stringify(before.recurrence);
      if (rescheduled || (after.enabled && !before.enabled)) after.activeFrom = now;
      await r.trains.update(after);
      await this.auditor.record(r, actor, 'train.update', 'train', after.id, before, after);
      return after;
    });
  }

  /** Departures from now on create releases again; the ones missed while disabled do not. */
  enable(trainId: string): Promise<ReleaseTrain> {
    return this.setEnabled(trainId, true);
  }

  /** A disabled train creates nothing. */
  disable(trainId: string): Promise<ReleaseTrain> {
    return this.setEnabled(trainId, false);
  }

  /** Removes the train and its departure records; the releases it created stay. */
  async deleteSchedule(trainId: string): Promise<void> {
    const actor = await this.deps.identity.currentUser();
    await this.deps.uow.write(async (r) => {
      const before = await this.require(r, trainId);
      await r.trains.remove(before.id);
      await this.auditor.record(r, actor, 'train.delete', 'train', before.id, before, undefined);
    });
  }

  getSchedule(trainId: string): Promise<ReleaseTrain | null> {
    if (typeof trainId !== 'string') return Promise.resolve(null);
    return this.deps.uow.read((r) => r.trains.get(trainId));
  }

  listSchedules(): Promise<ReleaseTrain[]> {
    return this.deps.uow.read((r) => r.trains.list());
  }

  /** The departures a train has handled, newest first, with the release each created or why none. */
  async listDepartures(trainId: string, limit = 50): Promise<TrainDeparture[]> {
    if (!Number.isInteger(limit) || limit < 1) throw new ValidationError('limit', `expected a whole number ≥ 1, got ${describe(limit)}`);
    return this.deps.uow.read(async (r) => {
      await this.require(r, trainId);
      return r.trains.listDepartures(trainId, limit);
    });
  }

  /** "monthly on day 31 (last day in shorter months) at 09:00 Europe/Berlin · next-minor · 2 services". */
  describeSchedule(train: ReleaseTrain): string {
    const parts = [describeRecurrence(train.recurrence), train.versionRule];
    if (train.services.length) parts.push(`${train.services.length} service${train.services.length > 1 ? 's' : ''}`);
    if (!train.enabled) parts.push('disabled');
    return parts.join(' · ');
  }

  // ---------------------------------------------------------------- departures

  /**
   * Creates the release of every departure at or before `now` not handled yet, for every enabled
   * train, including departures missed while no window was open. Safe to call from several
   * processes at once and repeatedly: each departure creates one release. A departure whose release
   * cannot be created (a service in scope was removed) is recorded with the reason and skipped.
   */
  runDue(now: Date = this.deps.clock.now()): Promise<RunDueResult> {
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new ValidationError('now', `expected a date, got ${describe(now)}`);
    // One run at a time in this process (activation and the timer may overlap).
    const run = this.running.then(() => this.runDueNow(now));
    this.running = run.catch(() => undefined);
    return run;
  }

  /** When the next departure of an enabled train is (for the container's timer), or null. */
  async nextRunAt(now: Date = this.deps.clock.now()): Promise<Date | null> {
    const trains = (await this.listSchedules()).filter((t) => t.enabled);
    let best: Date | null = null;
    for (const t of trains) {
      const next = nextOccurrence(t.recurrence, new Date(Math.max(now.getTime(), t.activeFrom.getTime() - 1)));
      if (next && (best === null || next < best)) best = next;
    }
    return best;
  }

  /**
   * Departures of the enabled trains in [now, now + horizon), in time order, each with its
   * checkpoints (absolute times; `passed` when before now) and the version it would get.
   */
  async upcoming(now: Date = this.deps.clock.now(), horizon: Horizon = { days: 90 }, perTrain = 20): Promise<UpcomingDeparture[]> {
    const span = horizonMs(horizon);
    if (!Number.isInteger(perTrain) || perTrain < 1) throw new ValidationError('perTrain', `expected a whole number ≥ 1, got ${describe(perTrain)}`);
    const { trains, versions } = await this.deps.uow.read(async (r) => ({
      trains: (await r.trains.list()).filter((t) => t.enabled),
      versions: (await r.releases.listSummaries()).filter((s) => s.projectId === undefined).map((s) => s.version),
    }));
    const all: { train: ReleaseTrain; occ: LocalOccurrence }[] = [];
    for (const train of trains) {
      const from = new Date(Math.max(now.getTime(), train.activeFrom.getTime()));
      for (const occ of localOccurrencesBetween(train.recurrence, from, new Date(now.getTime() + span), perTrain)) all.push({ train, occ });
    }
    all.sort((a, b) => a.occ.at.getTime() - b.occ.at.getTime() || a.train.name.localeCompare(b.train.name));
    const book = new VersionBook(versions);
    return all.map(({ train, occ }) => {
      const expectedVersion = book.next(train.versionRule, occ.local);
      book.add(expectedVersion);
      return {
        trainId: train.id,
        trainName: train.name,
        at: occ.at,
        local: occ.local,
        timeZone: train.recurrence.timeZone,
        label: formatInstant(occ.at, train.recurrence.timeZone),
        expectedVersion,
        services: train.services,
        checkpoints: checkpointTimes(train.checkpoints, occ.local, train.recurrence.timeZone).map((c) => ({ ...c, passed: c.at.getTime() < now.getTime() })),
      };
    });
  }

  /**
   * The soonest checkpoint or departure after `now` among the enabled trains — within `within` when
   * given — for the status-bar countdown ("code freeze in 2d").
   */
  async nextCheckpoint(now: Date = this.deps.clock.now(), within?: Horizon): Promise<NextCheckpoint | null> {
    const limit = within === undefined ? Infinity : now.getTime() + horizonMs(within);
    const trains = (await this.listSchedules()).filter((t) => t.enabled);
    let best = null as NextCheckpoint | null;
    for (const train of trains) {
      const offsets = train.checkpoints.map((c) => offsetMinutes(c.offset));
      const latestAfter = Math.max(0, ...offsets) * 60_000;
      const earliestBefore = Math.max(0, ...offsets.map((o) => -o)) * 60_000;
      // A departure's checkpoints lie in [departure - earliestBefore, departure + latestAfter]. Look
      // 45 days past the earliest lead first (enough for any train but a rare custom rule), then a
      // year (+ a day of DST slack), which finds the next departure of any rule that has one.
      const from = new Date(Math.max(now.getTime() - latestAfter - DAY_MS, train.activeFrom.getTime()));
      for (const ahead of [45 * DAY_MS, 367 * DAY_MS]) {
        const to = new Date(now.getTime() + earliestBefore + ahead);
        let found = false;
        for (const occ of localOccurrencesBetween(train.recurrence, from, to, 2_000)) {
          const candidates: { name: string; kind: NextCheckpoint['kind']; at: Date }[] = [
            { name: 'departure', kind: 'departure', at: occ.at },
            ...checkpointTimes(train.checkpoints, occ.local, train.recurrence.timeZone).map((c) => ({ name: c.name, kind: 'checkpoint' as const, at: c.at })),
          ];
          for (const c of candidates) {
            if (c.at.getTime() <= now.getTime()) continue;
            found = true;
            if (c.at.getTime() > limit) continue;
            if (best === null || c.at.getTime() < best.at.getTime()) {
              best = { trainId: train.id, trainName: train.name, name: c.name, kind: c.kind, at: c.at, departureAt: occ.at, text: '' };
            }
          }
          // Later departures only have later checkpoints than this one's earliest.
          // (An hour of slack: wall-clock offsets move by the DST shift.)
          if (best && occ.at.getTime() - earliestBefore - 3_600_000 > best.at.getTime()) break;
        }
        if (found) break;
      }
    }
    if (best) best.text = `${best.kind === 'departure' ? `${best.trainName} departs` : best.name} ${formatCountdown(now, best.at)}`;
    return best;
  }

  // ---------------------------------------------------------------- internals

  private async runDueNow(now: Date): Promise<RunDueResult> {
    const result: RunDueResult = { departures: [], errors: [], more: false };
    const trains = await this.deps.uow.read(async (r) => {
      const list = (await r.trains.list()).filter((t) => t.enabled);
      return Promise.all(list.map(async (t) => ({ train: t, last: await r.trains.lastDeparture(t.id) })));
    });
    if (!trains.length) return result;
    const actor = await this.deps.identity.currentUser();
    for (const { train, last } of trains) {
      try {
        // Departures are handled in time order, so everything up to the last recorded one is done.
        const from = Math.max(train.activeFrom.getTime(), last ? last.getTime() + 1 : -Infinity);
        const due = localOccurrencesBetween(train.recurrence, new Date(from), new Date(now.getTime() + 1), MAX_PER_RUN + 1);
        if (due.length > MAX_PER_RUN) {
          due.length = MAX_PER_RUN;
          result.more = true;
        }
        const batch = this.deps.batchSize ?? DEFAULT_BATCH;
        for (let i = 0; i < due.length; i += batch) {
          const outcomes = await this.deps.uow.write((r) => this.depart(r, train, due.slice(i, i + batch), actor));
          if (outcomes === null) break; // the train changed meanwhile (another window): the next run replans it
          result.departures.push(...outcomes);
        }
      } catch (e) {
        result.errors.push({ trainId: train.id, trainName: train.name, message: (e as Error).message });
      }
    }
    return result;
  }

  /** One transaction: the release of each departure not yet recorded, and its record. */
  private async depart(r: Repositories, planned: ReleaseTrain, due: LocalOccurrence[], actor: string): Promise<DepartureOutcome[] | null> {
    const train = await r.trains.get(planned.id);
    if (!train || !train.enabled || train.updatedAt.getTime() !== planned.updatedAt.getTime()) return null;
    const book = new VersionBook((await r.releases.listSummaries()).filter((s) => s.projectId === undefined).map((s) => s.version));
    const out: DepartureOutcome[] = [];
    for (const occ of due) {
      if (await r.trains.getDeparture(train.id, occ.at)) continue; // another window handled it
      const now = this.deps.clock.now();
      const version = book.next(train.versionRule, occ.local);
      const outcome: DepartureOutcome = { trainId: train.id, trainName: train.name, departureAt: occ.at };
      let release: Release | undefined;
      try {
        // Validation errors are thrown before insertRelease writes anything, so recording the
        // failed departure below keeps the transaction consistent.
        ({ release } = await insertRelease(
          r,
          {
            name: `${train.name} ${occ.local.slice(0, 10)}`,
            version,
            description: `Created by release train '${train.name}' for its departure on ${formatInstant(occ.at, train.recurrence.timeZone)}.`,
            services: train.services,
            plannedStart: occ.at,
            trainId: train.id,
          },
          { now, newId: this.newId, actor, auditor: this.auditor },
        ));
        book.add(version);
        outcome.releaseId = release.id;
        outcome.version = version;
      } catch (e) {
        if (!(e instanceof ValidationError || e instanceof RefusedError)) throw e;
        outcome.error = `no release for the departure of ${formatInstant(occ.at, train.recurrence.timeZone)}: ${e.message}`;
      }
      const departure: TrainDeparture = { trainId: train.id, departureAt: occ.at, createdAt: now, ...(release ? { releaseId: release.id } : { error: outcome.error! }) };
      await r.trains.recordDeparture(departure);
      await this.auditor.record(r, actor, release ? 'train.depart' : 'train.depart.failed', 'train', train.id, undefined,
        release ? { departureAt: occ.at, releaseId: release.id, release: releaseLabel(release) } : departure);
      out.push(outcome);
    }
    return out;
  }

  private async setEnabled(trainId: string, enabled: boolean): Promise<ReleaseTrain> {
    const actor = await this.deps.identity.currentUser();
    return this.deps.uow.write(async (r) => {
      const before = await this.require(r, trainId);
      if (before.enabled === enabled) return before;
      const now = this.deps.clock.now();
      const after: ReleaseTrain = { ...before, enabled, updatedAt: now, ...(enabled ? { activeFrom: now } : {}) };
      await r.trains.update(after);
      await this.auditor.record(r, actor, enabled ? 'train.enable' : 'train.disable', 'train', after.id, before, after);
      return after;
    });
  }

  private async checkNameFree(r: Repositories, name: string): Promise<void> {
    const clash = await r.trains.getByName(name);
    if (clash) throw new ValidationError('name', `a release train named '${clash.name}' exists already`);
  }

  private async require(r: Repositories, trainId: string): Promise<ReleaseTrain> {
    const t = typeof trainId === 'string' ? await r.trains.get(trainId) : null;
    if (!t) throw new NotFoundError('release train', String(trainId));
    return t;
  }

  private requireRead(trainId: string): Promise<ReleaseTrain> {
    return this.deps.uow.read((r) => this.require(r, trainId));
  }
}

// ---------------------------------------------------------------- validation helpers

function hostTimeZone(): string {
  try {
    return validateTimeZone(new Intl.DateTimeFormat().resolvedOptions().timeZone, 'timeZone');
  } catch {
    return 'UTC';
  }
}

function checkKnownFields(o: object): void {
  const unknown = Object.keys(o).find((k) => !TRAIN_FIELDS.includes(k) && (o as Record<string, unknown>)[k] !== undefined);
  if (unknown !== undefined) throw new ValidationError(keyName(unknown), `is not a field of a release train (fields: ${TRAIN_FIELDS.join(', ')})`);
}

function validateEnabled(v: unknown): boolean {
  if (typeof v !== 'boolean') throw new ValidationError('enabled', `expected true or false, got ${describe(v)}`);
  return v;
}

function validateVersionRule(v: unknown): VersionRule {
  if (!VERSION_RULES.includes(v as VersionRule)) throw new ValidationError('versionRule', `expected one of ${VERSION_RULES.join(', ')}, got ${describe(v)}`);
  return v as VersionRule;
}

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The recurrence rule from the schedule fields, over `current` for an update (fields not given
 * keep their stored value; a new zone keeps the stored wall-clock start).
 */
function buildRecurrence(
  f: { frequency?: unknown; startDate?: unknown; time?: unknown; rrule?: unknown; timeZone?: unknown },
  current: RecurrenceRule | undefined,
): RecurrenceRule {
  const timeZone = f.timeZone !== undefined ? validateTimeZone(f.timeZone, 'timeZone') : current!.timeZone;
  const frequency = f.frequency !== undefined ? f.frequency : current?.frequency;
  if (!FREQUENCIES.includes(frequency as Frequency)) {
    throw new ValidationError('frequency', `expected one of ${FREQUENCIES.join(', ')}, got ${describe(frequency)}`);
  }
  if (f.time !== undefined && (typeof f.time !== 'string' || !TIME_RE.test(f.time))) {
    throw new ValidationError('time', `expected HH:mm (24-hour), got ${describe(f.time)}`);
  }
  let start: string;
  if (f.startDate === undefined) {
    if (!current) throw new ValidationError('startDate', 'required: the first departure, a date or local YYYY-MM-DDTHH:mm');
    start = current.start;
  } else if (f.startDate instanceof Date) {
    if (Number.isNaN(f.startDate.getTime())) throw new ValidationError('startDate', 'expected a valid date, got an invalid date');
    start = formatLocal(f.startDate, timeZone);
  } else if (typeof f.startDate === 'string' && DATE_ONLY_RE.test(f.startDate)) {
    if (f.time === undefined) throw new ValidationError('time', `required when startDate is a date without a time (${f.startDate}), e.g. '09:00'`);
    start = `${f.startDate}T${f.time as string}`;
  } else if (typeof f.startDate === 'string') {
    start = f.startDate;
  } else {
    throw new ValidationError('startDate', `expected a date or local YYYY-MM-DDTHH:mm, got ${describe(f.startDate)}`);
  }
  if (typeof f.time === 'string') start = `${start.slice(0, 10)}T${f.time}`;
  const rrule = frequency === 'custom' ? (f.rrule !== undefined ? f.rrule : current?.rrule) : f.rrule;
  try {
    return validateRecurrence({ frequency, start, timeZone, ...(rrule !== undefined ? { rrule } : {}) });
  } catch (e) {
    // The recurrence module names its own fields; the schedule's field for `start` is startDate.
    if (e instanceof ValidationError && e.field === 'start') throw new ValidationError('startDate', e.reason);
    throw e;
  }
}

function horizonMs(h: Horizon): number {
  if (typeof h !== 'object' || h === null) throw new ValidationError('horizon', `expected e.g. { days: 90 }, got ${describe(h)}`);
  const days = h.days ?? 0;
  const hours = h.hours ?? 0;
  if (typeof days !== 'number' || typeof hours !== 'number' || !Number.isFinite(days) || !Number.isFinite(hours) || days < 0 || hours < 0) {
    throw new ValidationError('horizon', 'days and hours must be numbers ≥ 0');
  }
  const ms = days * DAY_MS + hours * 3_600_000;
  if (ms <= 0 || ms > 5 * 366 * DAY_MS) throw new ValidationError('horizon', 'must be more than 0 and at most 5 years');
  return ms;
}
