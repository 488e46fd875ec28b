import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { NotFoundError, ValidationError } from '../../../src/core/model';
import { ReleaseTrainScheduler, type TrainScheduleInput } from '../../../src/core/releases/ReleaseTrainScheduler';
import { formatCountdown } from '../../../src/core/releaseTrains';
import { openCore, type CoreHarness } from '../../support/coreHarness';

const root = path.resolve(__dirname, '../../..');
const wasm = path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm');
const DAY = 86_400_000;
const iso = (d: Date | null | undefined) => d?.toISOString();

function schedulerFor(h: CoreHarness, batchSize?: number): ReleaseTrainScheduler {
  return new ReleaseTrainScheduler({ uow: h.uow, clock: h.clock, identity: { currentUser: async () => 'Ada Tester' }, defaultTimeZone: 'UTC', batchSize });
}

async function trainReleases(h: CoreHarness, trainId: string) {
  return (await h.releases.listReleases()).filter((r) => r.trainId === trainId).sort((a, b) => a.plannedStart!.getTime() - b.plannedStart!.getTime());
}

describe('trains: ReleaseTrainScheduler', () => {
  let h: CoreHarness;
  let trains: ReleaseTrainScheduler;
  beforeEach(async () => {
    h = await openCore();
    h.clock.set('2026-01-15T00:00:00Z');
    await h.catalog.addServices([{ name: 'db' }, { name: 'api', dependencies: ['db'] }, { name: 'web', dependencies: ['api'] }]);
    trains = schedulerFor(h);
  });
  afterEach(async () => h.close());

  describe('schedules', () => {
    it('creates a schedule as in the seed, validated and audited', async () => {
      const train = await trains.createSchedule({
        name: 'Monthly Release Train',
        frequency: 'monthly',
        startDate: '2026-01-31T09:00',
        timeZone: 'Europe/Berlin',
        enabled: true,
        services: ['api', 'web'],
        checkpoints: [{ name: 'code freeze', offset: { days: -2 } }, { name: 'feature freeze', offset: { days: -7 } }],
      });
      assert.deepEqual(train.recurrence, { frequency: 'monthly', start: '2026-01-31T09:00', timeZone: 'Europe/Berlin' });
      assert.equal(train.versionRule, 'next-minor');
      assert.equal(train.enabled, true);
      assert.equal(iso(train.activeFrom), '2026-01-15T00:00:00.000Z');
      assert.deepEqual(await trains.getSchedule(train.id), train);
      assert.equal(trains.describeSchedule(train), 'monthly on day 31 (last day in shorter months) at 09:00 Europe/Berlin · next-minor · 2 services');
      const audit = await h.uow.read((r) => r.audit.list({ entityType: 'train', entityId: train.id }));
      assert.deepEqual(audit.map((a) => [a.action, a.actor]), [['train.create', 'Ada Tester']]);
    });

    it('takes a Date as an instant and shows it as the wall clock of the zone', async () => {
      const train = await trains.createSchedule({ name: 'T', frequency: 'weekly', startDate: new Date('2026-02-02T08:00:00Z'), timeZone: 'Europe/Berlin', enabled: true });
      assert.equal(train.recurrence.start, '2026-02-02T09:00');
      const withTime = await trains.createSchedule({ name: 'U', frequency: 'daily', startDate: '2026-02-02', time: '17:45', timeZone: 'UTC', enabled: false });
      assert.equal(withTime.recurrence.start, '2026-02-02T17:45');
    });

    const base: TrainScheduleInput = { name: 'Weekly', frequency: 'weekly', startDate: '2026-02-02T10:00', timeZone: 'Europe/Berlin', enabled: true };
    const invalid: [string, Partial<Record<keyof TrainScheduleInput | 'color', unknown>>, RegExp][] = [
      ['an empty name', { name: ' ' }, /^name: must not be empty$/],
      ['an unknown frequency', { frequency: 'hourly' }, /^frequency: expected one of daily, weekly, biweekly, monthly, custom, got 'hourly'$/],
      ['a time zone that does not exist', { timeZone: 'Mars/Base' }, /^timeZone: 'Mars\/Base' is not an IANA time zone$/],
      ['a start that is not a date', { startDate: 'next monday' }, /^startDate: expected YYYY-MM-DDTHH:mm, got 'next monday'$/],
      ['an impossible start', { startDate: '2026-02-30T10:00' }, /^startDate: 2026-02-30T10:00 is not a calendar date$/],
      ['a date without a time', { startDate: '2026-02-02' }, /^time: required when startDate is a date without a time \(2026-02-02\), e\.g\. '09:00'$/],
      ['a bad time', { time: '25:00' }, /^time: expected HH:mm \(24-hour\), got '25:00'$/],
      ['custom without a rule', { frequency: 'custom' }, /^rrule: required when frequency is 'custom'/],
      ['a rule without custom', { rrule: 'FREQ=DAILY' }, /^rrule: only allowed when frequency is 'custom'/],
      ['a sub-daily custom rule', { frequency: 'custom', rrule: 'FREQ=HOURLY' }, /^rrule: FREQ=HOURLY is not supported/],
      ['an unknown version rule', { versionRule: 'major' }, /^versionRule: expected one of next-minor, next-patch, calendar, got 'major'$/],
      ['enabled that is not a boolean', { enabled: 'yes' }, /^enabled: expected true or false, got 'yes'$/],
      ['an unknown service', { services: ['api', 'billing'] }, /^services: unknown service 'billing'; known services: api, db, web$/],
      ['a service twice', { services: ['api', 'api'] }, /^services: 'api' is listed twice$/],
      ['a checkpoint without offset units', { checkpoints: [{ name: 'code freeze', offset: {} }] }, /^checkpoints\[0\]\.offset: needs days, hours or minutes/],
      ['a fractional offset', { checkpoints: [{ name: 'code freeze', offset: { days: -1.5 } }] }, /^checkpoints\[0\]\.offset\.days: expected a whole number, got number -1\.5$/],
      ['an unknown offset unit', { checkpoints: [{ name: 'code freeze', offset: { weeks: -1 } }] }, /^checkpoints\[0\]\.offset\.weeks: unknown unit/],
      ['a checkpoint name twice', { checkpoints: [{ name: 'Code freeze', offset: { days: -1 } }, { name: 'code freeze', offset: { days: -2 } }] }, /^checkpoints\[1\]\.name: 'code freeze' appears twice$/],
      ['an offset beyond a year', { checkpoints: [{ name: 'x', offset: { days: -400 } }] }, /^checkpoints\[0\]\.offset: is -400 days from the departure; the limit is 366$/],
      ['an unknown field', { color: 'blue' }, /^color: is not a field of a release train/],
    ];
    for (const [what, patch, message] of invalid) {
      it(`refuses ${what}, naming the field, and changes nothing`, async () => {
        await assert.rejects(trains.createSchedule({ ...base, ...patch } as TrainScheduleInput), (e: Error) => e instanceof ValidationError && message.test(e.message));
        assert.deepEqual(await trains.listSchedules(), []);
        assert.deepEqual(await h.uow.read((r) => r.audit.list({ entityType: 'train' })), []);
      });
    }

    it('refuses a second train of the same name, whatever the case', async () => {
      await trains.createSchedule(base);
      await assert.rejects(trains.createSchedule({ ...base, name: 'WEEKLY' }), /^ValidationError: name: a release train named 'Weekly' exists already$/);
    });

    it('updates, disables, enables and deletes, each audited; unknown ids are not found', async () => {
      const t = await trains.createSchedule(base);
      h.clock.set('2026-01-20T00:00:00Z');
      const u = await trains.updateSchedule(t.id, { time: '15:30', versionRule: 'next-patch', checkpoints: [{ name: 'branch cut', offset: { hours: -4 } }] });
      assert.equal(u.recurrence.start, '2026-02-02T15:30');
      assert.equal(u.versionRule, 'next-patch');
      assert.equal(iso(u.activeFrom), '2026-01-20T00:00:00.000Z', 'a rescheduled train starts over from now');
      const z = await trains.updateSchedule(t.id, { timeZone: 'America/New_York' });
      assert.equal(z.recurrence.start, '2026-02-02T15:30', 'a new zone keeps the wall clock');
      const custom = await trains.updateSchedule(t.id, { frequency: 'custom', rrule: 'FREQ=MONTHLY;BYDAY=1TU' });
      assert.equal(custom.recurrence.rrule, 'FREQ=MONTHLY;BYDAY=1TU');
      const back = await trains.updateSchedule(t.id, { frequency: 'weekly' });
      assert.equal(back.recurrence.rrule, undefined);
      await assert.rejects(trains.updateSchedule(t.id, { services: ['nope'] }), /^ValidationError: services: unknown service 'nope'/);
      const off = await trains.disable(t.id);
      assert.equal(off.enabled, false);
      assert.equal(await trains.disable(t.id).then((x) => x.updatedAt.getTime()), off.updatedAt.getTime(), 'disabling twice changes nothing');
      h.clock.set('2026-01-25T00:00:00Z');
      const on = await trains.enable(t.id);
      assert.equal(iso(on.activeFrom), '2026-01-25T00:00:00.000Z');
      await trains.deleteSchedule(t.id);
      assert.equal(await trains.getSchedule(t.id), null);
      await assert.rejects(trains.enable(t.id), (e: Error) => e instanceof NotFoundError && e.message === `release train '${t.id}' does not exist`);
      const actions = (await h.uow.read((r) => r.audit.list({ entityType: 'train', entityId: t.id }))).map((a) => a.action);
      assert.deepEqual(actions, ['train.create', 'train.update', 'train.update', 'train.update', 'train.update', 'train.disable', 'train.enable', 'train.delete']);
    });
  });

  describe('runDue', () => {
    it('a monthly train on the 31st departs on the last day of shorter months, 09:00 Berlin across the DST change', async () => {
      const t = await trains.createSchedule({ name: 'Monthly', frequency: 'monthly', startDate: '2026-01-31T09:00', timeZone: 'Europe/Berlin', enabled: true, services: ['api'] });
      h.clock.set('2026-05-01T00:00:00Z');
      const result = await trains.runDue();
      assert.deepEqual(result.errors, []);
      const rels = await trainReleases(h, t.id);
      assert.deepEqual(rels.map((r) => iso(r.plannedStart)), [
        '2026-01-31T08:00:00.000Z', // 09:00 CET
        '2026-02-28T08:00:00.000Z', // February's last day
        '2026-03-31T07:00:00.000Z', // 09:00 CEST (summer time since 29 March)
        '2026-04-30T07:00:00.000Z', // April's last day
      ]);
      assert.deepEqual(rels.map((r) => r.name), ['Monthly 2026-01-31', 'Monthly 2026-02-28', 'Monthly 2026-03-31', 'Monthly 2026-04-30']);
      assert.deepEqual(rels.map((r) => r.version), ['0.1.0', '0.2.0', '0.3.0', '0.4.0']);
      assert.ok(rels.every((r) => r.status === 'planned' && JSON.stringify(r.services) === '["api"]' && r.conversationId));
      // Each release got its conversation and calendar event as createRelease gives them.
      const events = await h.releases.listCalendarEvents();
      assert.deepEqual(events.filter((e) => e.kind === 'release').map((e) => iso(e.startsAt)), rels.map((r) => iso(r.plannedStart)));
    });

    it('keeps the wall clock across DST: a 02:30 departure in the spring gap moves to 03:30, the autumn one takes the first 02:30', async () => {
      const t = await trains.createSchedule({ name: 'Sunday', frequency: 'weekly', startDate: '2026-03-15T02:30', timeZone: 'Europe/Berlin', enabled: true });
      h.clock.set('2026-04-06T00:00:00Z');
      await trains.runDue();
      assert.deepEqual((await trainReleases(h, t.id)).map((r) => iso(r.plannedStart)), [
        '2026-03-15T01:30:00.000Z',
        '2026-03-22T01:30:00.000Z',
        '2026-03-29T01:30:00.000Z', // 02:30 does not exist that night: 03:30 CEST
        '2026-04-05T00:30:00.000Z', // 02:30 CEST
      ]);
      h.clock.set('2026-11-02T00:00:00Z');
      await trains.runDue();
      const autumn = (await trainReleases(h, t.id)).filter((r) => r.plannedStart! > new Date('2026-10-20T00:00:00Z'));
      assert.deepEqual(autumn.map((r) => iso(r.plannedStart)), ['2026-10-25T00:30:00.000Z', '2026-11-01T01:30:00.000Z']);
    });

    it('catches up several missed departures, each exactly once, and is idempotent', async () => {
      const t = await trains.createSchedule({ name: 'Weekly', frequency: 'weekly', startDate: '2026-01-19T10:00', timeZone: 'UTC', enabled: true });
      // VS Code closed for five weeks.
      h.clock.set('2026-02-20T00:00:00Z');
      const first = await trains.runDue();
      assert.deepEqual(first.departures.map((d) => iso(d.departureAt)), [
        '2026-01-19T10:00:00.000Z', '2026-01-26T10:00:00.000Z', '2026-02-02T10:00:00.000Z', '2026-02-09T10:00:00.000Z', '2026-02-16T10:00:00.000Z',
      ]);
      assert.equal(first.more, false);
      assert.deepEqual((await trains.runDue()).departures, []);
      assert.deepEqual((await trains.runDue()).departures, []);
      assert.equal((await trainReleases(h, t.id)).length, 5);
      // Exactly at a departure's instant it is due.
      h.clock.set('2026-02-23T10:00:00Z');
      assert.deepEqual((await trains.runDue()).departures.map((d) => d.version), ['0.6.0']);
      const departures = await trains.listDepartures(t.id);
      assert.equal(departures.length, 6);
      assert.ok(departures.every((d) => d.releaseId && !d.error));
      const audit = await h.uow.read((r) => r.audit.list({ entityType: 'train', entityId: t.id }));
      assert.equal(audit.filter((a) => a.action === 'train.depart').length, 6);
    });

    it('catches up in batches when runs from two schedulers in this process overlap', async () => {
      const t = await trains.createSchedule({ name: 'Daily', frequency: 'daily', startDate: '2026-01-15T06:00', timeZone: 'UTC', enabled: true });
      h.clock.set('2026-03-01T00:00:00Z');
      const a = schedulerFor(h, 4);
      const b = schedulerFor(h, 7);
      const [ra, rb] = await Promise.all([a.runDue(), b.runDue()]);
      assert.deepEqual([...ra.errors, ...rb.errors], []);
      const all = [...ra.departures, ...rb.departures].map((d) => iso(d.departureAt)).sort();
      assert.equal(all.length, 45);
      assert.equal(new Set(all).size, 45);
      assert.equal((await trainReleases(h, t.id)).length, 45);
    });

    it('a disabled train creates nothing; enabling it does not create the departures it missed', async () => {
      const t = await trains.createSchedule({ name: 'Off', frequency: 'daily', startDate: '2026-01-16T09:00', timeZone: 'UTC', enabled: false });
      h.clock.set('2026-01-20T00:00:00Z');
      assert.deepEqual(await trains.runDue(), { departures: [], errors: [], more: false });
      await trains.enable(t.id);
      assert.deepEqual((await trains.runDue()).departures, []);
      h.clock.set('2026-01-21T12:00:00Z');
      assert.deepEqual((await trains.runDue()).departures.map((d) => iso(d.departureAt)), ['2026-01-20T09:00:00.000Z', '2026-01-21T09:00:00.000Z']);
      await trains.disable(t.id);
      h.clock.set('2026-01-25T12:00:00Z');
      assert.deepEqual((await trains.runDue()).departures, []);
      assert.equal((await trainReleases(h, t.id)).length, 2);
    });

    it('a rescheduled train does not create releases for its new schedule\'s past departures', async () => {
      const t = await trains.createSchedule({ name: 'W', frequency: 'weekly', startDate: '2026-01-16T09:00', timeZone: 'UTC', enabled: true });
      h.clock.set('2026-01-20T00:00:00Z');
      await trains.runDue();
      await trains.updateSchedule(t.id, { startDate: '2026-01-12T09:00' }); // Mondays
      h.clock.set('2026-01-27T00:00:00Z');
      assert.deepEqual((await trains.runDue()).departures.map((d) => iso(d.departureAt)), ['2026-01-26T09:00:00.000Z']);
    });

    it('version rules: next minor and next patch after the highest version, calendar YEAR.MONTH.N', async () => {
      await h.releases.createRelease('Hotfix', '1.4.2');
      await h.releases.createRelease('Old', '1.3.9');
      const minor = await trains.createSchedule({ name: 'Minor', frequency: 'weekly', startDate: '2026-01-19T10:00', timeZone: 'UTC', enabled: true });
      h.clock.set('2026-01-27T00:00:00Z');
      await trains.runDue();
      assert.deepEqual((await trainReleases(h, minor.id)).map((r) => r.version), ['1.5.0', '1.6.0']);
      const patch = await trains.createSchedule({ name: 'Patch', frequency: 'daily', startDate: '2026-01-28T10:00', timeZone: 'UTC', enabled: true, versionRule: 'next-patch' });
      h.clock.set('2026-01-29T12:00:00Z');
      await trains.runDue();
      assert.deepEqual((await trainReleases(h, patch.id)).map((r) => r.version), ['1.6.1', '1.6.2']);
      await trains.disable(minor.id);
      await trains.disable(patch.id);
      // Calendar: weekly on Mondays, 2026.3.1 already taken by hand.
      h.clock.set('2026-02-20T00:00:00Z');
      await h.releases.createRelease('By hand', '2026.3.1');
      const cal = await trains.createSchedule({ name: 'CalVer', frequency: 'weekly', startDate: '2026-03-02T10:00', timeZone: 'Europe/Berlin', enabled: true, versionRule: 'calendar' });
      h.clock.set('2026-04-07T00:00:00Z');
      await trains.runDue();
      assert.deepEqual((await trainReleases(h, cal.id)).map((r) => r.version), ['2026.3.0', '2026.3.2', '2026.3.3', '2026.3.4', '2026.3.5', '2026.4.0']);
      // Calendar versions are not "the highest" for the semver rules.
      await trains.enable(patch.id);
      h.clock.set('2026-04-07T12:00:00Z');
      assert.deepEqual((await trains.runDue()).departures.map((d) => d.version), ['1.6.3']);
    });

    it('the calendar version takes the month of the departure\'s local date in the train\'s zone', async () => {
      // 00:30 on 1 April in Berlin is still 31 March in UTC.
      const t = await trains.createSchedule({ name: 'Midnight', frequency: 'monthly', startDate: '2026-04-01T00:30', timeZone: 'Europe/Berlin', enabled: true, versionRule: 'calendar' });
      h.clock.set('2026-04-02T00:00:00Z');
      await trains.runDue();
      const [r] = await trainReleases(h, t.id);
      assert.equal(iso(r.plannedStart), '2026-03-31T22:30:00.000Z');
      assert.equal(r.version, '2026.4.0');
      assert.equal(r.name, 'Midnight 2026-04-01');
    });

    it('records a departure whose release cannot be created with the reason, and goes on with the next ones', async () => {
      await h.catalog.addService({ name: 'legacy' });
      const t = await trains.createSchedule({ name: 'Legacy', frequency: 'weekly', startDate: '2026-01-19T10:00', timeZone: 'UTC', enabled: true, services: ['legacy', 'api'] });
      await assert.rejects(h.catalog.removeService('legacy'), /^RefusedError: cannot remove 'legacy': release trains deploy it \(Legacy\); edit their services first$|cannot remove 'legacy': release trains deploy it \(Legacy\); edit their services first/);
      // A service can still vanish behind the catalog's back (a database from an older version, a manual
      // edit): the departure then records why it made no release.
      await h.uow.write(async (r) => r.services.remove((await r.services.getByName('legacy'))!.id));
      h.clock.set('2026-01-20T00:00:00Z');
      const r1 = await trains.runDue();
      assert.equal(r1.departures.length, 1);
      assert.equal(r1.departures[0].releaseId, undefined);
      assert.equal(r1.departures[0].error,
        "no release for the departure of Mon 2026-01-19 10:00 UTC: services: unknown service 'legacy'; known services: api, db, web");
      const [d] = await trains.listDepartures(t.id);
      assert.equal(d.error, r1.departures[0].error);
      assert.deepEqual(await trainReleases(h, t.id), []);
      assert.deepEqual((await trains.runDue()).departures, [], 'a failed departure is not retried over and over');
      await trains.updateSchedule(t.id, { services: ['api'] });
      h.clock.set('2026-01-27T00:00:00Z');
      const r2 = await trains.runDue();
      assert.deepEqual(r2.departures.map((x) => x.version), ['0.1.0']);
      const audit = await h.uow.read((r) => r.audit.list({ entityType: 'train', entityId: t.id }));
      assert.ok(audit.some((a) => a.action === 'train.depart.failed'));
    });
  });

  describe('upcoming departures and the countdown', () => {
    it('lists departures with their checkpoints as instants; wall-clock offsets keep the local time across DST', async () => {
      await trains.createSchedule({
        name: 'NY daily', frequency: 'daily', startDate: '2026-03-06T09:00', timeZone: 'America/New_York', enabled: true, versionRule: 'next-patch',
        checkpoints: [{ name: 'code freeze', offset: { hours: -24 } }],
      });
      h.clock.set('2026-03-06T12:00:00Z');
      const up = await trains.upcoming(h.clock.now(), { days: 3 });
      assert.deepEqual(up.map((u) => iso(u.at)), ['2026-03-06T14:00:00.000Z', '2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z']);
      assert.deepEqual(up.map((u) => u.expectedVersion), ['0.0.1', '0.0.2', '0.0.3']);
      assert.equal(up[2].label, 'Sun 2026-03-08 09:00 America/New_York');
      assert.deepEqual(up.map((u) => u.checkpoints.map((c) => [c.name, iso(c.at), c.passed])), [
        [['code freeze', '2026-03-05T14:00:00.000Z', true]],
        [['code freeze', '2026-03-06T14:00:00.000Z', false]],
        // 09:00 the day before in New York: only 23 hours earlier, as the clocks sprang forward.
        [['code freeze', '2026-03-07T14:00:00.000Z', false]],
      ]);
    });

    it('gives the next checkpoint for the status bar ("code freeze in 22h") across trains, or null outside the window', async () => {
      await trains.createSchedule({
        name: 'Monthly', frequency: 'monthly', startDate: '2026-01-31T09:00', timeZone: 'Europe/Berlin', enabled: true,
        checkpoints: [{ name: 'feature freeze', offset: { days: -7 } }, { name: 'branch cut', offset: { days: -3 } }, { name: 'code freeze', offset: { days: -2 } }],
      });
      const other = await trains.createSchedule({ name: 'Quarterly', frequency: 'custom', rrule: 'FREQ=MONTHLY;INTERVAL=3', startDate: '2026-04-15T12:00', timeZone: 'UTC', enabled: true });
      h.clock.set('2026-03-26T07:00:00Z');
      let next = await trains.nextCheckpoint();
      assert.equal(next?.name, 'branch cut');
      assert.equal(iso(next?.at), '2026-03-28T08:00:00.000Z'); // 09:00 CET
      assert.equal(next?.text, 'branch cut in 2d');
      h.clock.set('2026-03-28T08:30:00Z');
      next = await trains.nextCheckpoint();
      assert.equal(iso(next?.at), '2026-03-29T07:00:00.000Z'); // 09:00 CEST on the day the clocks change
      assert.equal(iso(next?.departureAt), '2026-03-31T07:00:00.000Z');
      assert.equal(next?.text, 'code freeze in 22h');
      h.clock.set('2026-03-29T08:00:00Z');
      next = await trains.nextCheckpoint();
      assert.equal(next?.kind, 'departure');
      assert.equal(next?.text, 'Monthly departs in 1d');
      assert.equal(await trains.nextCheckpoint(h.clock.now(), { hours: 12 }), null);
      // After the March departure the next one is the quarterly train's, before April's feature freeze.
      h.clock.set('2026-04-01T00:00:00Z');
      next = await trains.nextCheckpoint();
      assert.equal(next?.trainId, other.id);
      assert.equal(iso(next?.at), '2026-04-15T12:00:00.000Z');
      assert.equal(iso(await trains.nextRunAt()), '2026-04-15T12:00:00.000Z');
    });

    it('formats countdowns', () => {
      const now = new Date('2026-01-01T00:00:00Z');
      const at = (ms: number) => new Date(now.getTime() + ms);
      assert.equal(formatCountdown(now, at(-1)), 'now');
      assert.equal(formatCountdown(now, at(30_000)), 'in <1m');
      assert.equal(formatCountdown(now, at(12 * 60_000)), 'in 12m');
      assert.equal(formatCountdown(now, at(23.9 * 3_600_000)), 'in 23h');
      assert.equal(formatCountdown(now, at(2.5 * DAY)), 'in 2d');
    });
  });
});

describe('trains: two schedulers in two processes on one database file', () => {
  let childBundle: string;
  before(async function () {
    this.timeout(60_000);
    const outDir = path.join(root, 'out/test-trains');
    fs.mkdirSync(outDir, { recursive: true });
    childBundle = path.join(outDir, 'trainChild.js');
    await esbuild.build({
      entryPoints: [path.join(__dirname, 'trainChild.ts')], bundle: true, platform: 'node', format: 'cjs',
      target: 'node20', outfile: childBundle, logLevel: 'error',
    });
  });

  interface Child {
    ready: Promise<void>;
    go(): void;
    done: Promise<{ created: string[]; code: number | null; stderr: string }>;
  }

  function startChild(dbPath: string, args: string[]): Child {
    const child = spawn(process.execPath, [childBundle, dbPath, wasm, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let markReady: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.startsWith('ready\n')) markReady();
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<{ created: string[]; code: number | null; stderr: string }>((resolve) =>
      child.on('exit', (code) => {
        markReady();
        resolve({ created: out.split('\n').filter((l) => l.startsWith('created ')), code, stderr: err });
      }));
    return { ready, go: () => child.stdin.end('go\n'), done };
  }

  it('create one release per departure between them', async function () {
    this.timeout(120_000);
    const h = await openCore();
    h.clock.set('2026-01-01T00:00:00Z');
    const trains = schedulerFor(h);
    const daily = await trains.createSchedule({ name: 'Daily', frequency: 'daily', startDate: '2026-01-01T08:00', timeZone: 'Europe/Berlin', enabled: true });
    const weekly = await trains.createSchedule({ name: 'Weekly', frequency: 'weekly', startDate: '2026-01-05T10:00', timeZone: 'UTC', enabled: true, versionRule: 'calendar' });
    await h.close();

    // Each window catches up January at once, then runs every 6 hours of February as time passes:
    // both race for every February departure.
    const args = (name: string) => ['2026-02-01T00:00:00.000Z', String(28 * 4 + 1), '6', name];
    const children = [startChild(h.dbPath, args('window-a')), startChild(h.dbPath, args('window-b'))];
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const [a, b] = await Promise.all(children.map((c) => c.done));
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.equal(a.stderr + b.stderr, '');

    const created = [...a.created, ...b.created];
    // 59 daily departures (1 Jan … 28 Feb) and 8 Mondays.
    assert.equal(created.length, 59 + 8, `a created ${a.created.length}, b created ${b.created.length}`);
    assert.equal(new Set(created.map((l) => l.split(' ').slice(1, 3).join(' '))).size, created.length, 'a departure was created twice');

    const h2 = await openCore({ dir: h.dir });
    try {
      const releases = await h2.releases.listReleases();
      assert.equal(releases.length, 67);
      assert.equal(new Set(releases.map((r) => r.version)).size, 67);
      for (const [train, n] of [[daily.id, 59], [weekly.id, 8]] as const) {
        const mine = releases.filter((r) => r.trainId === train);
        assert.equal(mine.length, n);
        assert.equal(new Set(mine.map((r) => r.plannedStart!.toISOString())).size, n);
        assert.equal((await h2.uow.read((r) => r.trains.listDepartures(train))).length, n);
      }
      const inTimeOrder = (train: string) => releases.filter((r) => r.trainId === train).sort((x, y) => +x.plannedStart! - +y.plannedStart!).map((r) => r.version);
      assert.deepEqual(inTimeOrder(weekly.id), ['2026.1.0', '2026.1.1', '2026.1.2', '2026.1.3', '2026.2.0', '2026.2.1', '2026.2.2', '2026.2.3']);
      assert.deepEqual(inTimeOrder(daily.id), Array.from({ length: 59 }, (_, i) => `0.${i + 1}.0`));
    } finally {
      await h2.close();
    }
  });
});
