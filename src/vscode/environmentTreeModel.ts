// The Environments view's data: each environment in order with the release running there and its
// last deployment; and an environment's deployment history. No 'vscode'.
import type { Deployment, DeploymentStatus } from '../core/model';
import type { Repositories, UnitOfWork } from '../core/ports';
import { deploymentTime, environmentOrder } from './promotionModel';

export interface DeploymentRow {
  deployment: Deployment;
  /** The release's version, when the release still exists. */
  version?: string;
}

export interface EnvironmentRow {
  environment: string;
  /** What runs there: the release of the latest completed deployment. */
  current?: { releaseId?: string; version?: string; at: Date };
  /** The latest deployment there, whatever its state. */
  last?: { releaseId?: string; version?: string; deploymentId: string; status: DeploymentStatus; at: Date };
  /** Promotion there needs an approval. */
  protected?: boolean;
  /** The freeze in force now, as a sentence. */
  frozen?: string;
}

/** How far back environments that only deployments name are looked for. */
const RECENT_FOR_NAMES = 500;
export const HISTORY_LIMIT = 50;

/** Rows derived from deployments alone (before environments are configured, or when they cannot be read). */
export async function loadEnvironmentRows(uow: UnitOfWork, configured: readonly string[]): Promise<EnvironmentRow[]> {
  return uow.read(async (r) => {
    const seen = (await r.deployments.list({ limit: RECENT_FOR_NAMES })).map((d) => d.environment);
    const versions = versionLookup(r);
    const rows: EnvironmentRow[] = [];
    for (const environment of environmentOrder(configured, seen)) {
      const [last] = await r.deployments.list({ environment, limit: 1 });
      const [current] = last?.status === 'completed' ? [last] : await r.deployments.list({ environment, status: 'completed', limit: 1 });
      const row: EnvironmentRow = { environment };
      if (current) row.current = { releaseId: current.releaseId, version: await versions(current.releaseId), at: deploymentTime(current) };
      if (last) {
        row.last = { releaseId: last.releaseId, version: await versions(last.releaseId), deploymentId: last.id, status: last.status, at: deploymentTime(last) };
      }
      rows.push(row);
    }
    return rows;
  });
}

export async function loadEnvironmentHistory(uow: UnitOfWork, environment: string, limit = HISTORY_LIMIT): Promise<DeploymentRow[]> {
  return uow.read(async (r) => {
    const versions = versionLookup(r);
    const out: DeploymentRow[] = [];
    for (const deployment of await r.deployments.list({ environment, limit })) out.push({ deployment, version: await versions(deployment.releaseId) });
    return out;
  });
}

function versionLookup(r: Repositories): (releaseId: string | undefined) => Promise<string | undefined> {
  const cache = new Map<string, string | undefined>();
  return async (id) => {
    if (!id) return undefined;
    if (!cache.has(id)) cache.set(id, (await r.releases.get(id))?.version);
    return cache.get(id);
  };
}
