// A folder's pipeline engine inside VS Code: the DeploymentPipelineManager with real processes,
// VS Code tasks, HTTP and the wave deployer; runs cut off by a closed window marked interrupted at
// start; the workspace file `.vscode/release-pipelines.json` kept in sync (its problems in the
// Problems panel); and, on a clean shutdown, every running step's process tree ended.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PIPELINE_FILE, parseJsonc, type PipelineIssue } from '../core/pipelineDefinition';
import type { Clock, Identity, UnitOfWork, WorkspaceTrust } from '../core/ports';
import { DependencyAwareDeploymentManager } from '../core/releases/DependencyAwareDeploymentManager';
import { DeploymentPipelineManager, type PipelineSyncResult } from '../core/releases/DeploymentPipelineManager';
import type { EnvironmentPromotionManager } from '../core/releases/EnvironmentPromotionManager';
import { WaveServiceDeployer } from '../core/waveDeployer';
import { httpClient } from '../process/httpRequest';
import { NodeProcessRunner } from '../process/processRunner';
import { ProcessRunOwnership } from '../process/runOwner';
import { Commands } from './commandIds';
import type { Config } from './config';
import { PIPELINE_SCHEMA_SCHEME } from './pipelineFileTemplate';
import { PipelineRunUi } from './pipelineRunUi';
import { VsCodeTaskRunner } from './taskRunner';
import { readWorkspaceText } from '../storage/workspaceText';

export interface FolderPipelinesDeps {
  folder: vscode.WorkspaceFolder;
  uow: UnitOfWork;
  clock: Clock;
  identity: Identity;
  promotion: EnvironmentPromotionManager;
  config: Config;
  log: vscode.LogOutputChannel;
}

/** Waits this long after the last file event before reading the file (editors save in bursts). */
const SYNC_DEBOUNCE_MS = 100;

export class FolderPipelines {
  readonly manager: DeploymentPipelineManager;
  /** `.vscode/release-pipelines.json` of the folder. */
  readonly fileUri: vscode.Uri;
  private readonly runner: NodeProcessRunner;
  private readonly diagnostics: vscode.DiagnosticCollection;
  private readonly ui: PipelineRunUi;
  private readonly disposables: vscode.Disposable[] = [];
  private syncTimer: NodeJS.Timeout | undefined;
  private syncing: Promise<PipelineSyncResult | undefined> = Promise.resolve(undefined);
  private disposed = false;

  constructor(private readonly deps: FolderPipelinesDeps) {
    const { folder, uow, clock, identity, promotion, config } = deps;
    const trust: WorkspaceTrust = { isTrusted: () => vscode.workspace.isTrusted };
    this.runner = new NodeProcessRunner();
    this.fileUri = vscode.Uri.joinPath(folder.uri, ...PIPELINE_FILE.split('/'));
    this.manager = new DeploymentPipelineManager({
      uow,
      clock,
      identity,
      trust,
      processes: this.runner,
      http: httpClient,
      promotion,
      ownership: new ProcessRunOwnership(),
      cwd: folder.uri.fsPath,
      tasks: new VsCodeTaskRunner(folder),
      services: new WaveServiceDeployer({
        orders: new DependencyAwareDeploymentManager({ uow }),
        runner: this.runner,
        http: httpClient,
        trust,
        // Read at each run: a changed setting applies to the next deployServices step.
        concurrency: () => config.deployConcurrency(folder),
      }),
      pipelineFile: PIPELINE_FILE,
    });
    this.diagnostics = vscode.languages.createDiagnosticCollection('releaseManager.pipelines');
    this.ui = new PipelineRunUi({ folder, manager: this.manager, uow, identity, log: deps.log });
  }

  /** Marks runs cut off by a closed window as interrupted, reads the pipeline file and starts watching it. */
  async start(): Promise<void> {
    await this.recover();
    if (this.disposed) return;
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(this.deps.folder, PIPELINE_FILE));
    this.disposables.push(
      watcher,
      watcher.onDidCreate(() => this.scheduleSync()),
      watcher.onDidChange(() => this.scheduleSync()),
      watcher.onDidDelete(() => this.scheduleSync()),
    );
    await this.sync();
  }

  /** Reads the file now (after any sync in flight) and applies it; resolves with what changed. */
  sync(): Promise<PipelineSyncResult | undefined> {
    clearTimeout(this.syncTimer);
    this.syncTimer = undefined;
    this.syncing = this.syncing.then(() => this.syncOnce(), () => this.syncOnce());
    return this.syncing;
  }

  private scheduleSync(): void {
    if (this.disposed) return;
    clearTimeout(this.syncTimer);
    this.syncTimer = setTimeout(() => void this.sync(), SYNC_DEBOUNCE_MS);
  }

  private async syncOnce(): Promise<PipelineSyncResult | undefined> {
    if (this.disposed) return undefined;
    const { log, folder } = this.deps;
    // Bounded and checked before parsing: a huge, binary or non-UTF-8 file is a problem on line 1, and
    // the pipelines from the last good version of the file stay as they were.
    const read = await readWorkspaceText(this.fileUri.fsPath);
    if (read.kind === 'unreadable') {
      const message = `${PIPELINE_FILE} ${read.reason}; its pipelines were left as they were`;
      log.warn(`[${folder.name}] ${message}`);
      if (!this.disposed) this.diagnostics.set(this.fileUri, [toDiagnostic({ path: '(file)', message, line: 1, column: 1 }, '')]);
      return undefined;
    }
    const text = read.kind === 'text' ? read.text : null;
    let result: PipelineSyncResult;
    try {
      result = await this.manager.syncPipelineFile(text, PIPELINE_FILE);
    } catch (e) {
      log.warn(`[${folder.name}] ${PIPELINE_FILE} not applied: ${(e as Error).message}`);
      return undefined;
    }
    if (this.disposed) return result;
    this.diagnostics.set(this.fileUri, result.errors.map((issue) => toDiagnostic(issue, text ?? '')));
    if (result.errors.length) {
      log.warn(`[${folder.name}] ${PIPELINE_FILE} has ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'} (see the Problems panel); its pipelines were left as they were`);
    } else {
      const changes = [
        result.added.length && `added ${result.added.join(', ')}`,
        result.updated.length && `updated ${result.updated.join(', ')}`,
        result.removed.length && `removed ${result.removed.join(', ')}`,
      ].filter(Boolean);
      if (changes.length) log.info(`[${folder.name}] ${PIPELINE_FILE}: ${changes.join('; ')}`);
    }
    if (result.detached.length) {
      const envs = result.detached.join(', ');
      void vscode.window.showWarningMessage(
        `Release Manager: ${PIPELINE_FILE} no longer declares ${result.removed.map((n) => `'${n}'`).join(', ')}; ${envs} ${result.detached.length === 1 ? 'now promotes' : 'now promote'} without a pipeline.`,
      );
    }
    return result;
  }

  private async recover(): Promise<void> {
    const { log, folder } = this.deps;
    try {
      const runs = await this.manager.recoverInterruptedRuns();
      if (!runs.length) return;
      const names = runs.map((r) => `'${r.pipelineName}'`);
      const message =
        `Release Manager: ${runs.length === 1 ? 'a pipeline run' : `${runs.length} pipeline runs`} of ${folder.name} (${[...new Set(names)].join(', ')}) ` +
        `${runs.length === 1 ? 'was' : 'were'} cut off when ${runs.length === 1 ? 'its window' : 'their windows'} closed: marked interrupted, and ${runs.length === 1 ? 'its deployment' : 'their deployments'} failed. Promote again to deploy.`;
      log.warn(`[${folder.name}] ${message}`);
      void vscode.window.showWarningMessage(message, 'Show Log').then((a) => {
        if (a === 'Show Log') void vscode.commands.executeCommand(Commands.showLog);
      });
    } catch (e) {
      log.warn(`[${folder.name}] could not check for interrupted pipeline runs: ${(e as Error).message}`);
    }
  }

  /** Stops every run this window drives (each is recorded as interrupted) and waits until their processes are gone. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.syncTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    // The window is closing: no notifications, and the log channel may already be gone.
    this.ui.dispose();
    try {
      await this.manager.dispose();
    } finally {
      await this.runner.dispose();
      this.diagnostics.dispose();
    }
  }
}

/** A Problems-panel entry: at the issue's line and column (1-based), or where its JSON path is. */
export function toDiagnostic(issue: PipelineIssue, text: string): vscode.Diagnostic {
  const at = issue.line !== undefined ? { line: issue.line, column: issue.column ?? 1 } : locate(text, issue.path);
  const lines = text.split('\n');
  const line = Math.max(0, Math.min((at?.line ?? 1) - 1, lines.length - 1));
  const column = Math.max(0, (at?.column ?? 1) - 1);
  const end = Math.max(column + 1, (lines[line] ?? '').replace(/\r$/, '').length);
  // A syntax error's message already says file:line:column; the panel shows where.
  const message = issue.path === '(file)' ? issue.message.replace(/^[^:]+:\d+:\d+: /, '') : `${issue.path}: ${issue.message}`;
  const d = new vscode.Diagnostic(new vscode.Range(line, column, line, end), message, vscode.DiagnosticSeverity.Error);
  d.source = 'Release Manager';
  return d;
}

/** Where a JSON path (or its nearest ancestor) starts in the file. */
function locate(text: string, jsonPath: string): { line: number; column: number } | undefined {
  let positions: Map<string, { line: number; column: number }>;
  try {
    positions = parseJsonc(text).positions;
  } catch {
    return undefined;
  }
  for (let p = jsonPath; ; ) {
    const at = positions.get(p);
    if (at) return at;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    if (cut <= 0) return positions.get('');
    p = p.slice(0, cut);
  }
}

/**
 * Serves the pipeline file's JSON schema under `release-manager:` so the file's `$schema` resolves
 * in VS Code (the JSON language service loads a document's `$schema` before any association).
 */
export function registerPipelineSchema(extensionUri: vscode.Uri): vscode.Disposable {
  const file = vscode.Uri.joinPath(extensionUri, 'media', 'schemas', 'release-pipelines.schema.json');
  return vscode.workspace.registerTextDocumentContentProvider(PIPELINE_SCHEMA_SCHEME, {
    provideTextDocumentContent: async (uri) => {
      if (path.posix.basename(uri.path) !== 'release-pipelines.schema.json') return '{}';
      return new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    },
  });
}
