// The dashboard's planning sections — Roadmap (the release's milestones with progress and risk, and
// what else it could be linked to) and Metrics (the four DORA figures with band and definition) —
// as plain JSON for the snapshot. Pure (no 'vscode'): unit tests check it against a real database.
import type { DoraFigure, DoraReport } from '../core/doraMetrics';
import type { ReleaseRoadmapLinker } from '../core/releases/ReleaseRoadmapLinker';
import type { MilestoneProgress, RoadmapProgress } from '../core/roadmaps';
import type { DoraFigureView, MetricsView, MilestoneView, RoadmapSection, RoadmapView } from '../shared/protocol';
import type { DoraEntry } from './doraCache';

const iso = (d: Date | undefined) => d?.toISOString();

/** "████░░░░░░ 40 %": a progress bar in text, for quick picks and hovers. */
export function progressBar(percent: number, width = 10): string {
  const filled = Math.max(0, Math.min(width, Math.round((percent / 100) * width)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${Math.round(percent)} %`;
}

export function milestoneView(p: MilestoneProgress, releaseId?: string): MilestoneView {
  const m = p.milestone;
  return strip({
    id: m.id,
    roadmapId: m.roadmapId,
    title: m.title,
    dueDate: iso(m.dueDate),
    weight: m.weight,
    percentDone: p.percentDone,
    done: p.done,
    atRisk: p.atRisk,
    risk: p.risk,
    expectedFinish: iso(p.expectedFinish),
    linked: releaseId !== undefined && p.releases.some((r) => r.releaseId === releaseId),
    releases: p.releases.map((r) => strip({
      releaseId: r.releaseId,
      version: r.version,
      name: r.name,
      status: r.status,
      deployedAt: iso(r.deployedAt),
      expectedAt: iso(r.expectedAt),
      expectation: r.expectation,
    })),
  });
}

export function roadmapView(p: RoadmapProgress, description: string | undefined, releaseId?: string): RoadmapView {
  return strip({
    id: p.roadmapId,
    name: p.name,
    description,
    percentDone: p.percentDone,
    atRiskCount: p.atRiskCount,
    rule: p.rule,
    pace: p.pace.rule,
    milestones: p.milestones.map((m) => milestoneView(m, releaseId)),
  });
}

/**
 * The Roadmap tab of a release: full progress of every roadmap it is linked to (its milestones marked
 * `linked`, the roadmap's other milestones beside them), and the milestones of the other roadmaps, to link from the tab.
 */
export async function loadRoadmapSection(linker: Pick<ReleaseRoadmapLinker, 'listRoadmaps' | 'milestonesOf' | 'trackProgress'>, releaseId: string, now: Date): Promise<RoadmapSection> {
  const [roadmaps, links] = await Promise.all([linker.listRoadmaps(), linker.milestonesOf(releaseId)]);
  const linkedIds = new Set(links.map((l) => l.roadmapId));
  const linked: RoadmapView[] = [];
  for (const r of roadmaps.filter((x) => linkedIds.has(x.id))) linked.push(roadmapView(await linker.trackProgress(r.id, now), r.description, releaseId));
  return {
    linked,
    others: roadmaps
      .filter((r) => !linkedIds.has(r.id))
      .map((r) => ({ id: r.id, name: r.name, milestones: r.milestones.map((m) => strip({ id: m.id, title: m.title, dueDate: iso(m.dueDate) })) })),
  };
}

const FIGURES = ['deploymentFrequency', 'leadTime', 'changeFailureRate', 'timeToRestore'] as const;

function figureView(key: DoraFigureView['key'], f: DoraFigure): DoraFigureView {
  return { key, label: f.label, value: f.value, unit: f.unit, display: f.display, band: f.band, definition: f.definition, sample: f.sample };
}

export function metricsView(entry: DoraEntry): MetricsView {
  const r: DoraReport = entry.report;
  return {
    environment: r.environment,
    from: r.from.toISOString(),
    to: r.to.toISOString(),
    days: r.days,
    figures: FIGURES.map((k) => figureView(k, r[k])),
    notes: [...r.notes],
    computedAt: entry.computedAt.toISOString(),
  };
}

/** Drops undefined keys so that what crosses postMessage is exactly what the types say. */
function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}
