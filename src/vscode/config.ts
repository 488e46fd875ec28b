// Typed access to the releaseManager.* settings (style rule 9). Per-folder settings are read with
// the folder's scope; onDidChange says which keys changed, so only what depends on them reacts.
import * as path from 'node:path';
import * as vscode from 'vscode';

export const SETTINGS = {
  databasePath: 'releaseManager.databasePath',
  calendarPath: 'releaseManager.calendar.path',
  keepCalendarUpdated: 'releaseManager.calendar.keepUpdated',
  tagOnProduction: 'releaseManager.git.tagOnProduction',
  countdownDays: 'releaseManager.trains.countdownDays',
  deployConcurrency: 'releaseManager.deploy.concurrency',
} as const;

export const DEFAULTS = {
  databasePath: '.vscode/release-manager.sqlite',
  calendarPath: '.vscode/releases.ics',
  countdownDays: 3,
  deployConcurrency: 4,
} as const;

export type SettingKey = keyof typeof SETTINGS;

export class Config implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<{ affects(key: SettingKey, folder?: vscode.WorkspaceFolder): boolean }>();
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration('releaseManager')) return;
      this.emitter.fire({ affects: (key, folder) => e.affectsConfiguration(SETTINGS[key], folder) });
    });
  }

  /** The database file of a folder: the setting resolved against the folder (absolute paths kept). */
  databasePath(folder: vscode.WorkspaceFolder): string {
    return this.resolve(folder, this.text(folder, 'databasePath'), DEFAULTS.databasePath);
  }

  /** Whether the calendar file is rewritten after every change (default on). */
  keepCalendarUpdated(folder: vscode.WorkspaceFolder): boolean {
    return vscode.workspace.getConfiguration(undefined, folder.uri).get<boolean>(SETTINGS.keepCalendarUpdated) !== false;
  }

  /** The calendar file kept up to date, and where "Export Release Calendar" proposes to write. */
  calendarPath(folder: vscode.WorkspaceFolder): string {
    return this.resolve(folder, this.text(folder, 'calendarPath'), DEFAULTS.calendarPath);
  }

  /** Services deployed at once within a wave by a pipeline's deployServices step (1–64; out of range or not a whole number: the default). */
  deployConcurrency(folder: vscode.WorkspaceFolder): number {
    const v = vscode.workspace.getConfiguration(undefined, folder.uri).get<unknown>(SETTINGS.deployConcurrency);
    return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 64 ? v : DEFAULTS.deployConcurrency;
  }

  /** Whether a release that reaches production gets the annotated tag v<version> (default off). */
  tagOnProduction(folder: vscode.WorkspaceFolder): boolean {
    return vscode.workspace.getConfiguration(undefined, folder.uri).get<boolean>(SETTINGS.tagOnProduction) === true;
  }

  /** How many days ahead a train checkpoint shows its countdown in the status bar (0: never). */
  countdownDays(): number {
    const v = vscode.workspace.getConfiguration().get<unknown>(SETTINGS.countdownDays);
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(v, 366) : DEFAULTS.countdownDays;
  }

  private text(folder: vscode.WorkspaceFolder, key: 'databasePath' | 'calendarPath'): string {
    const v = vscode.workspace.getConfiguration(undefined, folder.uri).get<unknown>(SETTINGS[key]);
    return typeof v === 'string' ? v.trim() : '';
  }

  private resolve(folder: vscode.WorkspaceFolder, value: string, fallback: string): string {
    // `~` is a person's shorthand the shell would expand; settings are not read by a shell.
    const v = (value || fallback).replace(/^~(?=$|[\\/])/, process.env.HOME ?? '~');
    return path.resolve(folder.uri.fsPath, v);
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
