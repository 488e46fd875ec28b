import assert from 'node:assert/strict';
import {
  activeFreeze,
  describeFreezeRefusal,
  describeFreezeWindow,
  freezeOccurrencesBetween,
  validateFreezeWindow,
  type FreezeWindow,
} from '../../../src/core/freezeWindows';
import { ValidationError } from '../../../src/core/model';

const at = (s: string) => new Date(s);
const iso = (d: Date | undefined) => d?.toISOString();

/** Friday 16:00 to Monday 06:00 Berlin time, every week from 6 March 2026. */
const fridayFreeze: FreezeWindow = validateFreezeWindow({
  id: 'friday',
  name: 'Friday freeze',
  start: '2026-03-06T16:00',
  durationMinutes: (3 * 24 - 10) * 60,
  timeZone: 'Europe/Berlin',
  recurrence: { frequency: 'weekly' },
});

const launch: FreezeWindow = validateFreezeWindow({
  id: 'launch',
  name: 'Launch week',
  start: '2026-05-04T09:00',
  end: '2026-05-08T18:00',
  timeZone: 'Europe/Berlin',
});

describe('freeze windows', () => {
  describe('one-off window', () => {
    it('is active from its start (inclusive) to its end (exclusive)', () => {
      // 09:00 and 18:00 CEST are 07:00Z and 16:00Z.
      assert.equal(activeFreeze([launch], at('2026-05-04T06:59:59.999Z')), null);
      const first = activeFreeze([launch], at('2026-05-04T07:00:00Z'));
      assert.equal(first?.window.id, 'launch');
      assert.equal(iso(first?.startsAt), '2026-05-04T07:00:00.000Z');
      assert.equal(iso(first?.endsAt), '2026-05-08T16:00:00.000Z');
      assert.ok(activeFreeze([launch], at('2026-05-08T15:59:59.999Z')));
      assert.equal(activeFreeze([launch], at('2026-05-08T16:00:00Z')), null);
    });

    it('refusal text names the environment, the window and the local end', () => {
      const active = activeFreeze([launch], at('2026-05-05T10:00:00Z'))!;
      assert.equal(describeFreezeRefusal(active, 'production'), "production is frozen by 'Launch week' until Fri 2026-05-08 18:00 Europe/Berlin");
      assert.equal(describeFreezeRefusal(active, 'staging', 'America/New_York'), "staging is frozen by 'Launch week' until Fri 2026-05-08 12:00 America/New_York");
    });
  });

  describe('recurring weekly Friday 16:00 – Monday 06:00', () => {
    it('is active over the weekend and not during the week', () => {
      assert.equal(activeFreeze([fridayFreeze], at('2026-03-13T14:59:59.999Z')), null); // Fri 15:59:59 CET
      assert.equal(iso(activeFreeze([fridayFreeze], at('2026-03-13T15:00:00Z'))?.startsAt), '2026-03-13T15:00:00.000Z');
      assert.ok(activeFreeze([fridayFreeze], at('2026-03-15T12:00:00Z')));
      assert.ok(activeFreeze([fridayFreeze], at('2026-03-16T04:59:59.999Z')));
      assert.equal(activeFreeze([fridayFreeze], at('2026-03-16T05:00:00Z')), null); // Mon 06:00 CET
      assert.equal(activeFreeze([fridayFreeze], at('2026-03-18T12:00:00Z')), null);
      assert.equal(activeFreeze([fridayFreeze], at('2026-03-06T14:00:00Z')), null, 'nothing before the first occurrence');
    });

    it('ends at Monday 06:00 local across the spring-forward weekend (29 March 2026)', () => {
      // Friday 16:00 CET = 15:00Z; Monday 06:00 CEST = 04:00Z: this occurrence lasts 61 real hours.
      const active = activeFreeze([fridayFreeze], at('2026-03-29T12:00:00Z'))!;
      assert.equal(iso(active.startsAt), '2026-03-27T15:00:00.000Z');
      assert.equal(iso(active.endsAt), '2026-03-30T04:00:00.000Z');
      assert.ok(activeFreeze([fridayFreeze], at('2026-03-30T03:59:59.999Z')));
      assert.equal(activeFreeze([fridayFreeze], at('2026-03-30T04:00:00Z')), null);
      assert.equal(describeFreezeRefusal(active, 'production'), "production is frozen by 'Friday freeze' until Mon 2026-03-30 06:00 Europe/Berlin");
      // The next weekend is all summer time: 14:00Z to 04:00Z.
      const next = activeFreeze([fridayFreeze], at('2026-04-04T12:00:00Z'))!;
      assert.equal(iso(next.startsAt), '2026-04-03T14:00:00.000Z');
      assert.equal(iso(next.endsAt), '2026-04-06T04:00:00.000Z');
    });

    it('ends at Monday 06:00 local across the fall-back weekend (25 October 2026)', () => {
      // Friday 16:00 CEST = 14:00Z; Monday 06:00 CET = 05:00Z: 63 real hours.
      const active = activeFreeze([fridayFreeze], at('2026-10-25T12:00:00Z'))!;
      assert.equal(iso(active.startsAt), '2026-10-23T14:00:00.000Z');
      assert.equal(iso(active.endsAt), '2026-10-26T05:00:00.000Z');
    });

    it('lists occurrences overlapping a range, including one already running at its start', () => {
      const got = freezeOccurrencesBetween([fridayFreeze], at('2026-03-22T00:00:00Z'), at('2026-04-11T00:00:00Z'));
      assert.deepEqual(
        got.map((o) => [iso(o.startsAt), iso(o.endsAt)]),
        [
          ['2026-03-20T15:00:00.000Z', '2026-03-23T05:00:00.000Z'],
          ['2026-03-27T15:00:00.000Z', '2026-03-30T04:00:00.000Z'],
          ['2026-04-03T14:00:00.000Z', '2026-04-06T04:00:00.000Z'],
          ['2026-04-10T14:00:00.000Z', '2026-04-13T04:00:00.000Z'],
        ],
      );
      assert.deepEqual(freezeOccurrencesBetween([fridayFreeze], at('2026-03-23T05:00:00Z'), at('2026-03-27T15:00:00Z')), []);
    });

    it('describes itself', () => {
      assert.equal(describeFreezeWindow(fridayFreeze), 'weekly on Friday at 16:00 Europe/Berlin, lasting 2 d 14 h');
      assert.equal(describeFreezeWindow(launch), 'from 2026-05-04 09:00 to 2026-05-08 18:00 Europe/Berlin');
    });
  });

  describe('overlapping windows', () => {
    const holiday = validateFreezeWindow({
      id: 'easter',
      name: 'Easter',
      start: '2026-04-02T12:00',
      end: '2026-04-07T09:00',
      timeZone: 'Europe/Berlin',
    });

    it('the one ending last is reported', () => {
      const active = activeFreeze([fridayFreeze, holiday], at('2026-04-04T12:00:00Z'))!;
      assert.equal(active.window.id, 'easter');
      assert.equal(iso(active.endsAt), '2026-04-07T07:00:00.000Z');
      // Order of the list does not matter.
      assert.equal(activeFreeze([holiday, fridayFreeze], at('2026-04-04T12:00:00Z'))!.window.id, 'easter');
    });

    it('a window that takes over without a gap extends frozenUntil', () => {
      // Thursday: only Easter is active; that weekend's Friday freeze lies inside it, so Easter's
      // end is when deployments open again.
      const thursday = activeFreeze([fridayFreeze, holiday], at('2026-04-02T12:00:00Z'))!;
      assert.equal(thursday.window.id, 'easter');
      assert.equal(iso(thursday.frozenUntil), '2026-04-07T07:00:00.000Z');
      // A one-off window starting exactly when the Friday freeze ends (Monday 06:00) chains.
      const monday = validateFreezeWindow({ id: 'mon', name: 'Migration', start: '2026-03-30T06:00', end: '2026-03-30T12:00', timeZone: 'Europe/Berlin' });
      const active = activeFreeze([fridayFreeze, monday], at('2026-03-28T12:00:00Z'))!;
      assert.equal(active.window.id, 'friday');
      assert.equal(iso(active.endsAt), '2026-03-30T04:00:00.000Z');
      assert.equal(iso(active.frozenUntil), '2026-03-30T10:00:00.000Z');
      assert.deepEqual(active.followedBy.map((o) => o.window.id), ['mon']);
      assert.equal(describeFreezeRefusal(active, 'production'), "production is frozen by 'Friday freeze', then 'Migration' until Mon 2026-03-30 12:00 Europe/Berlin");
    });

    it('occurrences of several windows come sorted by start', () => {
      const got = freezeOccurrencesBetween([holiday, fridayFreeze], at('2026-04-01T00:00:00Z'), at('2026-04-08T00:00:00Z'));
      assert.deepEqual(got.map((o) => o.window.id), ['easter', 'friday']);
    });
  });

  describe('validation', () => {
    const oneOff = { id: 'w', name: 'Window', start: '2026-05-04T09:00', end: '2026-05-04T18:00', timeZone: 'Europe/Berlin' };
    const recurring = { id: 'w', name: 'Window', start: '2026-05-01T16:00', durationMinutes: 60, timeZone: 'Europe/Berlin', recurrence: { frequency: 'weekly' } };
    const rejects = (input: unknown, message: RegExp) =>
      assert.throws(() => validateFreezeWindow(input), (e: unknown) => e instanceof ValidationError && message.test(e.message));

    it('accepts the two shapes', () => {
      assert.deepEqual(validateFreezeWindow(oneOff), oneOff);
      const r = validateFreezeWindow(recurring);
      assert.deepEqual(r.recurrence, { frequency: 'weekly', start: '2026-05-01T16:00', timeZone: 'Europe/Berlin' });
    });

    it('names the field and the reason', () => {
      rejects({ ...oneOff, end: '2026-05-04T08:00' }, /^end: 2026-05-04T08:00 is not after start 2026-05-04T09:00$/);
      rejects({ ...oneOff, end: '2026-05-04T09:00' }, /^end: .* is not after start/);
      rejects({ ...oneOff, end: undefined }, /^end: required for a one-off window/);
      rejects({ ...oneOff, durationMinutes: 30 }, /^durationMinutes: only for recurring windows/);
      rejects({ ...recurring, durationMinutes: undefined }, /^durationMinutes: required for a recurring window/);
      rejects({ ...recurring, durationMinutes: 0 }, /^durationMinutes: expected a whole number/);
      rejects({ ...recurring, end: '2026-05-04T18:00' }, /^end: only for one-off windows/);
      rejects({ ...oneOff, timeZone: 'Mars/Base' }, /^timeZone: 'Mars\/Base' is not an IANA time zone$/);
      rejects({ ...oneOff, start: 'tomorrow' }, /^start: expected YYYY-MM-DDTHH:mm/);
      rejects({ ...oneOff, name: ' ' }, /^name: expected a non-empty string$/);
      rejects({ ...oneOff, id: 7 }, /^id: expected a non-empty string$/);
      rejects({ ...oneOff, colour: 'red' }, /^colour: unknown field/);
      rejects({ ...recurring, recurrence: { frequency: 'weekly', start: '2026-05-02T16:00' } }, /^recurrence\.start: must equal the window's start/);
      rejects({ ...recurring, recurrence: { frequency: 'weekly', timeZone: 'UTC' } }, /^recurrence\.timeZone: must equal/);
      rejects({ ...recurring, recurrence: { frequency: 'fortnightly' } }, /^recurrence\.frequency: expected one of/);
      rejects({ ...recurring, recurrence: { frequency: 'custom', rrule: 'FREQ=MINUTELY' } }, /^recurrence\.rrule: FREQ=MINUTELY is not supported/);
      rejects(null, /^freezeWindow: expected an object$/);
    });
  });
});
