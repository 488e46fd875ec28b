// Composition root (style rule 1): storage → managers → VS Code adapters. The container owns every
// disposable; activate() only builds it. Databases open after the views are registered, so the UI
// shows at once ("Opening the release database…") and fills in when they are ready.
import * as vscode from 'vscode';
import { Commands } from './vscode/commandIds';
import { registerCommands, showError } from './vscode/commands';
import { Config } from './vscode/config';
import { DashboardPanels, type DashboardInfo } from './vscode/dashboardPanel';
import { DiscoveryDiagnostics } from './vscode/discoveryDiagnostics';
import { EnvironmentsTreeProvider } from './vscode/environmentTree';
import { registerPipelineSchema } from './vscode/pipelineHost';
import { ReleasesTreeProvider } from './vscode/releaseTree';
import { ReleaseNotesFileSystem } from './vscode/notesDocuments';
import { trainNotices } from './vscode/planningSession';
import { TrainCountdownStatusBar, type CountdownState } from './vscode/trainStatusBar';
import { TRAINS_VIEW_ID, TrainsTreeProvider, type TrainTreeNode } from './vscode/trainTree';
import { ReleaseStatusBar, type StatusBarState } from './vscode/statusBar';
import type { HostToWebview } from './shared/protocol';
import { storageState, type StorageState } from './vscode/storageState';
import type { TreeNode } from './vscode/treeNodes';
import { trafficNotices } from './vscode/trafficSession';
import { Sessions, type FolderCore } from './vscode/workspaceSession';

/** What activate() returns: the extension's API object. `testing` is for the integration tests. */
export interface ReleaseManagerApi {
  readonly apiVersion: 1;
  /** The managers of a folder (by name, path or URI; the only folder when omitted). */
  core(folder?: string): Promise<FolderCore>;
  readonly testing: {
    releasesTree: vscode.TreeDataProvider<TreeNode>;
    environmentsTree: vscode.TreeDataProvider<TreeNode>;
    statusBar(): StatusBarState;
    /** The Release Trains view (issue 7): trains → departures → checkpoints. */
    trainsTree: vscode.TreeDataProvider<TrainTreeNode>;
    /** The train countdown item ("code freeze in 2d"). */
    trainCountdown(): CountdownState;
    /** The release-train notifications shown so far ("Release 1.5.0 created by train 'Monthly'."). */
    trainNotices(): string[];
    /** The blue-green notifications shown so far (automatic rollbacks with their figures, reconciliations). */
    trafficNotices(): string[];
    dashboards(): DashboardInfo[];
    /** Delivers `raw` to a release's open dashboard as if its webview sent it; resolves with the host's answers. */
    sendFromWebview(releaseId: string, raw: unknown): Promise<HostToWebview[]>;
    /** A folder's database as stored (journal sequence, audit count, file stamps): proves what was not written. */
    storage(folder?: string): Promise<StorageState>;
    /** Resolves when the last change has reached the trees, the status bar and open dashboards. */
    settled(): Promise<void>;
  };
}

export type ViewState = 'noFolder' | 'opening' | 'ready' | 'failed';

export class Container implements vscode.Disposable {
  readonly api: ReleaseManagerApi;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly sessions: Sessions;
  private refreshing: Promise<void> = Promise.resolve();
  private disposed = false;
  private lastViewState: ViewState | undefined;
  private readonly log: vscode.LogOutputChannel;

  private constructor(context: vscode.ExtensionContext) {
    const own = <T extends vscode.Disposable>(d: T): T => {
      this.disposables.push(d);
      return d;
    };
    // Not in `disposables`: the log outlives the sessions, whose shutdown (ending running steps,
    // the last snapshot) may still write to it.
    const log = (this.log = vscode.window.createOutputChannel('Release Manager', { log: true }));
    const config = own(new Config());
    const wasmPath = vscode.Uri.joinPath(context.extensionUri, 'dist', 'sql-wasm.wasm').fsPath;
    const sessions = (this.sessions = own(new Sessions(config, wasmPath, log)));
    const releasesTree = own(new ReleasesTreeProvider(sessions));
    const environmentsTree = own(new EnvironmentsTreeProvider(sessions));
    const statusBar = own(new ReleaseStatusBar(sessions, log));
    const dashboards = own(new DashboardPanels(sessions, context.extensionUri, log));
    const discoveryDiagnostics = own(new DiscoveryDiagnostics(own(vscode.languages.createDiagnosticCollection('releaseManager.discovery')), log));
    own(vscode.window.createTreeView('releaseManager.releases', { treeDataProvider: releasesTree, showCollapseAll: true }));
    own(vscode.window.createTreeView('releaseManager.environments', { treeDataProvider: environmentsTree }));
    // `$schema` of .vscode/release-pipelines.json (release-manager:/schemas/…) resolves to the bundled schema.
    own(registerPipelineSchema(context.extensionUri));
    const trainsTree = own(new TrainsTreeProvider(sessions));
    trainsTree.attach(own(vscode.window.createTreeView(TRAINS_VIEW_ID, { treeDataProvider: trainsTree })));
    const trainCountdown = own(new TrainCountdownStatusBar(sessions, config, log));
    own(new ReleaseNotesFileSystem(sessions));
    own(config.onDidChange((e) => {
      if (e.affects('countdownDays')) void trainCountdown.update();
    }));

    const refresh = () => {
      if (this.disposed) return;
      releasesTree.refresh();
      environmentsTree.refresh();
      trainsTree.refresh();
      this.updateViewState();
      this.refreshing = Promise.all([statusBar.update(), trainCountdown.update(), dashboards.refreshAll()]).then(() => undefined);
    };
    for (const d of registerCommands({
      sessions,
      dashboards,
      config,
      log,
      discoveryDiagnostics,
      refreshViews: refresh,
      showMoreReleases: (node) => releasesTree.showMore(node),
      reportError: (e) => showError(e, log),
    })) own(d);
    own(sessions.onDidChange(refresh));

    this.api = {
      apiVersion: 1,
      core: async (folder) => {
        const list = sessions.list();
        const s = folder === undefined ? (list.length === 1 ? list[0] : undefined) : sessions.find(folder);
        if (!s) throw new Error(folder === undefined ? `name a folder: ${list.length} are open` : `'${folder}' is not an open workspace folder`);
        return s.core();
      },
      testing: {
        releasesTree,
        environmentsTree,
        statusBar: () => statusBar.current(),
        trainsTree,
        trainCountdown: () => trainCountdown.current(),
        trainNotices: () => [...trainNotices],
        trafficNotices: () => [...trafficNotices],
        dashboards: () => dashboards.list(),
        sendFromWebview: async (releaseId, raw) => {
          const panel = dashboards.find(releaseId);
          if (!panel) throw new Error(`no dashboard is open for release ${releaseId}`);
          return panel.receiveForTest(raw);
        },
        storage: async (folder) => storageState(await this.api.core(folder)),
        settled: async () => {
          await sessions.settled();
          await this.refreshing;
        },
      },
    };

    this.updateViewState();
    sessions.start();
    discoveryDiagnostics.start();
    log.info(`activated (${vscode.workspace.workspaceFolders?.length ?? 0} folder(s)); commands: ${Object.keys(Commands).length}`);
  }

  static create(context: vscode.ExtensionContext): Container {
    const c = new Container(context);
    context.subscriptions.push(c);
    return c;
  }

  /** Drives the viewsWelcome content (package.json) through the `releaseManager.state` context key. */
  private updateViewState(): void {
    const list = this.sessions.list();
    const state: ViewState = !list.length
      ? 'noFolder'
      : list.some((s) => s.state === 'opening')
        ? 'opening'
        : list.every((s) => s.state === 'failed')
          ? 'failed'
          : 'ready';
    if (state === this.lastViewState) return;
    this.lastViewState = state;
    void vscode.commands.executeCommand('setContext', 'releaseManager.state', state);
  }

  /** Closes the databases (writing what is unsaved) after the UI is gone. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        /* keep disposing the rest */
      }
    }
    try {
      await this.sessions.closeAll();
    } finally {
      this.log.dispose();
    }
  }
}
