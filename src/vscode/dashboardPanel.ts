// The release dashboard's host side: one webview panel per release (reused when open), restored by a
// WebviewPanelSerializer after a reload. Ready handshake (style rule 4): posts wait until the webview
// says `webview/ready`, then it gets a full snapshot; every incoming message is validated first.
import * as vscode from 'vscode';
import { NotFoundError, RefusedError } from '../core/model';
import { parseWebviewMessage } from '../shared/messageValidation';
import { DASHBOARD_TABS, DASHBOARD_VIEW_TYPE, type DashboardSnapshot, type DashboardTab, type HostToWebview, type WebviewToHost } from '../shared/protocol';
import { Commands } from './commandIds';
import { dashboardPage } from './dashboardHtml';
import { loadDashboardSnapshot } from './dashboardModel';
import { handlePipelineTabMessage, loadPipelinesView, PipelineOutputRelay } from './pipelineDashboard';
import { DashboardTraffic, type TrafficFeedInfo } from './dashboardTraffic';
import { loadServiceGraph } from './serviceGraphModel';
import { FolderNode, ReleaseServiceNode } from './treeNodes';
import { userMessage } from './errors';
import { handlePlanningMessage, isPlanningMessage, loadPlanningSections } from './planningDashboard';
import type { Sessions, WorkspaceSession } from './workspaceSession';

export interface DashboardInfo {
  folder: string;
  releaseId: string;
  title: string;
  visible: boolean;
  ready: boolean;
  /** The last snapshot sent (tests compare it with what they changed). */
  snapshot?: DashboardSnapshot;
  cspViolations: number;
  /** The Traffic tab's feed: whether it polls, and the last view it sent. */
  traffic: TrafficFeedInfo;
}

interface PanelDeps {
  extensionUri: vscode.Uri;
  sessions: Sessions;
  log: vscode.LogOutputChannel;
  onDispose(p: DashboardPanel): void;
}

const panelKey = (folder: string, releaseId: string) => `${folder}#${releaseId}`;

export class DashboardPanels implements vscode.Disposable, vscode.WebviewPanelSerializer {
  private readonly panels = new Map<string, DashboardPanel>();
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly sessions: Sessions,
    private readonly extensionUri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.registration = vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, this);
  }

  /** Opens (or reveals) the dashboard of a release. */
  async open(session: WorkspaceSession, releaseId: string, tab?: DashboardTab): Promise<DashboardPanel> {
    const key = panelKey(session.key, releaseId);
    const existing = this.panels.get(key);
    if (existing) {
      existing.panel.reveal();
      if (tab) existing.showTab(tab);
      return existing;
    }
    const core = await session.core();
    const release = await core.releases.getRelease(releaseId);
    if (!release) throw new NotFoundError('release', releaseId);
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, `Release ${release.version}`, vscode.ViewColumn.Active, webviewOptions(this.extensionUri));
    return this.attach(panel, session, releaseId, tab ?? 'overview');
  }

  /** After a window reload: the webview's saved state names the release. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const s = state as { releaseId?: unknown; folder?: unknown; tab?: unknown } | undefined;
    const session = typeof s?.folder === 'string' ? this.sessions.find(s.folder) : undefined;
    if (!s || typeof s.releaseId !== 'string' || !session) {
      this.log.warn(`dashboard not restored: ${session ? 'no release in its saved state' : 'its workspace folder is not open'}`);
      panel.dispose();
      return;
    }
    const tab = DASHBOARD_TABS.includes(s.tab as DashboardTab) ? (s.tab as DashboardTab) : 'overview';
    panel.webview.options = webviewOptions(this.extensionUri);
    const key = panelKey(session.key, s.releaseId);
    const existing = this.panels.get(key);
    if (existing) {
      panel.dispose(); // one panel per release
      return;
    }
    this.attach(panel, session, s.releaseId, tab);
  }

  private attach(panel: vscode.WebviewPanel, session: WorkspaceSession, releaseId: string, tab: DashboardTab): DashboardPanel {
    const p = new DashboardPanel(panel, session.key, releaseId, tab, {
      extensionUri: this.extensionUri,
      sessions: this.sessions,
      log: this.log,
      onDispose: (gone) => {
        if (this.panels.get(panelKey(session.key, releaseId)) === gone) this.panels.delete(panelKey(session.key, releaseId));
      },
    });
    this.panels.set(panelKey(session.key, releaseId), p);
    return p;
  }

  /** After any change: every open dashboard gets a fresh snapshot (hidden ones on their next ready). */
  refreshAll(): Promise<void> {
    return Promise.all([...this.panels.values()].map((p) => p.refresh())).then(() => undefined);
  }

  list(): DashboardInfo[] {
    return [...this.panels.values()].map((p) => p.info());
  }

  /** The open panel of a release (any folder), for the integration tests. */
  find(releaseId: string): DashboardPanel | undefined {
    return [...this.panels.values()].find((p) => p.releaseId === releaseId);
  }

  dispose(): void {
    this.registration.dispose();
    for (const p of [...this.panels.values()]) p.panel.dispose();
    this.panels.clear();
  }
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableFindWidget: true,
    // Style rule 6: the webview may load only our bundle and our static files.
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

export class DashboardPanel {
  private ready = false;
  private readonly queue: HostToWebview[] = [];
  private snapshot: DashboardSnapshot | undefined;
  private cspViolations = 0;
  /** The last messages sent (receiveForTest reads them). */
  private readonly recent: HostToWebview[] = [];
  /** Messages sent so far: receiveForTest counts its answers by it (`recent` keeps only the last 20). */
  private sent = 0;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly traffic: DashboardTraffic;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  /** Live output of this release's pipeline runs (Pipeline tab); dropped while the webview is not ready. */
  private readonly pipelineOutput: PipelineOutputRelay;

  constructor(
    readonly panel: vscode.WebviewPanel,
    /** The folder's key: the session is looked up each time, since it is replaced when its database moves. */
    readonly folder: string,
    readonly releaseId: string,
    initialTab: DashboardTab,
    private readonly deps: PanelDeps,
  ) {
    // Explicit colours: an <img> does not inherit the theme's currentColor.
    panel.iconPath = {
      light: vscode.Uri.joinPath(deps.extensionUri, 'media', 'releases-light.svg'),
      dark: vscode.Uri.joinPath(deps.extensionUri, 'media', 'releases-dark.svg'),
    };
    panel.webview.html = dashboardHtml(panel.webview, deps.extensionUri, { releaseId, folder, tab: initialTab });
    // Polls the rollout only while this panel shows the Traffic tab.
    this.traffic = new DashboardTraffic({ releaseId, core: () => this.session().core(), visible: () => panel.visible && this.ready, post: (m) => this.post(m), log: deps.log });
    this.pipelineOutput = new PipelineOutputRelay(releaseId, (m) => {
      if (this.ready) this.send(m);
    });
    this.disposables.push(
      this.traffic,
      this.pipelineOutput,
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.traffic.stop();
      }),
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      // A hidden webview's document is destroyed (no retainContextWhenHidden): it says ready again when shown.
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => {
        for (const d of this.disposables.splice(0)) d.dispose();
        deps.onDispose(this);
      }),
    );
  }

  info(): DashboardInfo {
    return {
      folder: this.folder,
      releaseId: this.releaseId,
      title: this.panel.title,
      visible: this.panel.visible,
      ready: this.ready,
      snapshot: this.snapshot,
      cspViolations: this.cspViolations,
      traffic: this.traffic.info(),
    };
  }

  /** The folder's current session; throws when the folder is no longer open. */
  private session(): WorkspaceSession {
    const s = this.deps.sessions.find(this.folder);
    if (!s) throw new RefusedError(`the workspace folder of this dashboard (${vscode.Uri.parse(this.folder).fsPath}) is no longer open`);
    return s;
  }

  showTab(tab: DashboardTab): void {
    this.post({ type: 'dashboard/showTab', tab });
  }

  /** Builds and sends a snapshot when the webview is ready; coalesces overlapping calls. */
  refresh(): Promise<void> {
    if (!this.ready) return Promise.resolve();
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.sendSnapshot();
      } while (this.refreshAgain && this.ready);
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async sendSnapshot(): Promise<void> {
    try {
      const session = this.session();
      const core = await session.core();
      const snapshot = await loadDashboardSnapshot(
        { uow: core.uow, promotion: core.promotion, readOnly: core.db.readOnlyReason },
        { name: session.name, uri: session.key },
        this.releaseId,
      );
      if (!snapshot) {
        this.send({ type: 'dashboard/unavailable', message: `Release ${this.releaseId} no longer exists in ${session.name}.` });
        return;
      }
      // The Services tab's graph; a failure here leaves the rest of the dashboard working.
      try {
        const graph = await loadServiceGraph(core, this.releaseId);
        if (graph) snapshot.serviceGraph = graph;
      } catch (e) {
        this.deps.log.error(`dashboard ${this.releaseId}: service graph: ${(e as Error).stack ?? e}`);
      }
      // Promotion and Pipeline tabs (issue 4): this release's runs and the environments' settings.
      try {
        snapshot.pipelines = await loadPipelinesView(core, this.releaseId);
        this.pipelineOutput.attach(core);
      } catch (e) {
        this.deps.log.error(`dashboard ${this.releaseId}: pipelines: ${(e as Error).stack ?? e}`);
      }
      // Roadmap and Metrics tabs (issue 7); each part that fails is left out and logged.
      Object.assign(snapshot, await loadPlanningSections(core, this.releaseId, this.deps.log, () => void this.refresh()));
      this.snapshot = snapshot;
      this.panel.title = `Release ${snapshot.release.version}`;
      this.send({ type: 'dashboard/snapshot', snapshot });
    } catch (e) {
      this.deps.log.error(`dashboard ${this.releaseId}: ${(e as Error).stack ?? e}`);
      this.send({ type: 'dashboard/unavailable', message: userMessage(e).message });
    }
  }

  private post(message: HostToWebview): void {
    if (this.ready) this.send(message);
    else this.queue.push(message);
  }

  private send(message: HostToWebview): void {
    this.sent++;
    this.recent.push(message);
    if (this.recent.length > 20) this.recent.shift();
    void this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  /**
   * For the integration tests: handles `raw` as if the webview had sent it and resolves with what
   * the host answered, so the validation path runs in the real extension host.
   */
  async receiveForTest(raw: unknown): Promise<HostToWebview[]> {
    const from = this.sent;
    await this.receive(raw);
    const answers = Math.min(this.sent - from, this.recent.length);
    return answers ? this.recent.slice(-answers) : [];
  }

  private async receive(raw: unknown): Promise<void> {
    const parsed = parseWebviewMessage(raw);
    if (!parsed.ok) {
      this.deps.log.warn(`dashboard ${this.releaseId}: refused a message from the webview: ${parsed.field}: ${parsed.reason}`);
      this.send({ type: 'request/failed', requestId: parsed.requestId, field: parsed.field, message: `${parsed.field}: ${parsed.reason}` });
      return;
    }
    const m: WebviewToHost = parsed.message;
    if (isPlanningMessage(m)) {
      return this.request(m.requestId, async () => {
        const session = this.session();
        await handlePlanningMessage(session, await session.core(), this.releaseId, m);
      });
    }
    switch (m.type) {
      case 'webview/ready':
        this.ready = true;
        await this.refresh(); // the full snapshot first, then whatever waited
        for (const q of this.queue.splice(0)) this.send(q);
        return;
      case 'traffic/watch':
        return this.traffic.watch(m.watching, m.environment);
      case 'traffic/action':
        return this.traffic.action(m.requestId, m.action, m.environment);
      case 'webview/cspViolation':
        this.cspViolations++;
        this.deps.log.error(`dashboard: Content-Security-Policy blocked ${m.blockedUri || 'inline code'} (${m.directive})`);
        return;
      case 'conversation/post':
        return this.request(m.requestId, async () => {
          const core = await this.session().core();
          const release = await core.releases.getRelease(this.releaseId);
          if (!release?.conversationId) throw new Error(`release ${this.releaseId} has no conversation`);
          await core.releases.postMessage(release.conversationId, await core.identity.currentUser(), m.text);
        });
      case 'release/assessRisk':
        return this.request(m.requestId, async () => {
          const core = await this.session().core();
          await core.releases.assessRisk(this.releaseId);
        });
      // The service commands, run as from a tree row of this dashboard's folder: they prompt in VS
      // Code (Remove asks for confirmation) and show a refusal themselves. (An argument object
      // would never prompt.)
      case 'service/add':
        return this.request(m.requestId, async () => {
          await vscode.commands.executeCommand(Commands.addService, new FolderNode(this.session()));
        });
      case 'service/edit':
        return this.request(m.requestId, async () => {
          await vscode.commands.executeCommand(Commands.editService, new ReleaseServiceNode(this.session(), this.releaseId, m.name, true));
        });
      case 'service/remove':
        return this.request(m.requestId, async () => {
          await vscode.commands.executeCommand(Commands.removeService, new ReleaseServiceNode(this.session(), this.releaseId, m.name, true));
        });
      // Promotion and Pipeline tabs: refusals come back with the core's text.
      case 'promotion/promote':
      case 'promotion/approval':
      case 'pipeline/action':
        return this.request(m.requestId, async () => handlePipelineTabMessage(await this.session().core(), this.releaseId, m));
    }
  }

  private async request(requestId: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
      // The change notification refreshes every dashboard; this one refreshes now, so its own
      // change shows before the request counts as done.
      await this.refresh();
      this.post({ type: 'request/done', requestId });
    } catch (e) {
      const um = userMessage(e);
      if (!um.expected) this.deps.log.error(`dashboard ${this.releaseId}: ${(e as Error).stack ?? e}`);
      this.post({ type: 'request/failed', requestId, field: um.field, message: um.message });
    }
  }
}

/** The page (dashboardHtml.ts builds it and its CSP, without 'vscode', so a unit test reads the policy served here). */
export function dashboardHtml(webview: vscode.Webview, extensionUri: vscode.Uri, initial: { releaseId: string; folder: string; tab: DashboardTab }): string {
  return dashboardPage({
    cspSource: webview.cspSource,
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
    styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'dashboard.css')).toString(),
    ...initial,
  });
}
