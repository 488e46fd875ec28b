// A release's way through the environments, as trees, the status bar and the dashboard show it.
// Pure (no 'vscode'): until the promotion manager gives each environment's state and blockers, the
// path is derived from the release's own deployments in the default environment order.
import type { Deployment } from '../core/model';
import type { PromotionStepView, StepState } from '../shared/protocol';

export const DEFAULT_ENVIRONMENTS: readonly string[] = ['dev', 'test', 'staging', 'production'];

export const STATE_MARK: Record<StepState, string> = {
  completed: '✓',
  failed: '✗',
  in_progress: '…',
  pending: '…',
  rolled_back: '↺',
  not_deployed: '·',
};

export const STATE_LABEL: Record<StepState, string> = {
  completed: 'completed',
  failed: 'failed',
  in_progress: 'in progress',
  pending: 'pending',
  rolled_back: 'rolled back',
  not_deployed: 'not deployed',
};

/** The configured order, then any environment only deployments name (sorted), so none is hidden. */
export function environmentOrder(configured: readonly string[], seen: Iterable<string>): string[] {
  const order = [...configured];
  const known = new Set(order.map((e) => e.toLowerCase()));
  const extra = [...new Set(seen)].filter((e) => !known.has(e.toLowerCase())).sort();
  return [...order, ...extra];
}

/** When a deployment last changed state: its end, else its start, else its creation. */
export function deploymentTime(d: Pick<Deployment, 'completedAt' | 'startedAt' | 'createdAt' | 'rolledBackAt'>): Date {
  return d.rolledBackAt ?? d.completedAt ?? d.startedAt ?? d.createdAt;
}

/** The newest deployment per environment (by creation time). */
export function latestPerEnvironment(deployments: readonly Deployment[]): Map<string, Deployment> {
  const latest = new Map<string, Deployment>();
  for (const d of deployments) {
    const seen = latest.get(d.environment);
    if (!seen || d.createdAt.getTime() > seen.createdAt.getTime()) latest.set(d.environment, d);
  }
  return latest;
}

/** One step per environment in order, each with the state of this release's latest deployment there. */
export function derivePromotionSteps(order: readonly string[], releaseDeployments: readonly Deployment[]): PromotionStepView[] {
  const latest = latestPerEnvironment(releaseDeployments);
  return environmentOrder(order, latest.keys()).map((environment) => {
    const d = latest.get(environment);
    return d
      ? { environment, state: d.status, at: deploymentTime(d).toISOString(), blockers: [] }
      : { environment, state: 'not_deployed' as const, blockers: [] };
  });
}

/** The furthest environment the release reached (whatever the outcome there). */
export function furthestStep(steps: readonly PromotionStepView[]): PromotionStepView | undefined {
  for (let i = steps.length - 1; i >= 0; i--) if (steps[i].state !== 'not_deployed') return steps[i];
  return undefined;
}

export const isRunning = (steps: readonly PromotionStepView[]) => steps.some((s) => s.state === 'in_progress' || s.state === 'pending');

/** "staging ✓" */
export const stepMark = (s: Pick<PromotionStepView, 'environment' | 'state'>) => `${s.environment} ${STATE_MARK[s.state]}`;

/** "dev ✓ → test ✓ → staging … → production ·" */
export const pathLine = (steps: readonly PromotionStepView[]) => steps.map(stepMark).join(' → ');
