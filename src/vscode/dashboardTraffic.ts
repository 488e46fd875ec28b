// The Traffic tab's host side, one per dashboard: while the webview says the tab is shown (and the
// panel is visible), it reads the rollout's live view — the router's split, per-colour request and
// 5xx rates from counter deltas, a health probe per colour — about once a second and at every
// transition, and sends it. Hidden tab or panel: no polling. Its buttons run the same code as the
// commands (runTrafficAction), production asking for a modal confirmation first.
import * as vscode from 'vscode';
import type { HostToWebview } from '../shared/protocol';
import type { TrafficAction, TrafficTabView } from '../shared/trafficView';
import { userMessage } from './errors';
import { Cancelled } from './prompts';
import { pickEnvironment, runTrafficAction } from './trafficCommands';
import { pickRollout, steadyRates, trafficTabView } from './trafficModel';
import type { FolderCore } from './workspaceSession';

export interface TrafficFeedInfo {
  watching: boolean;
  /** Views sent since the panel opened. */
  views: number;
  /** The last view sent. */
  last?: TrafficTabView;
}

export interface DashboardTrafficDeps {
  releaseId: string;
  core(): Promise<FolderCore>;
  /** The panel is on screen (a hidden webview's document is gone: nothing to send to). */
  visible(): boolean;
  post(message: HostToWebview): void;
  log: vscode.LogOutputChannel;
  intervalMs?: number;
}

export class DashboardTraffic implements vscode.Disposable {
  private watching = false;
  private environment: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pushing: Promise<void> | undefined;
  private again = false;
  private changes: { dispose(): void } | undefined;
  private views = 0;
  private last: TrafficTabView | undefined;
  private disposed = false;

  constructor(private readonly deps: DashboardTrafficDeps) {}

  info(): TrafficFeedInfo {
    return { watching: this.watching, views: this.views, last: this.last };
  }

  /** The webview showed (or hid) the tab, or chose another environment's rollout. */
  async watch(watching: boolean, environment?: string): Promise<void> {
    this.environment = environment ?? this.environment;
    if (!watching) return this.stop();
    if (this.disposed) return;
    if (!this.watching) {
      this.watching = true;
      const core = await this.deps.core();
      this.changes?.dispose();
      // A transition shows at once, not at the next tick.
      this.changes = core.blueGreen.onDidChange((s) => {
        if (s.releaseId === this.deps.releaseId) void this.push();
      });
    }
    await this.push();
  }

  /** No more polling (tab hidden, panel hidden or closed). */
  stop(): void {
    this.watching = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changes?.dispose();
    this.changes = undefined;
  }

  /** Sends a fresh view; overlapping calls fold into one more. */
  push(): Promise<void> {
    if (this.pushing) {
      this.again = true;
      return this.pushing;
    }
    this.pushing = (async () => {
      do {
        this.again = false;
        await this.sendView();
      } while (this.again && this.watching);
    })().finally(() => {
      this.pushing = undefined;
      this.schedule();
    });
    return this.pushing;
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.watching || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.deps.visible()) return this.stop();
      void this.push();
    }, this.deps.intervalMs ?? 1000);
  }

  private async sendView(): Promise<void> {
    if (!this.watching || this.disposed) return;
    let view: TrafficTabView;
    try {
      const core = await this.deps.core();
      const rollouts = await core.blueGreen.list({ releaseId: this.deps.releaseId });
      const envs = await core.environments.listEnvironments();
      const chosen = pickRollout(rollouts, this.environment);
      let live;
      let error: string | undefined;
      if (chosen) {
        try {
          live = await core.blueGreen.trafficView(this.deps.releaseId, { environment: chosen.environment });
        } catch (e) {
          error = userMessage(e).message;
        }
      }
      view = steadyRates(this.last, trafficTabView(rollouts, envs, live, error));
    } catch (e) {
      view = { rollouts: [], routedEnvironments: [], error: userMessage(e).message };
    }
    if (!this.watching || this.disposed) return;
    this.views++;
    this.last = view;
    this.deps.post({ type: 'traffic/view', view });
  }

  /** A Traffic tab button. Resolves once the action ended and its result was sent. */
  async action(requestId: string, action: TrafficAction, environment?: string): Promise<void> {
    try {
      const core = await this.deps.core();
      let env = environment ?? (action === 'setup' ? undefined : this.environment);
      if (action === 'setup' && !env) env = await pickEnvironment(core, 'Set Up Blue-Green Rollout: which environment?', 'setup');
      await runTrafficAction({ core, log: this.deps.log, action, releaseId: this.deps.releaseId, environment: env, confirmed: false, interactive: true });
      if (action === 'setup' && env) this.environment = env;
      this.deps.post({ type: 'traffic/result', requestId, ok: true });
    } catch (e) {
      if (e instanceof Cancelled) {
        this.deps.post({ type: 'traffic/result', requestId, ok: false, cancelled: true });
      } else {
        const um = userMessage(e);
        if (!um.expected) this.deps.log.error(`dashboard ${this.deps.releaseId}: traffic ${action}: ${(e as Error).stack ?? e}`);
        this.deps.post({ type: 'traffic/result', requestId, ok: false, field: um.field, message: um.message });
      }
    }
    if (this.watching) await this.push();
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
  }
}
