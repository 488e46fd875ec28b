// What the dashboard's Promotion and Pipeline tabs show and send: plain JSON (dates as ISO text),
// built on the host by src/vscode/pipelineDashboard.ts. The messages themselves are declared in
// src/shared/protocol.ts and validated by src/shared/messageValidation.ts.

export type PipelineRunStatusView = 'running' | 'interrupted' | 'waiting_approval' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatusView = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'ignored' | 'cancelled';
export type StepTypeView = 'shell' | 'task' | 'http' | 'approval' | 'wait' | 'deployServices';

export interface PipelineStepView {
  index: number;
  name: string;
  type: StepTypeView;
  status: StepStatusView;
  attempts: number;
  exitCode?: number | null;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** One line: why it failed, who approved. */
  summary?: string;
  /** The end of the stored log (live output arrives in `pipeline/output` messages). */
  logTail: string;
  /** Characters of stored log before the tail. */
  logElided: number;
}

export interface PipelineRunView {
  id: string;
  pipelineName: string;
  deploymentId: string;
  environment: string;
  status: PipelineRunStatusView;
  currentStep: number;
  startedAt: string;
  endedAt?: string;
  /** Why the run is paused (guided failure) or was cut off. */
  interruption?: { stepIndex: number; reason: string };
  /** This window drives the run: it can cancel it, resolve a failure, approve a step. */
  driven: boolean;
  steps: PipelineStepView[];
}

/** An environment's settings as the Promotion tab shows them next to the path. */
export interface EnvironmentSettingsView {
  name: string;
  protected: boolean;
  requireDifferentApprover: boolean;
  guidedFailure: boolean;
  pipeline?: string;
  /** Each freeze window in a line ("Weekend: every week on Friday 16:00, lasting 2 d 14 h"). */
  freezes: string[];
}

export interface PipelinesView {
  /** This release's runs, newest first (at most PIPELINE_RUNS_SHOWN). */
  runs: PipelineRunView[];
  environments: EnvironmentSettingsView[];
}

export const PIPELINE_RUNS_SHOWN = 10;
/** Characters of a step's stored log the snapshot carries; the webview keeps as much of live output. */
export const STEP_LOG_TAIL = 64 * 1024;

export type RunAction = 'cancel' | 'retry' | 'ignore' | 'abort' | 'approve';
export const RUN_ACTIONS: readonly RunAction[] = ['cancel', 'retry', 'ignore', 'abort', 'approve'];
export type ApprovalDecision = 'request' | 'approve' | 'reject';
export const APPROVAL_DECISIONS: readonly ApprovalDecision[] = ['request', 'approve', 'reject'];
