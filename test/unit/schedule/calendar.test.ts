import assert from 'node:assert/strict';
import ical, { type VEvent } from 'node-ical';
import { buildCalendar, calendarUid, freezeCalendarEvents } from '../../../src/core/calendar';
import { validateFreezeWindow } from '../../../src/core/freezeWindows';
import { ValidationError, type CalendarEvent } from '../../../src/core/model';

const now = new Date('2026-03-01T12:00:00Z');
const updatedAt = new Date('2026-02-27T08:30:00Z');

const events: CalendarEvent[] = [
  {
    id: 'rel-1',
    kind: 'release',
    subjectId: 'r1',
    title: 'Release 1.2.0',
    description: 'Services: api, web\nRisk: 0.42; owner: Zoë, ops',
    startsAt: new Date('2026-03-10T08:00:00Z'),
    endsAt: new Date('2026-03-12T17:00:00Z'),
    updatedAt,
  },
  {
    id: 'train-monthly-2026-03-31',
    kind: 'train-departure',
    subjectId: 'train-monthly',
    title: 'Monthly train departs',
    startsAt: new Date('2026-03-31T07:00:00Z'),
    endsAt: new Date('2026-03-31T07:00:00Z'),
    updatedAt,
  },
  {
    id: 'checkpoint-code-freeze',
    kind: 'checkpoint',
    subjectId: 'train-monthly',
    title: 'Code freeze — Übergabe an QA, 日本語のタイトル, and a summary long enough to need folding in the file',
    description: 'ä'.repeat(120),
    startsAt: new Date('2026-03-24T07:00:00Z'),
    endsAt: new Date('2026-03-24T08:00:00Z'),
    updatedAt,
  },
];

const friday = validateFreezeWindow({
  id: 'friday',
  name: 'Friday freeze',
  start: '2026-03-06T16:00',
  durationMinutes: 62 * 60,
  timeZone: 'Europe/Berlin',
  recurrence: { frequency: 'weekly' },
});

function vevents(text: string) {
  const parsed = ical.sync.parseICS(text);
  return Object.values(parsed).filter((c): c is VEvent => c?.type === 'VEVENT');
}

const instant = (value: unknown) => new Date(value as Date).toISOString();

describe('calendar export', () => {
  it('round-trips through an independent parser: UID, summary, description, instants, category', () => {
    const text = buildCalendar(events, { name: 'Releases', now });
    const parsed = vevents(text);
    assert.equal(parsed.length, events.length);
    for (const e of events) {
      const v = parsed.find((p) => p.uid === calendarUid(e.id));
      assert.ok(v, `missing ${e.id}`);
      assert.equal(v.uid, `${e.id}@release-manager.local`);
      assert.equal(String(v.summary), e.title);
      assert.equal(v.description ? String(v.description) : undefined, e.description);
      assert.equal(instant(v.start), e.startsAt.toISOString());
      // Without DTEND a parser may leave end unset or make it the start; either is the same instant.
      assert.equal(v.end === undefined ? e.startsAt.toISOString() : instant(v.end), e.endsAt.toISOString());
      assert.equal(instant(v.dtstamp), now.toISOString());
      assert.equal(instant(v.lastmodified), updatedAt.toISOString());
      assert.deepEqual(v.categories, [e.kind]);
    }
  });

  it('times are UTC, DTSTAMP comes from now, a zero-length event has no DTEND', () => {
    const text = buildCalendar(events, { name: 'Releases', now });
    assert.match(text, /\r\nDTSTART:20260310T080000Z\r\nDTEND:20260312T170000Z\r\n/);
    assert.match(text, /\r\nDTSTAMP:20260301T120000Z\r\n/);
    const departure = text.slice(text.indexOf('UID:train-monthly'), text.indexOf('END:VEVENT', text.indexOf('UID:train-monthly')));
    assert.match(departure, /DTSTART:20260331T070000Z/);
    assert.doesNotMatch(departure, /DTEND/);
  });

  it('is deterministic: two builds, and any input order, give identical text', () => {
    const a = buildCalendar(events, { name: 'Releases', now });
    const b = buildCalendar([...events].reverse(), { name: 'Releases', now });
    const c = buildCalendar([events[1], events[2], events[0]], { name: 'Releases', now });
    assert.equal(a, b);
    assert.equal(a, c);
    // Sorted by start.
    const uids = [...a.matchAll(/^UID:(.*)$/gm)].map((m) => m[1].trim());
    assert.deepEqual(uids, ['rel-1@release-manager.local', 'checkpoint-code-freeze@release-manager.local', 'train-monthly-2026-03-31@release-manager.local']);
  });

  it('is structurally valid RFC 5545: CRLF, 75-octet folding, balanced BEGIN/END, VERSION and PRODID', () => {
    const text = buildCalendar([...events, ...freezeCalendarEvents([friday], { from: now, to: new Date('2026-06-01T00:00:00Z'), updatedAt })], {
      name: 'Releases — Ünïcode',
      now,
    });
    assert.ok(text.endsWith('\r\n'), 'last line ends with CRLF');
    assert.doesNotMatch(text.replace(/\r\n/g, ''), /[\r\n]/, 'no bare CR or LF');
    const lines = text.slice(0, -2).split('\r\n');
    const stack: string[] = [];
    for (const line of lines) {
      assert.ok(Buffer.byteLength(line, 'utf8') <= 75, `line longer than 75 octets: ${line}`);
      assert.ok(line.length > 0, 'no empty lines');
      if (line.startsWith(' ') || line.startsWith('\t')) continue; // continuation of a folded line
      assert.match(line, /^[A-Z0-9-]+[;:]/, `content line: ${line}`);
      if (line.startsWith('BEGIN:')) stack.push(line.slice(6));
      if (line.startsWith('END:')) assert.equal(stack.pop(), line.slice(4));
    }
    assert.deepEqual(stack, []);
    assert.equal(lines[0], 'BEGIN:VCALENDAR');
    assert.equal(lines[lines.length - 1], 'END:VCALENDAR');
    assert.ok(lines.includes('VERSION:2.0'));
    assert.ok(lines.includes('PRODID:-//Release Manager//Release Manager//EN'));
    // Folding really happened, and a multi-byte character is never split across lines.
    assert.ok(lines.some((l) => l.startsWith(' ')));
    assert.doesNotMatch(text, /\uFFFD/);
    const unfolded = text.replace(/\r\n[ \t]/g, '');
    assert.ok(unfolded.includes('SUMMARY:Code freeze — Übergabe an QA\\, 日本語のタイトル\\, and a summary long enough to need folding in the file'));
  });

  it('takes a custom PRODID and UID domain', () => {
    const text = buildCalendar(events.slice(0, 1), { name: 'R', now, prodId: '-//Acme//Release Manager//EN', uidDomain: 'acme.example' });
    assert.match(text, /\r\nPRODID:-\/\/Acme\/\/Release Manager\/\/EN\r\n/);
    assert.match(text, /\r\nUID:rel-1@acme\.example\r\n/);
  });

  it('an empty calendar is still a valid calendar', () => {
    const text = buildCalendar([], { name: 'Empty', now });
    assert.equal(vevents(text).length, 0);
    assert.match(text, /^BEGIN:VCALENDAR\r\nVERSION:2\.0\r\n/);
  });

  it('refuses bad events with the field named', () => {
    const rejects = (list: CalendarEvent[], message: RegExp, opts = { name: 'R', now }) =>
      assert.throws(() => buildCalendar(list, opts), (e: unknown) => e instanceof ValidationError && message.test(e.message));
    rejects([events[0], { ...events[1], id: 'rel-1' }], /^events\[1\]\.id: 'rel-1' appears twice$/);
    rejects([{ ...events[0], endsAt: new Date('2026-03-01T00:00:00Z') }], /^events\[0\]\.endsAt: .* is before startsAt/);
    rejects([{ ...events[0], startsAt: new Date('nope') }], /^events\[0\]\.startsAt: expected a valid Date$/);
    rejects([{ ...events[0], id: 'a b' }], /^events\[0\]\.id: /);
    rejects(events, /^name: /, { name: '', now });
    rejects(events, /^now: /, { name: 'R', now: new Date(Number.NaN) });
  });

  describe('freeze occurrences as events', () => {
    it('expands a recurring freeze over a horizon with stable ids and local-time-correct instants', () => {
      const list = freezeCalendarEvents([friday], { from: new Date('2026-03-21T00:00:00Z'), to: new Date('2026-04-04T00:00:00Z'), updatedAt });
      assert.deepEqual(
        list.map((e) => [e.id, e.startsAt.toISOString(), e.endsAt.toISOString()]),
        [
          ['freeze-friday-20260320T150000Z', '2026-03-20T15:00:00.000Z', '2026-03-23T05:00:00.000Z'],
          ['freeze-friday-20260327T150000Z', '2026-03-27T15:00:00.000Z', '2026-03-30T04:00:00.000Z'],
          ['freeze-friday-20260403T140000Z', '2026-04-03T14:00:00.000Z', '2026-04-06T04:00:00.000Z'],
        ],
      );
      assert.equal(list[0].kind, 'freeze');
      assert.equal(list[0].subjectId, 'friday');
      assert.equal(list[0].title, 'Freeze: Friday freeze');
      const parsed = vevents(buildCalendar(list, { name: 'Freezes', now }));
      assert.deepEqual(parsed.map((v) => v.uid).sort(), list.map((e) => calendarUid(e.id)).sort());
      assert.ok(parsed.every((v) => (v.categories as string[])[0] === 'freeze'));
    });
  });
});
