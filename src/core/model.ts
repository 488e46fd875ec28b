// The seed's models (release-management-module.md) and the errors the core answers with.
// Pure TypeScript: no 'vscode', no node-only imports, so the webview may import the types too.
import type { FreezeWindow } from './freezeWindows';

export type ReleaseStatus = 'planned' | 'in_progress' | 'deployed' | 'cancelled';
export const RELEASE_STATUSES: readonly ReleaseStatus[] = ['planned', 'in_progress', 'deployed', 'cancelled'];

export interface RiskFactor {
  /** The measured input, e.g. 3 (services) or "unavailable". */
  value: number | string;
  /** Weight of this factor in the score (weights sum to 1 over the available factors). */
  weight: number;
  /** Normalised 0–1 contribution before weighting; null when the factor is unavailable. */
  score: number | null;
  /** One line a person can read in the dashboard. */
  explanation: string;
}

export interface Release {
  id: string;
  projectId?: string;
  name: string;
  version: string;
  description?: string;
  status: ReleaseStatus;
  services?: string[]; // Multi-service coordination (service names)
  plannedStart?: Date;
  plannedEnd?: Date;
  actualStart?: Date;
  actualEnd?: Date;
  riskScore?: number; // 0-1
  riskFactors?: Record<string, RiskFactor>;
  releaseNotes?: string;
  conversationId?: string;
  trainId?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReleaseOptions {
  projectId?: string;
  description?: string;
  services?: string[];
  plannedStart?: Date;
  plannedEnd?: Date;
  trainId?: string;
}

export interface ReleaseUpdates {
  name?: string;
  version?: string;
  description?: string | null;
  services?: string[];
  plannedStart?: Date | null;
  plannedEnd?: Date | null;
  status?: ReleaseStatus;
  releaseNotes?: string | null;
}

export interface ReleaseFilter {
  status?: ReleaseStatus | ReleaseStatus[];
  projectId?: string;
  /** Case-insensitive substring of name or version. */
  text?: string;
  limit?: number;
}

export type DeploymentStatus = 'pending' | 'in_progress' | 'completed' | 'failed' | 'rolled_back';

export interface Deployment {
  id: string;
  releaseId?: string;
  projectId?: string;
  environment: string;
  status: DeploymentStatus;
  pipelineId?: string;
  startedAt?: Date;
  completedAt?: Date;
  rolledBackAt?: Date;
  metadata?: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface HealthCheck {
  /** http(s) URL probed until it answers `expectStatus`. */
  url: string;
  expectStatus?: number;
  timeoutMs?: number;
}

export interface Service {
  id: string;
  name: string;
  /** Path in the repository that the service owns (for notes and risk), relative to the workspace folder. */
  path?: string;
  deployCommand?: string;
  /** Undoes this service's deployment when a later service of the release fails; runs like deployCommand. */
  rollbackCommand?: string;
  healthCheck?: HealthCheck;
  /** Names of the services this one depends on. */
  dependencies: string[];
  /** Where the service was discovered, `file:line` relative to the workspace folder. */
  source?: string;
  /** Where each dependency was discovered (`file:line`), by dependency name; absent for ones added by hand. */
  dependencySources?: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceInput {
  name: string;
  path?: string;
  deployCommand?: string;
  rollbackCommand?: string;
  healthCheck?: HealthCheck;
  dependencies?: string[];
}

export interface Conversation {
  id: string;
  subjectType: 'release';
  subjectId: string;
  title: string;
  createdAt: Date;
}

export interface Message {
  id: string;
  conversationId: string;
  author: string;
  text: string;
  createdAt: Date;
}

export type CalendarEventKind = 'release' | 'train-departure' | 'checkpoint' | 'freeze';

export interface CalendarEvent {
  id: string;
  kind: CalendarEventKind;
  subjectId: string;
  title: string;
  description?: string;
  startsAt: Date;
  endsAt: Date;
  updatedAt: Date;
}

export interface AuditEvent {
  id: number;
  at: Date;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
}

export interface DeploymentOrder {
  service: string;
  order: number;
  wave: number;
  dependencies: string[];
  ready: boolean;
  /** Why the service is not ready (absent when ready). */
  reason?: string;
}

// ---------------------------------------------------------------- environments and promotion

/** Ordered stages a release is promoted through (default dev, test, staging, production). */
export interface Environment {
  id: string;
  /** Unique (case-insensitive); reaches pipeline processes as TARGET_ENV. */
  name: string;
  /** 0-based order of promotion. */
  position: number;
  /** Promotion needs an approved approval of the release for this environment. */
  protected: boolean;
  /** The person who requested an approval may not approve it. */
  requireDifferentApprover: boolean;
  /** The pipeline a promotion runs when none is given. */
  pipelineId?: string;
  /** A failed step pauses the run as interrupted (Retry / Ignore / Abort) instead of failing it. */
  guidedFailure: boolean;
  freezeWindows: FreezeWindow[];
  /** Blue-green traffic router settings; validated by src/traffic/routerConfig.ts where used. */
  router?: unknown;
  createdAt: Date;
  updatedAt: Date;
}

export interface EnvironmentUpdates {
  protected?: boolean;
  requireDifferentApprover?: boolean;
  /** null removes the pipeline. */
  pipelineId?: string | null;
  guidedFailure?: boolean;
  /** null removes the router settings. */
  router?: unknown;
}

export interface EnvironmentOptions extends Omit<EnvironmentUpdates, 'pipelineId'> {
  /** 0-based; default: after the last environment. */
  position?: number;
  pipelineId?: string;
  freezeWindows?: unknown[];
}

export type PromotionState = DeploymentStatus | 'not_deployed';

export interface PromotionStep {
  environment: string;
  position: number;
  /** This release's latest deployment there. */
  state: PromotionState;
  deploymentId?: string;
  startedAt?: Date;
  completedAt?: Date;
  /** Whether promoteToEnvironment would accept this environment now (without an override). */
  canPromote: boolean;
  /** Why not, each a sentence a person can act on; empty when canPromote. */
  blockers: string[];
  /** What runs there now (the latest completed deployment), when anything does. */
  current?: { releaseId: string; version: string };
  protected: boolean;
  /** The approval of this release for this environment, when one was requested. */
  approval?: Approval;
}

export interface PromotionPath {
  releaseId: string;
  version: string;
  environments: PromotionStep[];
}

/** One environment's state for the Environments tree and the status bar. */
export interface EnvironmentStatus {
  environment: Environment;
  /** The release running there: the latest completed deployment. */
  current?: { releaseId: string; version: string; name: string; deploymentId: string; completedAt?: Date };
  /** The latest deployment there, whatever its state. */
  last?: { releaseId?: string; version?: string; deploymentId: string; status: DeploymentStatus; at: Date };
  /** A pending or in-progress deployment there. */
  active?: { releaseId?: string; version?: string; deploymentId: string; status: DeploymentStatus; since: Date };
  /** The freeze in force now, as a sentence, when one is. */
  frozen?: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

export interface Approval {
  id: string;
  releaseId: string;
  environment: string;
  status: ApprovalStatus;
  requestedBy?: string;
  requestedAt?: Date;
  /** Who approved or rejected, and when. */
  approvedBy?: string;
  approvedAt?: Date;
  comment?: string;
}

export interface PromotionOptions {
  /** Skips the order, freeze and approval checks (never the in-progress or release-status ones); audited with the reason. */
  override?: { reason: string };
  /**
   * Extra environment variables for the pipeline run the deployment starts (blue-green's COLOR).
   * Names [A-Z_][A-Z0-9_]*, values text; the run's own variables (RELEASE_ID, …) cannot be replaced.
   */
  pipelineEnv?: Record<string, string>;
  /**
   * The deployment puts the release on this idle colour of a blue-green rollout. In the last
   * environment the release then becomes deployed when the rollout is promoted (the new colour
   * carries the traffic), not when the colour's deployment completes; a rollout that ends with the
   * old colour serving takes it back to in progress.
   */
  blueGreenColour?: 'blue' | 'green';
}

// ---------------------------------------------------------------- pipelines

export type PipelineStepType = 'shell' | 'task' | 'http' | 'approval' | 'wait' | 'deployServices';
export const PIPELINE_STEP_TYPES: readonly PipelineStepType[] = ['shell', 'task', 'http', 'approval', 'wait', 'deployServices'];

interface PipelineStepBase {
  name: string;
  /** Per attempt. Default: none (approval steps wait for a person; other steps run until they end). */
  timeoutSeconds?: number;
  /** Further attempts after a failed one. Default 0. */
  retries?: number;
  /** A failure is recorded as 'ignored' and the run goes on. */
  continueOnError?: boolean;
}

export type PipelineStep =
  | (PipelineStepBase & { type: 'shell'; command: string })
  | (PipelineStepBase & { type: 'task'; task: string })
  | (PipelineStepBase & {
      type: 'http';
      url: string;
      method?: string;
      expectStatus?: number | number[];
      headers?: Record<string, string>;
      body?: string;
    })
  | (PipelineStepBase & { type: 'approval'; prompt?: string })
  | (PipelineStepBase & { type: 'wait'; seconds: number })
  | (PipelineStepBase & { type: 'deployServices' });

export interface PipelineDefinition {
  id: string;
  /** Unique (case-insensitive). */
  name: string;
  steps: PipelineStep[];
  /** 'file': declared in the workspace pipeline file and kept in sync with it (edit the file, not the database). */
  source: 'database' | 'file';
  createdAt: Date;
  updatedAt: Date;
}

export type PipelineRunStatus = 'running' | 'interrupted' | 'waiting_approval' | 'succeeded' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'ignored' | 'cancelled';

export interface StepResult {
  index: number;
  name: string;
  type: PipelineStepType;
  status: StepStatus;
  attempts: number;
  exitCode?: number | null;
  startedAt?: Date;
  endedAt?: Date;
  durationMs?: number;
  /** One line: why it failed, who approved, how many services deployed. */
  summary?: string;
  /** Output of every attempt, capped (head and tail kept, 256 KiB). */
  log: string;
}

/** The process that drives a run; a run whose owner is gone was cut off (window closed, crash). */
export interface RunOwner {
  pid: number;
  hostname: string;
  /** When the owner process started (tells a reused pid from the original), as the platform reports it. */
  processStart?: string;
}

export interface PipelineRun {
  id: string;
  pipelineId: string;
  pipelineName: string;
  deploymentId: string;
  status: PipelineRunStatus;
  /** Index of the step running, waiting or interrupted; steps.length when done. */
  currentStep: number;
  steps: StepResult[];
  startedAt: Date;
  endedAt?: Date;
  /** Why the run is paused (guided failure) or was cut off. */
  interruption?: { stepIndex: number; reason: string };
  owner?: RunOwner;
  /** The definition as it was when the run started. */
  definition: PipelineStep[];
}

/** Refusals are read by people: never longer than this, whatever they quote (a caller may send 1 MB). */
export const MAX_REFUSAL_TEXT = 1_000;

/**
 * A refusal's text as it can be shown: cut to MAX_REFUSAL_TEXT, and control characters and
 * bidirectional overrides quoted from the input made visible (`\u202e`), so that an echoed value can
 * neither flood a notification nor reorder what it shows.
 */
export function refusalText(text: string, max = MAX_REFUSAL_TEXT): string {
  const cut = (t: string) => (t.length > max ? `${t.slice(0, max - 1)}…` : t);
  return cut(cut(text).replace(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Invalid input: names the field and the reason. Nothing was changed. */
export class ValidationError extends Error {
  readonly field: string;
  readonly reason: string;

  constructor(field: string, reason: string) {
    // The field too may come from the input (an unknown key): bounded the same way.
    const name = field === '' ? '""' : refusalText(field, 120);
    const why = refusalText(reason);
    super(`${name}: ${why}`);
    this.field = name;
    this.reason = why;
    this.name = 'ValidationError';
  }
}

/** A valid request that the current state does not allow; the message says why. Nothing was changed. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(refusalText(message));
    this.name = 'RefusedError';
  }
}

function quoteKey(key: string): string {
  const k = String(key);
  const shown = k.length > 80 ? `${k.slice(0, 77)}…` : k;
  return /[\u0000-\u001f\u007f]/.test(shown) ? JSON.stringify(shown) : `'${shown}'`;
}

export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    // Bounded and quoted like validate.describe: the key may be anything a caller sent (1 MB, control characters).
    super(refusalText(`${entity} ${quoteKey(key)} does not exist`));
    this.name = 'NotFoundError';
  }
}
