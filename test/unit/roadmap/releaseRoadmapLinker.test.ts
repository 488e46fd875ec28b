import assert from 'node:assert/strict';
import { NotFoundError, RefusedError, ValidationError } from '../../../src/core/model';
import { ReleaseRoadmapLinker } from '../../../src/core/releases/ReleaseRoadmapLinker';
import { PACE_SAMPLE } from '../../../src/core/roadmaps';
import { openCore, type CoreHarness } from '../../support/coreHarness';

const iso = (d: Date | undefined) => d?.toISOString();

/** A release that went from its first deployment (in progress) to production (deployed) between two times. */
async function shipped(h: CoreHarness, version: string, from: string, to: string): Promise<string> {
  const { release } = await h.releases.createRelease(`Release ${version}`, version);
  h.clock.set(from);
  await h.releases.updateRelease(release.id, { status: 'in_progress' });
  h.clock.set(to);
  await h.releases.updateRelease(release.id, { status: 'deployed' });
  return release.id;
}

describe('roadmap: ReleaseRoadmapLinker', () => {
  let h: CoreHarness;
  let linker: ReleaseRoadmapLinker;
  beforeEach(async () => {
    h = await openCore();
    linker = new ReleaseRoadmapLinker({ uow: h.uow, clock: h.clock, identity: { currentUser: async () => 'Ada Tester' }, timeZone: 'UTC' });
  });
  afterEach(async () => h.close());

  describe('roadmaps and milestones', () => {
    it('creates a roadmap with milestones, validated and audited; due dates mean the end of the day', async () => {
      const roadmap = await linker.createRoadmap({
        name: 'Q2 2026',
        description: 'Payments and search',
        milestones: [{ title: 'Payments', dueDate: '2026-04-30', weight: 2 }, { title: 'Search', dueDate: new Date('2026-04-10T12:00:00Z') }, { title: 'Later' }],
      });
      assert.deepEqual(roadmap.milestones.map((m) => [m.title, iso(m.dueDate), m.weight, m.position]), [
        ['Payments', '2026-04-30T23:59:59.999Z', 2, 0],
        ['Search', '2026-04-10T12:00:00.000Z', 1, 1],
        ['Later', undefined, 1, 2],
      ]);
      assert.deepEqual(await linker.getRoadmap(roadmap.id), roadmap);
      const berlin = new ReleaseRoadmapLinker({ uow: h.uow, clock: h.clock, identity: { currentUser: async () => 'x' }, timeZone: 'Europe/Berlin' });
      const b = await berlin.createRoadmap({ name: 'Berlin', milestones: [{ title: 'M', dueDate: '2026-04-30' }] });
      assert.equal(iso(b.milestones[0].dueDate), '2026-04-30T21:59:59.999Z');
      const audit = await h.uow.read((r) => r.audit.list({ entityType: 'roadmap', entityId: roadmap.id }));
      assert.deepEqual(audit.map((a) => a.action), ['roadmap.create']);
    });

    const invalid: [string, () => Promise<unknown>, RegExp][] = [
      ['an empty name', () => linker.createRoadmap({ name: '' }), /^name: must not be empty$/],
      ['milestones that are not a list', () => linker.createRoadmap({ name: 'R', milestones: 'a' as never }), /^milestones: expected a list, got 'a'$/],
      ['a milestone without title', () => linker.createRoadmap({ name: 'R', milestones: [{ title: ' ' }] }), /^milestones\[0\]\.title: must not be empty$/],
      ['a bad due date', () => linker.createRoadmap({ name: 'R', milestones: [{ title: 'M', dueDate: '2026-02-30' }] }), /^milestones\[0\]\.dueDate: 2026-02-30T23:59 is not a calendar date$/],
      ['a due date that is no date', () => linker.createRoadmap({ name: 'R', milestones: [{ title: 'M', dueDate: 'soon' }] }), /^milestones\[0\]\.dueDate: expected a date \(YYYY-MM-DD or an ISO time\), got 'soon'$/],
      ['a zero weight', () => linker.createRoadmap({ name: 'R', milestones: [{ title: 'M', weight: 0 }] }), /^milestones\[0\]\.weight: expected a number above 0 and at most 1000, got number 0$/],
      ['an unknown milestone field', () => linker.createRoadmap({ name: 'R', milestones: [{ title: 'M', owner: 'x' } as never] }), /^milestones\[0\]\.owner: unknown field/],
    ];
    for (const [what, act, message] of invalid) {
      it(`refuses ${what}, naming the field, and changes nothing`, async () => {
        await assert.rejects(act(), (e: Error) => e instanceof ValidationError && message.test(e.message));
        assert.deepEqual(await linker.listRoadmaps(), []);
      });
    }

    it('updates, reorders and removes milestones; names stay unique; each change audited', async () => {
      const r = await linker.createRoadmap({ name: 'Q3', milestones: [{ title: 'A' }, { title: 'B' }, { title: 'C' }] });
      await linker.createRoadmap({ name: 'Q4' });
      await assert.rejects(linker.updateRoadmap(r.id, { name: 'q4' }), /^ValidationError: name: a roadmap named 'Q4' exists already$/);
      await assert.rejects(linker.createRoadmap({ name: 'q3' }), /^ValidationError: name: a roadmap named 'Q3' exists already$/);
      const renamed = await linker.updateRoadmap(r.id, { name: 'Q3 2026', description: 'Autumn' });
      assert.equal(renamed.name, 'Q3 2026');
      const d = await linker.addMilestone(r.id, { title: 'D', dueDate: '2026-09-30', weight: 3 });
      assert.equal(d.position, 3);
      const [a, , c] = r.milestones;
      await linker.updateMilestone(r.id, c.id, { position: 0, title: 'C first' });
      await linker.updateMilestone(r.id, a.id, { dueDate: '2026-08-01' });
      await linker.updateMilestone(r.id, a.id, { dueDate: null });
      let now = (await linker.getRoadmap(r.id))!;
      assert.deepEqual(now.milestones.map((m) => [m.title, m.position]), [['C first', 0], ['A', 1], ['B', 2], ['D', 3]]);
      assert.equal(now.milestones[1].dueDate, undefined);
      await assert.rejects(linker.updateMilestone(r.id, a.id, { weight: -1 }), /^ValidationError: weight: expected a number above 0/);
      await assert.rejects(linker.updateMilestone(r.id, a.id, { colour: 'x' } as never), /^ValidationError: colour: is not a field that can be updated/);
      await assert.rejects(linker.updateMilestone(r.id, 'nope', { title: 'x' }), (e: Error) => e instanceof NotFoundError && e.message === "milestone of roadmap 'Q3 2026' 'nope' does not exist");
      await linker.removeMilestone(r.id, a.id);
      now = (await linker.getRoadmap(r.id))!;
      assert.deepEqual(now.milestones.map((m) => [m.title, m.position]), [['C first', 0], ['B', 1], ['D', 2]]);
      const actions = (await h.uow.read((x) => x.audit.list({ entityType: 'roadmap', entityId: r.id }))).map((e) => e.action);
      assert.deepEqual(actions, ['roadmap.create', 'roadmap.update', 'milestone.add', 'milestone.update', 'milestone.update', 'milestone.update', 'milestone.remove']);
      await linker.deleteRoadmap(r.id);
      assert.equal(await linker.getRoadmap(r.id), null);
      await assert.rejects(linker.deleteRoadmap(r.id), NotFoundError);
    });
  });

  describe('links', () => {
    it('links a release to several milestones; linking again is idempotent; unlinking what is not linked is refused', async () => {
      const { release } = await h.releases.createRelease('Payments', '1.0.0');
      const q2 = await linker.createRoadmap({ name: 'Q2', milestones: [{ title: 'Payments' }, { title: 'Search' }] });
      const other = await linker.createRoadmap({ name: 'Platform', milestones: [{ title: 'Upgrade' }] });
      const first = await linker.linkRelease(release.id, q2.id, q2.milestones[0].id);
      assert.equal(first.created, true);
      const again = await linker.linkRelease(release.id, q2.id, q2.milestones[0].id);
      assert.deepEqual(again, { link: first.link, created: false });
      await linker.linkRelease(release.id, q2.id, q2.milestones[1].id);
      await linker.linkRelease(release.id, other.id, other.milestones[0].id);
      assert.deepEqual((await linker.milestonesOf(release.id)).map((m) => `${m.roadmap}/${m.milestone.title}`), ['Q2/Payments', 'Q2/Search', 'Platform/Upgrade']);
      const audit = await h.uow.read((r) => r.audit.list({ entityType: 'release', entityId: release.id }));
      assert.equal(audit.filter((a) => a.action === 'release.link').length, 3, 'the idempotent second link recorded nothing');

      await linker.unlinkRelease(release.id, q2.id, q2.milestones[1].id);
      await assert.rejects(linker.unlinkRelease(release.id, q2.id, q2.milestones[1].id),
        (e: Error) => e instanceof RefusedError && e.message === "release 1.0.0 (Payments) is not linked to milestone 'Search' of roadmap 'Q2'");
      await assert.rejects(linker.linkRelease('nope', q2.id, q2.milestones[0].id), (e: Error) => e instanceof NotFoundError && e.message === "release 'nope' does not exist");
      await assert.rejects(linker.linkRelease(release.id, other.id, q2.milestones[0].id), NotFoundError, 'a milestone of another roadmap');
      const { release: dropped } = await h.releases.createRelease('Dropped', '0.9.0');
      await h.releases.cancelRelease(dropped.id);
      await assert.rejects(linker.linkRelease(dropped.id, q2.id, q2.milestones[0].id),
        (e: Error) => e instanceof RefusedError && e.message === "release 0.9.0 (Dropped) is cancelled; a cancelled release cannot deliver milestone 'Payments'");
    });
  });

  describe('trackProgress', () => {
    it('gives percent done per milestone and weighted overall, and flags milestones the recent pace cannot finish by their due date', async () => {
      // Deployment history: first deployment → production took 2, 4, 10, 1 and 3 days. Median: 3 days.
      await shipped(h, '0.1.0', '2026-03-01T00:00:00Z', '2026-03-03T00:00:00Z');
      await shipped(h, '0.2.0', '2026-03-05T00:00:00Z', '2026-03-09T00:00:00Z');
      await shipped(h, '0.3.0', '2026-03-10T00:00:00Z', '2026-03-20T00:00:00Z');
      const r1 = await shipped(h, '1.0.0', '2026-03-21T00:00:00Z', '2026-03-22T00:00:00Z');
      const r4 = await shipped(h, '1.1.0', '2026-03-23T00:00:00Z', '2026-03-26T00:00:00Z');
      const { release: r2 } = await h.releases.createRelease('Payments 2', '1.2.0');
      h.clock.set('2026-04-01T00:00:00Z');
      await h.releases.updateRelease(r2.id, { status: 'in_progress' });
      const { release: r3 } = await h.releases.createRelease('Search', '1.3.0', { plannedStart: new Date('2026-04-08T00:00:00Z') });
      const { release: gone } = await h.releases.createRelease('Dropped', '1.2.5');

      const roadmap = await linker.createRoadmap({
        name: 'Q2',
        milestones: [{ title: 'Payments', dueDate: '2026-04-30', weight: 2 }, { title: 'Search', dueDate: '2026-04-10' }, { title: 'Later' }, { title: 'Empty', dueDate: '2026-06-30' }],
      });
      const [payments, search, later] = roadmap.milestones;
      await linker.linkRelease(r1, roadmap.id, payments.id);
      await linker.linkRelease(r2.id, roadmap.id, payments.id);
      await linker.linkRelease(gone.id, roadmap.id, payments.id);
      await h.releases.cancelRelease(gone.id); // cancelled after linking: left out of the count
      await linker.linkRelease(r3.id, roadmap.id, search.id);
      await linker.linkRelease(r4, roadmap.id, later.id);

      const p = await linker.trackProgress(roadmap.id, new Date('2026-04-02T00:00:00Z'));
      assert.equal(p.pace.medianDays, 3);
      assert.equal(p.pace.sample, 5);
      assert.equal(p.pace.rule, `Pace: median days from first deployment to production over the last ${PACE_SAMPLE} deployed releases: 3 d (from 5).`);
      assert.match(p.rule, /^Percent done: linked releases deployed to production ÷ linked releases/);
      const [mp, ms, ml, me] = p.milestones;
      assert.deepEqual(mp.releases.map((r) => [r.version, r.status]), [['1.0.0', 'deployed'], ['1.2.0', 'in_progress'], ['1.2.5', 'cancelled']]);
      assert.equal(mp.percentDone, 50);
      assert.equal(mp.atRisk, false);
      assert.equal(iso(mp.releases[1].expectedAt), '2026-04-04T00:00:00.000Z');
      assert.equal(mp.risk, 'On track: the releases still to deploy are expected by 2026-04-04, before the due date 2026-04-30.');
      assert.equal(ms.percentDone, 0);
      assert.equal(ms.atRisk, true);
      assert.equal(ms.risk, '1.3.0 expected 2026-04-11 (planned start 2026-04-08 + pace 3 d) — after the due date 2026-04-10.');
      assert.equal(ml.percentDone, 100);
      assert.equal(ml.done, true);
      assert.equal(ml.risk, 'Done: all 1 release deployed to production.');
      assert.equal(me.percentDone, 0);
      assert.equal(me.atRisk, false);
      assert.equal(me.risk, 'No releases linked yet (due 2026-06-30).');
      // (2 × 50 + 1 × 0 + 1 × 100 + 1 × 0) / 5
      assert.equal(p.percentDone, 40);
      assert.equal(p.atRiskCount, 1);

      // A month later nothing moved: Payments' due date has passed with 1.2.0 not deployed.
      const late = await linker.trackProgress(roadmap.id, new Date('2026-05-01T00:00:00Z'));
      assert.equal(late.milestones[0].atRisk, true);
      assert.equal(late.milestones[0].risk, 'Due 2026-04-30 has passed with 1 release not deployed (1.2.0).');
      // An in-progress release slower than the pace is expected no earlier than now.
      assert.equal(iso(late.milestones[0].releases[1].expectedAt), '2026-05-01T00:00:00.000Z');
    });

    it('without any deployed release there is no pace: a planned end decides, else it cannot tell', async () => {
      const { release: a } = await h.releases.createRelease('A', '1.0.0', { plannedStart: new Date('2026-04-01T00:00:00Z'), plannedEnd: new Date('2026-04-20T00:00:00Z') });
      const { release: b } = await h.releases.createRelease('B', '1.1.0');
      const roadmap = await linker.createRoadmap({ name: 'R', milestones: [{ title: 'M1', dueDate: '2026-04-15' }, { title: 'M2', dueDate: '2026-04-15' }] });
      await linker.linkRelease(a.id, roadmap.id, roadmap.milestones[0].id);
      await linker.linkRelease(b.id, roadmap.id, roadmap.milestones[1].id);
      const p = await linker.trackProgress(roadmap.id, new Date('2026-04-02T00:00:00Z'));
      assert.equal(p.pace.medianDays, null);
      assert.match(p.pace.rule, /none deployed yet\.$/);
      assert.equal(p.milestones[0].atRisk, true);
      assert.equal(p.milestones[0].risk, '1.0.0 expected 2026-04-20 (planned end 2026-04-20; no pace yet) — after the due date 2026-04-15.');
      assert.equal(p.milestones[1].atRisk, false);
      assert.equal(p.milestones[1].risk, 'Cannot tell for 1.1.0: no release deployed yet to measure a pace, and no planned end.');
      await assert.rejects(linker.trackProgress('nope'), NotFoundError);
    });
  });
});
