// The Releases tree's data and grouping, kept free of 'vscode' so that bench/tree.ts can time it
// against a real 10,000-release database and unit tests can check it in plain mocha.
import type { ReleaseStatus } from '../core/model';
import type { ReleaseSummary, UnitOfWork } from '../core/ports';
import { derivePromotionSteps, furthestStep, stepMark } from './promotionModel';

/** Groups in the order people look for them: what is moving, what is next, then history. */
export const STATUS_ORDER: readonly ReleaseStatus[] = ['in_progress', 'planned', 'deployed', 'cancelled'];

export const STATUS_LABEL: Record<ReleaseStatus, string> = {
  in_progress: 'In progress',
  planned: 'Planned',
  deployed: 'Deployed',
  cancelled: 'Cancelled',
};

export interface StatusGroup {
  status: ReleaseStatus;
  label: string;
  count: number;
}

/** The non-empty status groups, in STATUS_ORDER. */
export function statusGroups(counts: Partial<Record<ReleaseStatus, number>>): StatusGroup[] {
  return STATUS_ORDER.filter((s) => (counts[s] ?? 0) > 0).map((status) => ({ status, label: STATUS_LABEL[status], count: counts[status] ?? 0 }));
}

const time = (d: Date | undefined) => (d ? d.getTime() : undefined);

/**
 * Order inside a group: planned by planned start (unscheduled last), in progress by most recent
 * start; history (deployed, cancelled) newest created first — the storage order, so that a page of
 * history read with a LIMIT is exactly the top of the list. Ties: newest created first.
 * Sorts in place and returns the array.
 */
export function sortForGroup(status: ReleaseStatus, releases: ReleaseSummary[]): ReleaseSummary[] {
  const key = (r: ReleaseSummary): number => {
    switch (status) {
      case 'planned':
        return time(r.plannedStart) ?? Number.MAX_SAFE_INTEGER;
      case 'in_progress':
        return -(time(r.actualStart) ?? r.updatedAt.getTime());
      case 'deployed':
      case 'cancelled':
        return -r.createdAt.getTime();
    }
  };
  const keyed = releases.map((r) => ({ r, k: key(r), c: r.createdAt.getTime() }));
  keyed.sort((a, b) => a.k - b.k || b.c - a.c || (a.r.id < b.r.id ? -1 : 1));
  for (let i = 0; i < keyed.length; i++) releases[i] = keyed[i].r;
  return releases;
}

export type RiskLevel = 'low' | 'medium' | 'high';

export function riskLevel(score: number | undefined): RiskLevel | undefined {
  if (score === undefined) return undefined;
  return score >= 0.66 ? 'high' : score >= 0.33 ? 'medium' : 'low';
}

/** "1.2.0 · staging ✓ · risk 0.42": the version, where it got to, and its risk badge. */
export function releaseDescription(r: Pick<ReleaseSummary, 'version' | 'riskScore'>, where?: string): string {
  const parts = [r.version];
  if (where) parts.push(where);
  if (r.riskScore !== undefined) parts.push(`risk ${r.riskScore.toFixed(2)}`);
  return parts.join(' · ');
}

/** "2026-11-25 10:42" in local time; the time only when it is today. */
export function formatWhen(d: Date, now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
  return sameDay ? hm : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

/** The lines of a release's hover. */
export function releaseTooltipLines(r: ReleaseSummary, now: Date = new Date()): string[] {
  const lines = [`${r.name} — ${r.version}`, `Status: ${STATUS_LABEL[r.status].toLowerCase()}`];
  if (r.plannedStart || r.plannedEnd) {
    lines.push(`Planned: ${r.plannedStart ? formatWhen(r.plannedStart, now) : '?'} → ${r.plannedEnd ? formatWhen(r.plannedEnd, now) : '?'}`);
  }
  if (r.actualStart) lines.push(`Started: ${formatWhen(r.actualStart, now)}`);
  if (r.actualEnd) lines.push(`Finished: ${formatWhen(r.actualEnd, now)}`);
  lines.push(r.riskScore === undefined ? 'Risk: not assessed' : `Risk: ${r.riskScore.toFixed(2)} (${riskLevel(r.riskScore)})`);
  return lines;
}

// ---------------------------------------------------------------- loading (storage through the ports)

/** The tree's first level for one folder: one query, counts only. */
export async function loadStatusGroups(uow: UnitOfWork): Promise<StatusGroup[]> {
  return statusGroups(await uow.read((r) => r.releases.countByStatus()));
}

export interface ReleaseRow {
  release: ReleaseSummary;
  /** "staging ✓": where a release in progress got to. */
  where?: string;
}

/** History groups show this many releases at first, and this many more per "Show more". */
export const HISTORY_PAGE = 200;

/** Groups that grow without bound and are read a page at a time. */
export const isHistory = (status: ReleaseStatus) => status === 'deployed' || status === 'cancelled';

/**
 * One group's releases, sorted; history groups only their newest `limit`. Only releases in progress
 * get their furthest environment: they are few, and for the others the status says it (planned:
 * nowhere yet; deployed: production).
 */
export async function loadGroupReleases(
  uow: UnitOfWork,
  status: ReleaseStatus,
  environmentOrder: readonly string[],
  limit: number = HISTORY_PAGE,
): Promise<ReleaseRow[]> {
  return uow.read(async (r) => {
    const list = sortForGroup(status, await r.releases.listSummaries(isHistory(status) ? { status, limit } : { status }));
    if (status !== 'in_progress') return list.map((release) => ({ release }));
    const rows: ReleaseRow[] = [];
    for (const release of list) {
      const furthest = furthestStep(derivePromotionSteps(environmentOrder, await r.deployments.list({ releaseId: release.id })));
      rows.push({ release, where: furthest && stepMark(furthest) });
    }
    return rows;
  });
}
