// The pure halves of the issue-7 VS Code surfaces: the train runner (timer, catch-up, one timer),
// the audit follower, the DORA cache, the Release Trains rows and countdown, the dashboard's roadmap
// and metrics sections, checkpoint text, planning arguments and messages, and the notes' Markdown
// reader. Real sql.js databases and real timers; no 'vscode'.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { computeDora } from '../../../src/core/doraMetrics';
import { ValidationError } from '../../../src/core/model';
import { ReleaseRoadmapLinker } from '../../../src/core/releases/ReleaseRoadmapLinker';
import { ReleaseTrainScheduler, type RunDueResult } from '../../../src/core/releases/ReleaseTrainScheduler';
import { parseWebviewMessage } from '../../../src/shared/messageValidation';
import { AuditFollower } from '../../../src/vscode/auditFollower';
import { checkArgs } from '../../../src/vscode/commandArgs';
import { DoraCache } from '../../../src/vscode/doraCache';
import { describeOffset, formatCheckpointsText, normaliseStart, parseCheckpointsText, PLANNING_ARG_SPECS } from '../../../src/vscode/planningArgs';
import { loadRoadmapSection, metricsView, progressBar } from '../../../src/vscode/planningModel';
import { describeRun, TrainRunner } from '../../../src/vscode/trainRunner';
import { countdownView, loadTrainRows } from '../../../src/vscode/trainTreeModel';
import { parseInline, parseMarkdown } from '../../../webview/markdown';
import { fixedIdentity, openCore, type CoreHarness } from '../../support/coreHarness';

const root = path.join(__dirname, '../../..');
const MIN = 60_000;
const DAY = 86_400_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const throwsField = (fn: () => unknown, field: string, re?: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && e.field === field && (!re || re.test(e.message)));

/** A clock that moves with real time from a chosen instant: real timers fire against it. */
class MovingClock {
  private offset = 0;
  setNow(iso: string | Date): void {
    this.offset = new Date(iso).getTime() - Date.now();
  }
  now(): Date {
    return new Date(Date.now() + this.offset);
  }
}

const quietLog = { info: () => undefined, warn: (m: string) => assert.fail(`unexpected warning: ${m}`) };

describe('planning surfaces (issue 7), pure parts', () => {
  it('files that unit tests and the webview load do not import vscode', () => {
    for (const f of ['planningArgs', 'trainTreeModel', 'trainRunner', 'auditFollower', 'doraCache', 'planningModel']) {
      assert.doesNotMatch(fs.readFileSync(path.join(root, 'src/vscode', `${f}.ts`), 'utf8'), /from ['"]vscode['"]/, `${f}.ts imports vscode`);
    }
    assert.doesNotMatch(fs.readFileSync(path.join(root, 'webview/markdown.ts'), 'utf8'), /from ['"]/, 'markdown.ts imports nothing');
  });

  describe('checkpoints as text', () => {
    it('reads "name -offset" entries with days, hours and minutes, and writes them back the same way', () => {
      const cps = parseCheckpointsText('feature freeze -14d, branch cut -7d; code freeze -2d 4h\nsmoke test +90m');
      assert.deepEqual(cps, [
        { name: 'feature freeze', offset: { days: -14 } },
        { name: 'branch cut', offset: { days: -7 } },
        { name: 'code freeze', offset: { days: -2, hours: -4 } },
        { name: 'smoke test', offset: { minutes: 90 } },
      ]);
      assert.equal(formatCheckpointsText(cps), 'feature freeze -14d, branch cut -7d, code freeze -2d 4h, smoke test +1h 30m');
      assert.deepEqual(parseCheckpointsText(formatCheckpointsText(cps)).map((c) => c.name), cps.map((c) => c.name));
      assert.deepEqual(parseCheckpointsText('  '), []);
    });

    it('refuses an entry without a signed offset, and the core refuses duplicates and far offsets, naming the field', () => {
      throwsField(() => parseCheckpointsText('code freeze 2d'), 'checkpoints', /'code freeze 2d' is not "name offset".*- before the departure, \+ after/);
      throwsField(() => parseCheckpointsText('-2d'), 'checkpoints');
      throwsField(() => parseCheckpointsText('code freeze -2d, Code Freeze -1d'), 'checkpoints[1].name', /appears twice/);
      throwsField(() => parseCheckpointsText('far -400d'), 'checkpoints[0].offset', /the limit is 366/);
    });

    it('describes offsets and normalises typed departures', () => {
      assert.equal(describeOffset(-2 * 1440 - 240), '2 days 4 hours before');
      assert.equal(describeOffset(90), '1 hour 30 minutes after');
      assert.equal(describeOffset(0), 'at the departure');
      assert.equal(normaliseStart(' 2026-03-31 9:00 '), '2026-03-31T09:00');
      assert.equal(normaliseStart('2026-03-31T09:00'), '2026-03-31T09:00');
      assert.equal(normaliseStart('2026-03-31'), '2026-03-31');
    });
  });

  describe('argument objects and webview messages', () => {
    it('checks planning arguments for shape, naming the argument', () => {
      assert.deepEqual(checkArgs(PLANNING_ARG_SPECS.createTrain, { name: 'M', frequency: 'monthly', startDate: '2026-03-31 09:00', enabled: false, checkpoints: [] }), {
        name: 'M', frequency: 'monthly', startDate: '2026-03-31 09:00', enabled: false, checkpoints: [],
      });
      throwsField(() => checkArgs(PLANNING_ARG_SPECS.createTrain, { name: 'M', frequency: 'monthly' }), 'arguments.startDate', /is required/);
      throwsField(() => checkArgs(PLANNING_ARG_SPECS.createTrain, { name: 'M', frequency: 'monthly', startDate: 'x', enabled: 'yes' }), 'arguments.enabled', /expected true or false/);
      throwsField(() => checkArgs(PLANNING_ARG_SPECS.createTrain, { name: 'M', frequency: 'monthly', startDate: 'x', checkpoints: {} }), 'arguments.checkpoints', /expected a list/);
      throwsField(() => checkArgs(PLANNING_ARG_SPECS.addMilestone, { roadmap: 'r', title: 't', weight: '2' }), 'arguments.weight', /expected a number/);
      throwsField(() => checkArgs(PLANNING_ARG_SPECS.linkRelease, { roadmap: 'r', releaseId: 'x', milestones: [1] }), 'arguments.milestones');
      throwsField(() => checkArgs(PLANNING_ARG_SPECS.trainRef, { train: 'T', colour: 'red' }), 'arguments.colour', /is not an argument of this command/);
    });

    it('accepts the Roadmap, Notes and Metrics messages and refuses bad ones naming the field', () => {
      assert.deepEqual(parseWebviewMessage({ type: 'roadmap/link', requestId: 'r1', roadmapId: 'a-b', milestoneId: 'c' }), {
        ok: true, message: { type: 'roadmap/link', requestId: 'r1', roadmapId: 'a-b', milestoneId: 'c' },
      });
      for (const type of ['notes/generate', 'notes/edit', 'notes/export', 'metrics/refresh']) {
        assert.deepEqual(parseWebviewMessage({ type, requestId: 'q' }), { ok: true, message: { type, requestId: 'q' } });
      }
      const bad = (raw: unknown) => parseWebviewMessage(raw) as { ok: false; field: string; reason: string };
      assert.deepEqual(bad({ type: 'roadmap/unlink', requestId: 'r2', roadmapId: 7, milestoneId: 'c' }), { ok: false, field: 'roadmapId', reason: 'expected text, got number 7', requestId: 'r2' });
      assert.equal(bad({ type: 'roadmap/link', requestId: 'r3', roadmapId: 'a b', milestoneId: 'c' }).field, 'roadmapId');
      assert.equal(bad({ type: 'roadmap/link', requestId: 'r4', roadmapId: 'a', milestoneId: 'x'.repeat(201) }).field, 'milestoneId');
      assert.equal(bad({ type: 'notes/generate', requestId: 'r5', text: 'sneaky' }).field, 'text');
      assert.equal(bad({ type: 'metrics/refresh' }).field, 'requestId');
    });
  });

  describe('Markdown of the release notes', () => {
    it('reads headings, lists, paragraphs, code and inline marks into plain data', () => {
      const blocks = parseMarkdown('# Release 1.2.0 — Shop\n\n3 commits since v1.1.0.\n\n## ⚠ Breaking changes\n\n- **api:** drop v1 (abc1234)\n- second\n  continued\n\n```\nraw <b>\n```\n> quoted *text*\n---\n1. one\n2. `two`');
      assert.deepEqual(blocks.map((b) => b.kind), ['heading', 'paragraph', 'heading', 'list', 'code', 'quote', 'rule', 'list']);
      assert.deepEqual(blocks[3], {
        kind: 'list',
        ordered: false,
        items: [
          [{ kind: 'strong', text: 'api:' }, { kind: 'text', text: ' drop v1 (abc1234)' }],
          [{ kind: 'text', text: 'second continued' }],
        ],
      });
      assert.deepEqual(blocks[4], { kind: 'code', text: 'raw <b>' });
      assert.deepEqual(blocks[7], { kind: 'list', ordered: true, items: [[{ kind: 'text', text: 'one' }], [{ kind: 'code', text: 'two' }]] });
    });

    it('keeps markup in the notes as text: entities are decoded for reading, never parsed as HTML', () => {
      assert.deepEqual(parseInline('fix &lt;script&gt;alert(1)&lt;/script&gt; in **&lt;b&gt;**'), [
        { kind: 'text', text: 'fix <script>alert(1)</script> in ' },
        { kind: 'strong', text: '<b>' },
      ]);
      assert.deepEqual(parseInline('see [docs](https://example.com/x)'), [{ kind: 'text', text: 'see ' }, { kind: 'link', text: 'docs', href: 'https://example.com/x' }]);
      const raw = parseMarkdown('<img src=x onerror=alert(1)>');
      assert.deepEqual(raw, [{ kind: 'paragraph', inline: [{ kind: 'text', text: '<img src=x onerror=alert(1)>' }] }]);
    });
  });

  describe('with a real database', () => {
    let h: CoreHarness;
    let trains: ReleaseTrainScheduler;
    beforeEach(async () => {
      h = await openCore();
      h.clock.set('2026-03-02T10:00:00Z');
      trains = new ReleaseTrainScheduler({ uow: h.uow, clock: h.clock, identity: fixedIdentity(), defaultTimeZone: 'UTC' });
    });
    afterEach(async () => h.close());

    describe('TrainRunner', () => {
      it('catches up the departures missed while closed in one run and one summary, without duplicates on the next run', async () => {
        await trains.createSchedule({ name: 'Daily', frequency: 'daily', startDate: '2026-03-02T12:00', timeZone: 'UTC', checkpoints: [] });
        h.clock.set('2026-03-05T13:00:00Z'); // closed over 4 departures (2nd 12:00 … 5th 12:00)
        const runs: RunDueResult[] = [];
        const runner = new TrainRunner({ scheduler: trains, clock: h.clock, log: quietLog, onRun: (r) => runs.push(r) });
        try {
          await runner.start();
          assert.equal(runs.length, 1);
          assert.deepEqual(runs[0].departures.map((d) => d.version), ['0.1.0', '0.2.0', '0.3.0', '0.4.0']);
          const text = describeRun(runs[0]);
          assert.equal(text.info, "Release trains caught up: 4 releases created ('Daily': 0.1.0, 0.2.0, 0.3.0, 0.4.0).");
          assert.deepEqual(text.warnings, []);
          assert.equal(runner.nextRunAt?.toISOString(), '2026-03-06T12:00:00.000Z');
          await runner.run();
          assert.equal(runs.length, 1, 'nothing more was due: no second notification');
          assert.equal((await h.releases.listReleases()).length, 4);
        } finally {
          runner.dispose();
        }
      });

      it('fires on its one timer at the departure, re-arms for the next, and announces the single release', async () => {
        const clock = new MovingClock();
        clock.setNow('2026-03-02T11:59:59.400Z');
        const sched = new ReleaseTrainScheduler({ uow: h.uow, clock, identity: fixedIdentity(), defaultTimeZone: 'UTC' });
        await sched.createSchedule({ name: 'Noon', frequency: 'daily', startDate: '2026-03-02T12:00', timeZone: 'UTC', versionRule: 'next-patch' });
        let calls = 0;
        const counting = { runDue: (now?: Date) => (calls++, sched.runDue(now)), nextRunAt: (now?: Date) => sched.nextRunAt(now) };
        const runs: RunDueResult[] = [];
        const runner = new TrainRunner({ scheduler: counting, clock, log: quietLog, onRun: (r) => runs.push(r), slackMs: 50, debounceMs: 20 });
        try {
          await runner.start(); // nothing due yet: arms for 12:00
          assert.equal(calls, 1);
          assert.equal(runs.length, 0);
          assert.equal(runner.nextRunAt?.toISOString(), '2026-03-02T12:00:00.000Z');
          // Changes keep coming (another window, edits): still one timer.
          for (let i = 0; i < 5; i++) runner.changed();
          const deadline = Date.now() + 3000;
          while (runs.length === 0 && Date.now() < deadline) await sleep(20);
          await sleep(150);
          assert.equal(runs.length, 1, 'one run at the departure');
          assert.equal(calls, 2, 'the timer ran the trains once; the re-arms only re-read the next departure');
          assert.equal(describeRun(runs[0]).info, "Release 0.0.1 created by train 'Noon'.");
          assert.equal(runner.nextRunAt?.toISOString(), '2026-03-03T12:00:00.000Z');
        } finally {
          runner.dispose();
        }
      });

      it('re-arms after a database change (a train created later) and waits in capped steps that never run early', async () => {
        const clock = new MovingClock();
        clock.setNow('2026-03-02T10:00:00Z');
        const sched = new ReleaseTrainScheduler({ uow: h.uow, clock, identity: fixedIdentity(), defaultTimeZone: 'UTC' });
        let calls = 0;
        const counting = { runDue: (now?: Date) => (calls++, sched.runDue(now)), nextRunAt: (now?: Date) => sched.nextRunAt(now) };
        const runner = new TrainRunner({ scheduler: counting, clock, log: quietLog, onRun: () => assert.fail('nothing is due'), maxDelayMs: 30, debounceMs: 10 });
        try {
          await runner.start();
          assert.equal(runner.nextRunAt?.toISOString(), undefined, 'no trains: no timer');
          await sched.createSchedule({ name: 'Weekly', frequency: 'weekly', startDate: '2026-03-09T09:00', timeZone: 'UTC' });
          runner.changed();
          await sleep(200); // several capped waits pass
          assert.equal(runner.nextRunAt?.toISOString(), '2026-03-09T09:00:00.000Z');
          assert.equal(calls, 1, 'a capped wait re-reads the next departure; it does not run the trains');
        } finally {
          runner.dispose();
        }
      });

      it('words failed departures as warnings', () => {
        const at = new Date('2026-03-02T12:00:00Z');
        const text = describeRun({
          departures: [{ trainId: 't', trainName: 'M', departureAt: at, error: "no release for the departure of Mon 2026-03-02 12:00 UTC: services: unknown service 'gone'" }],
          errors: [{ trainId: 'u', trainName: 'W', message: 'disk full.' }],
          more: false,
        });
        assert.equal(text.info, undefined);
        assert.deepEqual(text.warnings, [
          "Release train 'M': no release for the departure of Mon 2026-03-02 12:00 UTC: services: unknown service 'gone'",
          "Release train 'W' could not run: disk full. It is retried at its next departure.",
        ]);
      });
    });

    it('AuditFollower reports only the events appended since the last look, oldest first', async () => {
      await h.catalog.addServices([{ name: 'api' }]);
      const follower = new AuditFollower(h.uow);
      await follower.start();
      assert.deepEqual(await follower.next(), []);
      const { release } = await h.releases.createRelease('One', '1.0.0');
      await h.releases.updateRelease(release.id, { status: 'in_progress' });
      await h.releases.updateRelease(release.id, { status: 'deployed' });
      assert.deepEqual((await follower.next()).map((e) => e.action), ['release.create', 'release.status.in_progress', 'release.status.deployed']);
      // A burst bigger than the first page is read in full.
      for (let i = 0; i < 120; i++) await h.catalog.addServices([{ name: `s${i}` }]);
      const burst = await follower.next();
      assert.equal(burst.length, 120);
      assert.ok(burst.every((e, i) => i === 0 || e.id > burst[i - 1].id), 'oldest first');
      assert.deepEqual(await follower.next(), []);
    });

    it('DoraCache computes once, again after invalidate() or refresh(), and refuses a bad window naming it', async () => {
      let computed = 0;
      const cache = new DoraCache(async (windowDays, now) => {
        computed++;
        return computeDora({ deployments: [], leadCommits: new Map(), from: new Date(now.getTime() - windowDays * DAY), to: now, environment: 'production' });
      }, h.clock);
      const [a, b] = await Promise.all([cache.get(), cache.get()]);
      assert.equal(computed, 1);
      assert.equal(a, b);
      await cache.get();
      assert.equal(computed, 1);
      cache.invalidate();
      await cache.get();
      assert.equal(computed, 2);
      const wider = await cache.refresh(90);
      assert.equal(computed, 3);
      assert.equal(wider.report.days, 90);
      await assert.rejects(cache.refresh(0), (e: unknown) => e instanceof ValidationError && e.field === 'windowDays');
      // A failed gathering is remembered (not retried by every snapshot) until a deployment or Refresh.
      let fail = true;
      const flaky = new DoraCache(async (windowDays, now) => {
        if (fail) throw new Error('git log: bad object');
        return computeDora({ deployments: [], leadCommits: new Map(), from: new Date(now.getTime() - windowDays * DAY), to: now, environment: 'production' });
      }, h.clock);
      await assert.rejects(flaky.get(), /bad object/);
      assert.deepEqual([flaky.fresh, flaky.error, flaky.peek()], [false, 'git log: bad object', undefined]);
      fail = false;
      flaky.invalidate();
      assert.equal(flaky.error, undefined);
      await flaky.get();
      assert.equal(flaky.fresh, true);
      const view = metricsView(wider);
      assert.deepEqual(view.figures.map((f) => [f.key, f.display, f.band]), [
        ['deploymentFrequency', '0 a week', 'low'],
        ['leadTime', 'no data', null],
        ['changeFailureRate', 'no data', null],
        ['timeToRestore', 'no failures', null],
      ]);
      assert.ok(view.figures.every((f) => f.definition.length > 80), 'each figure carries its definition');
    });

    it('Release Trains rows: schedule, next departures in the train zone with their versions, checkpoints with passed ones marked', async () => {
      await h.releases.createRelease('Existing', '1.4.2');
      h.clock.set('2026-03-27T10:00:00Z');
      const monthly = await trains.createSchedule({
        name: 'Monthly',
        frequency: 'monthly',
        startDate: '2026-01-31T09:00',
        timeZone: 'Europe/Berlin',
        checkpoints: parseCheckpointsText('feature freeze -7d, code freeze -2d'),
      });
      await trains.createSchedule({ name: 'Archived', frequency: 'weekly', startDate: '2026-03-02T09:00', timeZone: 'UTC', enabled: false });
      const rows = await loadTrainRows(trains, h.clock.now());
      assert.deepEqual(rows.map((r) => r.train.name), ['Archived', 'Monthly']);
      assert.equal(rows[0].description, 'disabled · weekly on Monday at 09:00 UTC · next minor');
      assert.deepEqual(rows[0].departures, []);
      const m = rows[1];
      assert.equal(m.train.id, monthly.id);
      assert.equal(m.description, 'monthly on day 31 (last day in shorter months) at 09:00 Europe/Berlin · next minor');
      assert.match(m.tooltip, /Checkpoints: feature freeze 7 days before; code freeze 2 days before/);
      assert.deepEqual(m.departures.map((d) => [d.label, d.description]), [
        ['Tue 2026-03-31 09:00', '1.5.0 · in 3d'],
        ['Thu 2026-04-30 09:00', '1.6.0 · in 33d'],
        ['Sun 2026-05-31 09:00', '1.7.0 · in 64d'],
      ]);
      // 31 March 09:00 Berlin (summer time) is 07:00 UTC; the feature freeze a week before was in winter time.
      assert.equal(m.departures[0].at.toISOString(), '2026-03-31T07:00:00.000Z');
      assert.deepEqual(m.departures[0].checkpoints.map((c) => [c.label, c.description, c.passed]), [
        ['Feature freeze', 'Tue 2026-03-24 09:00 · passed', true],
        ['Code freeze', 'Sun 2026-03-29 09:00 · in 1d', false],
      ]);
      assert.match(m.departures[0].checkpoints[1].tooltip, /^Code freeze: 2 days before the departure — Sun 2026-03-29 09:00 Europe\/Berlin$/);

      const next = await trains.nextCheckpoint(h.clock.now(), { days: 3 });
      assert.ok(next);
      const view = countdownView(next, 'Europe/Berlin');
      assert.equal(view.text, '$(watch) code freeze in 1d');
      assert.match(view.tooltip, /^\*\*Code freeze\*\* of release train 'Monthly'\n\nSun 2026\\-03\\-29 09:00 Europe\/Berlin\n\nDeparture: Tue 2026\\-03\\-31 09:00 Europe\/Berlin/);
    });

    it('the Roadmap section: linked roadmaps with progress and risk, this release marked; the other roadmaps to link from', async () => {
      const linker = new ReleaseRoadmapLinker({ uow: h.uow, clock: h.clock, identity: fixedIdentity(), timeZone: 'UTC' });
      const { release: mine } = await h.releases.createRelease('Mine', '2.0.0', { plannedEnd: new Date('2026-04-20T00:00:00Z') });
      const { release: done } = await h.releases.createRelease('Done', '1.9.0');
      await h.releases.updateRelease(done.id, { status: 'in_progress' });
      await h.releases.updateRelease(done.id, { status: 'deployed' });
      const h2 = await linker.createRoadmap({ name: '2026 H1', milestones: [{ title: 'Checkout', dueDate: '2026-03-01', weight: 2 }, { title: 'Search', dueDate: '2026-06-30' }] });
      const other = await linker.createRoadmap({ name: 'Platform', milestones: [{ title: 'Postgres 17' }] });
      await linker.linkRelease(mine.id, h2.id, h2.milestones[0].id);
      await linker.linkRelease(done.id, h2.id, h2.milestones[0].id);
      const section = await loadRoadmapSection(linker, mine.id, h.clock.now());
      assert.equal(section.linked.length, 1);
      const r = section.linked[0];
      assert.equal(r.name, '2026 H1');
      assert.deepEqual(r.milestones.map((m) => [m.title, m.linked, m.percentDone, m.atRisk]), [['Checkout', true, 50, true], ['Search', false, 0, false]]);
      assert.match(r.milestones[0].risk, /^Due 2026-03-01 has passed with 1 release not deployed \(2\.0\.0\)\.$/);
      assert.deepEqual(r.milestones[0].releases.map((x) => [x.version, x.status]), [['1.9.0', 'deployed'], ['2.0.0', 'planned']]);
      assert.equal(r.percentDone, 33.3);
      assert.match(r.rule, /^Percent done: linked releases deployed to production/);
      assert.match(r.pace, /^Pace: median days/);
      assert.deepEqual(section.others, [{ id: other.id, name: 'Platform', milestones: [{ id: other.milestones[0].id, title: 'Postgres 17' }] }]);
      assert.equal(progressBar(r.percentDone), '███░░░░░░░ 33 %');
      const { release: lone } = await h.releases.createRelease('Lone', '3.0.0');
      const unlinked = await loadRoadmapSection(linker, lone.id, h.clock.now());
      assert.deepEqual(unlinked.linked, []);
      assert.deepEqual(unlinked.others.map((o) => o.name), ['2026 H1', 'Platform']);
    });
  });
});
