// Blue-green commands: set up a rollout (deploy the idle colour through the environment's pipeline),
// switch traffic (the next weight step, a given weight, or the whole plan), promote, abort, roll back,
// and configure an environment's traffic router. Each takes an argument object (tests, the Traffic
// tab, other extensions) or asks. Production actions ask for a modal confirmation; argument objects
// carry `confirm: true` instead. Long work runs under a progress notification that follows the
// rollout's state; the dashboard's buttons run the same code (runTrafficAction).
import * as vscode from 'vscode';
import { BLUE_GREEN_STATES, FINAL_STATES, formatSplit, otherColour, type BlueGreenStatus } from '../core/blueGreen';
import { NotFoundError, RefusedError, ValidationError } from '../core/model';
import type { Colour } from '../core/ports';
import type { TrafficAction } from '../shared/trafficView';
import { parseEnvironmentRouterSettings, storedRouterSettings } from '../traffic/environmentRouterSettings';
import { Commands } from './commandIds';
import type { CommandContext } from './commands';
import { Cancelled, input, isArgObject, pick, pickRelease, pickSession } from './prompts';
import { EnvironmentNode, isTreeNode, releaseRefOf } from './treeNodes';
import { ROUTER_TEMPLATE, TRAFFIC_ARG_SPECS, VERB, checkTrafficArgs, confirmation, parseRouterSettingsInput, parseWeightInput, type ArgSpec, type TrafficArgs } from './trafficArgs';
import type { FolderCore, WorkspaceSession } from './workspaceSession';

// ------------------------------------------------------------------------------ running an action

export interface TrafficActionRequest {
  core: FolderCore;
  log: vscode.LogOutputChannel;
  action: TrafficAction;
  releaseId: string;
  environment?: string;
  /** switch: the colour (default: the preview colour) and its weight; `plan` runs every remaining step. */
  colour?: Colour;
  weight?: number;
  plan?: boolean;
  full?: boolean;
  reason?: string;
  /** setup: strategy overrides (BlueGreenSetupOptions). */
  options?: Record<string, unknown>;
  /** Production was confirmed by the caller (`confirm: true`). */
  confirmed: boolean;
  /** A person is there: a production action asks in a modal dialog; results show as notifications. */
  interactive: boolean;
}

/** Runs one blue-green action; resolves with the rollout's status after it. */
export async function runTrafficAction(req: TrafficActionRequest): Promise<BlueGreenStatus> {
  const bg = req.core.blueGreen;
  if (req.action === 'setup') {
    if (!req.environment) throw new ValidationError('environment', 'is required: the environment to set the rollout up in');
    await req.core.colourDeployer.preflight(req.environment);
    const release = await req.core.releases.getRelease(req.releaseId);
    if (!release) throw new NotFoundError('release', req.releaseId);
    return withRolloutProgress(req, `Blue-green ${release.version} in ${req.environment}`, true, () => bg.setup(req.releaseId, req.environment as string, req.options ?? {}));
  }
  const status = await bg.status(req.releaseId, { environment: req.environment });
  if (!status) {
    const release = await req.core.releases.getRelease(req.releaseId);
    throw new RefusedError(`${release ? `release ${release.version}` : `release ${req.releaseId}`} has no blue-green rollout${req.environment ? ` in ${req.environment}` : ''}; set one up first (Release Manager: Set Up Blue-Green Rollout)`);
  }
  const env = status.environment;
  if (status.production && !req.confirmed) {
    const q = confirmation(req.action, status, req);
    if (!req.interactive) throw new RefusedError(`${env} is production: ${q.message} Pass confirm: true to do it without asking.`);
    const yes = VERB[req.action];
    const choice = await vscode.window.showWarningMessage(q.message, { modal: true, detail: q.detail }, yes);
    if (choice !== yes) throw new Cancelled();
  }
  const title = `Blue-green ${status.version} in ${env}`;
  req.log.info(`[${req.core.folder.name}] blue-green ${req.action} of ${status.version} in ${env}${req.weight !== undefined ? ` (${req.colour ?? status.previewColour} ${req.weight} %)` : ''}`);
  switch (req.action) {
    case 'switch': {
      const colour = req.colour ?? status.previewColour;
      // No weight: the next step, or every remaining step with `plan`.
      const weight = req.weight ?? (req.plan ? undefined : colour === status.previewColour ? status.nextStep : undefined);
      if (weight === undefined && !req.plan && colour === status.previewColour) {
        throw new RefusedError(`${status.version} in ${env} has no next step (${status.stateLabel}, ${formatSplit(status.weights)})`);
      }
      return withRolloutProgress(req, title, false, () => bg.switchTraffic(req.releaseId, colour, weight, { environment: env }));
    }
    case 'promote':
      return withRolloutProgress(req, title, false, () => bg.promote(req.releaseId, { environment: env, full: req.full }));
    case 'abort':
      return withRolloutProgress(req, title, false, () => bg.abort(req.releaseId, { environment: env, reason: req.reason }));
    case 'rollback':
      return withRolloutProgress(req, title, false, () => bg.rollback(req.releaseId, { environment: env, reason: req.reason }));
  }
}

/**
 * Runs `fn` under a progress notification that shows each state the rollout goes through;
 * cancelling a setup aborts it (the preview colour is discarded, traffic untouched).
 */
async function withRolloutProgress(req: TrafficActionRequest, title: string, cancellable: boolean, fn: () => Promise<BlueGreenStatus>): Promise<BlueGreenStatus> {
  const bg = req.core.blueGreen;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable },
    async (progress, token) => {
      const sub = bg.onDidChange((s) => {
        if (s.releaseId === req.releaseId && (!req.environment || s.environment === req.environment)) progress.report({ message: `${s.stateLabel} (${formatSplit(s.weights)})` });
      });
      const cancel = token.onCancellationRequested(() => {
        void bg.abort(req.releaseId, { environment: req.environment, reason: 'cancelled from the progress notification' }).catch((e: Error) => req.log.warn(`abort after cancel: ${e.message}`));
      });
      try {
        return await fn();
      } finally {
        sub.dispose();
        cancel.dispose();
      }
    },
  );
  if (req.interactive) {
    const text = `${result.version} in ${result.environment}: ${result.stateLabel} (${formatSplit(result.weights)})${result.reason ? ` — ${result.reason}` : ''}`;
    if (result.state === 'aborted' && req.action === 'setup') void vscode.window.showErrorMessage(text);
    else void vscode.window.showInformationMessage(text);
  }
  return result;
}

// ------------------------------------------------------------------------------ targets and pickers

const UNFINISHED = BLUE_GREEN_STATES.filter((s) => !FINAL_STATES.includes(s));

interface Target {
  session: WorkspaceSession;
  core: FolderCore;
  releaseId: string;
  environment?: string;
  args?: TrafficArgs;
}

/** The rollout a command acts on: an argument object, a release in the tree, or a pick among rollouts. */
async function rolloutTarget(ctx: CommandContext, arg: unknown, spec: ArgSpec, title: string, states: readonly string[]): Promise<Target> {
  if (isTreeNode(arg)) {
    const ref = releaseRefOf(arg);
    if (!ref) throw new ValidationError('arguments', `this ${arg.kind} does not belong to a release`);
    return { session: ref.session, core: await ref.session.core(), releaseId: ref.releaseId, environment: arg instanceof EnvironmentNode ? arg.environment : undefined };
  }
  if (arg !== undefined) {
    const args = checkTrafficArgs<TrafficArgs>(spec, arg);
    const session = await pickSession(ctx.sessions, args.folder, false);
    return { session, core: await session.core(), releaseId: args.releaseId, environment: args.environment, args };
  }
  const session = await pickSession(ctx.sessions, undefined, true);
  const core = await session.core();
  const rollouts = (await core.blueGreen.list({ state: states as BlueGreenStatus['state'][] }));
  if (!rollouts.length) throw new RefusedError(`There is no blue-green rollout to ${title.toLowerCase()} in ${session.name}.`);
  const chosen = await pick(
    rollouts.map((r) => ({
      label: `${r.version} · ${r.environment}`,
      description: `${r.stateLabel} (${formatSplit(r.weights)})`,
      detail: r.reason,
      rollout: r,
    })),
    { title: `${title}: which rollout?`, placeHolder: 'Type a version or an environment' },
  );
  return { session, core, releaseId: chosen.rollout.releaseId, environment: chosen.rollout.environment };
}

export async function pickEnvironment(core: FolderCore, title: string, purpose: 'setup' | 'router'): Promise<string> {
  const envs = await core.environments.listEnvironments();
  const pipelines = new Map((await core.pipelines?.listPipelines().catch(() => []) ?? []).map((p) => [p.id, p.name]));
  const chosen = await pick(
    envs.map((e) => {
      const kind = typeof e.router === 'object' && e.router !== null ? String((e.router as { kind?: unknown }).kind ?? 'router') : undefined;
      const pipeline = e.pipelineId ? (pipelines.get(e.pipelineId) ?? 'a pipeline') : undefined;
      return {
        label: e.name,
        description: [kind ? `${kind} router` : 'no traffic router', pipeline ? `pipeline ${pipeline}` : 'no pipeline', e.protected ? 'protected' : undefined].filter(Boolean).join(' · '),
        detail: purpose === 'setup' && (!kind || !pipeline) ? `Needs ${[!kind && 'router settings (Configure Traffic Router)', !pipeline && 'a pipeline'].filter(Boolean).join(' and ')} first` : undefined,
        name: e.name,
      };
    }),
    { title, placeHolder: purpose === 'setup' ? 'Where to deploy the idle colour and switch traffic' : 'Whose traffic router to configure' },
  );
  return chosen.name;
}

// ------------------------------------------------------------------------------ commands

export async function setupRollout(ctx: CommandContext, arg: unknown): Promise<BlueGreenStatus> {
  let session: WorkspaceSession;
  let core: FolderCore;
  let releaseId: string;
  let environment: string;
  let options: Record<string, unknown> | undefined;
  if (isArgObject(arg)) {
    const a = checkTrafficArgs<TrafficArgs>(TRAFFIC_ARG_SPECS.setup, arg);
    session = await pickSession(ctx.sessions, a.folder, false);
    core = await session.core();
    releaseId = a.releaseId;
    environment = a.environment as string;
    options = a.options;
  } else {
    const ref = isTreeNode(arg) ? releaseRefOf(arg) : undefined;
    if (isTreeNode(arg) && !ref) throw new ValidationError('arguments', `this ${arg.kind} does not belong to a release`);
    session = ref?.session ?? (await pickSession(ctx.sessions, undefined, true));
    core = await session.core();
    releaseId = ref?.releaseId ?? (await pickRelease(core, { statuses: ['planned', 'in_progress', 'deployed'], title: 'Set Up Blue-Green Rollout: which release?', purpose: 'to roll out' })).id;
    const release = await core.releases.getRelease(releaseId);
    environment = arg instanceof EnvironmentNode ? arg.environment : await pickEnvironment(core, `Set Up Blue-Green Rollout of ${release?.version ?? releaseId}: which environment?`, 'setup');
  }
  const interactive = !isArgObject(arg);
  const status = await runTrafficAction({ core, log: ctx.log, action: 'setup', releaseId, environment, options, confirmed: true, interactive });
  if (interactive && status.state === 'awaiting_promotion') {
    void vscode.commands.executeCommand(Commands.openDashboard, { releaseId, tab: 'traffic', folder: session.key }).then(undefined, (e) => ctx.reportError(e));
  }
  return status;
}

async function simpleAction(ctx: CommandContext, arg: unknown, action: 'promote' | 'abort' | 'rollback', title: string, states: readonly string[]): Promise<BlueGreenStatus> {
  const t = await rolloutTarget(ctx, arg, TRAFFIC_ARG_SPECS[action], title, states);
  return runTrafficAction({
    core: t.core, log: ctx.log, action, releaseId: t.releaseId, environment: t.environment,
    full: t.args?.full, reason: t.args?.reason, confirmed: t.args?.confirm === true, interactive: !t.args,
  });
}

export function promoteRollout(ctx: CommandContext, arg: unknown): Promise<BlueGreenStatus> {
  return simpleAction(ctx, arg, 'promote', 'Promote Blue-Green Rollout', ['awaiting_promotion', 'partial', 'post_switch_checks']);
}

export function abortRollout(ctx: CommandContext, arg: unknown): Promise<BlueGreenStatus> {
  return simpleAction(ctx, arg, 'abort', 'Abort Blue-Green Rollout', UNFINISHED);
}

export function rollbackTraffic(ctx: CommandContext, arg: unknown): Promise<BlueGreenStatus> {
  return simpleAction(ctx, arg, 'rollback', 'Roll Back Traffic', ['switching', 'partial', 'post_switch_checks', 'promoted']);
}

export async function switchTraffic(ctx: CommandContext, arg: unknown): Promise<BlueGreenStatus> {
  const t = await rolloutTarget(ctx, arg, TRAFFIC_ARG_SPECS.switch, 'Switch Traffic', ['awaiting_promotion', 'partial', 'post_switch_checks']);
  if (t.args) {
    return runTrafficAction({
      core: t.core, log: ctx.log, action: 'switch', releaseId: t.releaseId, environment: t.environment,
      colour: t.args.colour, weight: t.args.weight, plan: t.args.plan, confirmed: t.args.confirm === true, interactive: false,
    });
  }
  const s = await t.core.blueGreen.status(t.releaseId, { environment: t.environment });
  if (!s) throw new RefusedError('this release has no blue-green rollout; set one up first (Release Manager: Set Up Blue-Green Rollout)');
  const p = s.previewColour;
  type Item = vscode.QuickPickItem & { weight?: number; plan?: boolean; custom?: boolean };
  const pending = s.steps.filter((x) => x.weight > s.weights[p]);
  const items: Item[] = [
    ...(s.nextStep !== undefined ? [{ label: `Next step: ${p} ${s.nextStep} %`, description: `now ${formatSplit(s.weights)}`, weight: s.nextStep }] : []),
    ...pending.slice(1).map((x) => ({ label: `Step to ${p} ${x.weight} %`, weight: x.weight })),
    ...(pending.length > 1 ? [{ label: `The whole plan: ${pending.map((x) => x.weight).join(' → ')} %`, description: `watched ${s.strategy.stepBakeSeconds} s between steps`, plan: true }] : []),
    { label: 'Another weight…', description: `0–100 % for ${p}`, custom: true },
  ];
  const chosen = await pick(items, { title: `Switch Traffic of ${s.version} in ${s.environment}`, placeHolder: `${s.stateLabel}; ${formatSplit(s.weights)}` });
  let weight = chosen.weight;
  if (chosen.custom) {
    const text = await input({
      title: `Switch Traffic of ${s.version} in ${s.environment}: ${p}'s share`,
      prompt: `A whole number from 0 to 100: the share of ${s.environment}'s traffic for ${p} (0 sends everything back to ${otherColour(p)})`,
      value: String(s.nextStep ?? 100),
      check: (v) => parseWeightInput(v),
    });
    weight = parseWeightInput(text);
  }
  return runTrafficAction({ core: t.core, log: ctx.log, action: 'switch', releaseId: t.releaseId, environment: s.environment, weight, plan: chosen.plan, confirmed: false, interactive: true });
}

// ------------------------------------------------------------------------------ router settings

export async function configureRouter(ctx: CommandContext, arg: unknown): Promise<{ environment: string; router: Record<string, unknown> | null }> {
  let core: FolderCore;
  let environment: string;
  let router: Record<string, unknown> | null;
  if (isArgObject(arg)) {
    const a = checkTrafficArgs<{ folder?: string; environment: string; settings: unknown }>(TRAFFIC_ARG_SPECS.configureRouter, arg);
    core = await (await pickSession(ctx.sessions, a.folder, false)).core();
    environment = a.environment;
    await core.environments.getEnvironment(environment); // a missing environment is named before the settings
    router = a.settings === null ? null : storedRouterSettings(parseEnvironmentRouterSettings(environment, a.settings));
  } else {
    const session = isTreeNode(arg) && 'session' in arg ? arg.session : await pickSession(ctx.sessions, undefined, true);
    core = await session.core();
    environment = arg instanceof EnvironmentNode ? arg.environment : await pickEnvironment(core, 'Configure Traffic Router: which environment?', 'router');
    const current = (await core.environments.getEnvironment(environment)).router;
    const text = await input({
      title: `Configure Traffic Router: ${environment}`,
      prompt: 'JSON: kind haproxy | nginx | command, its settings, endpoints (each colour\'s healthUrl, smokeUrl), optional scaleDownCommand and blueGreen strategy. Empty removes the settings.',
      value: JSON.stringify(current ?? ROUTER_TEMPLATE),
      check: (v) => parseRouterSettingsInput(environment, v),
    });
    router = parseRouterSettingsInput(environment, text);
    if (router === null && current !== undefined) {
      const yes = 'Remove';
      const choice = await vscode.window.showWarningMessage(`Remove the traffic router settings of ${environment}? Blue-green rollouts there stop working until it has new ones.`, { modal: true }, yes);
      if (choice !== yes) throw new Cancelled();
    }
  }
  await core.environments.updateEnvironment(environment, { router });
  ctx.log.info(`[${core.folder.name}] traffic router of ${environment} ${router ? `set (${String(router.kind)})` : 'removed'}`);
  if (!isArgObject(arg)) void vscode.window.showInformationMessage(router ? `Saved the ${String(router.kind)} router settings of ${environment}.` : `Removed the traffic router settings of ${environment}.`);
  return { environment, router };
}

export const TRAFFIC_HANDLERS = {
  [Commands.setupBlueGreen]: setupRollout,
  [Commands.switchTraffic]: switchTraffic,
  [Commands.promoteBlueGreen]: promoteRollout,
  [Commands.abortBlueGreen]: abortRollout,
  [Commands.rollbackTraffic]: rollbackTraffic,
  [Commands.configureRouter]: configureRouter,
} as const;
