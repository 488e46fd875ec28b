import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import {
  describeRecurrence,
  formatLocal,
  localToInstant,
  nextOccurrence,
  occurrencesBetween,
  previousOccurrence,
  validateRecurrence,
  type RecurrenceRule,
} from '../../../src/core/recurrence';
import { ValidationError } from '../../../src/core/model';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const at = (s: string) => new Date(s);
const rule = (r: Partial<RecurrenceRule> & Pick<RecurrenceRule, 'frequency' | 'start'>): RecurrenceRule =>
  validateRecurrence({ timeZone: 'Europe/Berlin', ...r });

describe('recurrence', () => {
  describe('frequencies', () => {
    it('daily: every day at the same local time, from inclusive, to exclusive', () => {
      const r = rule({ frequency: 'daily', start: '2026-01-05T09:00' });
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-01-05T08:00:00Z'), at('2026-01-08T08:00:00Z'))), [
        '2026-01-05T08:00:00.000Z',
        '2026-01-06T08:00:00.000Z',
        '2026-01-07T08:00:00.000Z',
      ]);
    });

    it('nothing before the start, and an empty or reversed range gives nothing', () => {
      const r = rule({ frequency: 'daily', start: '2026-01-05T09:00' });
      assert.deepEqual(occurrencesBetween(r, at('2025-12-01T00:00:00Z'), at('2026-01-05T08:00:00Z')), []);
      assert.deepEqual(occurrencesBetween(r, at('2026-02-01T00:00:00Z'), at('2026-01-01T00:00:00Z')), []);
    });

    it('weekly: on the start weekday', () => {
      const r = rule({ frequency: 'weekly', start: '2026-01-06T14:30' }); // a Tuesday
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-01-01T00:00:00Z'), at('2026-01-28T00:00:00Z'))), [
        '2026-01-06T13:30:00.000Z',
        '2026-01-13T13:30:00.000Z',
        '2026-01-20T13:30:00.000Z',
        '2026-01-27T13:30:00.000Z',
      ]);
    });

    it('biweekly: every second week counted from the start', () => {
      const r = rule({ frequency: 'biweekly', start: '2026-01-08T10:00' }); // a Thursday
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-01-15T00:00:00Z'), at('2026-02-20T00:00:00Z'))), [
        '2026-01-22T09:00:00.000Z',
        '2026-02-05T09:00:00.000Z',
        '2026-02-19T09:00:00.000Z',
      ]);
    });

    it('monthly on an ordinary day', () => {
      const r = rule({ frequency: 'monthly', start: '2026-01-15T09:00', timeZone: 'UTC' });
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-01-01T00:00:00Z'), at('2026-04-01T00:00:00Z'))), [
        '2026-01-15T09:00:00.000Z',
        '2026-02-15T09:00:00.000Z',
        '2026-03-15T09:00:00.000Z',
      ]);
    });

    it('monthly on the 31st: the last day of 30-day months and of February (non-leap)', () => {
      const r = rule({ frequency: 'monthly', start: '2026-01-31T09:00', timeZone: 'UTC' });
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-01-01T00:00:00Z'), at('2026-07-01T00:00:00Z'))), [
        '2026-01-31T09:00:00.000Z',
        '2026-02-28T09:00:00.000Z',
        '2026-03-31T09:00:00.000Z',
        '2026-04-30T09:00:00.000Z',
        '2026-05-31T09:00:00.000Z',
        '2026-06-30T09:00:00.000Z',
      ]);
    });

    it('monthly on the 31st in a leap year: 29 February', () => {
      const r = rule({ frequency: 'monthly', start: '2027-12-31T09:00', timeZone: 'UTC' });
      assert.deepEqual(iso(occurrencesBetween(r, at('2028-02-01T00:00:00Z'), at('2028-03-01T00:00:00Z'))), ['2028-02-29T09:00:00.000Z']);
    });

    it('monthly on the 30th and 29th keep their day where the month has it', () => {
      const r30 = rule({ frequency: 'monthly', start: '2026-01-30T09:00', timeZone: 'UTC' });
      assert.deepEqual(iso(occurrencesBetween(r30, at('2026-02-01T00:00:00Z'), at('2026-06-01T00:00:00Z'))), [
        '2026-02-28T09:00:00.000Z',
        '2026-03-30T09:00:00.000Z',
        '2026-04-30T09:00:00.000Z',
        '2026-05-30T09:00:00.000Z',
      ]);
      const r29 = rule({ frequency: 'monthly', start: '2027-01-29T09:00', timeZone: 'UTC' });
      assert.deepEqual(iso(occurrencesBetween(r29, at('2027-02-01T00:00:00Z'), at('2027-04-01T00:00:00Z'))), [
        '2027-02-28T09:00:00.000Z',
        '2027-03-29T09:00:00.000Z',
      ]);
      assert.deepEqual(iso(occurrencesBetween(r29, at('2028-02-01T00:00:00Z'), at('2028-03-01T00:00:00Z'))), ['2028-02-29T09:00:00.000Z']);
    });

    it('monthly day fallback holds for any start day and month (property)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 2020, max: 2035 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }), (year, month, day) => {
          const first = DateTime.utc(year, month, 1);
          if (day > first.daysInMonth!) return; // not a valid start
          const start = first.set({ day }).toFormat("yyyy-LL-dd'T'09:00");
          const r = rule({ frequency: 'monthly', start, timeZone: 'UTC' });
          const got = occurrencesBetween(r, first.toJSDate(), first.plus({ months: 24 }).toJSDate());
          assert.equal(got.length, 24);
          got.forEach((d, i) => {
            const m = first.plus({ months: i });
            assert.equal(d.toISOString(), m.set({ day: Math.min(day, m.daysInMonth!), hour: 9 }).toJSDate().toISOString());
          });
        }),
      );
    });

    it('custom: FREQ=WEEKLY;BYDAY=TU,TH', () => {
      const r = validateRecurrence({ frequency: 'custom', rrule: 'FREQ=WEEKLY;BYDAY=TU,TH', start: '2026-03-02T09:00', timeZone: 'America/New_York' });
      // New York springs forward on 8 March 2026: 14:00Z before, 13:00Z after.
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-03-01T00:00:00Z'), at('2026-03-13T00:00:00Z'))), [
        '2026-03-03T14:00:00.000Z',
        '2026-03-05T14:00:00.000Z',
        '2026-03-10T13:00:00.000Z',
        '2026-03-12T13:00:00.000Z',
      ]);
    });

    it('custom: last Friday of the month, and the RFC skip for BYMONTHDAY=31', () => {
      const last = validateRecurrence({ frequency: 'custom', rrule: 'rrule:freq=monthly;byday=-1fr', start: '2026-01-01T12:00', timeZone: 'UTC' });
      assert.equal(last.rrule, 'FREQ=MONTHLY;BYDAY=-1FR');
      assert.deepEqual(iso(occurrencesBetween(last, at('2026-01-01T00:00:00Z'), at('2026-04-01T00:00:00Z'))), [
        '2026-01-30T12:00:00.000Z',
        '2026-02-27T12:00:00.000Z',
        '2026-03-27T12:00:00.000Z',
      ]);
      const skip = validateRecurrence({ frequency: 'custom', rrule: 'FREQ=MONTHLY;BYMONTHDAY=31', start: '2026-01-31T12:00', timeZone: 'UTC' });
      assert.deepEqual(iso(occurrencesBetween(skip, at('2026-01-01T00:00:00Z'), at('2026-06-01T00:00:00Z'))), [
        '2026-01-31T12:00:00.000Z',
        '2026-03-31T12:00:00.000Z',
        '2026-05-31T12:00:00.000Z',
      ]);
    });

    it('count and until bound the series; limit caps one answer', () => {
      const counted = rule({ frequency: 'daily', start: '2026-01-01T09:00', count: 3 });
      assert.equal(occurrencesBetween(counted, at('2025-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')).length, 3);
      assert.equal(nextOccurrence(counted, at('2026-01-03T08:00:00Z')), null);
      const untilDay = rule({ frequency: 'daily', start: '2026-01-01T09:00', until: '2026-01-03' });
      assert.equal(occurrencesBetween(untilDay, at('2025-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')).length, 3);
      const untilTime = rule({ frequency: 'daily', start: '2026-01-01T09:00', until: '2026-01-03T08:59' });
      assert.equal(occurrencesBetween(untilTime, at('2025-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z')).length, 2);
      const endless = rule({ frequency: 'daily', start: '2026-01-01T09:00' });
      assert.equal(occurrencesBetween(endless, at('2026-01-01T00:00:00Z'), at('2036-01-01T00:00:00Z'), 5).length, 5);
      assert.equal(occurrencesBetween(endless, at('2026-01-01T00:00:00Z'), at('2036-01-01T00:00:00Z')).length, 1000);
    });

    it('skipping ahead for long-running rules gives the same occurrences as expanding from the start (property)', () => {
      // With `count` set, nothing may be skipped (the count runs from the start), so the counted
      // rule is the reference expansion.
      fc.assert(
        fc.property(
          fc.constantFrom('daily', 'weekly', 'biweekly', 'monthly') as fc.Arbitrary<'daily' | 'weekly' | 'biweekly' | 'monthly'>,
          fc.constantFrom('Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'),
          fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2025-12-31T00:00:00Z'), noInvalidDate: true }),
          fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
          fc.integer({ min: 1, max: 90 }),
          (frequency, timeZone, startDay, from, days) => {
            const start = `${startDay.toISOString().slice(0, 10)}T02:30`;
            const open = validateRecurrence({ frequency, start, timeZone });
            const counted = validateRecurrence({ frequency, start, timeZone, count: 100_000 });
            const to = new Date(from.getTime() + days * 86_400_000);
            assert.deepEqual(iso(occurrencesBetween(open, from, to)), iso(occurrencesBetween(counted, from, to)));
            assert.equal(nextOccurrence(open, from)?.toISOString(), nextOccurrence(counted, from)?.toISOString());
            assert.equal(previousOccurrence(open, from)?.toISOString(), previousOccurrence(counted, from)?.toISOString());
          },
        ),
        { numRuns: 60 },
      );
    });

    it('next and previous occurrence are strict', () => {
      const r = rule({ frequency: 'weekly', start: '2026-03-03T09:00' });
      assert.equal(nextOccurrence(r, at('2026-03-03T07:59:59.999Z'))?.toISOString(), '2026-03-03T08:00:00.000Z');
      assert.equal(nextOccurrence(r, at('2026-03-03T08:00:00Z'))?.toISOString(), '2026-03-10T08:00:00.000Z');
      assert.equal(nextOccurrence(r, at('2026-03-25T00:00:00Z'))?.toISOString(), '2026-03-31T07:00:00.000Z');
      assert.equal(previousOccurrence(r, at('2026-03-31T07:00:00Z'))?.toISOString(), '2026-03-24T08:00:00.000Z');
      assert.equal(previousOccurrence(r, at('2026-03-31T07:00:00.001Z'))?.toISOString(), '2026-03-31T07:00:00.000Z');
      assert.equal(previousOccurrence(r, at('2026-03-03T08:00:00Z')), null);
    });
  });

  describe('daylight saving time', () => {
    it('a weekly 09:00 Berlin train is 08:00Z before 29 March 2026 and 07:00Z after', () => {
      const r = rule({ frequency: 'weekly', start: '2026-03-17T09:00' });
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-03-17T00:00:00Z'), at('2026-04-08T00:00:00Z'))), [
        '2026-03-17T08:00:00.000Z',
        '2026-03-24T08:00:00.000Z',
        '2026-03-31T07:00:00.000Z',
        '2026-04-07T07:00:00.000Z',
      ]);
    });

    it('Berlin fall-back (25 October 2026): 07:00Z before, 08:00Z after', () => {
      const r = rule({ frequency: 'daily', start: '2026-10-24T09:00' });
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-10-24T00:00:00Z'), at('2026-10-27T00:00:00Z'))), [
        '2026-10-24T07:00:00.000Z',
        '2026-10-25T08:00:00.000Z',
        '2026-10-26T08:00:00.000Z',
      ]);
    });

    it('New York spring-forward (8 March 2026) and fall-back (1 November 2026)', () => {
      const r = validateRecurrence({ frequency: 'daily', start: '2026-03-07T09:00', timeZone: 'America/New_York' });
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-03-07T00:00:00Z'), at('2026-03-09T00:00:00Z'))), [
        '2026-03-07T14:00:00.000Z',
        '2026-03-08T13:00:00.000Z',
      ]);
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-10-31T00:00:00Z'), at('2026-11-02T00:00:00Z'))), [
        '2026-10-31T13:00:00.000Z',
        '2026-11-01T14:00:00.000Z',
      ]);
    });

    it('a nonexistent time moves forward by the gap: 02:30 Berlin on 29 March 2026 is 03:30 CEST', () => {
      const r = rule({ frequency: 'daily', start: '2026-03-28T02:30' });
      const got = occurrencesBetween(r, at('2026-03-28T00:00:00Z'), at('2026-03-31T00:00:00Z'));
      assert.deepEqual(iso(got), ['2026-03-28T01:30:00.000Z', '2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z']);
      assert.equal(formatLocal(got[1], 'Europe/Berlin'), '2026-03-29T03:30');
      // The day after, the train is back at 02:30 local.
      assert.equal(formatLocal(got[2], 'Europe/Berlin'), '2026-03-30T02:30');
    });

    it('a nonexistent time in New York: 02:30 on 8 March 2026 is 03:30 EDT', () => {
      assert.equal(localToInstant('2026-03-08T02:30', 'America/New_York').toISOString(), '2026-03-08T07:30:00.000Z');
    });

    it('an ambiguous time takes the first (earlier) instant', () => {
      // 02:30 happens twice in Berlin on 25 October 2026: 00:30Z (CEST) and 01:30Z (CET).
      const r = rule({ frequency: 'daily', start: '2026-10-24T02:30' });
      assert.deepEqual(iso(occurrencesBetween(r, at('2026-10-24T00:00:00Z'), at('2026-10-27T00:00:00Z'))), [
        '2026-10-24T00:30:00.000Z',
        '2026-10-25T00:30:00.000Z',
        '2026-10-26T01:30:00.000Z',
      ]);
      // 01:30 happens twice in New York on 1 November 2026: 05:30Z (EDT) and 06:30Z (EST).
      assert.equal(localToInstant('2026-11-01T01:30', 'America/New_York').toISOString(), '2026-11-01T05:30:00.000Z');
    });

    it('a half-hour DST shift (Australia/Lord_Howe) moves a gap time by 30 minutes', () => {
      // Lord Howe goes from +10:30 to +11:00 at 02:00 local on 4 October 2026.
      assert.equal(formatLocal(localToInstant('2026-10-04T02:15', 'Australia/Lord_Howe'), 'Australia/Lord_Howe'), '2026-10-04T02:45');
    });

    it('every occurrence keeps the start time of day unless it falls in a gap (property)', () => {
      const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'America/Sao_Paulo', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'];
      const freqs = ['daily', 'weekly', 'biweekly', 'monthly'] as const;
      fc.assert(
        fc.property(
          fc.constantFrom(...zones),
          fc.constantFrom(...freqs),
          fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }),
          fc.integer({ min: 0, max: 23 }),
          fc.constantFrom(0, 15, 30, 45),
          (timeZone, frequency, day, hour, minute) => {
            const start = `${day.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
            const r = validateRecurrence({ frequency, start, timeZone });
            const from = new Date(day.getTime() - 86_400_000);
            const got = occurrencesBetween(r, from, new Date(day.getTime() + 400 * 86_400_000), 30);
            assert.ok(got.length > 0);
            for (let i = 0; i < got.length; i++) {
              if (i > 0) assert.ok(got[i] > got[i - 1], 'strictly increasing');
              const local = formatLocal(got[i], timeZone);
              const wanted = start.slice(11);
              if (local.slice(11) !== wanted) {
                // Only allowed when the wanted time does not exist that day: resolving it moves it.
                const sameDay = `${local.slice(0, 10)}T${wanted}`;
                assert.notEqual(formatLocal(localToInstant(sameDay, timeZone), timeZone), sameDay, `${local} should be ${wanted}`);
              }
              assert.equal(nextOccurrence(r, new Date(got[i].getTime() - 1))?.getTime(), got[i].getTime());
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });

  describe('validation', () => {
    const base = { frequency: 'weekly', start: '2026-03-03T09:00', timeZone: 'Europe/Berlin' };
    const rejects = (input: unknown, message: RegExp) =>
      assert.throws(() => validateRecurrence(input), (e: unknown) => e instanceof ValidationError && message.test(e.message));

    it('names the field and the reason', () => {
      rejects({ ...base, timeZone: 'Mars/Base' }, /^timeZone: 'Mars\/Base' is not an IANA time zone$/);
      rejects({ ...base, timeZone: '+02:00' }, /^timeZone: /);
      rejects({ ...base, start: '2026-03-03 09:00' }, /^start: expected YYYY-MM-DDTHH:mm/);
      rejects({ ...base, start: '2026-02-30T09:00' }, /^start: 2026-02-30T09:00 is not a calendar date$/);
      rejects({ ...base, start: '2026-03-03T24:00' }, /^start: .*not a valid time of day/);
      rejects({ ...base, frequency: 'hourly' }, /^frequency: expected one of daily, weekly, biweekly, monthly, custom/);
      rejects({ ...base, count: 0 }, /^count: expected a whole number/);
      rejects({ ...base, count: 2.5 }, /^count: /);
      rejects({ ...base, until: '2026-03-01' }, /^until: 2026-03-01 is before start 2026-03-03T09:00$/);
      rejects({ ...base, until: 'soon' }, /^until: expected YYYY-MM-DD or YYYY-MM-DDTHH:mm/);
      rejects({ ...base, until: '2026-12-31', count: 3 }, /^until: cannot be combined with count/);
      rejects({ ...base, timezone: 'UTC' }, /^timezone: unknown field/);
      rejects('weekly', /^recurrence: expected an object$/);
    });

    it('rrule: required for custom, refused otherwise, parsed strictly', () => {
      rejects({ ...base, frequency: 'custom' }, /^rrule: required when frequency is 'custom'/);
      rejects({ ...base, rrule: 'FREQ=DAILY' }, /^rrule: only allowed when frequency is 'custom'/);
      const custom = (rrule: string, message: RegExp) => rejects({ ...base, frequency: 'custom', rrule }, message);
      custom('garbage', /^rrule: 'garbage' is not NAME=VALUE$/);
      custom('FREQ=WEEKLY;BYDAY=XX', /^rrule: BYDAY value 'XX' is not a weekday/);
      custom('FREQ=WEEKLY;INTERVAL=abc', /^rrule: INTERVAL=ABC is not a whole number$/);
      custom('BYDAY=MO', /^rrule: FREQ is required/);
      custom('FREQ=FORTNIGHTLY', /^rrule: FREQ=FORTNIGHTLY is not one of/);
      custom('FREQ=WEEKLY;BYMONTHDAY=32', /^rrule: BYMONTHDAY value '32' is outside/);
      custom('FREQ=WEEKLY;X-FOO=1', /^rrule: unknown rule part X-FOO$/);
      custom('FREQ=WEEKLY;FREQ=DAILY', /^rrule: FREQ appears twice$/);
      custom('FREQ=WEEKLY;BYDAY=1MO', /^rrule: BYDAY with an ordinal/);
      custom('FREQ=DAILY;COUNT=5', /^rrule: COUNT belongs in the count field$/);
      custom('FREQ=DAILY;UNTIL=20261231T000000Z', /^rrule: UNTIL belongs in the until field$/);
      custom('FREQ=DAILY;BYHOUR=9,17', /^rrule: BYHOUR is not supported/);
    });

    it('rrule: refuses unsafe or empty rules', () => {
      for (const freq of ['SECONDLY', 'MINUTELY', 'HOURLY']) {
        rejects({ ...base, frequency: 'custom', rrule: `FREQ=${freq}` }, new RegExp(`^rrule: FREQ=${freq} is not supported`));
      }
      rejects({ ...base, frequency: 'custom', rrule: 'FREQ=WEEKLY;INTERVAL=100000' }, /^rrule: INTERVAL=100000 is outside 1\.\.1000$/);
      rejects({ ...base, frequency: 'custom', rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' }, /^rrule: .* produces no occurrence within 10 years/);
    });

    it('returns a clean copy with the zone spelled canonically', () => {
      const r = validateRecurrence({ ...base, timeZone: 'europe/berlin', count: 4 });
      assert.deepEqual(r, { frequency: 'weekly', start: '2026-03-03T09:00', timeZone: 'Europe/Berlin', count: 4 });
    });
  });

  describe('describeRecurrence', () => {
    it('reads like a sentence', () => {
      assert.equal(describeRecurrence(rule({ frequency: 'monthly', start: '2026-01-31T09:00' })), 'monthly on day 31 (last day in shorter months) at 09:00 Europe/Berlin');
      assert.equal(describeRecurrence(rule({ frequency: 'monthly', start: '2026-01-15T09:00' })), 'monthly on day 15 at 09:00 Europe/Berlin');
      assert.equal(describeRecurrence(rule({ frequency: 'daily', start: '2026-01-15T07:05' })), 'daily at 07:05 Europe/Berlin');
      assert.equal(describeRecurrence(rule({ frequency: 'weekly', start: '2026-03-03T09:00', count: 10 })), 'weekly on Tuesday at 09:00 Europe/Berlin, 10 times');
      assert.equal(
        describeRecurrence(rule({ frequency: 'biweekly', start: '2026-03-05T16:00', until: '2026-12-31' })),
        'every 2 weeks on Thursday (from 2026-03-05) at 16:00 Europe/Berlin, until 2026-12-31',
      );
      assert.equal(
        describeRecurrence(rule({ frequency: 'custom', rrule: 'FREQ=WEEKLY;BYDAY=TU,TH', start: '2026-03-03T09:00', count: 1 })),
        'every week on Tuesday, Thursday at 09:00 Europe/Berlin, once',
      );
    });
  });
});
