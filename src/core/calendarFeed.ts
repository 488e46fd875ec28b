// The workspace calendar: every release (their stored calendar events), train departures and
// checkpoints, and the freeze windows of the environments, as one RFC 5545 file that calendar apps
// subscribe to or import. Kept up to date by `CalendarFeed.schedule()` after each change (debounced).
//
// Deterministic: the same data on the same day gives the same bytes (see src/core/calendar.ts), so
// the file can live in git. DTSTAMP is the newest `updatedAt` of the events, and the computed
// events cover a window anchored on the UTC day: from 31 days ago to 365 days ahead. Releases that
// ended more than 365 days ago are left out: the file stays small enough to rebuild after every
// change (ical-generator writes about 5,000 events a second).
// A departure that already created its release is not repeated: the release's event stands for it.
import { buildCalendar, freezeCalendarEvents } from './calendar';
import type { CalendarEvent, Environment } from './model';
import type { Clock, UnitOfWork } from './ports';
import { describeRecurrence, formatInstant, localOccurrencesBetween } from './recurrence';
import { checkpointTimes, offsetMinutes, type ReleaseTrain } from './releaseTrains';
import type { TextFileWriter } from './releases/ReleaseManager';

const DAY_MS = 86_400_000;
export const CALENDAR_PAST_DAYS = 31;
export const CALENDAR_FUTURE_DAYS = 365;
export const CALENDAR_RELEASE_HISTORY_DAYS = 365;

/** "2026-03-31T07:00:00.000Z" → "20260331T070000Z": ids without characters calendars dislike. */
const compactUtc = (d: Date) => d.toISOString().replace(/[-:]|\.\d{3}/g, '');

/** The computed window: whole UTC days, so the file changes at most once a day by itself. */
export function calendarRange(now: Date): { from: Date; to: Date } {
  const day = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  return { from: new Date(day - CALENDAR_PAST_DAYS * DAY_MS), to: new Date(day + (CALENDAR_FUTURE_DAYS + 1) * DAY_MS) };
}

/**
 * Departures and checkpoints of the enabled trains in [from, to). `handled(trainId, at)` says
 * whether a departure already created its release (then only its checkpoints are listed).
 */
export function trainCalendarEvents(
  trains: readonly ReleaseTrain[],
  range: { from: Date; to: Date },
  handled: (trainId: string, at: Date) => boolean = () => false,
): CalendarEvent[] {
  const events: CalendarEvent[] = [];
  for (const train of trains) {
    if (!train.enabled) continue;
    const zone = train.recurrence.timeZone;
    const from = new Date(Math.max(range.from.getTime(), train.activeFrom.getTime()));
    // Checkpoints before a departure can fall in the window when their departure is after it.
    const lead = Math.max(0, ...train.checkpoints.map((c) => -offsetMinutes(c.offset))) * 60_000;
    for (const occ of localOccurrencesBetween(train.recurrence, from, new Date(range.to.getTime() + lead + DAY_MS), 10_000)) {
      if (occ.at.getTime() < range.to.getTime() && !handled(train.id, occ.at)) {
        events.push({
          id: `train-${train.id}-${compactUtc(occ.at)}`,
          kind: 'train-departure',
          subjectId: train.id,
          title: `${train.name} departs`,
          description: `Release train '${train.name}' (${describeRecurrence(train.recurrence)}) creates its release at ${formatInstant(occ.at, zone)}.`,
          startsAt: occ.at,
          endsAt: occ.at,
          updatedAt: train.updatedAt,
        });
      }
      for (const c of checkpointTimes(train.checkpoints, occ.local, zone)) {
        if (c.at.getTime() < range.from.getTime() || c.at.getTime() >= range.to.getTime()) continue;
        events.push({
          id: `checkpoint-${train.id}-${compactUtc(occ.at)}-${slug(c.name)}`,
          kind: 'checkpoint',
          subjectId: train.id,
          title: `${capitalise(c.name)}: ${train.name}`,
          description: `${capitalise(c.name)} for the departure of '${train.name}' at ${formatInstant(occ.at, zone)}.`,
          startsAt: c.at,
          endsAt: c.at,
          updatedAt: train.updatedAt,
        });
      }
    }
  }
  return events;
}

/** Freeze occurrences of every environment in the range, titled with the environment. */
export function environmentFreezeEvents(environments: readonly Pick<Environment, 'id' | 'name' | 'freezeWindows' | 'updatedAt'>[], range: { from: Date; to: Date }): CalendarEvent[] {
  return environments.flatMap((env) =>
    freezeCalendarEvents(env.freezeWindows, { ...range, updatedAt: env.updatedAt }).map((e) => ({
      ...e,
      // Window ids are unique per environment only as far as this module knows.
      id: `${e.id}-${env.id}`,
      title: `Freeze ${env.name}: ${e.title.replace(/^Freeze: /, '')}`,
    })),
  );
}

export interface CalendarFeedDeps {
  uow: UnitOfWork;
  clock: Clock;
  files: TextFileWriter;
  /** The .ics file, e.g. <workspace>/.vscode/releases.ics. */
  path: string;
  /** Quiet time after the last change before the file is rewritten (default 1000 ms). */
  debounceMs?: number;
  /** Calendar name shown by calendar apps. */
  name?: string;
  /** Told when a scheduled rewrite fails (the container logs it). */
  onError?: (error: Error) => void;
}

/** Builds the workspace calendar and rewrites the .ics file when it changed. */
export class CalendarFeed {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastWritten: string | undefined;
  private pending: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly deps: CalendarFeedDeps) {}

  /** The calendar text and what it holds, at `now`. */
  async build(now: Date = this.deps.clock.now()): Promise<{ ics: string; events: CalendarEvent[] }> {
    const range = calendarRange(now);
    const { stored, trains, departures, environments } = await this.deps.uow.read(async (r) => {
      const trainList = await r.trains.list();
      const handled = new Set<string>();
      for (const t of trainList.filter((x) => x.enabled)) {
        for (const d of await r.trains.listDepartures(t.id, 1_000)) if (d.releaseId) handled.add(`${t.id}|${d.departureAt.getTime()}`);
      }
      return { stored: await r.calendar.list(), trains: trainList, departures: handled, environments: await r.environments.list() };
    });
    const since = Math.floor(now.getTime() / DAY_MS) * DAY_MS - CALENDAR_RELEASE_HISTORY_DAYS * DAY_MS;
    const events = [
      ...stored.filter((e) => e.endsAt.getTime() >= since),
      ...trainCalendarEvents(trains, range, (id, at) => departures.has(`${id}|${at.getTime()}`)),
      ...environmentFreezeEvents(environments, range),
    ];
    const stamp = events.reduce((max, e) => Math.max(max, e.updatedAt.getTime()), 0);
    const ics = buildCalendar(events, { name: this.deps.name ?? 'Releases', now: new Date(stamp) });
    return { ics, events };
  }

  /** Rewrites the file now when its text changed since this feed last wrote it. */
  write(): Promise<{ path: string; events: number; written: boolean }> {
    const run = this.pending.then(async () => {
      const { ics, events } = await this.build();
      const written = ics !== this.lastWritten;
      if (written) {
        await this.deps.files.writeText(this.deps.path, ics);
        this.lastWritten = ics;
      }
      return { path: this.deps.path, events: events.length, written };
    });
    this.pending = run.catch(() => undefined);
    return run;
  }

  /** Call after any change: the file is rewritten once things are quiet for `debounceMs`. */
  schedule(): void {
    if (this.disposed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write().catch((e: Error) => this.deps.onError?.(e));
    }, this.deps.debounceMs ?? 1_000);
  }

  /** Waits for a scheduled or running rewrite (deactivate, tests). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.write();
    }
    await this.pending;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }
}

/** 'Code freeze' → 'code-freeze-1a2b3c4d': readable, and distinct for names that differ only in punctuation. */
function slug(name: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  const readable = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return `${readable}-${h.toString(16).padStart(8, '0')}`;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
