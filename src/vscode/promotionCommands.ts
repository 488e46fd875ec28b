// Promotion commands: promote a release (its path's blockers spelled out; an override takes a typed
// reason), request / approve / reject an approval, mark a deployment's status by hand (environments
// without a pipeline), redeploy or roll back an environment. Each takes an argument object or asks.
import * as vscode from 'vscode';
import { RefusedError, ValidationError, type Deployment, type DeploymentStatus, type PromotionOptions } from '../core/model';
import { describe, optionalText, requireText } from '../core/validate';
import { checkArgs } from './commandArgs';
import { Commands } from './commandIds';
import type { CommandContext } from './commands';
import { confirm, deploymentLabels, environmentTarget, pickDeployment, pickEnvironment } from './environmentPrompts';
import { STATE_LABEL } from './promotionModel';
import { Cancelled, input, pick, pickSession, releaseTarget } from './prompts';
import { DeploymentNode, isTreeNode } from './treeNodes';
import type { FolderCore } from './workspaceSession';

// The argument specs live in promotionArgs.ts (pure, read by the fuzz tests).
export { PROMOTION_ARGS } from './promotionArgs';
import { PROMOTION_ARGS } from './promotionArgs';

const override = (reason: string | undefined): PromotionOptions => (reason === undefined ? {} : { override: { reason } });

async function askOverrideReason(title: string): Promise<string> {
  return input({
    title,
    prompt: 'Why are the checks skipped? Recorded in the audit log with your name.',
    check: (v) => requireText('override.reason', v, { max: 2000 }),
  });
}

/** After a deployment was created: the pipeline's progress notification takes over, or the person is told what is next. */
function announce(core: FolderCore, d: Deployment, version: string, what: string): void {
  if (d.pipelineId) return;
  void vscode.window
    .showInformationMessage(
      `${what} ${version} to ${d.environment}: the deployment is pending, as ${d.environment} has no pipeline. Deploy it your way, then mark it in progress and completed.`,
      'Mark Deployment Status',
    )
    .then((a) => {
      if (a) void vscode.commands.executeCommand(Commands.markDeployment, { folder: core.folder.uri.toString(), deploymentId: d.id, status: 'in_progress' });
    });
}

export async function promote(ctx: CommandContext, arg: unknown): Promise<Deployment> {
  const t = await releaseTarget(ctx.sessions, arg, PROMOTION_ARGS.promote, {
    statuses: ['planned', 'in_progress'],
    title: 'Promote Release: which release?',
    purpose: 'to promote',
  });
  const { core } = t;
  if (t.args) {
    const a = t.args as unknown as { environment: string; pipeline?: string; overrideReason?: string };
    return core.environments.promoteToEnvironment(t.releaseId, a.environment, a.pipeline, override(a.overrideReason));
  }
  const path = await core.environments.getPromotionPath(t.releaseId);
  const pipelines = await core.pipelines.listPipelines();
  const envs = await core.environments.listEnvironments();
  const chosen = await pick(
    path.environments.map((s) => {
      const env = envs.find((e) => e.name === s.environment);
      const pipeline = env?.pipelineId ? pipelines.find((p) => p.id === env.pipelineId)?.name : undefined;
      return {
        label: s.environment,
        description: [STATE_LABEL[s.state], s.current && s.current.releaseId !== t.releaseId ? `runs ${s.current.version}` : undefined].filter(Boolean).join(' · '),
        detail: s.canPromote
          ? `$(check) can be promoted now · ${pipeline ? `runs pipeline '${pipeline}'` : 'no pipeline: you mark the deployment'}`
          : `$(circle-slash) ${s.blockers[0]}${s.blockers.length > 1 ? ` (+${s.blockers.length - 1} more)` : ''}`,
        step: s,
      };
    }),
    { title: `Promote Release ${path.version}: to which environment?`, placeHolder: 'Each environment says whether it can be promoted to now, and if not, why' },
  );
  const step = chosen.step;
  let options: PromotionOptions = {};
  if (!step.canPromote) {
    const action = 'Override…';
    const choice = await vscode.window.showWarningMessage(
      `${path.version} cannot be promoted to ${step.environment} now.`,
      { modal: true, detail: `${step.blockers.map((b) => `• ${b}`).join('\n')}\n\nAn override skips the order, freeze and approval checks (never a deployment in progress or a cancelled release); it is audited with your reason.` },
      action,
    );
    // The dialog showed the core's reasons; dismissing it ends the command quietly.
    if (choice !== action) throw new Cancelled();
    options = override(await askOverrideReason(`Promote ${path.version} to ${step.environment} anyway`));
  }
  const d = await core.environments.promoteToEnvironment(t.releaseId, step.environment, undefined, options);
  announce(core, d, path.version, 'Promoting');
  return d;
}

type Decision = 'request' | 'approve' | 'reject';

async function approval(ctx: CommandContext, arg: unknown, decision: Decision) {
  const verb = { request: 'Request Promotion Approval', approve: 'Approve Promotion', reject: 'Reject Promotion' }[decision];
  const t = await releaseTarget(ctx.sessions, arg, PROMOTION_ARGS.approval, {
    statuses: ['planned', 'in_progress'],
    title: `${verb}: which release?`,
    purpose: decision === 'request' ? 'to request an approval for' : `to ${decision}`,
  });
  const { core } = t;
  const release = await core.releases.getRelease(t.releaseId);
  const version = release?.version ?? t.releaseId;
  let environment: string;
  let comment: string | undefined;
  if (t.args) {
    const a = t.args as unknown as { environment: string; comment?: string };
    environment = a.environment;
    comment = a.comment;
  } else {
    const pending = new Set((await core.environments.listApprovals({ releaseId: t.releaseId })).filter((a) => a.status === 'pending').map((a) => a.environment));
    const env = await pickEnvironment(
      core,
      `${verb} ${version}: which environment?`,
      decision === 'request' ? (e) => e.protected : (e) => pending.has(e.name),
      decision === 'request'
        ? `No environment of ${core.folder.name} is protected: promotion needs no approval (Edit Environment Settings makes one protected).`
        : `No approval of ${version} is pending; request one first ("Request Promotion Approval").`,
    );
    environment = env.name;
    const c = await input({
      title: `${verb} ${version} for ${environment}`,
      prompt: decision === 'reject' ? 'Why is it rejected? (optional, shown with the decision)' : 'A comment (optional)',
      check: (v) => optionalText('comment', v, { max: 2000 }),
    });
    comment = c.trim() === '' ? undefined : c;
  }
  const who = await core.identity.currentUser();
  const result =
    decision === 'request'
      ? await core.environments.requestApproval(t.releaseId, environment, comment)
      : decision === 'approve'
        ? await core.environments.approve(t.releaseId, environment, who, comment)
        : await core.environments.reject(t.releaseId, environment, who, comment);
  if (!t.args) {
    const done = { request: `Requested an approval of ${version} for ${result.environment}.`, approve: `Approved ${version} for ${result.environment}.`, reject: `Rejected ${version} for ${result.environment}.` }[decision];
    void vscode.window.showInformationMessage(done);
  }
  return result;
}

export const requestApproval = (ctx: CommandContext, arg: unknown) => approval(ctx, arg, 'request');
export const approvePromotion = (ctx: CommandContext, arg: unknown) => approval(ctx, arg, 'approve');
export const rejectPromotion = (ctx: CommandContext, arg: unknown) => approval(ctx, arg, 'reject');

const DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = ['pending', 'in_progress', 'completed', 'failed', 'rolled_back'];
const NEXT: Partial<Record<DeploymentStatus, DeploymentStatus[]>> = { pending: ['in_progress'], in_progress: ['completed', 'failed'], completed: ['rolled_back'] };

/** For environments without a pipeline: the person says how the deployment went. */
export async function markDeployment(ctx: CommandContext, arg: unknown): Promise<Deployment> {
  // From a deployment in a tree: that one; the status is asked.
  const node = arg instanceof DeploymentNode ? arg : undefined;
  if (isTreeNode(arg) && !node) throw new ValidationError('arguments', `run this from a deployment, not a ${arg.kind}`);
  const a = arg === undefined || node ? undefined : checkArgs<{ folder?: string; deploymentId: string; status: string; note?: string }>(PROMOTION_ARGS.markDeployment, arg);
  if (a && !(DEPLOYMENT_STATUSES as readonly string[]).includes(a.status)) {
    throw new ValidationError('arguments.status', `expected one of ${DEPLOYMENT_STATUSES.join(', ')}, got ${describe(a.status)}`);
  }
  const session = node?.session ?? (await pickSession(ctx.sessions, a?.folder, !a));
  const core = await session.core();
  let deploymentId: string;
  let status: DeploymentStatus;
  let note: string | undefined;
  if (a) {
    deploymentId = a.deploymentId;
    status = a.status as DeploymentStatus;
    note = a.note;
  } else {
    const active = await core.environments.listDeployments({ status: ['pending', 'in_progress'] });
    const d = node
      ? ((await core.environments.getDeployment(node.deployment.id)) ?? node.deployment)
      : await pickDeployment(core, 'Mark Deployment Status: which deployment?', active, `No deployment in ${core.folder.name} is pending or in progress.`);
    if (!NEXT[d.status]?.length) throw new RefusedError(`the deployment is ${STATE_LABEL[d.status]}, which is final`);
    const label = (await deploymentLabels(core, [d.id])).get(d.id) ?? d.environment;
    const next = await pick(
      (NEXT[d.status] ?? []).map((s) => ({ label: STATE_LABEL[s], status: s })),
      { title: `Mark Deployment Status: ${label} is ${STATE_LABEL[d.status]}; it is now…` },
    );
    deploymentId = d.id;
    status = next.status;
    const n = await input({ title: `Mark ${label} ${STATE_LABEL[status]}`, prompt: status === 'failed' ? 'What went wrong? (optional)' : 'A note (optional)', check: (v) => optionalText('note', v, { max: 2000 }) });
    note = n.trim() === '' ? undefined : n;
  }
  // A pipeline moves its own deployment; marking it by hand would race the run.
  const live = (await core.pipelines.listRuns({ deploymentId })).find((r) => !r.endedAt && ['running', 'waiting_approval', 'interrupted'].includes(r.status));
  if (live) throw new RefusedError(`the pipeline '${live.pipelineName}' is running this deployment (${live.status.replace('_', ' ')}); it sets the status itself — cancel the run to stop it`);
  return core.environments.transitionDeployment(deploymentId, status, note);
}

async function deployAgain(ctx: CommandContext, arg: unknown, kind: 'redeploy' | 'rollback'): Promise<Deployment> {
  const verb = kind === 'redeploy' ? 'Redeploy Environment' : 'Roll Back Environment';
  const t = await environmentTarget(ctx, arg, kind === 'redeploy' ? PROMOTION_ARGS.redeploy : PROMOTION_ARGS.rollback, `${verb}: which environment?`);
  const { core, environment } = t;
  if (t.args) {
    const a = t.args as { releaseId?: string; pipeline?: string; overrideReason?: string };
    const options = { ...override(a.overrideReason), ...(a.pipeline !== undefined ? { pipelineId: a.pipeline } : {}) };
    return kind === 'redeploy'
      ? core.environments.redeploy(environment.name, { ...options, ...(a.releaseId !== undefined ? { releaseId: a.releaseId } : {}) })
      : core.environments.rollbackEnvironment(environment.name, options);
  }
  const status = (await core.environments.environmentStatus()).find((s) => s.environment.id === environment.id);
  if (!status?.current) throw new RefusedError(`${environment.name} runs no release; there is nothing to ${kind === 'redeploy' ? 'redeploy' : 'roll back'}`);
  await confirm(
    kind === 'redeploy' ? `Redeploy ${status.current.version} to ${environment.name}?` : `Roll ${environment.name} back from ${status.current.version}?`,
    kind === 'redeploy'
      ? `${environment.name}'s pipeline runs again for the release running there.`
      : `The release ${environment.name} ran before ${status.current.version} is deployed again; ${status.current.version}'s deployment is marked rolled back once it completes.`,
    kind === 'redeploy' ? 'Redeploy' : 'Roll Back',
  );
  let options: PromotionOptions = {};
  if (status.frozen) {
    await confirm(`${status.frozen}.`, 'An override deploys anyway; it is audited with your reason.', 'Override…');
    options = override(await askOverrideReason(`${verb} ${environment.name} during a freeze`));
  }
  const d = kind === 'redeploy' ? await core.environments.redeploy(environment.name, options) : await core.environments.rollbackEnvironment(environment.name, options);
  const version = (await core.releases.getRelease(d.releaseId ?? ''))?.version ?? 'the release';
  announce(core, d, version, kind === 'redeploy' ? 'Redeploying' : 'Rolling back to');
  return d;
}

export const redeployEnvironment = (ctx: CommandContext, arg: unknown) => deployAgain(ctx, arg, 'redeploy');
export const rollbackEnvironment = (ctx: CommandContext, arg: unknown) => deployAgain(ctx, arg, 'rollback');
