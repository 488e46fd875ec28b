import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import ical, { type VEvent } from 'node-ical';
import { CalendarFeed, calendarRange } from '../../../src/core/calendarFeed';
import { validateFreezeWindow } from '../../../src/core/freezeWindows';
import type { TextFileWriter } from '../../../src/core/releases/ReleaseManager';
import { ReleaseTrainScheduler } from '../../../src/core/releases/ReleaseTrainScheduler';
import { atomicTextWriter } from '../../../src/storage/textFiles';
import { openCore, type CoreHarness } from '../../support/coreHarness';

const iso = (d: Date | undefined) => d?.toISOString();

describe('trains: the workspace calendar (.ics)', () => {
  let h: CoreHarness;
  let trains: ReleaseTrainScheduler;
  let writes: number;
  let feed: CalendarFeed;
  let file: string;

  beforeEach(async () => {
    h = await openCore();
    trains = new ReleaseTrainScheduler({ uow: h.uow, clock: h.clock, identity: { currentUser: async () => 'Ada Tester' } });
    writes = 0;
    // The real atomic writer, counted.
    const counting: TextFileWriter = { writeText: async (p, t) => { writes++; await atomicTextWriter.writeText(p, t); } };
    file = path.join(h.dir, '.vscode', 'releases.ics');
    feed = new CalendarFeed({ uow: h.uow, clock: h.clock, files: counting, path: file, debounceMs: 50 });
  });
  afterEach(async () => {
    feed.dispose();
    await h.close();
  });

  async function setUp(): Promise<void> {
    h.clock.set('2026-03-02T10:00:00Z');
    await h.releases.createRelease('Q1 Release', '1.2.0', { plannedStart: new Date('2026-03-10T09:00:00Z'), plannedEnd: new Date('2026-03-10T12:00:00Z') });
    await trains.createSchedule({
      name: 'Monthly', frequency: 'monthly', startDate: '2026-03-31T09:00', timeZone: 'Europe/Berlin', enabled: true,
      checkpoints: [{ name: 'branch cut', offset: { days: -3 } }, { name: 'code freeze', offset: { days: -2 } }],
    });
    const weekend = validateFreezeWindow({
      id: 'weekend', name: 'Weekend', start: '2026-03-06T16:00', durationMinutes: 62 * 60, timeZone: 'Europe/Berlin',
      recurrence: { frequency: 'weekly', start: '2026-03-06T16:00', timeZone: 'Europe/Berlin' },
    });
    const at = h.clock.now();
    await h.uow.write((r) => r.environments.insert({
      id: 'env-prod', name: 'production', position: 3, protected: true, requireDifferentApprover: false, guidedFailure: false,
      freezeWindows: [weekend], createdAt: at, updatedAt: at,
    }));
    // The March departure creates its release.
    h.clock.set('2026-04-01T00:00:00Z');
    await trains.runDue();
  }

  it('exports releases, departures, checkpoints and freezes as RFC 5545 that an independent parser reads back', async () => {
    await setUp();
    const result = await feed.write();
    assert.equal(result.written, true);
    const text = fs.readFileSync(file, 'utf8');
    assert.ok(text.startsWith('BEGIN:VCALENDAR\r\n') && text.endsWith('END:VCALENDAR\r\n'));
    const events = Object.values(ical.sync.parseICS(text)).filter((e) => e?.type === 'VEVENT') as VEvent[];
    assert.equal(events.length, result.events);
    const titled = (re: RegExp) => events.filter((e) => re.test(String(e.summary))).sort((a, b) => +a.start - +b.start);

    const releases = titled(/^Release /);
    assert.deepEqual(releases.map((e) => String(e.summary)), ['Release 1.2.0 — Q1 Release', 'Release 1.3.0 — Monthly 2026-03-31']);
    assert.equal(iso(releases[1].start), '2026-03-31T07:00:00.000Z');

    // The March departure is its release now; the next twelve are departures, to March 2027.
    const departures = titled(/^Monthly departs$/);
    assert.deepEqual(departures.map((e) => iso(e.start)), [
      '2026-04-30T07:00:00.000Z', '2026-05-31T07:00:00.000Z', '2026-06-30T07:00:00.000Z', '2026-07-31T07:00:00.000Z',
      '2026-08-31T07:00:00.000Z', '2026-09-30T07:00:00.000Z', '2026-10-31T08:00:00.000Z', '2026-11-30T08:00:00.000Z',
      '2026-12-31T08:00:00.000Z', '2027-01-31T08:00:00.000Z', '2027-02-28T08:00:00.000Z', '2027-03-31T07:00:00.000Z',
    ]);
    const freezes = titled(/^Code freeze: Monthly$/);
    assert.equal(freezes.length, 13, 'March 2026 (past, within the window) and the twelve departures ahead');
    assert.equal(iso(freezes[0].start), '2026-03-29T07:00:00.000Z'); // 09:00 CEST, the day the clocks change
    assert.equal(titled(/^Branch cut: Monthly$/).length, 13);

    const weekends = titled(/^Freeze production: Weekend$/);
    assert.equal(iso(weekends[0].start), '2026-03-06T15:00:00.000Z'); // Friday 16:00 CET
    assert.equal(iso(weekends[0].end), '2026-03-09T05:00:00.000Z'); // Monday 06:00 CET
    assert.equal(iso(weekends.find((e) => +e.start > Date.parse('2026-03-25'))!.end), '2026-03-30T04:00:00.000Z'); // Monday 06:00 CEST
    const { to } = calendarRange(h.clock.now());
    assert.ok(weekends.every((e) => +e.start < +to));
    assert.ok(weekends.length >= 55 && weekends.length <= 57, `${weekends.length} weekends`);

    // Every UID is unique and stable; DTSTAMP is the newest change, not the wall clock.
    assert.equal(new Set(events.map((e) => e.uid)).size, events.length);
    const stamps = new Set(events.map((e) => iso(e.dtstamp as Date)));
    assert.equal(stamps.size, 1);
    assert.equal([...stamps][0], '2026-04-01T00:00:00.000Z');
  });

  it('is deterministic, rewrites only on change, and debounces bursts of changes', async () => {
    await setUp();
    const a = (await feed.build()).ics;
    h.clock.advance(3_600_000);
    assert.equal((await feed.build()).ics, a, 'the same data gives the same bytes');
    assert.equal((await feed.write()).written, true);
    assert.equal((await feed.write()).written, false);
    assert.equal(writes, 1);

    feed.schedule();
    await h.releases.createRelease('Hotfix', '1.2.1', { plannedStart: new Date('2026-04-03T09:00:00Z') });
    feed.schedule();
    feed.schedule();
    await new Promise((r) => setTimeout(r, 200));
    await feed.flush();
    assert.equal(writes, 2, 'three calls in a burst: one rewrite');
    assert.match(fs.readFileSync(file, 'utf8'), /SUMMARY:Release 1\.2\.1 — Hotfix/);
  });
});
