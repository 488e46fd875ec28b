// Freeze windows: periods in which deployments to an environment are refused.
//
// A window is one-off (start … end, local times in its zone) or recurring (a RecurrenceRule whose
// start is the window's start, and a duration per occurrence). Durations are wall-clock minutes:
// a Friday 16:00 + 3720 min freeze ends Monday 06:00 local even when the clocks change over the
// weekend (the occurrence then lasts 61 or 63 real hours). That is what the people who set a
// "Friday 16:00 to Monday 06:00" freeze mean. Each occurrence is active from its start
// (inclusive) to its end (exclusive).
import { ValidationError } from './model';
import {
  addLocalMinutes,
  describeRecurrence,
  formatInstant,
  localOccurrencesBetween,
  parseLocal,
  resolveLocal,
  validateRecurrenceAt,
  validateTimeZone,
  type RecurrenceRule,
} from './recurrence';

export interface FreezeWindow {
  id: string;
  name: string;
  /** Local 'YYYY-MM-DDTHH:mm' in `timeZone`: the start of the window, or of its first occurrence. */
  start: string;
  /** One-off windows: local end 'YYYY-MM-DDTHH:mm' (exclusive). */
  end?: string;
  /** Recurring windows: the wall-clock length of each occurrence. */
  durationMinutes?: number;
  timeZone: string;
  /** Recurring windows: its start and timeZone equal the window's. */
  recurrence?: RecurrenceRule;
}

/** One occurrence of a window, as instants. */
export interface FreezeOccurrence {
  window: FreezeWindow;
  startsAt: Date;
  endsAt: Date;
}

export interface ActiveFreeze extends FreezeOccurrence {
  /**
   * When deployments are possible again: `endsAt`, or later when other occurrences overlap or
   * touch this one's end and so keep the environment frozen without a gap.
   */
  frozenUntil: Date;
  /** The occurrences that carry the freeze from `endsAt` to `frozenUntil`, in order. */
  followedBy: FreezeOccurrence[];
}

const WINDOW_FIELDS = ['id', 'name', 'start', 'end', 'durationMinutes', 'timeZone', 'recurrence'];
const MAX_DURATION_MINUTES = 366 * 24 * 60;
const MAX_TEXT = 200;
const MINUTE_MS = 60_000;
/** Margin for looking back from `now`: wall-clock durations can last an hour more in real time. */
const LOOKBACK_MARGIN_MS = 86_400_000;
/** How far ahead `frozenUntil` follows windows that take over from each other. */
const CHAIN_HORIZON_MS = 2 * 366 * 86_400_000;
/** Per window and query; a year of a daily freeze is 366. */
const MAX_OCCURRENCES_PER_WINDOW = 10_000;

/** Checks untrusted input; throws a ValidationError naming the field (`end: … is not after start …`). */
export function validateFreezeWindow(input: unknown): FreezeWindow {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError('freezeWindow', 'expected an object');
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!WINDOW_FIELDS.includes(key) && raw[key] !== undefined) {
      throw new ValidationError(key, `unknown field (expected one of ${WINDOW_FIELDS.join(', ')})`);
    }
  }
  const id = text(raw.id, 'id');
  const name = text(raw.name, 'name');
  const startFloating = parseLocal(raw.start, 'start');
  const start = raw.start as string;
  const timeZone = validateTimeZone(raw.timeZone, 'timeZone');
  const window: FreezeWindow = { id, name, start, timeZone };

  if (raw.recurrence === undefined) {
    if (raw.durationMinutes !== undefined) {
      throw new ValidationError('durationMinutes', 'only for recurring windows; a one-off window has an end');
    }
    if (raw.end === undefined) {
      throw new ValidationError('end', 'required for a one-off window (a recurring window has recurrence and durationMinutes)');
    }
    const endFloating = parseLocal(raw.end, 'end');
    const end = raw.end as string;
    if (endFloating <= startFloating || resolveLocal(endFloating, timeZone) <= resolveLocal(startFloating, timeZone)) {
      throw new ValidationError('end', `${end} is not after start ${start}`);
    }
    window.end = end;
    return window;
  }

  if (raw.end !== undefined) {
    throw new ValidationError('end', 'only for one-off windows; a recurring window has durationMinutes');
  }
  if (raw.durationMinutes === undefined) {
    throw new ValidationError('durationMinutes', 'required for a recurring window (minutes each occurrence lasts)');
  }
  const d = raw.durationMinutes;
  if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_DURATION_MINUTES) {
    throw new ValidationError('durationMinutes', `expected a whole number from 1 to ${MAX_DURATION_MINUTES}, got ${JSON.stringify(d)}`);
  }
  window.durationMinutes = d;
  const rec = raw.recurrence;
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
    throw new ValidationError('recurrence', 'expected an object');
  }
  const recRaw = rec as Record<string, unknown>;
  // The window owns start and zone; the rule may repeat them but must agree.
  if (recRaw.start !== undefined && recRaw.start !== start) {
    throw new ValidationError('recurrence.start', `must equal the window's start ${start}, got ${JSON.stringify(recRaw.start)}`);
  }
  if (recRaw.timeZone !== undefined && validateTimeZone(recRaw.timeZone, 'recurrence.timeZone') !== timeZone) {
    throw new ValidationError('recurrence.timeZone', `must equal the window's time zone ${timeZone}, got ${JSON.stringify(recRaw.timeZone)}`);
  }
  window.recurrence = validateRecurrenceAt({ ...recRaw, start, timeZone }, 'recurrence');
  return window;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ValidationError(field, 'expected a non-empty string');
  if (value.length > MAX_TEXT) throw new ValidationError(field, `longer than ${MAX_TEXT} characters`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new ValidationError(field, 'contains control characters');
  return value.trim();
}

/** Occurrences of `windows` that overlap [from, to), ordered by start, then end, then window id. */
export function freezeOccurrencesBetween(windows: readonly FreezeWindow[], from: Date, to: Date): FreezeOccurrence[] {
  const out: FreezeOccurrence[] = [];
  if (!(to.getTime() > from.getTime())) return out;
  for (const window of windows) {
    for (const occurrence of occurrencesOf(window, from, to)) {
      if (occurrence.startsAt < to && occurrence.endsAt > from) out.push(occurrence);
    }
  }
  return out.sort(byStartEndId);
}

/** The occurrences of one window that may overlap [from, to): a superset, callers filter. */
function occurrencesOf(window: FreezeWindow, from: Date, to: Date): FreezeOccurrence[] {
  if (!window.recurrence) {
    if (window.end === undefined) return [];
    return [{ window, startsAt: resolveLocal(parseLocal(window.start, 'start'), window.timeZone), endsAt: resolveLocal(parseLocal(window.end, 'end'), window.timeZone) }];
  }
  const minutes = window.durationMinutes ?? 0;
  // An occurrence that started up to `minutes` (plus a DST hour) before `from` may still be running.
  const lookFrom = new Date(from.getTime() - minutes * MINUTE_MS - LOOKBACK_MARGIN_MS);
  const rule = { ...window.recurrence, start: window.start, timeZone: window.timeZone };
  return localOccurrencesBetween(rule, lookFrom, to, MAX_OCCURRENCES_PER_WINDOW).map(({ local, at }) => ({
    window,
    startsAt: at,
    endsAt: resolveLocal(parseLocal(addLocalMinutes(local, minutes), 'end'), window.timeZone),
  }));
}

function activeAt(windows: readonly FreezeWindow[], now: Date): FreezeOccurrence[] {
  const next = new Date(now.getTime() + 1);
  return freezeOccurrencesBetween(windows, now, next).filter((o) => o.startsAt <= now && now < o.endsAt);
}

/**
 * The freeze in force at `now` (start inclusive, end exclusive), or null. When several overlap,
 * the one ending last; `frozenUntil` follows occurrences that take over without a gap (looking at
 * most CHAIN_HORIZON ahead, so a freeze that never lifts reports that horizon).
 */
export function activeFreeze(windows: readonly FreezeWindow[], now: Date): ActiveFreeze | null {
  const active = activeAt(windows, now);
  if (active.length === 0) return null;
  const best = active.reduce((a, b) => (b.endsAt > a.endsAt ? b : a));
  const followedBy: FreezeOccurrence[] = [];
  let until = best.endsAt;
  // Interval merge over the occurrences ahead, in start order.
  const horizon = new Date(now.getTime() + CHAIN_HORIZON_MS);
  for (const next of freezeOccurrencesBetween(windows, until, horizon)) {
    if (next.startsAt > until) break;
    if (next.endsAt > until) {
      followedBy.push(next);
      until = next.endsAt;
    }
  }
  return { ...best, frozenUntil: until, followedBy };
}

/**
 * The refusal a promotion gets, e.g. "production is frozen by 'Friday freeze' until Mon
 * 2026-03-30 06:00 Europe/Berlin". Times are shown in `timeZone` (default: the window's).
 */
export function describeFreezeRefusal(active: ActiveFreeze, environment: string, timeZone = active.window.timeZone): string {
  const names = [active.window.name];
  for (const o of active.followedBy) if (!names.includes(o.window.name)) names.push(o.window.name);
  const by = names.map((n) => `'${n}'`).join(', then ');
  return `${environment} is frozen by ${by} until ${formatInstant(active.frozenUntil, timeZone)}`;
}

/** "every Friday 16:00 for 62 h" style text for lists and calendar descriptions. */
export function describeFreezeWindow(window: FreezeWindow): string {
  if (!window.recurrence) return `from ${window.start.replace('T', ' ')} to ${(window.end ?? '').replace('T', ' ')} ${window.timeZone}`;
  return `${describeRecurrence(window.recurrence)}, lasting ${formatMinutes(window.durationMinutes ?? 0)}`;
}

function formatMinutes(total: number): string {
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  const parts = [days && `${days} d`, hours && `${hours} h`, minutes && `${minutes} min`].filter(Boolean);
  return parts.join(' ') || '0 min';
}

function byStartEndId(a: FreezeOccurrence, b: FreezeOccurrence): number {
  return (
    a.startsAt.getTime() - b.startsAt.getTime() ||
    a.endsAt.getTime() - b.endsAt.getTime() ||
    (a.window.id < b.window.id ? -1 : a.window.id > b.window.id ? 1 : 0)
  );
}
