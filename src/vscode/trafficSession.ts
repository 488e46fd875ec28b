// The blue-green half of a folder's session (issue 6): the router factory over each environment's
// router settings, the preview deploy through the environment's pipeline, the scale-down command,
// and the manager over them. WorkspaceSession builds one per open database; this owns the
// listeners: transitions to the log, automatic rollbacks and reconciliations as notifications.
// The deploy's output reaches the log as any pipeline run's does (pipelineRunUi.ts), once.
import * as vscode from 'vscode';
import { STATE_LABELS, formatSplit, type AutoRollbackEvent, type ReconcileOutcome } from '../core/blueGreen';
import type { RunOwner } from '../core/model';
import { PipelineColourDeployer, type ColourPipelineRuns } from '../core/pipelineColourDeployer';
import type { Clock, Identity, UnitOfWork, WorkspaceTrust } from '../core/ports';
import { BlueGreenDeploymentManager } from '../core/releases/BlueGreenDeploymentManager';
import type { EnvironmentPromotionManager } from '../core/releases/EnvironmentPromotionManager';
import { NodeProcessRunner } from '../process/processRunner';
import { ProcessRunOwnership } from '../process/runOwner';
import { colourChecks } from '../traffic/colourChecks';
import { CommandColourScaler, environmentRouterLoader } from '../traffic/environmentRouterSettings';
import { SettingsRouterFactory } from '../traffic/routerFactory';
import { Commands } from './commandIds';

/** The blue-green managers a folder's core carries. */
export interface TrafficManagers {
  blueGreen: BlueGreenDeploymentManager;
  /** Deploys the preview colour through the environment's pipeline; `preflight` refuses early. */
  colourDeployer: PipelineColourDeployer;
  /** What activation does: reconcile rollouts a stopped window left (e.g. mid-switch) and say so in notifications. */
  reconcileRollouts(): Promise<ReconcileOutcome[]>;
}

export interface TrafficDeps {
  folder: vscode.WorkspaceFolder;
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  environments: EnvironmentPromotionManager;
  pipelines: ColourPipelineRuns;
  log: vscode.LogOutputChannel;
}

/** Blue-green notifications shown in this extension host, newest last (the integration tests read them). */
export const trafficNotices: string[] = [];

function notice(text: string): void {
  trafficNotices.push(text);
  if (trafficNotices.length > 50) trafficNotices.shift();
}

export const workspaceTrust: WorkspaceTrust = { isTrusted: () => vscode.workspace.isTrusted };

export class TrafficSession implements vscode.Disposable {
  readonly managers: TrafficManagers;
  private readonly runner = new NodeProcessRunner();
  private readonly subscriptions: { dispose(): void }[] = [];

  constructor(private readonly deps: TrafficDeps) {
    const { folder, uow, clock, identity, environments, pipelines } = deps;
    const cwd = folder.uri.fsPath;
    const ownership = new ProcessRunOwnership();
    const colourDeployer = new PipelineColourDeployer({ uow, promotions: environments, pipelines });
    const blueGreen = new BlueGreenDeploymentManager({
      uow,
      clock,
      identity,
      trust: workspaceTrust,
      routers: new SettingsRouterFactory({ load: environmentRouterLoader(environments), trust: workspaceTrust, defaultCwd: cwd }),
      deployer: colourDeployer,
      checks: colourChecks,
      scaler: new CommandColourScaler({
        environments,
        runner: this.runner,
        trust: workspaceTrust,
        cwd,
        onOutput: (env, colour, text) => this.log('info', `scale-down of ${colour} in ${env}: ${text.trimEnd()}`),
      }),
      // The extension host's process: reconciliation leaves a rollout another live window drives alone.
      owner: JSON.stringify(ownership.current()),
      ownerAlive: async (owner) => {
        let parsed: RunOwner;
        try {
          parsed = JSON.parse(owner) as RunOwner;
        } catch {
          return false;
        }
        return ownership.isAlive(parsed);
      },
    });
    this.managers = { blueGreen, colourDeployer, reconcileRollouts: () => this.start() };
    this.subscriptions.push(
      blueGreen.onAutoRollback((e) => this.autoRollback(e)),
      blueGreen.onDidChange((s) => {
        this.log('info', `blue-green ${s.version} in ${s.environment}: ${s.stateLabel} (${formatSplit(s.weights)})${s.reason ? ` — ${s.reason}` : ''}`);
        void colourDeployer.rolloutChanged(s).then(
          (e) => {
            if (e?.deployment) this.log('info', `deployment of ${s.version} to ${s.environment} marked rolled back: the rollout was ${s.stateLabel}`);
            if (e?.release) this.log('info', `release ${s.version} is ${e.release.status.replace('_', ' ')}: the rollout in ${s.environment} was ${s.stateLabel}`);
          },
          (err: Error) => this.log('warn', `the records of ${s.version} in ${s.environment} did not follow the rollout (${s.stateLabel}): ${err.message}`),
        );
      }),
    );
  }

  /** After the database opened: resolve what a stopped window left mid-switch (not awaited by the caller). */
  async start(): Promise<ReconcileOutcome[]> {
    const outcomes = await this.managers.blueGreen.reconcile();
    for (const o of outcomes) this.reconciled(o);
    // Records a closed window left behind the traffic (a deployment still completed after an abort,
    // a release not yet deployed after a promotion) follow now.
    const ended = await this.managers.blueGreen.list({ state: ['promoted', 'aborted', 'rolled_back'] });
    for (const f of await this.managers.colourDeployer.followEnded(ended)) {
      const what = `blue-green rollout of ${f.rollout.version} in ${f.rollout.environment} (${STATE_LABELS[f.rollout.state]})`;
      if (f.error) this.log('warn', `the records did not follow the ${what}: ${f.error}`);
      else if (f.effect?.deployment) this.log('info', `at start: the deployment of the ${what} marked rolled back`);
      else if (f.effect?.release) this.log('info', `at start: release ${f.rollout.version} is ${f.effect.release.status.replace('_', ' ')} after the ${what}`);
    }
    return outcomes;
  }

  private reconciled(o: ReconcileOutcome): void {
    const release = o.releaseId;
    if (o.to === o.from) {
      this.log(o.note.startsWith('not reconciled') ? 'warn' : 'info', `blue-green rollout in ${o.environment}: ${o.note}`);
      if (o.note.startsWith('not reconciled')) {
        this.show('warning', `Release Manager could not reconcile the blue-green rollout in ${o.environment}: ${o.note.slice('not reconciled: '.length)}`, release);
      }
      return;
    }
    const text = `Release Manager reconciled the blue-green rollout in ${o.environment} after a restart: ${o.note}. It is now ${STATE_LABELS[o.to]}.`;
    this.log('info', text);
    this.show(o.from === 'switching' ? 'warning' : 'info', text, release);
  }

  private autoRollback(e: AutoRollbackEvent): void {
    this.log(e.ok ? 'warn' : 'error', e.message);
    this.show(e.ok ? 'warning' : 'error', e.message, e.releaseId);
  }

  private show(level: 'info' | 'warning' | 'error', text: string, releaseId: string): void {
    notice(text);
    const open = 'Open Traffic Tab';
    const fn = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    void fn(text, open).then((choice) => {
      if (choice === open) {
        void vscode.commands.executeCommand(Commands.openDashboard, { releaseId, tab: 'traffic', folder: this.deps.folder.uri.toString() }).then(undefined, () => undefined);
      }
    });
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    this.deps.log[level](`[${this.deps.folder.name}] ${message}`);
  }

  /** Watchers, timers and running rollout operations stop; the scale-down runner's processes end. */
  dispose(): void {
    for (const s of this.subscriptions.splice(0)) s.dispose();
    this.managers.blueGreen.dispose();
    void this.runner.dispose();
  }
}
