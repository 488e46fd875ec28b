// Every message between the extension host and the release dashboard webview, declared once
// (style rule 3) and imported by both bundles. Only plain JSON crosses: dates are ISO strings.
// The host validates every incoming message with parseWebviewMessage (src/shared/messageValidation.ts).
import type { TrafficAction, TrafficTabView } from './trafficView';
import type { ApprovalDecision, PipelinesView, RunAction } from './pipelineView';

export const DASHBOARD_VIEW_TYPE = 'releaseManager.dashboard';

/** The dashboard's tabs, in order. Later issues add theirs here (promotion, pipeline, roadmap, metrics). */
export const DASHBOARD_TABS = ['overview', 'services', 'traffic', 'conversation', 'activity', 'roadmap', 'notes', 'metrics', 'promotion', 'pipeline'] as const;
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
  /** This release's latest deployment there (the Pipeline tab shows its run). */
  deploymentId?: string;
  startedAt?: string;
  completedAt?: string;
  /** Promotion there needs an approved approval. */
  protected?: boolean;
  /** This release's approval for the environment, when one was requested. */
  approval?: { status: 'pending' | 'approved' | 'rejected'; requestedBy?: string; requestedAt?: string; decidedBy?: string; decidedAt?: string; comment?: string };
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

/** A service's state in one environment, as the Services graph colours it (with the label, never colour alone). */
export type ServiceStateKind = 'deployed' | 'not_deployed' | 'failed' | 'in_progress';

export interface ServiceStateView {
  kind: ServiceStateKind;
  /** e.g. "1.2.0", "not deployed", "1.3.0 failed (1.2.0 runs)", "deploying 1.3.0". */
  label: string;
}

/** A node of the Services graph: a service of the release, or one it (transitively) depends on. */
export interface GraphNodeView {
  name: string;
  /** False for a catalog service the release does not name but depends on. */
  inRelease: boolean;
  /** The release names it but the catalog does not have it. */
  missing?: boolean;
  /** Deployment wave, 0 first; absent outside the release and when a cycle prevents an order. */
  wave?: number;
  /** Member of a dependency cycle (its strongly connected component). */
  inCycle?: boolean;
  path?: string;
  deployCommand?: string;
  rollbackCommand?: string;
  healthCheckUrl?: string;
  /** Where discovery found it (`file:line`). */
  source?: string;
  /** Each dependency with where it was found (`file:line`), when discovered. */
  dependencies: { name: string; source?: string }[];
  /** Catalog services that depend on it. */
  dependents: string[];
  /** By environment name: its state there. */
  states: Record<string, ServiceStateView>;
}

/** `from` needs `to` first (the catalog's direction); the graph draws it from `to` to `from`. */
export interface GraphEdgeView {
  from: string;
  to: string;
  /** On a dependency cycle's path. */
  inCycle?: boolean;
  /** Where discovery found it (`file:line`). */
  source?: string;
}

export interface OrderEntryView {
  service: string;
  order: number;
  wave: number;
  dependencies: string[];
  /** For the default environment (see ServiceGraphView.defaultEnvironment). */
  ready: boolean;
  reason?: string;
  /** Readiness when deploying to each environment. */
  byEnvironment: Record<string, { ready: boolean; reason?: string }>;
}

/** The Services tab: the release's services and their catalog dependencies, with the deployment order. */
export interface ServiceGraphView {
  nodes: GraphNodeView[];
  edges: GraphEdgeView[];
  /** The deployment order; empty when a cycle prevents one. */
  order: OrderEntryView[];
  /** Dependency cycles among the release's services (`api → auth → api`). */
  cycles: { path: string[]; text: string }[];
  /** Why there is no order (the core's refusal), when there is none. */
  orderError?: string;
  /** Environments to colour the graph by, in promotion order. */
  environments: string[];
  /** Where the release goes next (its active deployment's, else the first it has not completed in). */
  defaultEnvironment?: string;
}

export interface MilestoneReleaseView {
  releaseId: string;
  version: string;
  name: string;
  status: ReleaseStatusView;
  deployedAt?: string;
  /** When a release still to deploy is expected in production, and how that was reached. */
  expectedAt?: string;
  expectation?: string;
}

export interface MilestoneView {
  id: string;
  roadmapId: string;
  title: string;
  dueDate?: string;
  weight: number;
  /** 0–100: linked releases deployed to production. */
  percentDone: number;
  done: boolean;
  atRisk: boolean;
  /** One sentence: why it is at risk, or why not. */
  risk: string;
  expectedFinish?: string;
  /** This dashboard's release is linked to it. */
  linked: boolean;
  releases: MilestoneReleaseView[];
}

export interface RoadmapView {
  id: string;
  name: string;
  description?: string;
  percentDone: number;
  atRiskCount: number;
  /** How percent done and risk are computed (the core's stated rule). */
  rule: string;
  /** The recent pace and how it is measured. */
  pace: string;
  milestones: MilestoneView[];
}

/** The Roadmap tab: the roadmaps the release is linked to, and the milestones it could be linked to. */
export interface RoadmapSection {
  linked: RoadmapView[];
  others: { id: string; name: string; milestones: { id: string; title: string; dueDate?: string }[] }[];
}

export type DoraBandView = 'elite' | 'high' | 'medium' | 'low';

export interface DoraFigureView {
  key: 'deploymentFrequency' | 'leadTime' | 'changeFailureRate' | 'timeToRestore';
  label: string;
  value: number | null;
  unit: 'per day' | 'hours' | 'percent';
  /** "2.3 a week", "18 h", "no data". */
  display: string;
  band: DoraBandView | null;
  /** What is counted and how, shown next to the figure. */
  definition: string;
  sample: number;
}

/** The Metrics tab: the folder's DORA figures over a window ending now. */
export interface MetricsView {
  environment: string;
  from: string;
  to: string;
  days: number;
  figures: DoraFigureView[];
  /** What was left out and why. */
  notes: string[];
  computedAt: string;
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
  /** The Services tab's graph and deployment order (absent when it could not be read). */
  serviceGraph?: ServiceGraphView;
  /** The Roadmap tab (absent when it could not be read). */
  roadmap?: RoadmapSection;
  /** The Metrics tab, or why the figures could not be gathered. */
  metrics?: MetricsView;
  metricsError?: string;
  /** The Promotion and Pipeline tabs: this release's pipeline runs and the environments' settings (absent when they could not be read). */
  pipelines?: PipelinesView;
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
  /** The Services tab: the environment the states are about, and where the graph was looked at. */
  graph?: GraphUiState;
}

export interface GraphUiState {
  environment?: string;
  /** Pan and zoom, kept for the graph structure `key` (a changed graph starts fitted again). */
  view?: { key: string; x: number; y: number; k: number };
}

// ---------------------------------------------------------------- webview → host

export type WebviewToHost =
  | { type: 'webview/ready' }
  | { type: 'conversation/post'; requestId: string; text: string }
  | { type: 'release/assessRisk'; requestId: string }
  | { type: 'webview/cspViolation'; directive: string; blockedUri: string }
  /** The Traffic tab is shown (the host sends `traffic/view` about once a second) or hidden (it stops); optionally which environment's rollout. */
  | { type: 'traffic/watch'; watching: boolean; environment?: string }
  /** A Traffic tab button; production asks for a modal confirmation in the host first. Answered by `traffic/result`. */
  | { type: 'traffic/action'; requestId: string; action: TrafficAction; environment?: string }
  /** Links / unlinks this release to a milestone (Roadmap tab). */
  | { type: 'roadmap/link'; requestId: string; roadmapId: string; milestoneId: string }
  | { type: 'roadmap/unlink'; requestId: string; roadmapId: string; milestoneId: string }
  /** Release notes (Notes tab): generate from git (the host asks before replacing), open the Markdown editor, export. */
  | { type: 'notes/generate'; requestId: string }
  | { type: 'notes/edit'; requestId: string }
  | { type: 'notes/export'; requestId: string }
  /** Gathers the DORA figures again (Metrics tab). */
  | { type: 'metrics/refresh'; requestId: string }
  /** Runs Add / Edit / Remove Service in the host (its prompts open in VS Code). */
  | { type: 'service/add'; requestId: string }
  | { type: 'service/edit'; requestId: string; name: string }
  | { type: 'service/remove'; requestId: string; name: string }
  /** Promotion tab: promote this release to an environment (refused with the core's reason when it cannot). */
  | { type: 'promotion/promote'; requestId: string; environment: string }
  /** Promotion tab: request, approve or reject this release's approval for a protected environment. */
  | { type: 'promotion/approval'; requestId: string; environment: string; decision: ApprovalDecision }
  /** Pipeline tab: cancel a run, resolve its failed step (retry / ignore / abort) or approve its approval step. */
  | { type: 'pipeline/action'; requestId: string; runId: string; action: RunAction };

export type WebviewMessageType = WebviewToHost['type'];

// ---------------------------------------------------------------- host → webview

export type HostToWebview =
  | { type: 'dashboard/snapshot'; snapshot: DashboardSnapshot }
  /** The release no longer exists (or its folder closed); the panel says so. */
  | { type: 'dashboard/unavailable'; message: string }
  /** Open a tab (the "open dashboard" command may name one). */
  | { type: 'dashboard/showTab'; tab: DashboardTab }
  /** The Traffic tab's live view (while the webview watches it). */
  | { type: 'traffic/view'; view: TrafficTabView }
  /** How a `traffic/action` ended: done, refused (the message names the field or the reason), or dismissed at the confirmation. */
  | { type: 'traffic/result'; requestId: string; ok: boolean; cancelled?: boolean; field?: string; message?: string }
  /** Live output of a step of one of this release's runs (batched). */
  | { type: 'pipeline/output'; runId: string; stepIndex: number; text: string }
  | { type: 'request/done'; requestId: string }
  /** A refused or invalid request: the message names the field or the reason; nothing changed. */
  | { type: 'request/failed'; requestId?: string; field?: string; message: string };

/** Limits shared by the webview's own checks and the host's validator. */
export const LIMITS = {
  messageText: 20_000,
  requestId: 100,
  /** As the core's environment names. */
  environment: 64,
  /** Roadmap and milestone ids (UUIDs; a little room for ids made elsewhere). */
  entityId: 200,
  /** As the service catalog's names (validateServiceName). */
  serviceName: 63,
} as const;
