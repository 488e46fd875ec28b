// Roadmaps and milestones, and the pure progress computation behind `trackProgress`.
//
// Percent done: a milestone's share of its linked releases (cancelled ones left out) that are
// deployed to production; the roadmap's figure weights each milestone by its weight.
// Pace: the median days from a release's first deployment (actualStart) to its production
// deployment (actualEnd) over the last PACE_SAMPLE deployed releases of the workspace.
// At risk: a release still to deploy is expected after the milestone's due date —
//   in progress → max(now, first deployment + pace); planned → max(now, planned start) + pace;
//   no pace yet (nothing deployed so far) → its planned end, when it has one —
// or the due date has passed with releases still to deploy (or none linked at all).
import type { Release, ReleaseStatus } from './model';

export interface Milestone {
  id: string;
  roadmapId: string;
  title: string;
  dueDate?: Date;
  /** Share of the roadmap, > 0 (default 1). */
  weight: number;
  /** 0-based order within the roadmap. */
  position: number;
  createdAt: Date;
}

export interface Roadmap {
  id: string;
  /** Unique (case-insensitive). */
  name: string;
  description?: string;
  /** In position order. */
  milestones: Milestone[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ReleaseMilestoneLink {
  releaseId: string;
  milestoneId: string;
  roadmapId: string;
  linkedAt: Date;
}

/** What progress needs of a release (a `ReleaseSummary` will do). */
export type ProgressRelease = Pick<Release, 'id' | 'name' | 'version' | 'status' | 'plannedStart' | 'plannedEnd' | 'actualStart' | 'actualEnd' | 'createdAt'>;

export const PACE_SAMPLE = 10;
const DAY_MS = 86_400_000;

export interface PaceEstimate {
  /** Median days from first deployment to production; null before any release was deployed. */
  medianDays: number | null;
  /** How many deployed releases the median is taken over (at most PACE_SAMPLE). */
  sample: number;
  /** The rule and the figure, one sentence for the dashboard. */
  rule: string;
}

export interface ReleaseProgress {
  releaseId: string;
  name: string;
  version: string;
  status: ReleaseStatus;
  startedAt?: Date;
  deployedAt?: Date;
  /** When a release still to deploy is expected in production, if that can be told. */
  expectedAt?: Date;
  /** How `expectedAt` was reached ("in progress since 2026-04-01 + pace 4.5 d"). */
  expectation?: string;
}

export interface MilestoneProgress {
  milestone: Milestone;
  releases: ReleaseProgress[];
  /** 0–100, one decimal. */
  percentDone: number;
  /** Every linked (not cancelled) release is deployed, and there is at least one. */
  done: boolean;
  atRisk: boolean;
  /** One sentence: why it is at risk, or why not, or why it cannot be judged. */
  risk: string;
  /** The latest expected production date of the releases still to deploy. */
  expectedFinish?: Date;
}

export interface RoadmapProgress {
  roadmapId: string;
  name: string;
  at: Date;
  /** 0–100, one decimal: milestones' percent done weighted by their weight. */
  percentDone: number;
  milestones: MilestoneProgress[];
  atRiskCount: number;
  pace: PaceEstimate;
  /** How percent done and risk are computed, for the dashboard's explanation. */
  rule: string;
}

export const PROGRESS_RULE =
  'Percent done: linked releases deployed to production ÷ linked releases (cancelled ones left out), per milestone; ' +
  'the roadmap weights milestones by their weight. At risk: a release still to deploy is expected after the due date ' +
  '(in progress: its first deployment + pace; planned: the later of now and its planned start + pace; without a pace: its ' +
  'planned end), or the due date has passed with releases still to deploy.';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const day = (d: Date) => d.toISOString().slice(0, 10);
const round1 = (x: number) => Math.round(x * 10) / 10;

/** The recent pace from the deployment history the releases carry (actualStart → actualEnd). */
export function estimatePace(releases: readonly ProgressRelease[], sample = PACE_SAMPLE): PaceEstimate {
  const deployed = releases
    .filter((r) => r.status === 'deployed' && r.actualStart && r.actualEnd)
    .sort((a, b) => b.actualEnd!.getTime() - a.actualEnd!.getTime())
    .slice(0, sample);
  const what = `median days from first deployment to production over the last ${sample} deployed releases`;
  if (!deployed.length) return { medianDays: null, sample: 0, rule: `Pace: ${what} — none deployed yet.` };
  const days = deployed.map((r) => Math.max(0, r.actualEnd!.getTime() - r.actualStart!.getTime()) / DAY_MS);
  const m = median(days);
  return { medianDays: m, sample: deployed.length, rule: `Pace: ${what}: ${round1(m)} d (from ${deployed.length}).` };
}

/** Progress of one roadmap at `now`: per milestone its releases, percent done and risk. */
export function computeProgress(
  roadmap: Roadmap,
  links: readonly ReleaseMilestoneLink[],
  releases: ReadonlyMap<string, ProgressRelease>,
  pace: PaceEstimate,
  now: Date,
): RoadmapProgress {
  const milestones = roadmap.milestones.map((m) => milestoneProgress(m, links, releases, pace, now));
  const totalWeight = roadmap.milestones.reduce((s, m) => s + m.weight, 0);
  const weighted = milestones.reduce((s, p) => s + p.milestone.weight * p.percentDone, 0);
  return {
    roadmapId: roadmap.id,
    name: roadmap.name,
    at: now,
    percentDone: totalWeight > 0 ? round1(weighted / totalWeight) : 0,
    milestones,
    atRiskCount: milestones.filter((m) => m.atRisk).length,
    pace,
    rule: PROGRESS_RULE,
  };
}

function milestoneProgress(
  m: Milestone,
  links: readonly ReleaseMilestoneLink[],
  releases: ReadonlyMap<string, ProgressRelease>,
  pace: PaceEstimate,
  now: Date,
): MilestoneProgress {
  const linked = links
    .filter((l) => l.milestoneId === m.id)
    .map((l) => releases.get(l.releaseId))
    .filter((r): r is ProgressRelease => r !== undefined)
    .sort((a, b) => (a.plannedStart?.getTime() ?? a.createdAt.getTime()) - (b.plannedStart?.getTime() ?? b.createdAt.getTime()) || a.version.localeCompare(b.version));
  const rows: ReleaseProgress[] = linked.map((r) => ({
    releaseId: r.id,
    name: r.name,
    version: r.version,
    status: r.status,
    ...(r.actualStart ? { startedAt: r.actualStart } : {}),
    ...(r.status === 'deployed' && r.actualEnd ? { deployedAt: r.actualEnd } : {}),
    ...(r.status === 'planned' || r.status === 'in_progress' ? expectation(r, pace, now) : {}),
  }));
  const counted = rows.filter((r) => r.status !== 'cancelled');
  const deployed = counted.filter((r) => r.status === 'deployed').length;
  const remaining = counted.filter((r) => r.status !== 'deployed');
  const percentDone = counted.length ? round1((100 * deployed) / counted.length) : 0;
  const done = counted.length > 0 && remaining.length === 0;
  const expected = remaining.map((r) => r.expectedAt?.getTime()).filter((t): t is number => t !== undefined);
  const expectedFinish = remaining.length && expected.length === remaining.length ? new Date(Math.max(...expected)) : undefined;

  let atRisk = false;
  let risk: string;
  const due = m.dueDate;
  if (done) risk = `Done: all ${counted.length} release${counted.length > 1 ? 's' : ''} deployed to production.`;
  else if (!due) risk = counted.length ? 'No due date: not judged.' : 'No releases linked and no due date.';
  else if (counted.length === 0) {
    atRisk = due.getTime() < now.getTime();
    risk = atRisk ? `Due ${day(due)} has passed with no releases linked.` : `No releases linked yet (due ${day(due)}).`;
  } else if (due.getTime() < now.getTime()) {
    atRisk = true;
    risk = `Due ${day(due)} has passed with ${remaining.length} release${remaining.length > 1 ? 's' : ''} not deployed (${remaining.map((r) => r.version).join(', ')}).`;
  } else {
    const late = remaining.filter((r) => r.expectedAt && r.expectedAt.getTime() > due.getTime());
    const unknown = remaining.filter((r) => !r.expectedAt);
    if (late.length) {
      atRisk = true;
      risk = `${late.map((r) => `${r.version} expected ${day(r.expectedAt!)} (${r.expectation})`).join('; ')} — after the due date ${day(due)}.`;
    } else if (unknown.length) {
      risk = `Cannot tell for ${unknown.map((r) => r.version).join(', ')}: no release deployed yet to measure a pace, and no planned end.`;
    } else {
      risk = `On track: the releases still to deploy are expected by ${day(expectedFinish!)}, before the due date ${day(due)}.`;
    }
  }
  return { milestone: m, releases: rows, percentDone, done, atRisk, risk, ...(expectedFinish ? { expectedFinish } : {}) };
}

function expectation(r: ProgressRelease, pace: PaceEstimate, now: Date): Pick<ReleaseProgress, 'expectedAt' | 'expectation'> {
  const p = pace.medianDays;
  if (p !== null) {
    const paceMs = p * DAY_MS;
    if (r.status === 'in_progress' && r.actualStart) {
      const at = Math.max(now.getTime(), r.actualStart.getTime() + paceMs);
      return { expectedAt: new Date(at), expectation: `in progress since ${day(r.actualStart)} + pace ${round1(p)} d` };
    }
    const from = Math.max(now.getTime(), r.plannedStart?.getTime() ?? now.getTime());
    return {
      expectedAt: new Date(from + paceMs),
      expectation: `${r.plannedStart && r.plannedStart.getTime() > now.getTime() ? `planned start ${day(r.plannedStart)}` : 'from now'} + pace ${round1(p)} d`,
    };
  }
  if (r.plannedEnd) return { expectedAt: new Date(Math.max(now.getTime(), r.plannedEnd.getTime())), expectation: `planned end ${day(r.plannedEnd)}; no pace yet` };
  return {};
}
