// The dashboard host's planning part: the Roadmap and Metrics sections of a release's snapshot, and
// the Roadmap / Notes / Metrics tabs' requests (already validated by parseWebviewMessage).
import type * as vscode from 'vscode';
import type { DashboardSnapshot, WebviewToHost } from '../shared/protocol';
import { confirmReplace, exportInteractively, generateFor, openNotesEditor } from './notesCommands';
import { loadRoadmapSection, metricsView } from './planningModel';
import { Cancelled } from './prompts';
import type { FolderCore, WorkspaceSession } from './workspaceSession';

export type PlanningMessage = Extract<
  WebviewToHost,
  { type: 'roadmap/link' | 'roadmap/unlink' | 'notes/generate' | 'notes/edit' | 'notes/export' | 'metrics/refresh' }
>;

const PLANNING_TYPES: readonly string[] = ['roadmap/link', 'roadmap/unlink', 'notes/generate', 'notes/edit', 'notes/export', 'metrics/refresh'];

export function isPlanningMessage(m: WebviewToHost): m is PlanningMessage {
  return PLANNING_TYPES.includes(m.type);
}

/**
 * The snapshot's roadmap and metrics; a part that cannot be read is left out (and logged), the rest
 * still shows. The DORA figures ask git, so a snapshot never waits for them: it carries the last ones,
 * and when they are missing or out of date they are gathered meanwhile and `metricsReady` is called.
 */
export async function loadPlanningSections(
  core: FolderCore,
  releaseId: string,
  log: vscode.LogOutputChannel,
  metricsReady: () => void,
): Promise<Pick<DashboardSnapshot, 'roadmap' | 'metrics' | 'metricsError'>> {
  const out: Pick<DashboardSnapshot, 'roadmap' | 'metrics' | 'metricsError'> = {};
  try {
    out.roadmap = await loadRoadmapSection(core.roadmaps, releaseId, core.clock.now());
  } catch (e) {
    log.warn(`dashboard ${releaseId}: roadmap not shown: ${(e as Error).message}`);
  }
  const last = core.dora.peek();
  if (last) out.metrics = metricsView(last);
  if (core.dora.error) {
    // Shown until a deployment changes the figures or someone presses Refresh: not retried on every snapshot.
    out.metricsError = `The DORA figures could not be gathered: ${core.dora.error}`;
  } else if (!core.dora.fresh) {
    core.dora.get().then(metricsReady, (e: Error) => {
      log.warn(`dashboard ${releaseId}: the DORA figures could not be gathered: ${e.message}`);
      metricsReady();
    });
  }
  return out;
}

/** Carries out a planning request of a release's dashboard. A question the person dismisses changes nothing and is no failure. */
export async function handlePlanningMessage(session: WorkspaceSession, core: FolderCore, releaseId: string, m: PlanningMessage): Promise<void> {
  try {
    switch (m.type) {
      case 'roadmap/link':
        await core.roadmaps.linkRelease(releaseId, m.roadmapId, m.milestoneId);
        return;
      case 'roadmap/unlink':
        await core.roadmaps.unlinkRelease(releaseId, m.roadmapId, m.milestoneId);
        return;
      case 'notes/generate': {
        const release = await core.releases.getRelease(releaseId);
        if (release) await confirmReplace(release);
        await generateFor(core, releaseId);
        return;
      }
      case 'notes/edit': {
        const release = await core.releases.getRelease(releaseId);
        if (release) await openNotesEditor(session, release, true);
        return;
      }
      case 'notes/export': {
        const release = await core.releases.getRelease(releaseId);
        if (release) await exportInteractively(session, core, release);
        return;
      }
      case 'metrics/refresh':
        await core.dora.refresh();
        return;
    }
  } catch (e) {
    if (e instanceof Cancelled) return;
    throw e;
  }
}
