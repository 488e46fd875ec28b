// One WorkspaceSession per workspace folder: its release database and the managers over it.
// The database opens asynchronously after the UI is registered (views show "Opening…" meanwhile);
// every change to it — from this window or another — reaches the registry's debounced onDidChange.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CalendarFeed } from '../core/calendarFeed';
import type { Clock, Identity } from '../core/ports';
import { systemClock } from '../core/ports';
import { DependencyAwareDeploymentManager } from '../core/releases/DependencyAwareDeploymentManager';
import { EnvironmentPromotionManager } from '../core/releases/EnvironmentPromotionManager';
import type { DeploymentPipelineManager } from '../core/releases/DeploymentPipelineManager';
import { ReleaseManager } from '../core/releases/ReleaseManager';
import { ServiceCatalog } from '../core/serviceCatalog';
import { GitCli, GitIdentity } from '../git/gitCli';
import { WorkspaceDatabase } from '../storage/database';
import { SqlUnitOfWork } from '../storage/sqlRepositories';
import { atomicTextWriter } from '../storage/textFiles';
import { Commands } from './commandIds';
import type { Config } from './config';
import { FolderPipelines } from './pipelineHost';
import { PlanningSession, type PlanningManagers } from './planningSession';
import { derivedPromotionSource, managerPromotionSource, type PromotionSource } from './promotionSource';
import { TrafficSession, type TrafficManagers } from './trafficSession';

/** The managers of one folder, over its database. */
/** The managers of one folder, over its database (with the planning ones: trains, roadmaps, notes, DORA). */
export interface FolderCore extends PlanningManagers, TrafficManagers {
  folder: vscode.WorkspaceFolder;
  db: WorkspaceDatabase;
  uow: SqlUnitOfWork;
  clock: Clock;
  identity: Identity;
  git: GitCli;
  releases: ReleaseManager;
  catalog: ServiceCatalog;
  environments: EnvironmentPromotionManager;
  /** Deployment order (waves, readiness) and what runs where: the Services graph. */
  dependencyOrder: DependencyAwareDeploymentManager;
  /** What the views show of environments and promotion paths. */
  promotion: PromotionSource;
  /** Pipeline definitions and runs (real processes in the folder, VS Code tasks, the workspace pipeline file). */
  pipelines: DeploymentPipelineManager;
}

export type SessionState = 'opening' | 'ready' | 'failed' | 'closed';

export interface SessionDeps {
  config: Config;
  wasmPath: string;
  log: vscode.LogOutputChannel;
  /** Called on every database change and state change of the session. */
  onChange(session: WorkspaceSession): void;
}

export class WorkspaceSession {
  state: SessionState = 'opening';
  /** Why the database could not be opened, when state is 'failed'. */
  error: string | undefined;
  readonly dbPath: string;
  private opening: Promise<FolderCore> | undefined;
  private pipelineHost: FolderPipelines | undefined;
  private traffic: TrafficSession | undefined;
  private subscription: { dispose(): void } | undefined;
  private planning: PlanningSession | undefined;

  constructor(
    readonly folder: vscode.WorkspaceFolder,
    private readonly deps: SessionDeps,
  ) {
    this.dbPath = deps.config.databasePath(folder);
  }

  /** A stable key: the folder's URI. */
  get key(): string {
    return this.folder.uri.toString();
  }

  get name(): string {
    return this.folder.name;
  }

  /** The folder's managers; opens the database on first use. Rejects when it cannot be opened. */
  core(): Promise<FolderCore> {
    this.opening ??= this.open();
    return this.opening;
  }

  /** The managers when the database is open, without waiting or opening. */
  get readOnlyReason(): string | undefined {
    return this.current?.db.readOnlyReason;
  }

  private current: FolderCore | undefined;

  private async open(): Promise<FolderCore> {
    const { log } = this.deps;
    const started = Date.now();
    try {
      const db = await WorkspaceDatabase.open({
        path: this.dbPath,
        wasmPath: this.deps.wasmPath,
        watch: true, // other windows' writes show up here
        log: (level, message) => log[level](`[${this.folder.name}] ${message}`),
      });
      if (this.state === 'closed') {
        await db.close();
        throw new Error('the workspace folder was closed');
      }
      const uow = new SqlUnitOfWork(db);
      const identity = new GitIdentity(this.folder.uri.fsPath);
      const git = new GitCli(this.folder.uri.fsPath);
      const clock = systemClock;
      const environments = new EnvironmentPromotionManager({ uow, clock, identity, git });
      const pipelineHost = (this.pipelineHost = new FolderPipelines({ folder: this.folder, uow, clock, identity, promotion: environments, config: this.deps.config, log }));
      const releases = new ReleaseManager({ uow, clock, identity, git, files: atomicTextWriter, nextFreeze: (now) => environments.nextFreeze(now) });
      const planning = (this.planning = new PlanningSession({ folder: this.folder, uow, clock, identity, git, releases, config: this.deps.config, log, readOnly: () => db.readOnlyReason }));
      // Blue-green: routers from each environment's router settings, the preview deployed by its pipeline.
      const traffic = (this.traffic = new TrafficSession({ folder: this.folder, uow, clock, identity, environments, pipelines: pipelineHost.manager, log }));
      const core: FolderCore = {
        ...planning.managers,
        ...traffic.managers,
        folder: this.folder,
        db,
        uow,
        clock,
        identity,
        git,
        releases,
        catalog: new ServiceCatalog(uow, clock, identity),
        environments,
        dependencyOrder: new DependencyAwareDeploymentManager({ uow }),
        promotion: managerPromotionSource(environments, derivedPromotionSource(uow), (m) => log.warn(`[${this.folder.name}] ${m}`)),
        pipelines: pipelineHost.manager,
      };
      this.current = core;
      this.subscription = db.onDidChange((change) => {
        // This window's changes only: another window on the same folder updates the file itself.
        if (change.source === 'local' && this.deps.config.keepCalendarUpdated(this.folder)) this.calendarFeed(core).schedule();
        planning.onDatabaseChange(change);
        this.deps.onChange(this);
      });
      this.state = 'ready';
      log.info(`[${this.folder.name}] opened ${this.dbPath} (schema ${db.schemaVersion}) in ${Date.now() - started} ms`);
      this.reportProblems(db);
      this.deps.onChange(this);
      // Runs cut off by a closed window are marked interrupted; the pipeline file is read and watched.
      void pipelineHost.start().catch((e: Error) => log.warn(`[${this.folder.name}] pipelines did not start: ${e.message}`));
      // A switch cut off by a closed window follows the router's real weights (a notification says so).
      void traffic.start().catch((e: Error) => log.warn(`[${this.folder.name}] blue-green rollouts not reconciled: ${e.message}`));
      // Trains catch up what departed while VS Code was closed, then wait on their timer.
      void planning.start().catch((e: Error) => log.warn(`[${this.folder.name}] release trains did not start: ${e.message}`));
      return core;
    } catch (e) {
      this.state = this.state === 'closed' ? 'closed' : 'failed';
      this.error = (e as Error).message;
      log.error(`[${this.folder.name}] could not open ${this.dbPath}: ${this.error}`);
      if (this.state === 'failed') {
        void showWithLog('error', `Release Manager could not open the release database of ${this.folder.name} (${this.relative(this.dbPath)}): ${this.error}`);
      }
      this.deps.onChange(this);
      throw e;
    }
  }

  private feed: { path: string; feed: CalendarFeed } | undefined;

  /** The workspace's .ics file (releaseManager.calendar.path, read each time so a new path applies at once). */
  private calendarFeed(core: FolderCore): CalendarFeed {
    const file = this.deps.config.calendarPath(this.folder);
    if (this.feed?.path !== file) {
      this.feed?.feed.dispose();
      const log = this.deps.log;
      this.feed = {
        path: file,
        feed: new CalendarFeed({
          uow: core.uow,
          clock: core.clock,
          files: atomicTextWriter,
          path: file,
          name: `Releases — ${this.folder.name}`,
          onError: (e) => log.warn(`[${this.folder.name}] calendar ${file} not updated: ${e.message}`),
        }),
      };
    }
    return this.feed.feed;
  }

  private reportProblems(db: WorkspaceDatabase): void {
    for (const r of db.recoveries) {
      void showWithLog(
        'error',
        `Release Manager: ${this.relative(r.file)} ${r.reason}. It was moved to ${this.relative(r.movedTo)} (nothing was overwritten) and a new, empty database was started.`,
      );
    }
    if (db.readOnlyReason) void showWithLog('warning', `Release Manager: ${db.readOnlyReason}`);
  }

  private relative(file: string): string {
    const rel = path.relative(this.folder.uri.fsPath, file);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
  }

  async close(): Promise<void> {
    this.state = 'closed';
    this.subscription?.dispose();
    this.planning?.dispose();
    this.planning = undefined;
    // Watchers, timers and rollout operations stop before the pipelines and the database do.
    this.traffic?.dispose();
    this.traffic = undefined;
    const core = this.current;
    this.current = undefined;
    if (core) {
      // Running steps end (their process trees killed) and are recorded before the database closes.
      // console, not the log: on deactivate the log channel is disposed before the sessions close.
      await this.pipelineHost?.dispose().catch((e: Error) => console.error(`Release Manager [${this.folder.name}]: pipelines did not stop cleanly: ${e.message}`));
      this.pipelineHost = undefined;
      const feed = this.feed?.feed;
      this.feed = undefined;
      await feed?.flush().catch((e: Error) => this.deps.log.warn(`[${this.folder.name}] calendar not updated: ${e.message}`));
      feed?.dispose();
      await core.db.close();
    }
  }
}

async function showWithLog(level: 'error' | 'warning', message: string): Promise<void> {
  const show = level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
  if ((await show(message, 'Show Log')) === 'Show Log') await vscode.commands.executeCommand(Commands.showLog);
}

/** The sessions of every open folder, kept in step with the workspace and the databasePath setting. */
export class Sessions implements vscode.Disposable {
  private readonly byKey = new Map<string, WorkspaceSession>();
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires at once on a change to any folder's database or session state, then at most every ~100 ms. */
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private pending = false;
  private idle: Promise<void> = Promise.resolve();
  private resolveIdle: (() => void) | undefined;

  constructor(
    private readonly config: Config,
    private readonly wasmPath: string,
    private readonly log: vscode.LogOutputChannel,
    private readonly debounceMs = 100,
  ) {
    this.disposables.push(
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const f of e.removed) void this.remove(f);
        for (const f of e.added) this.add(f);
        this.changed();
      }),
      config.onDidChange((e) => {
        for (const s of [...this.byKey.values()]) {
          if (e.affects('databasePath', s.folder) && config.databasePath(s.folder) !== s.dbPath) {
            log.info(`[${s.name}] databasePath changed: reopening at ${config.databasePath(s.folder)}`);
            void this.remove(s.folder).then(() => {
              this.add(s.folder);
              this.changed();
            });
          }
        }
      }),
    );
  }

  /** Creates a session per folder and starts opening their databases (not awaited: the UI comes first). */
  start(): void {
    for (const f of vscode.workspace.workspaceFolders ?? []) this.add(f);
  }

  /** In workspace-folder order. */
  list(): WorkspaceSession[] {
    const order = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.toString());
    return [...this.byKey.values()].sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  }

  /** The session whose folder has this URI, path or name. */
  find(folder: string): WorkspaceSession | undefined {
    const list = this.list();
    return (
      list.find((s) => s.key === folder) ??
      list.find((s) => s.folder.uri.fsPath === folder || path.resolve(folder) === s.folder.uri.fsPath) ??
      list.find((s) => s.name === folder)
    );
  }

  /** Resolves when no change notification is pending (tests wait on it). */
  settled(): Promise<void> {
    return this.idle;
  }

  private add(folder: vscode.WorkspaceFolder): void {
    if (folder.uri.scheme !== 'file') {
      this.log.warn(`[${folder.name}] skipped: Release Manager keeps its database on disk, and ${folder.uri.scheme}: folders are not files`);
      return;
    }
    const s = new WorkspaceSession(folder, { config: this.config, wasmPath: this.wasmPath, log: this.log, onChange: () => this.changed() });
    this.byKey.set(s.key, s);
    s.core().catch(() => undefined); // reported by the session; views show the failure
  }

  private async remove(folder: vscode.WorkspaceFolder): Promise<void> {
    const s = this.byKey.get(folder.uri.toString());
    if (!s) return;
    this.byKey.delete(s.key);
    await s.close().catch((e) => this.log.error(`[${s.name}] close failed: ${(e as Error).message}`));
  }

  /**
   * Throttles change notifications: the first change is announced at once (a single edit shows in
   * the views and dashboards without waiting), further changes within `debounceMs` are folded into
   * one more notification when the window ends (a burst costs two refreshes, not one per write).
   */
  private changed(): void {
    if (!this.resolveIdle) this.idle = new Promise((r) => (this.resolveIdle = r));
    if (this.timer) {
      this.pending = true;
      return;
    }
    this.pending = false;
    this.timer = setTimeout(() => this.windowEnded(), this.debounceMs);
    // After the current turn: the write that changed the database has resolved to its caller.
    setImmediate(() => this.fire());
  }

  private windowEnded(): void {
    this.timer = undefined;
    if (this.pending) {
      this.pending = false;
      this.timer = setTimeout(() => this.windowEnded(), this.debounceMs);
      this.fire();
    } else {
      const resolve = this.resolveIdle;
      this.resolveIdle = undefined;
      resolve?.();
    }
  }

  private fire(): void {
    try {
      this.emitter.fire();
    } catch (e) {
      this.log.error(`change listener failed: ${(e as Error).message}`);
    }
  }

  /** Closes every database (snapshotting what is unsaved). */
  async closeAll(): Promise<void> {
    clearTimeout(this.timer);
    this.resolveIdle?.();
    const all = [...this.byKey.values()];
    this.byKey.clear();
    await Promise.all(all.map((s) => s.close().catch((e) => this.log.error(`[${s.name}] close failed: ${(e as Error).message}`))));
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
    this.emitter.dispose();
  }
}
