// What a person sees of the pipeline runs this window drives: a cancellable progress notification
// naming the current step, the steps' live output in the "Release Manager" log, guided failure as a
// notification with Retry / Ignore / Abort, an approval step as a notification with Approve, and
// the outcome. The dashboard's Pipeline tab shows the same runs (pipelineDashboard.ts).
import * as vscode from 'vscode';
import type { PipelineRun, StepResult } from '../core/model';
import type { Identity, UnitOfWork } from '../core/ports';
import type { DeploymentPipelineManager, PipelineOutputEvent } from '../core/releases/DeploymentPipelineManager';
import { Commands } from './commandIds';
import { userMessage } from './errors';

export interface PipelineRunUiDeps {
  folder: vscode.WorkspaceFolder;
  manager: DeploymentPipelineManager;
  uow: UnitOfWork;
  identity: Identity;
  log: vscode.LogOutputChannel;
}

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled']);
/** Output reaches the log in batches (one entry per step and batch), at most this often. */
const FLUSH_MS = 200;
/** Past this much output from one run, the log says where to find the rest instead of showing it. */
const LOG_BYTES_PER_RUN = 4 * 1024 * 1024;

interface Tracked {
  /** "'deploy' for 1.2.0 → test" */
  label: string;
  version?: string;
  environment: string;
  releaseId?: string;
  steps: Map<number, StepResult['status']>;
  report?: (message: string) => void;
  finish?: () => void;
  /** Pauses already announced (step and attempt), so a refresh does not ask twice. */
  asked: Set<string>;
  pending: Map<number, string>;
  flushTimer?: NodeJS.Timeout;
  loggedBytes: number;
  elided: boolean;
  ended: boolean;
}

export class PipelineRunUi implements vscode.Disposable {
  private readonly runs = new Map<string, Promise<Tracked>>();
  private readonly subscriptions: { dispose(): void }[];

  constructor(private readonly deps: PipelineRunUiDeps) {
    this.subscriptions = [deps.manager.onDidChange((run) => void this.changed(run)), deps.manager.onOutput((e) => void this.output(e))];
  }

  private track(run: PipelineRun): Promise<Tracked> {
    let t = this.runs.get(run.id);
    if (!t) {
      t = this.describe(run);
      this.runs.set(run.id, t);
    }
    return t;
  }

  private async describe(run: PipelineRun): Promise<Tracked> {
    const info = await this.deps.uow
      .read(async (r) => {
        const d = await r.deployments.get(run.deploymentId);
        const rel = d?.releaseId ? await r.releases.get(d.releaseId) : null;
        return { environment: d?.environment ?? 'an environment', version: rel?.version, releaseId: rel?.id };
      })
      .catch(() => ({ environment: 'an environment', version: undefined, releaseId: undefined }));
    const t: Tracked = {
      label: `'${run.pipelineName}' for ${info.version ?? 'a release'} → ${info.environment}`,
      version: info.version,
      environment: info.environment,
      releaseId: info.releaseId,
      steps: new Map(),
      asked: new Set(),
      pending: new Map(),
      loggedBytes: 0,
      elided: false,
      ended: false,
    };
    if (this.deps.manager.isActive(run.id)) this.startProgress(run, t);
    return t;
  }

  private startProgress(run: PipelineRun, t: Tracked): void {
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Pipeline ${t.label}`, cancellable: true },
      (progress, token) =>
        new Promise<void>((resolve) => {
          t.report = (message) => progress.report({ message });
          t.finish = resolve;
          token.onCancellationRequested(() => {
            this.deps.log.info(`[${this.deps.folder.name}] pipeline ${t.label}: cancelled from the progress notification`);
            this.deps.manager.cancelRun(run.id).catch((e) => this.fail(e));
          });
          if (t.ended) resolve();
        }),
    );
  }

  private async changed(run: PipelineRun): Promise<void> {
    // Runs this window does not drive (another window's, or recovered ones) are the dashboard's to show.
    if (!this.runs.has(run.id) && !this.deps.manager.isActive(run.id)) return;
    const t = await this.track(run);
    if (t.ended) return;
    const { log, folder } = this.deps;
    const prefix = `[${folder.name}] pipeline ${t.label}`;
    if (!t.steps.size) log.info(`${prefix}: started (${run.steps.length} step${run.steps.length === 1 ? '' : 's'})`);
    for (const s of run.steps) {
      if (t.steps.get(s.index) === s.status) continue;
      t.steps.set(s.index, s.status);
      if (s.status === 'pending') continue;
      this.flush(t);
      if (s.status === 'running') log.info(`${prefix} › ${s.name}: running${s.attempts ? ` (attempt ${s.attempts + 1})` : ''}`);
      else log[s.status === 'failed' ? 'warn' : 'info'](`${prefix} › ${s.name}: ${s.status}${s.summary ? ` — ${s.summary}` : ''}${s.durationMs !== undefined ? ` (${seconds(s.durationMs)})` : ''}`);
    }
    const step = run.steps[run.currentStep];
    const where = step ? `step ${step.index + 1} of ${run.steps.length}: ${step.name}` : '';
    switch (run.status) {
      case 'running':
        t.report?.(where);
        break;
      case 'interrupted':
        if (!run.endedAt && this.deps.manager.isActive(run.id)) {
          t.report?.(`${where} failed — Retry, Ignore or Abort?`);
          this.askInterruption(run, t);
        }
        break;
      case 'waiting_approval':
        t.report?.(`${where} — waiting for approval`);
        this.askApproval(run, t);
        break;
    }
    if (TERMINAL.has(run.status) || run.endedAt) this.ended(run, t);
  }

  private askInterruption(run: PipelineRun, t: Tracked): void {
    const step = run.steps[run.currentStep];
    const key = `i:${run.currentStep}:${step?.attempts ?? 0}`;
    if (t.asked.has(key)) return;
    t.asked.add(key);
    const reason = run.interruption?.reason ?? `step '${step?.name}' failed`;
    void vscode.window.showWarningMessage(`Pipeline ${t.label} paused: ${reason}.`, 'Retry', 'Ignore', 'Abort').then(async (choice) => {
      if (!choice) return;
      const action = choice.toLowerCase() as 'retry' | 'ignore' | 'abort';
      const now = await this.deps.manager.getRun(run.id);
      // Already resolved elsewhere (the dashboard, a command): nothing to do.
      if (now?.status !== 'interrupted' || now.currentStep !== run.currentStep || now.endedAt) return;
      this.deps.log.info(`[${this.deps.folder.name}] pipeline ${t.label}: ${action} chosen in the notification`);
      await this.deps.manager.resolveInterruption(run.id, action).catch((e) => this.fail(e));
    });
  }

  private askApproval(run: PipelineRun, t: Tracked): void {
    const key = `a:${run.currentStep}`;
    if (t.asked.has(key)) return;
    t.asked.add(key);
    const step = run.steps[run.currentStep];
    const prompt = run.definition[run.currentStep]?.type === 'approval' ? (run.definition[run.currentStep] as { prompt?: string }).prompt : undefined;
    void vscode.window
      .showInformationMessage(`Pipeline ${t.label} waits for approval at step '${step?.name}'${prompt ? `: ${prompt}` : ''}.`, 'Approve', 'Open Dashboard')
      .then(async (choice) => {
        if (choice === 'Open Dashboard' && t.releaseId) {
          await vscode.commands.executeCommand(Commands.openDashboard, { folder: this.deps.folder.uri.toString(), releaseId: t.releaseId, tab: 'pipeline' }).then(undefined, () => undefined);
          return;
        }
        if (choice !== 'Approve') return;
        const now = await this.deps.manager.getRun(run.id);
        if (now?.status !== 'waiting_approval' || now.currentStep !== run.currentStep) return;
        const approver = await this.deps.identity.currentUser();
        await this.deps.manager.approveStep(run.id, approver).catch((e) => this.fail(e));
      });
  }

  private ended(run: PipelineRun, t: Tracked): void {
    t.ended = true;
    this.flush(t);
    t.finish?.();
    const { log, folder } = this.deps;
    const took = run.endedAt ? ` in ${seconds(new Date(run.endedAt).getTime() - new Date(run.startedAt).getTime())}` : '';
    const failedStep = run.steps.find((s) => s.status === 'failed');
    switch (run.status) {
      case 'succeeded': {
        const message = `Pipeline ${t.label} succeeded${took}: ${t.version ?? 'the release'} is in ${t.environment}.`;
        log.info(`[${folder.name}] ${message}`);
        void vscode.window.showInformationMessage(message);
        break;
      }
      case 'failed': {
        const message = `Pipeline ${t.label} failed${failedStep ? ` at step '${failedStep.name}': ${failedStep.summary ?? 'failed'}` : ''}. The deployment failed.`;
        log.warn(`[${folder.name}] ${message}`);
        void vscode.window.showErrorMessage(message, 'Show Log').then((a) => {
          if (a === 'Show Log') log.show(true);
        });
        break;
      }
      case 'cancelled': {
        const message = `Pipeline ${t.label} was cancelled; the deployment failed.`;
        log.info(`[${folder.name}] ${message}`);
        void vscode.window.showInformationMessage(message);
        break;
      }
      default:
        // Interrupted by this window closing: said at the next start.
        log.warn(`[${folder.name}] pipeline ${t.label}: ${run.interruption?.reason ?? run.status}`);
    }
    // Late output events of this run find no entry and are dropped.
    setTimeout(() => this.runs.delete(run.id), 5000);
  }

  private async output(e: PipelineOutputEvent): Promise<void> {
    const tp = this.runs.get(e.runId);
    if (!tp) return;
    const t = await tp;
    if (t.elided) return;
    if (t.loggedBytes + e.text.length > LOG_BYTES_PER_RUN) {
      t.elided = true;
      this.flush(t);
      this.deps.log.info(
        `[${this.deps.folder.name}] pipeline ${t.label}: more than ${LOG_BYTES_PER_RUN / 1024 / 1024} MB of output; the rest is not shown here. Each step keeps the head and tail of its output (dashboard → Pipeline).`,
      );
      return;
    }
    t.loggedBytes += e.text.length;
    t.pending.set(e.stepIndex, (t.pending.get(e.stepIndex) ?? '') + e.text);
    if (!t.flushTimer) t.flushTimer = setTimeout(() => this.flush(t), FLUSH_MS);
  }

  private flush(t: Tracked): void {
    clearTimeout(t.flushTimer);
    t.flushTimer = undefined;
    for (const [index, text] of t.pending) {
      const body = text.replace(/\n$/, '');
      if (body) this.deps.log.info(`[${this.deps.folder.name}] pipeline ${t.label} › step ${index + 1} output:\n${body}`);
    }
    t.pending.clear();
  }

  private fail(e: unknown): void {
    const um = userMessage(e);
    this.deps.log[um.expected ? 'info' : 'error'](`[${this.deps.folder.name}] pipeline: ${um.message}`);
    void vscode.window.showErrorMessage(um.message);
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    for (const tp of this.runs.values()) {
      void tp.then((t) => {
        clearTimeout(t.flushTimer);
        t.finish?.();
      });
    }
    this.runs.clear();
  }
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
