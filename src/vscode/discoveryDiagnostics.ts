// Discovery's problems (a dependency cycle, a depends_on naming no service, YAML that does not parse,
// a broken package workspace) in the Problems panel, on the files they are about. Each folder is
// read once after activation and again whenever a compose file, package.json or
// pnpm-workspace.yaml in it changes on disk, so a fixed problem disappears without running
// "Discover Services". Discovery only reads files: nothing is added to the catalog here.
import * as vscode from 'vscode';
import type { DiscoveryDiagnostic } from '../discovery/diagnostic';
import { discoverServices } from '../discovery/discover';
import { DEFAULT_IGNORE } from '../discovery/files';

/** What discovery reads: compose files (any *compose*.y(a)ml, as discovery does) and package workspaces. */
export const DISCOVERY_WATCH_GLOB = '**/{*compose*.yml,*compose*.yaml,package.json,pnpm-workspace.yaml}';

export function toVscodeDiagnostic(d: DiscoveryDiagnostic): vscode.Diagnostic {
  // Discovery counts lines and columns from 1; VS Code from 0.
  const start = new vscode.Position(Math.max(0, d.line - 1), Math.max(0, d.column - 1));
  const end = d.endLine !== undefined ? new vscode.Position(Math.max(0, d.endLine - 1), Math.max(0, (d.endColumn ?? d.column) - 1)) : start;
  const severity = d.severity === 'error' ? vscode.DiagnosticSeverity.Error : d.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information;
  const diag = new vscode.Diagnostic(new vscode.Range(start, end), d.message, severity);
  diag.source = 'Release Manager';
  diag.code = d.code;
  return diag;
}

export class DiscoveryDiagnostics implements vscode.Disposable {
  /** Per folder (URI string): the files that have diagnostics now, so a new run clears the fixed ones. */
  private readonly published = new Map<string, Map<string, vscode.Uri>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly collection: vscode.DiagnosticCollection,
    private readonly log: vscode.LogOutputChannel,
    /** Quiet time after the last change before a folder is read again. */
    private readonly debounceMs = 300,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher(DISCOVERY_WATCH_GLOB);
    const changed = (uri: vscode.Uri) => {
      // Discovery never enters these folders, so their files cannot change its result.
      if (uri.path.split('/').some((part) => DEFAULT_IGNORE.includes(part))) return;
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      if (folder) this.schedule(folder);
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate(changed),
      watcher.onDidChange(changed),
      watcher.onDidDelete(changed),
      vscode.workspace.onDidChangeWorkspaceFolders((e) => {
        for (const f of e.removed) this.clearFolder(f.uri);
        for (const f of e.added) this.schedule(f);
      }),
    );
  }

  /** Reads every open folder (after `delayMs`, so that activation is not slowed down). */
  start(delayMs = 1000): void {
    for (const f of vscode.workspace.workspaceFolders ?? []) this.schedule(f, delayMs);
  }

  /** Reads a folder again after the debounce; changes in the meantime fold into one read. */
  schedule(folder: vscode.WorkspaceFolder, delayMs = this.debounceMs): void {
    if (this.disposed || folder.uri.scheme !== 'file') return;
    const key = folder.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.refresh(folder);
      }, delayMs),
    );
  }

  /** Reads a folder now (one read at a time per folder; a change during a read reads again after it). */
  refresh(folder: vscode.WorkspaceFolder): Promise<void> {
    const key = folder.uri.toString();
    const current = this.running.get(key);
    if (current) {
      this.again.add(key);
      return current;
    }
    const run = (async () => {
      do {
        this.again.delete(key);
        try {
          const started = Date.now();
          const proposal = await discoverServices(folder.uri.fsPath);
          this.log.debug(`[${folder.name}] Problems panel: ${proposal.diagnostics.length} discovery problem(s) in ${proposal.files.length} file(s), read in ${Date.now() - started} ms`);
          if (this.disposed) return;
          this.publish(folder.uri, proposal.diagnostics);
        } catch (e) {
          this.log.warn(`[${folder.name}] could not read compose files and package workspaces for the Problems panel: ${(e as Error).message}`);
        }
      } while (this.again.has(key) && !this.disposed);
    })().finally(() => this.running.delete(key));
    this.running.set(key, run);
    return run;
  }

  /** Replaces a folder's diagnostics with these (paths relative to the folder); files no longer named are cleared. */
  publish(folder: vscode.Uri, diagnostics: readonly DiscoveryDiagnostic[]): void {
    if (this.disposed) return;
    const byFile = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const d of diagnostics) {
      const uri = vscode.Uri.joinPath(folder, d.file);
      const entry = byFile.get(uri.toString()) ?? { uri, list: [] };
      entry.list.push(toVscodeDiagnostic(d));
      byFile.set(uri.toString(), entry);
    }
    const key = folder.toString();
    for (const [old, uri] of this.published.get(key) ?? []) if (!byFile.has(old)) this.collection.delete(uri);
    for (const { uri, list } of byFile.values()) this.collection.set(uri, list);
    this.published.set(key, new Map([...byFile].map(([k, v]) => [k, v.uri])));
  }

  private clearFolder(folder: vscode.Uri): void {
    const key = folder.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    for (const uri of this.published.get(key)?.values() ?? []) this.collection.delete(uri);
    this.published.delete(key);
  }

  /** Resolves when no read is scheduled or running (tests wait on it). */
  async settled(): Promise<void> {
    while (this.timers.size || this.running.size) {
      await Promise.all(this.running.values());
      if (this.timers.size) await new Promise((r) => setTimeout(r, 50));
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
