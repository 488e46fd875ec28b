// The Traffic tab's view model: the core's rollout status and live TrafficView in, plain JSON out.
// Pure (no 'vscode'), so unit tests check it.
import { STATE_LABELS, formatSplit, type BlueGreenState, type BlueGreenStatus, type TrafficView } from '../core/blueGreen';
import type { Environment } from '../core/model';
import type { TimelineEntry, TrafficColourView, TrafficHistoryView, TrafficRolloutView, TrafficTabView } from '../shared/trafficView';

/** The happy path, as the tab's timeline shows it (`partial` is a step of `switching`). */
export const TIMELINE: readonly BlueGreenState[] = [
  'preview_deploying', 'preview_ready', 'pre_switch_checks', 'awaiting_promotion', 'switching', 'post_switch_checks', 'promoted',
];

const TIMELINE_LABELS: Partial<Record<BlueGreenState, string>> = {
  preview_deploying: 'deploy preview',
  preview_ready: 'preview deployed',
  pre_switch_checks: 'pre-switch checks',
  awaiting_promotion: 'awaiting promotion',
  switching: 'switching traffic',
  post_switch_checks: 'post-switch checks',
  promoted: 'promoted',
  aborted: 'aborted',
  rolled_back: 'rolled back',
};

const slot = (s: BlueGreenState): BlueGreenState => (s === 'partial' ? 'switching' : s);

/**
 * Each happy-path state: done (visited, per the audited history), current, skipped (never
 * visited though a later one was), or pending; a rollout that was aborted or rolled back ends
 * with that state as the current one.
 */
export function buildTimeline(state: BlueGreenState, visited: readonly BlueGreenState[]): TimelineEntry[] {
  const seen = new Set(visited.map(slot));
  const final = state === 'aborted' || state === 'rolled_back';
  const current = final ? undefined : slot(state);
  const reached = (i: number) => TIMELINE.slice(i + 1).some((s) => seen.has(s) || s === current);
  const entries: TimelineEntry[] = TIMELINE.map((s, i) => ({
    state: s,
    label: TIMELINE_LABELS[s] ?? STATE_LABELS[s],
    status: s === current ? 'current' : seen.has(s) ? 'done' : reached(i) ? 'skipped' : 'pending',
  }));
  if (final) {
    // Only what happened before the end counts; the rest of the path was never reached.
    for (const e of entries) if (e.status === 'pending' || e.status === 'skipped') e.status = seen.has(e.state as BlueGreenState) ? 'done' : 'pending';
    entries.push({ state, label: TIMELINE_LABELS[state] ?? STATE_LABELS[state], status: 'current' });
  }
  return entries;
}

function role(c: 'blue' | 'green', s: BlueGreenStatus): TrafficColourView['role'] {
  if (c === s.activeColour) return 'active';
  return s.state === 'promoted' ? 'previous' : 'preview';
}

const pct = (x: number) => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;

export function rolloutView(view: TrafficView): TrafficRolloutView {
  const s = view.status;
  const colours = {
    blue: colourView('blue', view, s),
    green: colourView('green', view, s),
  };
  const visited = view.history.flatMap((h) => (h.to ? [h.to] : []));
  const history: TrafficHistoryView[] = [...view.history].reverse().map((h) => strip({
    at: h.at.toISOString(),
    actor: h.actor,
    action: h.action,
    from: h.from,
    to: h.to,
    split: h.weights ? formatSplit(h.weights) : undefined,
    reason: h.reason,
  }));
  const checks: TrafficRolloutView['checks'] = [];
  if (s.checks?.health) checks.push({ name: 'health', ok: s.checks.health.ok, detail: `${s.checks.health.url}: ${s.checks.health.detail}` });
  if (s.checks?.smoke) checks.push({ name: 'smoke', ok: s.checks.smoke.ok, detail: `${s.checks.smoke.url}: ${s.checks.smoke.detail}` });
  const b = s.breach;
  const autoRollback = s.autoRollback && b
    ? `${b.colour} answered ${b.errors} of ${b.requests} requests with 5xx (${pct(b.errorRate)}) over ${Math.round(b.windowMs)} ms; ` +
      (s.autoRollback.error ? `the rollback failed: ${s.autoRollback.error}` : `rolled back automatically${s.autoRollback.detectionToRollbackMs === undefined ? '' : ` ${s.autoRollback.detectionToRollbackMs} ms after detection`}`)
    : undefined;
  const old = s.previewColour === 'blue' ? 'green' : 'blue';
  const scaleDown = s.scaledDownAt
    ? `${old} scaled down at ${s.scaledDownAt.toISOString()}`
    : s.scaleDownError
      ? s.scaleDownError
      : s.scaleDownAt
        ? `${old} stays up until ${s.scaleDownAt.toISOString()} (rollback possible until then)`
        : undefined;
  return strip({
    id: s.id,
    environment: s.environment,
    version: s.version,
    state: s.state,
    stateLabel: s.stateLabel,
    production: s.production,
    activeColour: s.activeColour,
    previewColour: s.previewColour,
    split: { ...view.weights },
    splitSource: view.weightsSource,
    routerKind: view.routerKind,
    hitless: view.hitless,
    routerError: view.routerError,
    steps: s.steps.map((x) => ({ ...x })),
    nextStep: s.nextStep,
    busy: s.busy,
    reason: s.reason,
    actions: { ...s.actions },
    colours,
    rateSpanMs: view.rateSpanMs,
    timeline: buildTimeline(s.state, visited),
    checks,
    autoRollback,
    scaleDown,
    history,
    readAt: view.readAt.toISOString(),
  });
}

function colourView(c: 'blue' | 'green', view: TrafficView, s: BlueGreenStatus): TrafficColourView {
  const v = view.colours[c];
  return strip({
    colour: c,
    role: role(c, s),
    version: v.version,
    weight: v.weight,
    health: v.health,
    healthDetail: v.healthDetail,
    requestsPerSec: v.requestsPerSec,
    errors5xxPerSec: v.errors5xxPerSec,
    errorRate: v.errorRate,
  });
}

export function trafficTabView(rollouts: readonly BlueGreenStatus[], environments: readonly Environment[], selected?: TrafficView, error?: string): TrafficTabView {
  return strip({
    rollouts: rollouts.map((r) => ({ environment: r.environment, state: r.state, stateLabel: r.stateLabel })),
    selected: selected ? rolloutView(selected) : undefined,
    routedEnvironments: environments.filter((e) => e.router !== undefined && e.router !== null).map((e) => e.name),
    error,
  });
}

/** Rates over less than this are noise (a view pushed right after a transition): the previous ones stay. */
export const MIN_RATE_SPAN_MS = 500;

/** `next`, with the previous view's per-colour rates when its own span is too short to mean much. */
export function steadyRates(prev: TrafficTabView | undefined, next: TrafficTabView): TrafficTabView {
  const p = prev?.selected;
  const n = next.selected;
  if (!p || !n || p.id !== n.id || p.rateSpanMs === undefined || (n.rateSpanMs !== undefined && n.rateSpanMs >= MIN_RATE_SPAN_MS)) return next;
  const keep = (c: 'blue' | 'green') => strip({
    ...n.colours[c],
    requestsPerSec: p.colours[c].requestsPerSec,
    errors5xxPerSec: p.colours[c].errors5xxPerSec,
    errorRate: p.colours[c].errorRate,
  });
  return { ...next, selected: { ...n, rateSpanMs: p.rateSpanMs, colours: { blue: keep('blue'), green: keep('green') } } };
}

/** The rollout the tab shows: the environment asked for, else the unfinished one, else the newest. */
export function pickRollout(rollouts: readonly BlueGreenStatus[], environment?: string): BlueGreenStatus | undefined {
  if (environment) {
    const asked = rollouts.find((r) => r.environment === environment);
    if (asked) return asked;
  }
  return rollouts.find((r) => !['promoted', 'aborted', 'rolled_back'].includes(r.state)) ?? rollouts[0];
}

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
