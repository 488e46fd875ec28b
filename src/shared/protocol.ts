// Every message between the extension host and the release dashboard webview, declared once
// (style rule 3) and imported by both bundles. Only plain JSON crosses: dates are ISO strings.
// The host validates every incoming message with parseWebviewMessage (src/shared/messageValidation.ts).

export const DASHBOARD_VIEW_TYPE = 'releaseManager.dashboard';

/** The dashboard's tabs, in order. Later issues add theirs here (promotion, pipeline, roadmap, metrics). */
export const DASHBOARD_TABS = ['overview', 'services', 'traffic', 'conversation', 'activity'] as const;
export type DashboardTab = (typeof DASHBOARD_TABS)[number];

export type ReleaseStatusView = 'planned' | 'in_progress' | 'deployed' | 'cancelled';
export type DeploymentStatusView = 'pending' | 'in_progress' | 'completed' | 'failed' | 'rolled_back';
/** A release's state in one environment. */
export type StepState = DeploymentStatusView | 'not_deployed';

export interface ReleaseView {
  id: string;
  version: string;
  name: string;
  status: ReleaseStatusView;
  description?: string;
  services: string[];
  plannedStart?: string;
  plannedEnd?: string;
  actualStart?: string;
  actualEnd?: string;
  releaseNotes?: string;
  createdAt: string;
  updatedAt: string;
}

export interface RiskFactorView {
  key: string;
  /** A readable name, e.g. "Dependency fan-in". */
  label: string;
  /** The measured input as text (a number, or "unavailable"). */
  value: string;
  weight: number;
  /** 0–1 before weighting; null when unavailable. */
  score: number | null;
  explanation: string;
}

export interface RiskView {
  /** Absent until the risk was assessed. */
  score?: number;
  level?: 'low' | 'medium' | 'high';
  factors: RiskFactorView[];
}

export interface PromotionStepView {
  environment: string;
  state: StepState;
  /** When the latest deployment there started or ended. */
  at?: string;
  /** Whether a promotion there would be accepted now; absent when not known (before environments exist). */
  canPromote?: boolean;
  /** Why not, each a sentence. */
  blockers: string[];
  /** The version running there now, if another release's. */
  current?: string;
}

export interface PromotionView {
  /** 'environments': from the promotion manager; 'deployments': derived from this release's deployments. */
  source: 'environments' | 'deployments';
  steps: PromotionStepView[];
}

export interface DeploymentView {
  id: string;
  environment: string;
  status: DeploymentStatusView;
  createdAt: string;
  startedAt?: string;
  completedAt?: string;
}

export interface ServiceView {
  name: string;
  path?: string;
  deployCommand?: string;
  healthCheckUrl?: string;
  /** Services this one depends on. */
  dependencies: string[];
  /** Services that depend on this one. */
  dependents: string[];
  /** Whether the release names this service. */
  inRelease: boolean;
}

export interface MessageView {
  id: string;
  author: string;
  text: string;
  at: string;
}

export interface ActivityView {
  id: number;
  at: string;
  actor: string;
  action: string;
  /** One line: what changed. */
  summary: string;
}

/** Everything a dashboard shows, sent in full on `webview/ready` and after every change. */
export interface DashboardSnapshot {
  folder: { name: string; uri: string };
  release: ReleaseView;
  risk: RiskView;
  promotion: PromotionView;
  deployments: DeploymentView[];
  services: ServiceView[];
  conversation: { id?: string; messages: MessageView[] };
  activity: ActivityView[];
  /** Set when the database cannot be written; the dashboard disables its actions and says why. */
  readOnly?: string;
  generatedAt: string;
}

/** What the webview keeps across reloads (vscode.setState); the serializer reads it to restore the panel. */
export interface DashboardUiState {
  releaseId: string;
  folder: string;
  tab: DashboardTab;
  /** The unsent conversation text. */
  draft?: string;
}

// ---------------------------------------------------------------- webview → host

export type WebviewToHost =
  | { type: 'webview/ready' }
  | { type: 'conversation/post'; requestId: string; text: string }
  | { type: 'release/assessRisk'; requestId: string }
  | { type: 'webview/cspViolation'; directive: string; blockedUri: string };

export type WebviewMessageType = WebviewToHost['type'];

// ---------------------------------------------------------------- host → webview

export type HostToWebview =
  | { type: 'dashboard/snapshot'; snapshot: DashboardSnapshot }
  /** The release no longer exists (or its folder closed); the panel says so. */
  | { type: 'dashboard/unavailable'; message: string }
  /** Open a tab (the "open dashboard" command may name one). */
  | { type: 'dashboard/showTab'; tab: DashboardTab }
  | { type: 'request/done'; requestId: string }
  /** A refused or invalid request: the message names the field or the reason; nothing changed. */
  | { type: 'request/failed'; requestId?: string; field?: string; message: string };

/** Limits shared by the webview's own checks and the host's validator. */
export const LIMITS = {
  messageText: 20_000,
  requestId: 100,
} as const;
