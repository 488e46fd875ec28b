// Quick picks for the promotion, environment and pipeline commands: which environment, pipeline,
// deployment or run a command acts on — from a tree node, an argument object, or a picker.
import * as vscode from 'vscode';
import { RefusedError, ValidationError, type Deployment, type Environment, type PipelineDefinition, type PipelineRun, type PipelineRunStatus } from '../core/model';
import { describeFreezeWindow } from '../core/freezeWindows';
import { checkArgs } from './commandArgs';
import { Cancelled, pick, pickSession } from './prompts';
import type { CommandContext } from './commands';
import { EnvironmentNode, isTreeNode } from './treeNodes';
import type { FolderCore, WorkspaceSession } from './workspaceSession';

export type ArgSpec = Parameters<typeof checkArgs>[0];

export { FOLDER_ARG, REQUIRED_TEXT, TEXT } from './promotionArgs';

export interface EnvironmentTarget {
  session: WorkspaceSession;
  core: FolderCore;
  environment: Environment;
  /** The argument object, when called with one (shape-checked). */
  args?: Record<string, unknown>;
}

/** From an Environments-tree node, an argument object naming `environment`, or a picker. */
export async function environmentTarget(ctx: CommandContext, arg: unknown, spec: ArgSpec, title: string): Promise<EnvironmentTarget> {
  if (arg instanceof EnvironmentNode) {
    const core = await arg.session.core();
    return { session: arg.session, core, environment: await core.environments.getEnvironment(arg.environment) };
  }
  if (isTreeNode(arg)) throw new ValidationError('arguments', `run this from an environment, not a ${arg.kind}`);
  if (arg !== undefined) {
    const args = checkArgs<Record<string, unknown> & { folder?: string; environment: string }>(spec, arg);
    const session = await pickSession(ctx.sessions, args.folder, false);
    const core = await session.core();
    return { session, core, environment: await core.environments.getEnvironment(args.environment), args };
  }
  const session = await pickSession(ctx.sessions, undefined, true);
  const core = await session.core();
  return { session, core, environment: await pickEnvironment(core, title) };
}

/** An environment in promotion order, each with what runs there and its settings. */
export async function pickEnvironment(core: FolderCore, title: string, filter?: (e: Environment) => boolean, empty?: string): Promise<Environment> {
  const [envs, status, pipelines] = await Promise.all([core.environments.listEnvironments(), core.environments.environmentStatus(), core.pipelines.listPipelines()]);
  const shown = filter ? envs.filter(filter) : envs;
  if (!shown.length) throw new RefusedError(empty ?? `There are no environments in ${core.folder.name}.`);
  const chosen = await pick(
    shown.map((e) => {
      const s = status.find((x) => x.environment.id === e.id);
      return {
        label: e.name,
        description: s?.current ? `${s.current.version} ✓` : 'nothing deployed',
        detail: environmentDetail(e, pipelines) + (s?.frozen ? ` · ${s.frozen}` : ''),
        environment: e,
      };
    }),
    { title, placeHolder: 'Type an environment name' },
  );
  return chosen.environment;
}

/** "protected · pipeline 'deploy' · guided failure" */
export function environmentDetail(e: Environment, pipelines: readonly PipelineDefinition[]): string {
  const pipeline = e.pipelineId ? pipelines.find((p) => p.id === e.pipelineId) : undefined;
  return [
    e.protected ? `protected${e.requireDifferentApprover ? ' (a different approver)' : ''}` : 'not protected',
    pipeline ? `pipeline '${pipeline.name}'` : 'no pipeline',
    e.guidedFailure ? 'guided failure' : undefined,
    e.freezeWindows.length ? `${e.freezeWindows.length} freeze window${e.freezeWindows.length === 1 ? '' : 's'}` : undefined,
  ].filter(Boolean).join(' · ');
}

export async function pickPipeline(core: FolderCore, title: string, options: { none?: string; preferred?: string } = {}): Promise<PipelineDefinition | undefined> {
  const pipelines = await core.pipelines.listPipelines();
  if (!pipelines.length && !options.none) {
    throw new RefusedError(`There are no pipelines in ${core.folder.name} yet: run "Create Pipeline" or declare them in .vscode/release-pipelines.json.`);
  }
  const sorted = [...pipelines].sort((a, b) => Number(b.id === options.preferred) - Number(a.id === options.preferred) || a.name.localeCompare(b.name));
  const items: (vscode.QuickPickItem & { pipeline?: PipelineDefinition })[] = sorted.map((p) => ({
    label: p.name,
    description: `${p.steps.length} step${p.steps.length === 1 ? '' : 's'}${p.source === 'file' ? ' · .vscode/release-pipelines.json' : ''}${p.id === options.preferred ? ' · current' : ''}`,
    detail: p.steps.map((s) => `${s.name} (${s.type})`).join(' → '),
    pipeline: p,
  }));
  if (options.none) items.push({ label: options.none, description: 'no pipeline' });
  const chosen = await pick(items, { title, placeHolder: 'Type a pipeline name' });
  return chosen.pipeline;
}

export const LIVE_RUN: PipelineRunStatus[] = ['running', 'waiting_approval', 'interrupted'];

/** A run this window drives, in one of `statuses`. */
export async function pickRun(core: FolderCore, title: string, statuses: PipelineRunStatus[], what: string): Promise<PipelineRun> {
  const runs = (await core.pipelines.listRuns({ limit: 100 })).filter((r) => statuses.includes(r.status) && !r.endedAt && core.pipelines.isActive(r.id));
  if (!runs.length) throw new RefusedError(`No pipeline run in ${core.folder.name} is ${what} in this window.`);
  const labels = await deploymentLabels(core, runs.map((r) => r.deploymentId));
  const chosen = await pick(
    runs.map((r) => {
      const step = r.steps[r.currentStep];
      return {
        label: `${r.pipelineName}: ${labels.get(r.deploymentId) ?? 'a deployment'}`,
        description: r.status.replace('_', ' '),
        detail: step ? `step ${step.index + 1} of ${r.steps.length}: ${step.name}${r.interruption ? ` — ${r.interruption.reason}` : ''}` : undefined,
        run: r,
      };
    }),
    { title, placeHolder: 'Type a pipeline, version or environment' },
  );
  return chosen.run;
}

/** "1.2.0 → staging" per deployment id. */
export async function deploymentLabels(core: FolderCore, ids: readonly string[]): Promise<Map<string, string>> {
  return core.uow.read(async (r) => {
    const out = new Map<string, string>();
    for (const id of ids) {
      const d = await r.deployments.get(id);
      if (!d) continue;
      const rel = d.releaseId ? await r.releases.get(d.releaseId) : null;
      out.set(id, `${rel?.version ?? 'unknown release'} → ${d.environment}`);
    }
    return out;
  });
}

export async function pickDeployment(core: FolderCore, title: string, deployments: readonly Deployment[], empty: string): Promise<Deployment> {
  if (!deployments.length) throw new RefusedError(empty);
  const labels = await deploymentLabels(core, deployments.map((d) => d.id));
  const chosen = await pick(
    deployments.map((d) => ({
      label: labels.get(d.id) ?? d.environment,
      description: d.status.replace('_', ' '),
      detail: `created ${d.createdAt.toLocaleString()}${typeof d.metadata?.pipelineName === 'string' ? ` · pipeline '${d.metadata.pipelineName}'` : ''}`,
      deployment: d,
    })),
    { title, placeHolder: 'Type a version or an environment' },
  );
  return chosen.deployment;
}

/** A modal question; resolves when `action` was chosen, throws Cancelled otherwise. */
export async function confirm(message: string, detail: string, action: string): Promise<void> {
  const choice = await vscode.window.showWarningMessage(message, { modal: true, detail }, action);
  if (choice !== action) throw new Cancelled();
}

export function freezeLabel(w: Environment['freezeWindows'][number]): string {
  return `${w.name}: ${describeFreezeWindow(w)}`;
}
