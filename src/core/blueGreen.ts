// Blue-green rollouts after Argo Rollouts' blue-green strategy: the states, the legal transitions,
// the strategy (Argo's fields and defaults where they fit) and the view-models the dashboard's
// Traffic tab renders. Pure TypeScript: the webview may import these types.
import { ValidationError } from './model';
import type { Colour, Weights } from './ports';
import { describe } from './validate';

export type BlueGreenState =
  | 'idle'
  | 'preview_deploying'
  | 'preview_ready'
  | 'pre_switch_checks'
  | 'awaiting_promotion'
  | 'switching'
  /** Traffic split between the colours and holding there (a weight step, or a switch cut off mid-way). */
  | 'partial'
  | 'post_switch_checks'
  | 'promoted'
  | 'aborted'
  | 'rolled_back';

export const BLUE_GREEN_STATES: readonly BlueGreenState[] = [
  'idle', 'preview_deploying', 'preview_ready', 'pre_switch_checks', 'awaiting_promotion', 'switching', 'partial',
  'post_switch_checks', 'promoted', 'aborted', 'rolled_back',
];

/** No further transition, except `promoted → rolled_back` while the old colour is still up. */
export const FINAL_STATES: readonly BlueGreenState[] = ['promoted', 'aborted', 'rolled_back'];

/** States in which the router may carry traffic to the preview colour. */
export const TRAFFIC_STATES: readonly BlueGreenState[] = ['switching', 'partial', 'post_switch_checks', 'promoted'];

/** Every legal transition; anything else is refused with the reason (see `whyNot`). */
export const BLUE_GREEN_TRANSITIONS: Record<BlueGreenState, readonly BlueGreenState[]> = {
  idle: ['preview_deploying', 'aborted'],
  preview_deploying: ['preview_ready', 'aborted'],
  // Straight to awaiting_promotion when pre-promotion analysis is disabled.
  preview_ready: ['pre_switch_checks', 'awaiting_promotion', 'aborted'],
  pre_switch_checks: ['awaiting_promotion', 'aborted'],
  awaiting_promotion: ['switching', 'aborted'],
  // A failed router call goes back to where it came from (awaiting_promotion or partial).
  switching: ['partial', 'post_switch_checks', 'promoted', 'awaiting_promotion', 'rolled_back', 'aborted'],
  partial: ['switching', 'rolled_back', 'aborted'],
  post_switch_checks: ['switching', 'promoted', 'rolled_back', 'aborted'],
  promoted: ['rolled_back'],
  aborted: [],
  rolled_back: [],
};

export function canTransition(from: BlueGreenState, to: BlueGreenState): boolean {
  return BLUE_GREEN_TRANSITIONS[from].includes(to);
}

export const STATE_LABELS: Record<BlueGreenState, string> = {
  idle: 'idle',
  preview_deploying: 'deploying the preview colour',
  preview_ready: 'preview deployed',
  pre_switch_checks: 'running pre-switch checks',
  awaiting_promotion: 'awaiting promotion',
  switching: 'switching traffic',
  partial: 'traffic split',
  post_switch_checks: 'running post-switch checks',
  promoted: 'promoted',
  aborted: 'aborted',
  rolled_back: 'rolled back',
};

export const otherColour = (c: Colour): Colour => (c === 'blue' ? 'green' : 'blue');

/** The split with `colour` at `weight` %. */
export function weightsFor(colour: Colour, weight: number): Weights {
  return colour === 'green' ? { blue: 100 - weight, green: weight } : { blue: weight, green: 100 - weight };
}

export const formatSplit = (w: Weights): string => `blue=${w.blue} green=${w.green}`;

// ------------------------------------------------------------------------------ strategy

/** Before traffic moves: the preview colour's health endpoint, then a smoke request, both sent to it directly. */
export interface PrePromotionAnalysis {
  enabled: boolean;
  /** Successes in a row on the health URL. */
  consecutiveSuccesses: number;
  intervalMs: number;
  requestTimeoutMs: number;
  /** The whole gate; past it the rollout is aborted. */
  timeoutSeconds: number;
  /** Expected status of the smoke request (when the environment names a smoke URL). */
  smokeExpectStatus: number;
}

/** While the preview colour takes traffic: its 5xx rate over a sliding window; past the threshold, automatic rollback. */
export interface PostPromotionAnalysis {
  enabled: boolean;
  windowMs: number;
  /** Fraction 0..1: roll back when errors / requests exceeds it. */
  threshold: number;
  /** …over at least this many requests of the colour in the window. */
  minRequests: number;
  pollMs: number;
  /** How long the checks run at 100 % before the rollout counts as promoted. */
  durationSeconds: number;
}

export interface BlueGreenStrategy {
  /** The preview colour's weight per step, ascending, ending at 100. */
  steps: number[];
  /** Watched pause between the automatic steps of a plan (switchTraffic without a weight, promote). */
  stepBakeSeconds: number;
  /** Argo: promote without a person once checks pass. Off by default in production. */
  autoPromotionEnabled: boolean;
  /** Argo: delay before automatic promotion. */
  autoPromotionSeconds: number;
  /** Argo: keep the old colour up this long after promotion, then call the scale-down hook. */
  scaleDownDelaySeconds: number;
  prePromotionAnalysis: PrePromotionAnalysis;
  postPromotionAnalysis: PostPromotionAnalysis;
}

export type BlueGreenStrategyInput = Partial<Omit<BlueGreenStrategy, 'prePromotionAnalysis' | 'postPromotionAnalysis'>> & {
  prePromotionAnalysis?: Partial<PrePromotionAnalysis>;
  postPromotionAnalysis?: Partial<PostPromotionAnalysis>;
};

/** Defaults from notes/traffic-routers.md (gate: 3 × 2xx 150 ms apart, 30 s; rollback past 5 % 5xx over 1 s, ≥ 10 requests). */
export function defaultStrategy(production: boolean): BlueGreenStrategy {
  return {
    steps: [10, 50, 100],
    stepBakeSeconds: 10,
    autoPromotionEnabled: !production,
    autoPromotionSeconds: 0,
    scaleDownDelaySeconds: 30,
    prePromotionAnalysis: { enabled: true, consecutiveSuccesses: 3, intervalMs: 150, requestTimeoutMs: 500, timeoutSeconds: 30, smokeExpectStatus: 200 },
    postPromotionAnalysis: { enabled: true, windowMs: 1000, threshold: 0.05, minRequests: 10, pollMs: 100, durationSeconds: 30 },
  };
}

type Obj = Record<string, unknown>;

function objectOf(value: unknown, field: string, allowed: readonly string[]): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(field, `expected an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) throw new ValidationError(`${field}.${key}`, `is not a blue-green setting (settings: ${allowed.join(', ')})`);
  }
  return value as Obj;
}

function num(o: Obj, key: string, field: string, min: number, max: number, integer: boolean): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)) || v < min || v > max) {
    throw new ValidationError(`${field}.${key}`, `expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${describe(v)}`);
  }
  return v;
}

function bool(o: Obj, key: string, field: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new ValidationError(`${field}.${key}`, `expected true or false, got ${describe(v)}`);
  return v;
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const PRE_KEYS = ['enabled', 'consecutiveSuccesses', 'intervalMs', 'requestTimeoutMs', 'timeoutSeconds', 'smokeExpectStatus'] as const;
const POST_KEYS = ['enabled', 'windowMs', 'threshold', 'minRequests', 'pollMs', 'durationSeconds'] as const;
const STRATEGY_KEYS = ['steps', 'stepBakeSeconds', 'autoPromotionEnabled', 'autoPromotionSeconds', 'scaleDownDelaySeconds', 'prePromotionAnalysis', 'postPromotionAnalysis'] as const;

/** Checks one layer of settings (environment settings, then setup options); errors name the field. */
export function parseStrategyInput(value: unknown, field: string): BlueGreenStrategyInput {
  if (value === undefined || value === null) return {};
  const o = objectOf(value, field, STRATEGY_KEYS);
  const out: BlueGreenStrategyInput = defined({
    stepBakeSeconds: num(o, 'stepBakeSeconds', field, 0, 86_400, false),
    autoPromotionEnabled: bool(o, 'autoPromotionEnabled', field),
    autoPromotionSeconds: num(o, 'autoPromotionSeconds', field, 0, 7 * 86_400, false),
    scaleDownDelaySeconds: num(o, 'scaleDownDelaySeconds', field, 0, 7 * 86_400, false),
  });
  if (o.steps !== undefined) {
    if (!Array.isArray(o.steps) || o.steps.length === 0 || o.steps.length > 20) {
      throw new ValidationError(`${field}.steps`, `expected a list of 1 to 20 weights ending at 100, got ${describe(o.steps)}`);
    }
    const steps = o.steps.map((s, i) => {
      if (typeof s !== 'number' || !Number.isInteger(s) || s < 1 || s > 100) throw new ValidationError(`${field}.steps[${i}]`, `expected a whole number from 1 to 100, got ${describe(s)}`);
      if (i > 0 && s <= (o.steps as number[])[i - 1]) throw new ValidationError(`${field}.steps[${i}]`, `must be greater than the step before it (${(o.steps as number[])[i - 1]})`);
      return s;
    });
    if (steps[steps.length - 1] !== 100) throw new ValidationError(`${field}.steps`, `must end at 100 (all traffic on the new colour), ends at ${steps[steps.length - 1]}`);
    out.steps = steps;
  }
  if (o.prePromotionAnalysis !== undefined) {
    const f = `${field}.prePromotionAnalysis`;
    const p = objectOf(o.prePromotionAnalysis, f, PRE_KEYS);
    out.prePromotionAnalysis = defined({
      enabled: bool(p, 'enabled', f),
      consecutiveSuccesses: num(p, 'consecutiveSuccesses', f, 1, 100, true),
      intervalMs: num(p, 'intervalMs', f, 10, 60_000, true),
      requestTimeoutMs: num(p, 'requestTimeoutMs', f, 50, 60_000, true),
      timeoutSeconds: num(p, 'timeoutSeconds', f, 0.1, 3600, false),
      smokeExpectStatus: num(p, 'smokeExpectStatus', f, 100, 599, true),
    });
  }
  if (o.postPromotionAnalysis !== undefined) {
    const f = `${field}.postPromotionAnalysis`;
    const p = objectOf(o.postPromotionAnalysis, f, POST_KEYS);
    out.postPromotionAnalysis = defined({
      enabled: bool(p, 'enabled', f),
      windowMs: num(p, 'windowMs', f, 100, 600_000, true),
      threshold: num(p, 'threshold', f, 0, 1, false),
      minRequests: num(p, 'minRequests', f, 1, 1_000_000, true),
      pollMs: num(p, 'pollMs', f, 20, 60_000, true),
      durationSeconds: num(p, 'durationSeconds', f, 0, 86_400, false),
    });
  }
  return out;
}

/** Defaults (production-aware), overlaid by each layer in order. */
export function resolveStrategy(production: boolean, ...layers: BlueGreenStrategyInput[]): BlueGreenStrategy {
  const s = defaultStrategy(production);
  for (const l of layers) {
    const { prePromotionAnalysis, postPromotionAnalysis, ...top } = l;
    Object.assign(s, top);
    if (prePromotionAnalysis) Object.assign(s.prePromotionAnalysis, prePromotionAnalysis);
    if (postPromotionAnalysis) Object.assign(s.postPromotionAnalysis, postPromotionAnalysis);
  }
  if (s.prePromotionAnalysis.requestTimeoutMs > s.prePromotionAnalysis.timeoutSeconds * 1000) {
    s.prePromotionAnalysis.requestTimeoutMs = Math.max(50, Math.floor(s.prePromotionAnalysis.timeoutSeconds * 1000));
  }
  return s;
}

// ------------------------------------------------------------------------------ the persisted record

export interface PreSwitchCheckResult {
  ok: boolean;
  url: string;
  detail: string;
  attempts?: number;
  ms?: number;
}

export interface BreachRecord {
  colour: Colour;
  errorRate: number;
  requests: number;
  errors: number;
  windowMs: number;
  detectedAt: Date;
}

export interface AutoRollbackRecord {
  detectedAt: Date;
  /** When the router confirmed the old colour at 100 %. */
  rolledBackAt?: Date;
  detectionToRollbackMs?: number;
  /** Set when the router refused the rollback. */
  error?: string;
}

/** One blue-green rollout of a release in an environment (table blue_green). */
export interface BlueGreenDeployment {
  id: string;
  releaseId: string;
  /** The release's version (what the preview colour gets). */
  version: string;
  environment: string;
  state: BlueGreenState;
  /** Argo's active colour: the one production traffic belongs to when the rollout rests (the old colour until promotion). */
  activeColour: Colour;
  /** Argo's preview colour: the one this rollout deployed the new version to. */
  previewColour: Colour;
  /** The split the router was last set to or read back at. */
  weights: Weights;
  /** While `switching`: the split being applied (what reconciliation compares the router with). */
  targetWeights?: Weights;
  /** Version running on each colour, when known. */
  versions: Partial<Record<Colour, string>>;
  strategy: BlueGreenStrategy;
  /** The environment is production (the last or a protected one): auto-promotion off by default, switches ask for confirmation. */
  production: boolean;
  /** Why the record is in its state (a failed check, a breach, a cut-off), as a sentence. */
  reason?: string;
  /** Setup attempts of this release in this environment (a new setup after abort/rollback reuses the record). */
  attempt: number;
  deploymentId?: string;
  deploySummary?: string;
  checks?: { health?: PreSwitchCheckResult; smoke?: PreSwitchCheckResult };
  breach?: BreachRecord;
  autoRollback?: AutoRollbackRecord;
  autoPromoteAt?: Date;
  /** When traffic first reached the preview colour in this attempt (its weight above 0): from then on users had the new version. */
  trafficAt?: Date;
  promotedAt?: Date;
  scaleDownAt?: Date;
  scaledDownAt?: Date;
  scaleDownError?: string;
  /** The process driving the rollout (`pid@host`), so reconciliation leaves another live window's rollout alone. */
  owner?: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface BlueGreenQuery {
  releaseId?: string;
  environment?: string;
  state?: BlueGreenState | BlueGreenState[];
}

// ------------------------------------------------------------------------------ view-models (Traffic tab)

export type StepStatus = 'done' | 'current' | 'pending';

export interface BlueGreenActions {
  /** The next weight step can be applied (switchTraffic). */
  switch: boolean;
  promote: boolean;
  rollback: boolean;
  abort: boolean;
  /** A person must confirm switch/promote/rollback (production). */
  confirm: boolean;
}

/** The stored rollout, plus what the dashboard derives from it (no router calls). */
export interface BlueGreenStatus extends BlueGreenDeployment {
  stateLabel: string;
  /** The preview colour's weight per step, with progress. */
  steps: { weight: number; status: StepStatus }[];
  /** The preview weight the next step would set, when one is left. */
  nextStep?: number;
  /** An operation of this window is running (deploy, checks, a switch plan). */
  busy?: string;
  actions: BlueGreenActions;
}

export type ColourHealth = 'healthy' | 'unhealthy' | 'unknown';

export interface ColourView {
  colour: Colour;
  role: 'stable' | 'preview';
  version?: string;
  /** Share of traffic the router gives this colour. */
  weight: number;
  health: ColourHealth;
  /** `HTTP 200 in 3 ms`, `ECONNREFUSED`, … */
  healthDetail: string;
  /** From counter deltas between two views; absent on the first view or without per-colour metrics. */
  requestsPerSec?: number;
  errors5xxPerSec?: number;
  /** errors / requests over the same span. */
  errorRate?: number;
}

export interface HistoryEntry {
  at: Date;
  actor: string;
  action: string;
  from?: BlueGreenState;
  to?: BlueGreenState;
  weights?: Weights;
  reason?: string;
}

/** Everything the Traffic tab shows, read live (router weights and counters, a health probe per colour). */
export interface TrafficView {
  status: BlueGreenStatus;
  routerKind: string;
  hitless: boolean;
  /** The router's real split, or the stored one with `routerError` when it could not be read. */
  weights: Weights;
  weightsSource: 'router' | 'record';
  routerError?: string;
  colours: Record<Colour, ColourView>;
  /** ms between the two counter samples the rates come from. */
  rateSpanMs?: number;
  history: HistoryEntry[];
  readAt: Date;
}

/** Sent to `onAutoRollback` listeners (the VS Code layer shows a notification). */
export interface AutoRollbackEvent {
  id: string;
  releaseId: string;
  version: string;
  environment: string;
  /** The colour that breached and was taken out of traffic. */
  colour: Colour;
  breach: BreachRecord;
  detectionToRollbackMs?: number;
  /** False when the router refused the rollback: traffic may still reach the failing colour. */
  ok: boolean;
  /** One sentence for the notification. */
  message: string;
}

/** What `reconcile()` did with one record. */
export interface ReconcileOutcome {
  id: string;
  releaseId: string;
  environment: string;
  from: BlueGreenState;
  to: BlueGreenState;
  weights?: Weights;
  note: string;
}
