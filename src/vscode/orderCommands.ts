// "Show Deployment Order": the release's services in waves. A person gets the dashboard's Services
// tab (graph and order list, with an environment picker); code gets the DeploymentOrder[] (a cycle
// is refused with the core's message naming it).
import type { DeploymentOrder } from '../core/model';
import { ARG_SPECS, type DeploymentOrderArgs } from './commandArgs';
import type { CommandContext } from './commands';
import { releaseTarget } from './prompts';

/** One line per service for the log: `wave 1 #3 api (needs auth, db) — not ready: …`. */
export function orderLines(order: readonly DeploymentOrder[]): string[] {
  return order.map(
    (o) =>
      `wave ${o.wave} #${o.order} ${o.service}${o.dependencies.length ? ` (needs ${o.dependencies.join(', ')})` : ''}${o.ready ? '' : ` — not ready: ${o.reason ?? 'no reason given'}`}`,
  );
}

export async function deploymentOrder(ctx: CommandContext, arg: unknown): Promise<DeploymentOrder[] | undefined> {
  const t = await releaseTarget(ctx.sessions, arg, ARG_SPECS.deploymentOrder, {
    statuses: ['planned', 'in_progress', 'deployed'],
    title: 'Show Deployment Order: which release?',
    purpose: 'to order',
  });
  if (t.args) {
    const order = await t.core.dependencyOrder.calculateDeploymentOrder(t.releaseId, (t.args as DeploymentOrderArgs).environment);
    ctx.log.info(`deployment order of ${t.releaseId}${(t.args as DeploymentOrderArgs).environment ? ` to ${(t.args as DeploymentOrderArgs).environment}` : ''}:\n  ${orderLines(order).join('\n  ') || '(no services)'}`);
    return order;
  }
  // The Services tab shows the order beside the graph, and a cycle drawn with its edges marked.
  await ctx.dashboards.open(t.session, t.releaseId, 'services');
  return undefined;
}
