// What the dashboard's Traffic tab shows of a release's blue-green rollout: plain JSON (dates as ISO
// text), built on the host by src/vscode/trafficModel.ts from the core's TrafficView and sent in a
// `traffic/view` message (src/shared/protocol.ts) about once a second while the tab is shown.

export type ColourName = 'blue' | 'green';

export interface SplitView {
  blue: number;
  green: number;
}

export interface TrafficColourView {
  colour: ColourName;
  /** Argo's names: the colour that serves (active), the new one (preview), the old one kept after promotion (previous). */
  role: 'active' | 'preview' | 'previous';
  version?: string;
  /** Share of traffic the router gives it, %. */
  weight: number;
  health: 'healthy' | 'unhealthy' | 'unknown';
  /** `HTTP 200 in 3 ms`, `ECONNREFUSED`, … */
  healthDetail: string;
  /** From the router's counters since the previous view; absent without per-colour metrics. */
  requestsPerSec?: number;
  errors5xxPerSec?: number;
  errorRate?: number;
}

export type StepProgress = 'done' | 'current' | 'pending';

/** One state of the happy path (plus the final one when the rollout left it). */
export interface TimelineEntry {
  state: string;
  label: string;
  status: 'done' | 'current' | 'pending' | 'skipped';
}

export interface TrafficHistoryView {
  at: string;
  actor: string;
  action: string;
  from?: string;
  to?: string;
  /** `blue=90 green=10` */
  split?: string;
  reason?: string;
}

export interface TrafficActionsView {
  switch: boolean;
  promote: boolean;
  rollback: boolean;
  abort: boolean;
  /** Production: the host asks for a modal confirmation first. */
  confirm: boolean;
}

export interface TrafficRolloutView {
  id: string;
  environment: string;
  version: string;
  state: string;
  stateLabel: string;
  production: boolean;
  activeColour: ColourName;
  previewColour: ColourName;
  /** The router's split (or the stored one, with routerError, when it could not be read). */
  split: SplitView;
  splitSource: 'router' | 'record';
  routerKind: string;
  hitless: boolean;
  routerError?: string;
  /** The preview colour's weight per step, with progress. */
  steps: { weight: number; status: StepProgress }[];
  nextStep?: number;
  /** What this window is doing for the rollout right now (deploy, checks, a switch plan). */
  busy?: string;
  reason?: string;
  actions: TrafficActionsView;
  colours: Record<ColourName, TrafficColourView>;
  /** ms between the two counter samples the rates come from. */
  rateSpanMs?: number;
  timeline: TimelineEntry[];
  /** Pre-switch checks, one line each. */
  checks: { name: string; ok: boolean; detail: string }[];
  /** The automatic rollback, when there was one, in a sentence. */
  autoRollback?: string;
  /** Scale-down of the old colour: planned, done or failed, in a sentence. */
  scaleDown?: string;
  /** Newest first. */
  history: TrafficHistoryView[];
  readAt: string;
}

export interface TrafficTabView {
  /** This release's rollouts, newest first. */
  rollouts: { environment: string; state: string; stateLabel: string }[];
  /** The rollout shown (the one asked for, else the unfinished one, else the newest). */
  selected?: TrafficRolloutView;
  /** Environments that have traffic router settings (where a rollout can be set up). */
  routedEnvironments: string[];
  /** Why the live part could not be read (the rollout list still shows). */
  error?: string;
}

export type TrafficAction = 'setup' | 'switch' | 'promote' | 'abort' | 'rollback';
export const TRAFFIC_ACTIONS: readonly TrafficAction[] = ['setup', 'switch', 'promote', 'abort', 'rollback'];
