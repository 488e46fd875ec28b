// The planning half of a folder's session (issue 7): release trains on a timer, roadmaps, release
// notes, DORA figures, and the releaseManager.git.tagOnProduction reaction. WorkspaceSession builds
// one per open database and forwards its changes here; this owns the timer and the follower.
import * as vscode from 'vscode';
import { gatherDora } from '../core/doraMetrics';
import type { Clock, GitPort, Identity, UnitOfWork } from '../core/ports';
import { ReleaseNotesService } from '../core/releaseNotesService';
import { ReleaseRoadmapLinker } from '../core/releases/ReleaseRoadmapLinker';
import type { ReleaseManager } from '../core/releases/ReleaseManager';
import { ReleaseTrainScheduler, type RunDueResult } from '../core/releases/ReleaseTrainScheduler';
import type { DatabaseChange } from '../storage/database';
import { atomicTextWriter } from '../storage/textFiles';
import { AuditFollower } from './auditFollower';
import { Commands } from './commandIds';
import type { Config } from './config';
import { DoraCache } from './doraCache';
import { describeRun, TrainRunner } from './trainRunner';

/** The planning managers a folder's core carries. */
export interface PlanningManagers {
  trains: ReleaseTrainScheduler;
  roadmaps: ReleaseRoadmapLinker;
  notes: ReleaseNotesService;
  /** DORA figures, cached until a deployment changes them. */
  dora: DoraCache;
  /** Runs the trains at activation and on a timer; `run()` is "Run Due Trains Now". */
  trainRunner: TrainRunner;
}

export interface PlanningDeps {
  folder: vscode.WorkspaceFolder;
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  git: GitPort;
  releases: ReleaseManager;
  config: Config;
  log: vscode.LogOutputChannel;
  /** Why the database cannot be written (a newer schema), if so: then the trains wait for a window that can. */
  readOnly(): string | undefined;
}

/** The train notifications shown in this extension host, newest last (the integration tests read them). */
export const trainNotices: string[] = [];

function notice(text: string): void {
  trainNotices.push(text);
  if (trainNotices.length > 50) trainNotices.shift();
}

export class PlanningSession implements vscode.Disposable {
  readonly managers: PlanningManagers;
  private readonly follower: AuditFollower;
  private disposed = false;
  private runnerStarted = false;

  constructor(private readonly deps: PlanningDeps) {
    const { uow, clock, identity, git, releases } = deps;
    const trains = new ReleaseTrainScheduler({ uow, clock, identity });
    this.managers = {
      trains,
      roadmaps: new ReleaseRoadmapLinker({ uow, clock, identity }),
      notes: new ReleaseNotesService({ uow, clock, identity, git, releases, files: atomicTextWriter }),
      dora: new DoraCache((windowDays, now) => gatherDora({ uow, git, now, windowDays }), clock),
      trainRunner: new TrainRunner({
        scheduler: trains,
        clock,
        log: { info: (m) => this.log('info', m), warn: (m) => this.log('warn', m) },
        onRun: (result) => this.announce(result),
      }),
    };
    this.follower = new AuditFollower(uow);
  }

  /** After the database opened: catch up the trains (not awaited by the caller: the UI comes first). */
  async start(): Promise<void> {
    await this.follower.start();
    const readOnly = this.deps.readOnly();
    if (readOnly) {
      this.log('info', `release trains are not run from this window: ${readOnly}`);
      return;
    }
    this.runnerStarted = true;
    await this.managers.trainRunner.start();
  }

  /** Every change of the folder's database, from this window ('local') or another ('external'). */
  onDatabaseChange(change: DatabaseChange): void {
    if (this.disposed) return;
    if (this.runnerStarted) this.managers.trainRunner.changed();
    void this.follow(change.source === 'local').catch((e: Error) => this.log('warn', `reacting to a change failed: ${e.message}`));
  }

  private async follow(local: boolean): Promise<void> {
    const events = await this.follower.next();
    if (this.disposed || !events.length) return;
    if (events.some((e) => e.action.startsWith('deployment.') || e.action === 'release.status.deployed')) this.managers.dora.invalidate();
    // Another window reacts to its own changes: tagging twice would race on the same tag.
    if (!local || !this.deps.config.tagOnProduction(this.deps.folder)) return;
    for (const e of events.filter((x) => x.action === 'release.status.deployed')) await this.tag(e.entityId);
  }

  private async tag(releaseId: string): Promise<void> {
    try {
      const { tag, commit, created } = await this.managers.notes.tagRelease(releaseId);
      this.log('info', created ? `tagged ${tag} on ${commit.slice(0, 7)} (releaseManager.git.tagOnProduction)` : `${tag} already points at ${commit.slice(0, 7)}`);
    } catch (e) {
      const message = (e as Error).message;
      this.log('warn', `could not tag release ${releaseId}: ${message}`);
      void vscode.window.showWarningMessage(`Release Manager could not tag the release that reached production (releaseManager.git.tagOnProduction): ${message}`);
    }
  }

  private announce(result: RunDueResult): void {
    for (const d of result.departures) {
      if (d.releaseId) this.log('info', `train '${d.trainName}' created release ${d.version} for its departure at ${d.departureAt.toISOString()}`);
      else this.log('warn', `train '${d.trainName}': ${d.error}`);
    }
    for (const e of result.errors) this.log('warn', `train '${e.trainName}' could not run: ${e.message}`);
    const { info, releaseId, warnings } = describeRun(result);
    const folder = this.deps.folder;
    const where = (vscode.workspace.workspaceFolders?.length ?? 0) > 1 ? ` (${folder.name})` : '';
    if (info) {
      notice(info + where);
      const open = releaseId ? ['Open Dashboard'] : [];
      void vscode.window.showInformationMessage(info + where, ...open).then((choice) => {
        if (choice && releaseId) void vscode.commands.executeCommand(Commands.openDashboard, { folder: folder.uri.toString(), releaseId }).then(undefined, () => undefined);
      });
    }
    for (const w of warnings) {
      notice(w + where);
      void vscode.window.showWarningMessage(w + where);
    }
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.deps.log[level](`[${this.deps.folder.name}] ${message}`);
  }

  dispose(): void {
    this.disposed = true;
    this.managers.trainRunner.dispose();
  }
}
