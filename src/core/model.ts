// The seed's models (release-management-module.md) and the errors the core answers with.
// Pure TypeScript: no 'vscode', no node-only imports, so the webview may import the types too.

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
  healthCheck?: HealthCheck;
  /** Names of the services this one depends on. */
  dependencies: string[];
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceInput {
  name: string;
  path?: string;
  deployCommand?: string;
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

/** Invalid input: names the field and the reason. Nothing was changed. */
export class ValidationError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'ValidationError';
  }
}

/** A valid request that the current state does not allow; the message says why. Nothing was changed. */
export class RefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RefusedError';
  }
}

export class NotFoundError extends Error {
  constructor(
    readonly entity: string,
    readonly key: string,
  ) {
    super(`${entity} '${key}' does not exist`);
    this.name = 'NotFoundError';
  }
}
