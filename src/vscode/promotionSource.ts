// Where trees, the status bar and the dashboard get a release's promotion path from. Today it is
// derived from the release's deployments in the default environment order; the promotion manager
// (issue 4) replaces it with configured environments, can-promote and blockers. No 'vscode'.
import type { UnitOfWork } from '../core/ports';
import type { PromotionView } from '../shared/protocol';
import { DEFAULT_ENVIRONMENTS, derivePromotionSteps } from './promotionModel';

export interface PromotionSource {
  /** Environment names in promotion order. */
  environmentOrder(): Promise<string[]>;
  promotionPath(releaseId: string): Promise<PromotionView>;
}

export function derivedPromotionSource(uow: UnitOfWork): PromotionSource {
  return {
    environmentOrder: async () => [...DEFAULT_ENVIRONMENTS],
    promotionPath: async (releaseId) => ({
      source: 'deployments',
      steps: derivePromotionSteps(DEFAULT_ENVIRONMENTS, await uow.read((r) => r.deployments.list({ releaseId }))),
    }),
  };
}
