// iCalendar (RFC 5545) export of releases, train departures, checkpoints and freezes.
//
// The .ics file lives in the workspace, usually in git, so the text is a pure function of its
// input: events sorted, DTSTAMP from `opts.now`, LAST-MODIFIED from each event's updatedAt, all
// times in UTC (calendar apps show them in the reader's zone). Pass a stable `now` — for example
// the latest `updatedAt` of the events — and an unchanged calendar exports byte for byte the same.
//
// Recurring freezes are exported expanded (one VEVENT per occurrence over a horizon, see
// `freezeCalendarEvents`) rather than as RRULE + VTIMEZONE: every calendar app imports plain
// events, our month-end and DST rules cannot drift from what a client's RRULE engine would do,
// and each occurrence keeps its own stable UID.
import ical, { type ICalCalendarProdIdData } from 'ical-generator';
import { ValidationError, type CalendarEvent } from './model';
import { describeFreezeWindow, freezeOccurrencesBetween, type FreezeWindow } from './freezeWindows';

export const CALENDAR_UID_DOMAIN = 'release-manager.local';

const DEFAULT_PROD_ID: ICalCalendarProdIdData = { company: 'Release Manager', product: 'Release Manager', language: 'EN' };

export interface CalendarOptions {
  /** Calendar name shown by calendar apps (NAME, X-WR-CALNAME). */
  name: string;
  /** PRODID, e.g. '-//Acme//Release Manager//EN'; default '-//Release Manager//Release Manager//EN'. */
  prodId?: string;
  /** DTSTAMP of every event. */
  now: Date;
  /** Right-hand side of each UID: `<event id>@<domain>`. */
  uidDomain?: string;
}

/** The UID an event gets: stable across exports, so re-importing updates instead of duplicating. */
export function calendarUid(eventId: string, domain = CALENDAR_UID_DOMAIN): string {
  return `${eventId}@${domain}`;
}

/**
 * Builds the .ics text (CRLF lines, folded at 75 octets). One VEVENT per event: UID from the event
 * id, SUMMARY, DESCRIPTION, DTSTART/DTEND in UTC, CATEGORIES from the kind. An event whose end
 * equals its start (a departure instant) has no DTEND, as RFC 5545 §3.6.1 asks.
 */
export function buildCalendar(events: readonly CalendarEvent[], opts: CalendarOptions): string {
  if (typeof opts.name !== 'string' || opts.name.trim() === '') throw new ValidationError('name', 'expected a non-empty calendar name');
  validDate(opts.now, 'now');
  const domain = opts.uidDomain ?? CALENDAR_UID_DOMAIN;
  if (!/^[A-Za-z0-9.-]+$/.test(domain)) throw new ValidationError('uidDomain', `'${domain}' is not a domain name`);
  const seen = new Set<string>();
  events.forEach((e, i) => {
    const at = `events[${i}]`;
    if (typeof e.id !== 'string' || e.id === '' || /[\s\u0000-\u001f\u007f]/.test(e.id)) {
      throw new ValidationError(`${at}.id`, 'expected a non-empty id without spaces or control characters');
    }
    if (seen.has(e.id)) throw new ValidationError(`${at}.id`, `'${e.id}' appears twice`);
    seen.add(e.id);
    validDate(e.startsAt, `${at}.startsAt`);
    validDate(e.endsAt, `${at}.endsAt`);
    validDate(e.updatedAt, `${at}.updatedAt`);
    if (e.endsAt < e.startsAt) throw new ValidationError(`${at}.endsAt`, `${e.endsAt.toISOString()} is before startsAt ${e.startsAt.toISOString()}`);
  });

  const calendar = ical({ name: opts.name, prodId: prodId(opts.prodId) });
  for (const e of [...events].sort(byStartEndKindId)) {
    calendar.createEvent({
      id: calendarUid(e.id, domain),
      stamp: opts.now,
      start: e.startsAt,
      end: e.endsAt.getTime() === e.startsAt.getTime() ? null : e.endsAt,
      summary: e.title,
      description: e.description ?? null,
      categories: [{ name: e.kind }],
      lastModified: e.updatedAt,
    });
  }
  const text = calendar.toString();
  // RFC 5545 ends every content line, the last one too, with CRLF; ical-generator omits the last.
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}

function prodId(value: string | undefined): ICalCalendarProdIdData | string {
  if (value === undefined) return DEFAULT_PROD_ID;
  if (typeof value !== 'string' || !/^-?\/\/[^\r\n]+$/.test(value)) {
    throw new ValidationError('prodId', `expected the form -//Company//Product//EN, got ${JSON.stringify(value)}`);
  }
  // ical-generator writes 'PRODID:-' + value.
  return value.startsWith('-') ? value.slice(1) : value;
}

function validDate(value: unknown, field: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ValidationError(field, 'expected a valid Date');
}

function byStartEndKindId(a: CalendarEvent, b: CalendarEvent): number {
  return (
    a.startsAt.getTime() - b.startsAt.getTime() ||
    a.endsAt.getTime() - b.endsAt.getTime() ||
    compare(a.kind, b.kind) ||
    compare(a.id, b.id)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Calendar events for the freeze occurrences that overlap [from, to) — typically now … now + 1 year.
 * Ids are `freeze-<window id>-<start in UTC, compact>`: stable while the window is unchanged.
 * `updatedAt` becomes LAST-MODIFIED (windows carry no timestamp of their own).
 */
export function freezeCalendarEvents(
  windows: readonly FreezeWindow[],
  range: { from: Date; to: Date; updatedAt: Date },
): CalendarEvent[] {
  return freezeOccurrencesBetween(windows, range.from, range.to).map(({ window, startsAt, endsAt }) => ({
    id: `freeze-${encodeURIComponent(window.id)}-${startsAt.toISOString().replace(/[-:]|\.\d{3}/g, '')}`,
    kind: 'freeze',
    subjectId: window.id,
    title: `Freeze: ${window.name}`,
    description: `Deployments are refused during '${window.name}' (${describeFreezeWindow(window)}).`,
    startsAt,
    endsAt,
    updatedAt: range.updatedAt,
  }));
}
