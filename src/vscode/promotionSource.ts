// Where trees, the status bar and the dashboard get environments and a release's promotion path:
// the promotion manager (configured environments, can-promote and blockers), or — when it cannot
// answer (a read-only database cannot seed the default environments) — the release's own
// deployments in the default order. No 'vscode'.
import type { Approval, PromotionPath } from '../core/model';
import type { UnitOfWork } from '../core/ports';
import type { EnvironmentPromotionManager } from '../core/releases/EnvironmentPromotionManager';
import type { PromotionStepView, PromotionView } from '../shared/protocol';
import { loadEnvironmentRows, type EnvironmentRow } from './environmentTreeModel';
import { DEFAULT_ENVIRONMENTS, derivePromotionSteps } from './promotionModel';

export interface PromotionSource {
  /** Environment names in promotion order. */
  environmentOrder(): Promise<string[]>;
  promotionPath(releaseId: string): Promise<PromotionView>;
  environmentRows(): Promise<EnvironmentRow[]>;
}

export function derivedPromotionSource(uow: UnitOfWork): PromotionSource {
  return {
    environmentOrder: async () => [...DEFAULT_ENVIRONMENTS],
    promotionPath: async (releaseId) => ({
      source: 'deployments',
      steps: derivePromotionSteps(DEFAULT_ENVIRONMENTS, await uow.read((r) => r.deployments.list({ releaseId }))),
    }),
    environmentRows: () => loadEnvironmentRows(uow, DEFAULT_ENVIRONMENTS),
  };
}

export function promotionView(path: PromotionPath): PromotionView {
  return {
    source: 'environments',
    steps: path.environments.map((s) => {
      const at = s.completedAt ?? s.startedAt;
      return {
        environment: s.environment,
        state: s.state,
        ...(at ? { at: at.toISOString() } : {}),
        canPromote: s.canPromote,
        blockers: [...s.blockers],
        ...(s.current && s.current.releaseId !== path.releaseId ? { current: s.current.version } : {}),
        ...(s.deploymentId ? { deploymentId: s.deploymentId } : {}),
        ...(s.startedAt ? { startedAt: s.startedAt.toISOString() } : {}),
        ...(s.completedAt ? { completedAt: s.completedAt.toISOString() } : {}),
        protected: s.protected,
        ...(s.approval ? { approval: approvalView(s.approval) } : {}),
      };
    }),
  };
}

function approvalView(a: Approval): NonNullable<PromotionStepView['approval']> {
  return {
    status: a.status,
    ...(a.requestedBy ? { requestedBy: a.requestedBy } : {}),
    ...(a.requestedAt ? { requestedAt: a.requestedAt.toISOString() } : {}),
    ...(a.approvedBy ? { decidedBy: a.approvedBy } : {}),
    ...(a.approvedAt ? { decidedAt: a.approvedAt.toISOString() } : {}),
    ...(a.comment ? { comment: a.comment } : {}),
  };
}

/** The promotion manager's answers, falling back to the derived ones when it fails (and logging why). */
export function managerPromotionSource(manager: EnvironmentPromotionManager, fallback: PromotionSource, warn: (message: string) => void): PromotionSource {
  // Views refresh on every change: say each distinct problem once, not on every refresh.
  const said = new Set<string>();
  const orFallback = async <T>(what: string, primary: () => Promise<T>, secondary: () => Promise<T>): Promise<T> => {
    try {
      return await primary();
    } catch (e) {
      const message = `${what}: ${(e as Error).message}; showing what the deployments say instead`;
      if (!said.has(message)) {
        said.add(message);
        warn(message);
      }
      return secondary();
    }
  };
  return {
    environmentOrder: () => orFallback('environments', async () => (await manager.listEnvironments()).map((e) => e.name), fallback.environmentOrder),
    promotionPath: (releaseId) => orFallback('promotion path', async () => promotionView(await manager.getPromotionPath(releaseId)), () => fallback.promotionPath(releaseId)),
    environmentRows: () =>
      orFallback(
        'environment status',
        async () =>
          (await manager.environmentStatus()).map((s): EnvironmentRow => ({
            environment: s.environment.name,
            ...(s.current ? { current: { releaseId: s.current.releaseId, version: s.current.version, at: s.current.completedAt ?? s.last?.at ?? new Date(0) } } : {}),
            ...(s.last ? { last: { releaseId: s.last.releaseId, version: s.last.version, deploymentId: s.last.deploymentId, status: s.last.status, at: s.last.at } } : {}),
            protected: s.environment.protected,
            ...(s.frozen ? { frozen: s.frozen } : {}),
          })),
        fallback.environmentRows,
      ),
  };
}
