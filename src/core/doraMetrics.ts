// DORA metrics from the local deployment log and git: deployment frequency, lead time for changes,
// change failure rate and time to restore, each with its definition and its DORA performance band.
//
// Bands follow the DORA State of DevOps report (2023 clusters):
//   deployment frequency  elite: on demand (≥ 1 a day) · high: ≥ 1 a week · medium: ≥ 1 a month · low: less
//   lead time             elite: < 1 day · high: ≤ 1 week · medium: ≤ 1 month · low: more
//   change failure rate   elite: ≤ 5 % · high: ≤ 10 % · medium: ≤ 15 % · low: more
//   time to restore       elite: < 1 hour · high: < 1 day · medium: < 1 week · low: more
// `computeDora` is pure; `gatherDora` reads the deployments and asks git for the commits.
import type { Deployment } from './model';
import type { GitPort, UnitOfWork } from './ports';
import { productionEnvironment } from './releaseNotesService';

export type DoraBand = 'elite' | 'high' | 'medium' | 'low';

export interface DoraFigure {
  label: string;
  /** In `unit`; null when there is nothing to measure yet. */
  value: number | null;
  unit: 'per day' | 'hours' | 'percent';
  /** "2.3 a week", "18 h", "12.5 %", "45 min", "no data". */
  display: string;
  band: DoraBand | null;
  /** What is counted and how, for the dashboard. */
  definition: string;
  /** How many deployments, commits or incidents the figure is taken over. */
  sample: number;
}

export interface DoraReport {
  from: Date;
  to: Date;
  days: number;
  environment: string;
  deploymentFrequency: DoraFigure & { perWeek: number | null };
  leadTime: DoraFigure;
  changeFailureRate: DoraFigure;
  timeToRestore: DoraFigure & { open: number };
  /** What was left out and why ("2 deployments recorded no commit"). */
  notes: string[];
}

export interface LeadCommit {
  sha: string;
  committedAt: Date;
}

export interface DoraInput {
  /** Deployments to the production environment, any time (earlier ones bound the window's). */
  deployments: readonly Deployment[];
  /** For each deployment in the window: the commits it brought to production first. */
  leadCommits: ReadonlyMap<string, readonly LeadCommit[]>;
  from: Date;
  to: Date;
  environment: string;
  notes?: string[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const DORA_DEFINITIONS = {
  deploymentFrequency:
    'Completed deployments to production per day over the window (a deployment later rolled back counts: it went out; a ' +
    'blue-green one went out when traffic first reached its colour, and one aborted before that is not counted anywhere). ' +
    'Elite: on demand, at least once a day; high: at least once a week; medium: at least once a month; low: less often.',
  leadTime:
    'Median time from a commit (its commit time) to the first completed production deployment containing it: the commits a ' +
    'deployment brought are those reachable from its commit (metadata.commit) and from no earlier production deployment. ' +
    'Elite: under a day; high: up to a week; medium: up to a month; low: longer.',
  changeFailureRate:
    'Production deployments in the window that failed or were rolled back, divided by all production deployments that finished ' +
    '(completed, failed or rolled back). Elite: 5 % or less; high: 10 % or less; medium: 15 % or less; low: more.',
  timeToRestore:
    'Median time from a failed production deployment (when it failed; rolled back: when it went live) to service restored: its ' +
    'rollback or the next completed production deployment, whichever came first. Elite: under an hour; high: under a day; ' +
    'medium: under a week; low: longer.',
} as const;

/**
 * A blue-green colour's deployment completes before any traffic reaches it: it goes live when the
 * first split gives its colour traffic (`metadata.blueGreen.trafficAt`), and one aborted before
 * that never reached users. `null`: not a blue-green deployment.
 */
function blueGreenTraffic(d: Deployment): Date | undefined | null {
  const bg = d.metadata?.blueGreen;
  if (!bg || typeof bg !== 'object') return null;
  const t = (bg as { trafficAt?: unknown }).trafficAt;
  const at = typeof t === 'string' ? new Date(t) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}

/** Whether users ever got what the deployment brought (a blue-green colour: once traffic reached it). */
const reachedUsers = (d: Deployment): boolean => blueGreenTraffic(d) !== undefined;

/** When a deployment went live in production, if it did. */
const wentLive = (d: Deployment): Date | undefined => {
  if (d.status !== 'completed' && d.status !== 'rolled_back') return undefined;
  const traffic = blueGreenTraffic(d);
  return traffic === null ? d.completedAt : traffic;
};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export function formatDuration(ms: number): string {
  if (ms < HOUR) return `${Math.round(ms / 60_000)} min`;
  if (ms < 48 * HOUR) return `${round1(ms / HOUR)} h`;
  return `${round1(ms / DAY)} d`;
}

const round1 = (x: number) => Math.round(x * 10) / 10;

export function computeDora(input: DoraInput): DoraReport {
  const { from, to } = input;
  const inWindow = (t: Date | undefined) => t !== undefined && t.getTime() >= from.getTime() && t.getTime() < to.getTime();
  const days = (to.getTime() - from.getTime()) / DAY;
  const notes = [...(input.notes ?? [])];

  // Deployment frequency.
  const live = input.deployments.filter((d) => inWindow(wentLive(d)));
  const perDay = days > 0 ? live.length / days : 0;
  const freqBand: DoraBand = perDay >= 1 ? 'elite' : perDay >= 1 / 7 ? 'high' : perDay >= 1 / 30 ? 'medium' : 'low';
  const deploymentFrequency = {
    label: 'Deployment frequency',
    value: round2(perDay),
    perWeek: round1(perDay * 7),
    unit: 'per day' as const,
    display: perDay >= 1 ? `${round1(perDay)} a day` : `${round1(perDay * 7)} a week`,
    band: freqBand,
    definition: DORA_DEFINITIONS.deploymentFrequency,
    sample: live.length,
  };

  // Lead time for changes.
  const leads: number[] = [];
  for (const d of live) {
    for (const c of input.leadCommits.get(d.id) ?? []) leads.push(Math.max(0, wentLive(d)!.getTime() - c.committedAt.getTime()));
  }
  const leadMs = leads.length ? median(leads) : null;
  const leadTime: DoraFigure = {
    label: 'Lead time for changes',
    value: leadMs === null ? null : round2(leadMs / HOUR),
    unit: 'hours',
    display: leadMs === null ? 'no data' : formatDuration(leadMs),
    band: leadMs === null ? null : leadMs < DAY ? 'elite' : leadMs <= 7 * DAY ? 'high' : leadMs <= 30 * DAY ? 'medium' : 'low',
    definition: DORA_DEFINITIONS.leadTime,
    sample: leads.length,
  };

  // Change failure rate.
  const finished = input.deployments.filter((d) =>
    (d.status === 'completed' || d.status === 'failed' || d.status === 'rolled_back') && reachedUsers(d) && inWindow(wentLive(d) ?? d.completedAt ?? d.updatedAt));
  const failures = finished.filter((d) => d.status === 'failed' || d.status === 'rolled_back');
  const rate = finished.length ? (100 * failures.length) / finished.length : null;
  const changeFailureRate: DoraFigure = {
    label: 'Change failure rate',
    value: rate === null ? null : round1(rate),
    unit: 'percent',
    display: rate === null ? 'no data' : `${round1(rate)} %`,
    band: rate === null ? null : rate <= 5 ? 'elite' : rate <= 10 ? 'high' : rate <= 15 ? 'medium' : 'low',
    definition: DORA_DEFINITIONS.changeFailureRate,
    sample: finished.length,
  };

  // Time to restore.
  const restores: number[] = [];
  let open = 0;
  const liveTimes = input.deployments.map(wentLive).filter((t): t is Date => t !== undefined).map((t) => t.getTime()).sort((a, b) => a - b);
  for (const d of failures) {
    const start = (d.status === 'rolled_back' ? wentLive(d) : d.completedAt ?? d.updatedAt) ?? d.updatedAt;
    const next = liveTimes.find((t) => t > start.getTime() && t !== d.completedAt?.getTime());
    const candidates = [d.status === 'rolled_back' ? d.rolledBackAt?.getTime() : undefined, next].filter((t): t is number => t !== undefined && t >= start.getTime());
    if (!candidates.length) {
      open++;
      continue;
    }
    restores.push(Math.min(...candidates) - start.getTime());
  }
  if (open) notes.push(`${open} failed production deployment${open > 1 ? 's are' : ' is'} not restored yet: left out of time to restore.`);
  const restoreMs = restores.length ? median(restores) : null;
  const timeToRestore = {
    label: 'Time to restore service',
    value: restoreMs === null ? null : round2(restoreMs / HOUR),
    unit: 'hours' as const,
    display: restoreMs === null ? (failures.length ? 'not restored yet' : 'no failures') : formatDuration(restoreMs),
    band: restoreMs === null ? null : restoreMs < HOUR ? 'elite' as const : restoreMs < DAY ? 'high' as const : restoreMs < 7 * DAY ? 'medium' as const : 'low' as const,
    definition: DORA_DEFINITIONS.timeToRestore,
    sample: restores.length,
    open,
  };

  return { from, to, days: round2(days), environment: input.environment, deploymentFrequency, leadTime, changeFailureRate, timeToRestore, notes };
}

const round2 = (x: number) => Math.round(x * 100) / 100;

const SHA_RE = /^[0-9a-f]{7,64}$/;

/**
 * Reads the production deployments and asks git which commits each deployment in the window
 * brought first, then computes the figures. Without git, lead time says "no data" with a note.
 */
export async function gatherDora(deps: {
  uow: UnitOfWork;
  git?: GitPort;
  now: Date;
  /** Default 30. */
  windowDays?: number;
  /** Default: the last environment in promotion order (production). */
  environment?: string;
}): Promise<DoraReport> {
  const windowDays = deps.windowDays ?? 30;
  if (!Number.isFinite(windowDays) || windowDays <= 0 || windowDays > 3660) throw new RangeError(`windowDays: expected 1 to 3660, got ${windowDays}`);
  const to = deps.now;
  const from = new Date(to.getTime() - windowDays * DAY);
  const { environment, deployments } = await deps.uow.read(async (r) => {
    const env = deps.environment ?? (await productionEnvironment(r));
    return { environment: env, deployments: await r.deployments.list({ environment: env }) };
  });
  const notes: string[] = [];
  const leadCommits = new Map<string, LeadCommit[]>();
  const live = deployments
    .filter((d) => (d.status === 'completed' || d.status === 'rolled_back') && d.completedAt)
    .sort((a, b) => a.completedAt!.getTime() - b.completedAt!.getTime());
  const commitOf = (d: Deployment) => (typeof d.metadata?.commit === 'string' && SHA_RE.test(d.metadata.commit) ? d.metadata.commit : undefined);
  const inWindow = live.filter((d) => d.completedAt!.getTime() >= from.getTime() && d.completedAt!.getTime() < to.getTime());
  const git = deps.git && (await deps.git.isRepository()) ? deps.git : undefined;
  if (!git && inWindow.length) notes.push('No git repository: lead time for changes cannot be measured.');
  let noCommit = 0;
  let unbounded = 0;
  let missing = 0;
  if (git) {
    for (const d of inWindow) {
      const commit = commitOf(d);
      if (!commit) {
        noCommit++;
        continue;
      }
      const earlier = live.filter((x) => x.completedAt!.getTime() < d.completedAt!.getTime()).map(commitOf).filter((c): c is string => c !== undefined);
      if (!earlier.length) {
        // Its commits go back to the first one: no earlier deployment tells which were new.
        unbounded++;
        continue;
      }
      try {
        leadCommits.set(d.id, (await git.commitsBetween(earlier, commit)).map((c) => ({ sha: c.sha, committedAt: c.committedAt })));
      } catch {
        missing++; // a commit no longer in the repository (rewritten history, shallow clone)
      }
    }
  }
  if (noCommit) notes.push(`${noCommit} production deployment${noCommit > 1 ? 's' : ''} recorded no commit: left out of lead time.`);
  if (unbounded) notes.push('The first production deployment on record has no earlier one to tell its new commits: left out of lead time.');
  if (missing) notes.push(`${missing} deployed commit${missing > 1 ? 's are' : ' is'} not in the repository (rewritten history or a shallow clone): left out of lead time.`);
  return computeDora({ deployments, leadCommits, from, to, environment, notes });
}
