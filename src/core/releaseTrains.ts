// Release trains: the model, and the pure rules the scheduler applies (versions, checkpoints,
// countdown text). No storage and no clock here, so the tree view and the webview may use them too.
//
// Version rules ("the next version after the highest existing release version", compared as semver
// over every release of the workspace, cancelled ones included because their versions stay taken):
//   next-minor  1.4.2 → 1.5.0 (no releases yet: 0.1.0)
//   next-patch  1.4.2 → 1.4.3 (no releases yet: 0.0.1)
//               Calendar versions (major ≥ 1000, e.g. 2026.3.0) are left out of "highest", so a
//               calendar train beside a semver train does not push the semver train to 2026.4.0.
//   calendar    YEAR.MONTH.N of the departure's local date in the train's zone: the first release of
//               March 2026 is 2026.3.0, a second one that month 2026.3.1 (N counts the releases whose
//               version already starts with 2026.3.). Month without a leading zero: semver forbids it.
import semver from 'semver';
import { ValidationError } from './model';
import { addLocalMinutes, localToInstant, type RecurrenceRule } from './recurrence';
import { describe, keyName } from './validate';

export type VersionRule = 'next-minor' | 'next-patch' | 'calendar';
export const VERSION_RULES: readonly VersionRule[] = ['next-minor', 'next-patch', 'calendar'];

/** Wall-clock offset from a departure; negative is before it (feature freeze 7 days before: { days: -7 }). */
export interface CheckpointOffset {
  days?: number;
  hours?: number;
  minutes?: number;
}

/** Common names are 'feature freeze', 'branch cut' and 'code freeze'; any name is allowed. */
export interface TrainCheckpoint {
  name: string;
  offset: CheckpointOffset;
}

export interface ReleaseTrain {
  id: string;
  /** Unique (case-insensitive). */
  name: string;
  /** When the train departs: frequency, local start 'YYYY-MM-DDTHH:mm', IANA zone, custom RRULE. */
  recurrence: RecurrenceRule;
  enabled: boolean;
  versionRule: VersionRule;
  /** The services in scope: each departure's release covers them. */
  services: string[];
  checkpoints: TrainCheckpoint[];
  /**
   * Departures before this instant never create a release: it is when the train was created, last
   * enabled or last rescheduled. So enabling a train after three months off does not create three
   * months of releases, while departures missed with VS Code closed (after it) are caught up.
   */
  activeFrom: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** A departure the scheduler has handled, exactly once per (train, instant). */
export interface TrainDeparture {
  trainId: string;
  departureAt: Date;
  /** The release it created. */
  releaseId?: string;
  /** Why it created none (e.g. a service in scope was removed from the catalog). */
  error?: string;
  createdAt: Date;
}

/** A checkpoint of one departure, as an instant. */
export interface CheckpointTime {
  name: string;
  at: Date;
  /** Offset from the departure in minutes (negative: before). */
  offsetMinutes: number;
}

// ---------------------------------------------------------------- checkpoints

const MAX_OFFSET_MINUTES = 366 * 24 * 60;
const MAX_CHECKPOINTS = 20;

export function offsetMinutes(offset: CheckpointOffset): number {
  return (offset.days ?? 0) * 1440 + (offset.hours ?? 0) * 60 + (offset.minutes ?? 0);
}

export function validateCheckpoints(value: unknown, field = 'checkpoints'): TrainCheckpoint[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ValidationError(field, `expected a list of { name, offset }, got ${describe(value)}`);
  if (value.length > MAX_CHECKPOINTS) throw new ValidationError(field, `has ${value.length} entries; the limit is ${MAX_CHECKPOINTS}`);
  const seen = new Set<string>();
  return value.map((raw, i) => {
    const at = `${field}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError(at, `expected { name, offset }, got ${describe(raw)}`);
    const c = raw as Record<string, unknown>;
    const unknown = Object.keys(c).find((k) => k !== 'name' && k !== 'offset');
    if (unknown !== undefined) throw new ValidationError(`${at}.${keyName(unknown)}`, 'unknown field (expected name, offset)');
    if (typeof c.name !== 'string' || c.name.trim() === '') throw new ValidationError(`${at}.name`, `expected a name such as 'code freeze', got ${describe(c.name)}`);
    const name = c.name.trim();
    if (name.length > 100 || /[\u0000-\u001f\u007f]/.test(name)) throw new ValidationError(`${at}.name`, 'must be one line of at most 100 characters');
    if (seen.has(name.toLowerCase())) throw new ValidationError(`${at}.name`, `'${name}' appears twice`);
    seen.add(name.toLowerCase());
    const offset = validateOffset(c.offset, `${at}.offset`);
    return { name, offset };
  });
}

function validateOffset(value: unknown, field: string): CheckpointOffset {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError(field, `expected e.g. { days: -7 } or { hours: -4 }, got ${describe(value)}`);
  }
  const o = value as Record<string, unknown>;
  const out: CheckpointOffset = {};
  for (const [k, v] of Object.entries(o)) {
    if (k !== 'days' && k !== 'hours' && k !== 'minutes') throw new ValidationError(`${field}.${k}`, 'unknown unit (expected days, hours, minutes)');
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ValidationError(`${field}.${k}`, `expected a whole number, got ${describe(v)}`);
    out[k] = v;
  }
  if (Object.keys(out).length === 0) throw new ValidationError(field, 'needs days, hours or minutes, e.g. { days: -7 }');
  const total = offsetMinutes(out);
  if (Math.abs(total) > MAX_OFFSET_MINUTES) throw new ValidationError(field, `is ${Math.round(total / 1440)} days from the departure; the limit is 366`);
  return out;
}

/**
 * The checkpoint instants of a departure scheduled at `local` (wall clock in `timeZone`). Offsets are
 * wall-clock: "7 days before a 09:00 departure" is 09:00 local a week earlier even across a DST change.
 */
export function checkpointTimes(checkpoints: readonly TrainCheckpoint[], local: string, timeZone: string): CheckpointTime[] {
  return checkpoints
    .map((c) => {
      const minutes = offsetMinutes(c.offset);
      return { name: c.name, at: localToInstant(addLocalMinutes(local, minutes), timeZone), offsetMinutes: minutes };
    })
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.name.localeCompare(b.name));
}

// ---------------------------------------------------------------- versions

/** Majors from here on are years: calendar versions, which the semver rules do not count up from. */
export const CALENDAR_MAJOR_FROM = 1000;

/** The highest valid semver among `versions` that is not a calendar version, or null. */
export function highestVersion(versions: Iterable<string>): string | null {
  let best: semver.SemVer | null = null;
  for (const v of versions) {
    const parsed = semver.parse(v);
    if (parsed && parsed.major < CALENDAR_MAJOR_FROM && (best === null || semver.compare(parsed, best) > 0)) best = parsed;
  }
  return best?.version ?? null;
}

/** The calendar prefix 'YEAR.MONTH.' of a local wall clock 'YYYY-MM-DDTHH:mm'. */
export function calendarPrefix(local: string): string {
  return `${Number(local.slice(0, 4))}.${Number(local.slice(5, 7))}.`;
}

/**
 * The version a departure gets. `highest` is the highest existing version; `taken` tells whether a
 * version exists (for the calendar rule's N). `local` is the departure's wall clock in the train's zone.
 */
export function nextVersion(rule: VersionRule, highest: string | null, local: string, taken: (version: string) => boolean): string {
  switch (rule) {
    case 'next-minor':
      return highest ? semver.inc(highest, 'minor')! : '0.1.0';
    case 'next-patch':
      return highest ? semver.inc(highest, 'patch')! : '0.0.1';
    case 'calendar': {
      const prefix = calendarPrefix(local);
      let n = 0;
      while (taken(`${prefix}${n}`)) n++;
      return `${prefix}${n}`;
    }
    default:
      throw new ValidationError('versionRule', `expected one of ${VERSION_RULES.join(', ')}, got ${describe(rule)}`);
  }
}

/**
 * Versions in memory for a run of departures: the highest, and the set for the calendar rule.
 * Kept current as releases are added within one transaction.
 */
export class VersionBook {
  private readonly all = new Set<string>();
  private top: semver.SemVer | null = null;

  constructor(versions: Iterable<string>) {
    for (const v of versions) this.add(v);
  }

  add(version: string): void {
    this.all.add(version);
    const parsed = semver.parse(version);
    if (parsed && parsed.major < CALENDAR_MAJOR_FROM && (this.top === null || semver.compare(parsed, this.top) > 0)) this.top = parsed;
  }

  has(version: string): boolean {
    return this.all.has(version);
  }

  next(rule: VersionRule, local: string): string {
    return nextVersion(rule, this.top?.version ?? null, local, (v) => this.all.has(v));
  }
}

// ---------------------------------------------------------------- countdown

/** "in 2d", "in 5h", "in 12m", "now": the status-bar countdown to `at`. Rounded down. */
export function formatCountdown(now: Date, at: Date): string {
  const ms = at.getTime() - now.getTime();
  if (ms <= 0) return 'now';
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'in <1m';
  if (minutes < 60) return `in ${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `in ${hours}h`;
  return `in ${Math.floor(hours / 24)}d`;
}
