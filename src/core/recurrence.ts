// Recurrence rules for release-train departures and recurring freeze windows.
//
// How time zones are handled (decided once, here):
// rrule's own `tzid` support hands back "floating" Date objects whose UTC fields are the wall
// clock of the zone, which are easy to mistake for real instants. We therefore never give rrule a
// tzid: it expands the rule purely in wall-clock ("floating") time — each Date it returns carries
// the local year/month/day/hour/minute in its UTC fields — and `resolveLocal` turns each wall-clock
// value into a real instant in the rule's IANA zone with luxon's zone offsets. Consequences:
//   - A 09:00 departure stays 09:00 local across daylight-saving changes; the UTC instant shifts.
//   - A wall-clock time that does not exist (02:30 in Europe/Berlin on the last Sunday of March)
//     moves forward by the length of the gap: 02:30 → 03:30 local, the first valid instant at or
//     after where the clock would have been.
//   - An ambiguous wall-clock time (02:30 on the last Sunday of October in Berlin happens twice)
//     resolves to the first, earlier instant (the summer-time one).
// Monthly trains on day 29, 30 or 31 fall back to the month's last day in shorter months
// (31 → 30 April, 28/29 February) — what release engineers expect — instead of RFC 5545's skip.
// This is expressed in RFC 5545 itself (BYMONTHDAY=28,…,D;BYSETPOS=-1), so rrule does the work.
// A 'custom' rule is taken literally as RFC 5545 says (BYMONTHDAY=31 there does skip months).
import { RRule, type Options as RRuleOptions, type Weekday } from 'rrule';
import { DateTime, IANAZone } from 'luxon';
import { ValidationError } from './model';

export type Frequency = 'daily' | 'weekly' | 'biweekly' | 'monthly' | 'custom';
export const FREQUENCIES: readonly Frequency[] = ['daily', 'weekly', 'biweekly', 'monthly', 'custom'];

export interface RecurrenceRule {
  frequency: Frequency;
  /**
   * Local wall clock 'YYYY-MM-DDTHH:mm' in `timeZone`: the first occurrence and the time of day of
   * every one. A 'custom' rule is anchored here and includes it only when it matches the rule.
   */
  start: string;
  /** IANA zone, e.g. 'Europe/Berlin'. */
  timeZone: string;
  /** RFC 5545 RRULE body, only for 'custom', e.g. 'FREQ=WEEKLY;BYDAY=TU,TH'. */
  rrule?: string;
  /** Last possible occurrence, local: 'YYYY-MM-DD' (the whole day) or 'YYYY-MM-DDTHH:mm'; inclusive. */
  until?: string;
  /** Number of occurrences, counted from `start`. Not together with `until`. */
  count?: number;
}

/** One occurrence with the wall-clock time it was scheduled for (before any DST gap shift). */
export interface LocalOccurrence {
  /** Scheduled wall clock 'YYYY-MM-DDTHH:mm' in the rule's zone. */
  local: string;
  at: Date;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Largest UTC offset magnitude is 14 h; two days of margin also covers gap shifts. */
const FLOATING_MARGIN_MS = 2 * DAY_MS;
const MAX_COUNT = 100_000;
const MAX_INTERVAL = 1_000;
/** A custom rule must occur at least once within this many years of its start. */
const NONEMPTY_HORIZON_YEARS = 10;
const FAR_FUTURE = new Date(Date.UTC(9999, 11, 31));

// ---------------------------------------------------------------- local wall-clock values

const LOCAL_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Parses 'YYYY-MM-DDTHH:mm' to its floating value: milliseconds whose UTC fields are the wall clock.
 * Throws a ValidationError naming `field`.
 */
export function parseLocal(value: unknown, field: string): number {
  if (typeof value !== 'string' || !LOCAL_RE.test(value)) {
    throw new ValidationError(field, `expected YYYY-MM-DDTHH:mm, got ${show(value)}`);
  }
  const [, y, mo, d, h, mi] = LOCAL_RE.exec(value)!.map(Number);
  if (h > 23 || mi > 59) throw new ValidationError(field, `${value} is not a valid time of day`);
  return floatingFromFields(y, mo, d, h, mi, field, value);
}

function parseUntil(value: unknown, field: string): number {
  if (typeof value === 'string' && DATE_RE.test(value)) {
    const [, y, mo, d] = DATE_RE.exec(value)!.map(Number);
    // A date alone means "through the end of that local day".
    return floatingFromFields(y, mo, d, 0, 0, field, value) + DAY_MS - 1;
  }
  if (typeof value !== 'string' || !LOCAL_RE.test(value)) {
    throw new ValidationError(field, `expected YYYY-MM-DD or YYYY-MM-DDTHH:mm, got ${show(value)}`);
  }
  return parseLocal(value, field);
}

function floatingFromFields(y: number, mo: number, d: number, h: number, mi: number, field: string, raw: string): number {
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  const back = new Date(ms);
  if (y < 1900 || y > 9000 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new ValidationError(field, `${raw} is not a calendar date`);
  }
  return ms;
}

/** Formats a floating value (UTC fields = wall clock) as 'YYYY-MM-DDTHH:mm'. */
export function formatFloating(floating: number): string {
  return new Date(floating).toISOString().slice(0, 16);
}

/** The wall clock 'YYYY-MM-DDTHH:mm' of `instant` in `timeZone`. */
export function formatLocal(instant: Date, timeZone: string): string {
  return formatFloating(instant.getTime() + offsetMs(timeZone, instant.getTime()));
}

/** Adds wall-clock minutes to a local 'YYYY-MM-DDTHH:mm' (DST-blind by design: 16:00 + 62 h is Monday 06:00). */
export function addLocalMinutes(local: string, minutes: number): string {
  return formatFloating(parseLocal(local, 'local') + minutes * MINUTE_MS);
}

// ---------------------------------------------------------------- zones

const IANA_NAME_RE = /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/;

/** True for IANA zone names the runtime knows ('Europe/Berlin', 'UTC'); false for offsets like '+02:00'. */
export function isValidTimeZone(name: unknown): name is string {
  return typeof name === 'string' && IANA_NAME_RE.test(name) && IANAZone.isValidZone(name);
}

/** Validates and canonicalises the spelling ('europe/berlin' → 'Europe/Berlin'). */
export function validateTimeZone(value: unknown, field: string): string {
  if (!isValidTimeZone(value)) throw new ValidationError(field, `${show(value)} is not an IANA time zone`);
  return new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
}

function offsetMs(timeZone: string, instantMs: number): number {
  return IANAZone.create(timeZone).offset(instantMs) * MINUTE_MS;
}

/**
 * The instant of a wall-clock time in a zone: an ambiguous time (fall-back) gives the earlier
 * instant; a time inside a spring-forward gap moves forward by the gap (02:30 → 03:30 in Berlin).
 */
export function resolveLocal(floating: number, timeZone: string): Date {
  const before = offsetMs(timeZone, floating - DAY_MS);
  const offsets = new Set([before, offsetMs(timeZone, floating), offsetMs(timeZone, floating + DAY_MS)]);
  let best: number | null = null;
  for (const offset of offsets) {
    const candidate = floating - offset;
    if (offsetMs(timeZone, candidate) === offset && (best === null || candidate < best)) best = candidate;
  }
  // No offset maps back: the wall clock skipped this time. Reading it with the offset in force
  // before the gap lands exactly gap-length later on the new offset.
  return new Date(best ?? floating - before);
}

/** The instant of a local 'YYYY-MM-DDTHH:mm' in `timeZone` (same DST rules as `resolveLocal`). */
export function localToInstant(local: string, timeZone: string, field = 'local'): Date {
  return resolveLocal(parseLocal(local, field), timeZone);
}

// ---------------------------------------------------------------- custom RRULE bodies

const WEEKDAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const SAFE_FREQS: Record<string, RRuleOptions['freq']> = {
  YEARLY: RRule.YEARLY,
  MONTHLY: RRule.MONTHLY,
  WEEKLY: RRule.WEEKLY,
  DAILY: RRule.DAILY,
};

type CustomOptions = Partial<RRuleOptions> & { freq: RRuleOptions['freq'] };

/**
 * Strict parser for the RRULE bodies we accept. rrule's own parser is lenient (BYDAY=XX silently
 * becomes undefined, INTERVAL=abc stays a string), so every part is checked here.
 * Refused on purpose: sub-daily frequencies (a train or freeze is at most daily, and SECONDLY/
 * MINUTELY rules expand to millions of instants), BYHOUR/BYMINUTE/BYSECOND (the time of day is the
 * start's), and COUNT/UNTIL/DTSTART/TZID (they have their own fields).
 */
function parseCustomRule(body: string, field: string): { options: CustomOptions; normalised: string } {
  const fail = (reason: string): never => {
    throw new ValidationError(field, reason);
  };
  let text = body.trim();
  if (/^RRULE:/i.test(text)) text = text.slice(6);
  if (text === '') fail('empty rule; expected e.g. FREQ=WEEKLY;BYDAY=TU,TH');
  const options: Partial<RRuleOptions> = {};
  const parts: string[] = [];
  const seen = new Set<string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) fail(`'${part}' is not NAME=VALUE`);
    const name = part.slice(0, eq).trim().toUpperCase();
    const value = part.slice(eq + 1).trim().toUpperCase();
    if (seen.has(name)) fail(`${name} appears twice`);
    seen.add(name);
    if (value === '') fail(`${name} has no value`);
    const list = value.split(',');
    switch (name) {
      case 'FREQ':
        if (value === 'SECONDLY' || value === 'MINUTELY' || value === 'HOURLY') {
          fail(`FREQ=${value} is not supported; the most frequent rule is FREQ=DAILY`);
        }
        if (!(value in SAFE_FREQS)) fail(`FREQ=${value} is not one of YEARLY, MONTHLY, WEEKLY, DAILY`);
        options.freq = SAFE_FREQS[value];
        break;
      case 'INTERVAL':
        options.interval = integer(name, value, 1, MAX_INTERVAL, fail);
        break;
      case 'BYDAY':
        options.byweekday = list.map((item) => {
          const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
          if (!m) fail(`BYDAY value '${item}' is not a weekday like TU or 1MO`);
          const day = RRule[m![2] as (typeof WEEKDAYS)[number]] as Weekday;
          if (m![1] === undefined) return day;
          const n = Number(m![1]);
          if (n === 0 || Math.abs(n) > 53) fail(`BYDAY value '${item}' has an ordinal outside ±1..53`);
          return day.nth(n);
        });
        break;
      case 'BYMONTHDAY':
        options.bymonthday = intList(name, list, 1, 31, fail);
        break;
      case 'BYMONTH':
        options.bymonth = list.map((v) => integer(name, v, 1, 12, fail));
        break;
      case 'BYSETPOS':
        options.bysetpos = intList(name, list, 1, 366, fail);
        break;
      case 'BYYEARDAY':
        options.byyearday = intList(name, list, 1, 366, fail);
        break;
      case 'BYWEEKNO':
        options.byweekno = intList(name, list, 1, 53, fail);
        break;
      case 'WKST':
        if (!(WEEKDAYS as readonly string[]).includes(value)) fail(`WKST=${value} is not a weekday like MO`);
        options.wkst = RRule[value as (typeof WEEKDAYS)[number]];
        break;
      case 'BYHOUR':
      case 'BYMINUTE':
      case 'BYSECOND':
        fail(`${name} is not supported; the time of day comes from start`);
        break;
      case 'COUNT':
        fail('COUNT belongs in the count field');
        break;
      case 'UNTIL':
        fail('UNTIL belongs in the until field');
        break;
      case 'DTSTART':
      case 'TZID':
        fail(`${name} belongs in the start and timeZone fields`);
        break;
      default:
        fail(`unknown rule part ${name}`);
    }
    parts.push(`${name}=${value}`);
  }
  if (options.freq === undefined) fail('FREQ is required, e.g. FREQ=WEEKLY');
  const hasNth = Array.isArray(options.byweekday) && options.byweekday.some((d) => (d as Weekday).n !== undefined);
  if (hasNth && options.freq !== RRule.MONTHLY && options.freq !== RRule.YEARLY) {
    fail('BYDAY with an ordinal (like 1MO) needs FREQ=MONTHLY or FREQ=YEARLY');
  }
  if (options.byweekno !== undefined && options.freq !== RRule.YEARLY) fail('BYWEEKNO needs FREQ=YEARLY');
  if (options.bysetpos !== undefined && Object.keys(options).filter((k) => k.startsWith('by')).length < 2) {
    fail('BYSETPOS needs another BYxxx part to select from');
  }
  return { options: options as CustomOptions, normalised: parts.join(';') };
}

function integer(name: string, value: string, min: number, max: number, fail: (r: string) => never): number {
  if (!/^\d+$/.test(value)) fail(`${name}=${value} is not a whole number`);
  const n = Number(value);
  if (n < min || n > max) fail(`${name}=${value} is outside ${min}..${max}`);
  return n;
}

/** Values in ±min..max (RFC 5545 lets these count from the end). */
function intList(name: string, list: string[], min: number, max: number, fail: (r: string) => never): number[] {
  return list.map((v) => {
    if (!/^[+-]?\d+$/.test(v)) fail(`${name} value '${v}' is not a whole number`);
    const n = Number(v);
    if (Math.abs(n) < min || Math.abs(n) > max) fail(`${name} value '${v}' is outside ±${min}..${max}`);
    return n;
  });
}

// ---------------------------------------------------------------- validation

const RULE_FIELDS = ['frequency', 'start', 'timeZone', 'rrule', 'until', 'count'];

/**
 * Checks untrusted input (a command argument, a stored row, a webview message) and returns a clean
 * rule. Throws a ValidationError whose message starts with the field: `timeZone: 'Mars/Base' is
 * not an IANA time zone`.
 */
export function validateRecurrence(input: unknown): RecurrenceRule {
  return validateRecurrenceAt(input, '');
}

/** Same as `validateRecurrence`, with field names under `path` (e.g. 'recurrence.start'). */
export function validateRecurrenceAt(input: unknown, path: string): RecurrenceRule {
  const at = (f: string) => (path ? `${path}.${f}` : f);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(path || 'recurrence', 'expected an object');
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!RULE_FIELDS.includes(key) && raw[key] !== undefined) {
      throw new ValidationError(at(key), `unknown field (expected one of ${RULE_FIELDS.join(', ')})`);
    }
  }
  if (!FREQUENCIES.includes(raw.frequency as Frequency)) {
    throw new ValidationError(at('frequency'), `expected one of ${FREQUENCIES.join(', ')}, got ${show(raw.frequency)}`);
  }
  const frequency = raw.frequency as Frequency;
  const startFloating = parseLocal(raw.start, at('start'));
  const rule: RecurrenceRule = {
    frequency,
    start: raw.start as string,
    timeZone: validateTimeZone(raw.timeZone, at('timeZone')),
  };
  if (frequency === 'custom') {
    if (typeof raw.rrule !== 'string') {
      throw new ValidationError(at('rrule'), "required when frequency is 'custom', e.g. FREQ=WEEKLY;BYDAY=TU,TH");
    }
    rule.rrule = parseCustomRule(raw.rrule, at('rrule')).normalised;
  } else if (raw.rrule !== undefined) {
    throw new ValidationError(at('rrule'), `only allowed when frequency is 'custom' (frequency is '${frequency}')`);
  }
  if (raw.until !== undefined && raw.count !== undefined) {
    throw new ValidationError(at('until'), 'cannot be combined with count; give one of them');
  }
  if (raw.until !== undefined) {
    const until = parseUntil(raw.until, at('until'));
    if (until < startFloating) throw new ValidationError(at('until'), `${raw.until as string} is before start ${rule.start}`);
    rule.until = raw.until as string;
  }
  if (raw.count !== undefined) {
    if (typeof raw.count !== 'number' || !Number.isInteger(raw.count) || raw.count < 1 || raw.count > MAX_COUNT) {
      throw new ValidationError(at('count'), `expected a whole number from 1 to ${MAX_COUNT}, got ${show(raw.count)}`);
    }
    rule.count = raw.count;
  }
  if (frequency === 'custom') {
    // An impossible rule (BYMONTH=2;BYMONTHDAY=30) would make every query walk to year 9999.
    const compiled = compile(rule);
    const horizon = new Date(startFloating);
    horizon.setUTCFullYear(horizon.getUTCFullYear() + NONEMPTY_HORIZON_YEARS);
    const first = compiled.rrule.between(new Date(startFloating), horizon, true, (_date, index) => index < 1);
    if (first.length === 0) {
      const within = rule.until ? `between start and until ${rule.until}` : `within ${NONEMPTY_HORIZON_YEARS} years of start`;
      throw new ValidationError(at('rrule'), `${rule.rrule} produces no occurrence ${within}`);
    }
  }
  return rule;
}

// ---------------------------------------------------------------- expansion

interface Compiled {
  rrule: RRule;
  timeZone: string;
}

/**
 * `notBefore` (floating ms) lets the fixed frequencies skip ahead: rrule always iterates from
 * dtstart, so a daily rule started ten years ago would walk 3,650 days for every query. Moving
 * dtstart forward by whole periods gives the same occurrences, as long as nothing counts from the
 * real start (count) and the rule is one whose period we know (not 'custom').
 */
function compile(rule: RecurrenceRule, notBefore?: number): Compiled {
  const start = parseLocal(rule.start, 'start');
  const timeZone = validateTimeZone(rule.timeZone, 'timeZone');
  const startDate = new Date(start);
  const skip = notBefore !== undefined && notBefore > start && rule.count === undefined;
  let dtstart = start;
  let options: Partial<RRuleOptions>;
  const everyDays = (days: number) => {
    if (skip) dtstart = start + Math.floor((notBefore - start) / (days * DAY_MS)) * days * DAY_MS;
  };
  switch (rule.frequency) {
    case 'daily':
      everyDays(1);
      options = { freq: RRule.DAILY };
      break;
    case 'weekly':
    case 'biweekly': {
      const interval = rule.frequency === 'weekly' ? 1 : 2;
      everyDays(7 * interval);
      options = { freq: RRule.WEEKLY, interval, byweekday: [(startDate.getUTCDay() + 6) % 7] };
      break;
    }
    case 'monthly': {
      const day = startDate.getUTCDate();
      if (skip) {
        // The first of the month before `notBefore`, at the start's time; bymonthday picks the day.
        const hint = new Date(notBefore);
        const first = Date.UTC(hint.getUTCFullYear(), hint.getUTCMonth() - 1, 1, startDate.getUTCHours(), startDate.getUTCMinutes());
        if (first > start) dtstart = first;
      }
      options =
        day <= 28
          ? { freq: RRule.MONTHLY, bymonthday: [day] }
          : // The largest of 28..day that the month has: day itself, or the month's last day.
            { freq: RRule.MONTHLY, bymonthday: range(28, day), bysetpos: [-1] };
      break;
    }
    case 'custom':
      options = parseCustomRule(rule.rrule ?? '', 'rrule').options;
      break;
    default:
      throw new ValidationError('frequency', `expected one of ${FREQUENCIES.join(', ')}, got ${show(rule.frequency)}`);
  }
  options.dtstart = new Date(dtstart);
  options.tzid = null;
  if (rule.count !== undefined) options.count = rule.count;
  if (rule.until !== undefined) options.until = new Date(parseUntil(rule.until, 'until'));
  return { rrule: new RRule(options), timeZone };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * Occurrences whose instant is in [from, to), in order, at most `limit`, each with the wall-clock
 * time it was scheduled for.
 */
export function localOccurrencesBetween(rule: RecurrenceRule, from: Date, to: Date, limit = 1000): LocalOccurrence[] {
  const out: LocalOccurrence[] = [];
  if (!(to.getTime() > from.getTime()) || limit <= 0) return out;
  const lo = from.getTime();
  const hi = to.getTime();
  const { rrule, timeZone } = compile(rule, lo - FLOATING_MARGIN_MS);
  rrule.between(new Date(lo - FLOATING_MARGIN_MS), new Date(hi + FLOATING_MARGIN_MS), true, (floating) => {
    const at = resolveLocal(floating.getTime(), timeZone);
    if (at.getTime() >= hi) return false;
    if (at.getTime() >= lo) out.push({ local: formatFloating(floating.getTime()), at });
    return out.length < limit;
  });
  return out;
}

/** Occurrence instants in [from, to) (inclusive of from, exclusive of to), in order, at most `limit`. */
export function occurrencesBetween(rule: RecurrenceRule, from: Date, to: Date, limit = 1000): Date[] {
  return localOccurrencesBetween(rule, from, to, limit).map((o) => o.at);
}

/** The first occurrence strictly after `after`, or null when the rule has ended. */
export function nextOccurrence(rule: RecurrenceRule, after: Date): Date | null {
  const { rrule, timeZone } = compile(rule, after.getTime() - FLOATING_MARGIN_MS);
  let next: Date | null = null;
  rrule.between(new Date(after.getTime() - FLOATING_MARGIN_MS), FAR_FUTURE, true, (floating) => {
    const at = resolveLocal(floating.getTime(), timeZone);
    if (at.getTime() <= after.getTime()) return true;
    next = at;
    return false;
  });
  return next;
}

/** The last occurrence strictly before `before`, or null when there is none. */
export function previousOccurrence(rule: RecurrenceRule, before: Date): Date | null {
  // Look back over growing spans so that a long-running rule is not expanded from its start.
  const first = resolveLocal(parseLocal(rule.start, 'start'), rule.timeZone).getTime() - FLOATING_MARGIN_MS;
  for (let span = 8 * DAY_MS; ; span *= 4) {
    const from = Math.max(first, before.getTime() - span);
    const found = occurrencesBetween(rule, new Date(from), before, Number.MAX_SAFE_INTEGER);
    if (found.length > 0) return found[found.length - 1];
    if (from === first) return null;
  }
}

// ---------------------------------------------------------------- description

/** Human text, e.g. "monthly on day 31 (last day in shorter months) at 09:00 Europe/Berlin". */
export function describeRecurrence(rule: RecurrenceRule): string {
  const startFloating = parseLocal(rule.start, 'start');
  const start = new Date(startFloating);
  const time = rule.start.slice(11, 16);
  const weekday = WEEKDAY_NAMES[(start.getUTCDay() + 6) % 7];
  let what: string;
  switch (rule.frequency) {
    case 'daily':
      what = 'daily';
      break;
    case 'weekly':
      what = `weekly on ${weekday}`;
      break;
    case 'biweekly':
      what = `every 2 weeks on ${weekday} (from ${rule.start.slice(0, 10)})`;
      break;
    case 'monthly': {
      const day = start.getUTCDate();
      what = `monthly on day ${day}${day > 28 ? ' (last day in shorter months)' : ''}`;
      break;
    }
    case 'custom': {
      // Without count/until: those are phrased below, the same way for every frequency.
      const rrule = new RRule({ ...parseCustomRule(rule.rrule ?? '', 'rrule').options, dtstart: start, tzid: null });
      what = rrule.isFullyConvertibleToText() ? rrule.toText() : `custom rule ${rule.rrule}`;
      break;
    }
    default:
      what = String(rule.frequency);
  }
  let text = `${what} at ${time} ${rule.timeZone}`;
  if (rule.count !== undefined) text += rule.count === 1 ? ', once' : `, ${rule.count} times`;
  if (rule.until !== undefined) text += `, until ${rule.until.replace('T', ' ')}`;
  return text;
}

/** "Mon 2026-03-30 06:00 Europe/Berlin": an instant as a person in `timeZone` reads it. */
export function formatInstant(instant: Date, timeZone: string): string {
  const local = DateTime.fromJSDate(instant, { zone: timeZone }).setLocale('en-US');
  return `${local.toFormat('ccc yyyy-LL-dd HH:mm')} ${timeZone}`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
