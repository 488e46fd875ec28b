// Which release the status bar shows and how. Pure (no 'vscode').
import type { ReleaseSummary } from '../core/ports';
import type { PromotionStepView } from '../shared/protocol';
import { furthestStep, isRunning, pathLine, stepMark } from './promotionModel';
import { STATUS_LABEL } from './releaseTreeModel';

/** The most recently started release in progress, else the next planned one (scheduled before unscheduled). */
export function pickActiveRelease<T extends ReleaseSummary>(inProgress: readonly T[], planned: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const r of inProgress) {
    const t = (r.actualStart ?? r.updatedAt).getTime();
    if (!best || t > (best.actualStart ?? best.updatedAt).getTime()) best = r;
  }
  if (best) return best;
  const plannedKey = (r: T) => r.plannedStart?.getTime() ?? Number.MAX_SAFE_INTEGER;
  for (const r of planned) {
    if (!best || plannedKey(r) < plannedKey(best) || (plannedKey(r) === plannedKey(best) && r.createdAt.getTime() < best.createdAt.getTime())) best = r;
  }
  return best;
}

export interface StatusBarView {
  text: string;
  /** Markdown. */
  tooltip: string;
  spinning: boolean;
}

/**
 * `elsewhere`: deployments in progress of other releases (a redeploy or rollback of a deployed
 * release, say), one line each: the item spins for them too and its tooltip names them.
 */
export function statusBarView(
  release: Pick<ReleaseSummary, 'version' | 'name' | 'status' | 'riskScore'>,
  steps: readonly PromotionStepView[],
  folderName?: string,
  elsewhere: readonly string[] = [],
): StatusBarView {
  const spinning = isRunning(steps) || elsewhere.length > 0;
  const furthest = furthestStep(steps);
  const where = furthest ? stepMark(furthest) : STATUS_LABEL[release.status].toLowerCase();
  const text = `${spinning ? '$(sync~spin)' : '$(rocket)'} ${release.version} · ${where}`;
  const tooltip = [
    `**${escapeMarkdown(release.name)}** — ${release.version}${folderName ? ` (${escapeMarkdown(folderName)})` : ''}`,
    '',
    `Status: ${STATUS_LABEL[release.status].toLowerCase()}${release.riskScore === undefined ? '' : ` · risk ${release.riskScore.toFixed(2)}`}`,
    '',
    steps.length ? `Promotion: ${pathLine(steps)}` : 'No environments yet',
    '',
    ...(elsewhere.length ? [`Also deploying: ${elsewhere.map(escapeMarkdown).join('; ')}`, ''] : []),
    'Click to open the release dashboard',
  ].join('\n');
  return { text, tooltip, spinning };
}

function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}
