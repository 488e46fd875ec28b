// Release notes and metrics commands: generate notes from git (asking before replacing stored ones),
// edit them in a Markdown editor (release-notes: documents, saved with Ctrl+S), export them as a
// Markdown file, and gather the DORA figures again.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DoraReport } from '../core/doraMetrics';
import { NotFoundError, ValidationError, type Release } from '../core/model';
import { describe, requireText } from '../core/validate';
import type { GeneratedNotes } from '../core/releaseNotesService';
import { checkArgs } from './commandArgs';
import type { CommandContext } from './commands';
import { notesUri } from './notesDocuments';
import { PLANNING_ARG_SPECS, type ExportNotesArgs, type RefreshMetricsArgs } from './planningArgs';
import { Cancelled, pickSession, releaseTarget } from './prompts';
import type { FolderCore, WorkspaceSession } from './workspaceSession';

const label = (r: Pick<Release, 'version' | 'name'>) => `${r.version} (${r.name})`;

/** Asks before generated notes replace stored ones (edited ones too); throws Cancelled on no. */
export async function confirmReplace(release: Release): Promise<void> {
  if (!release.releaseNotes) return;
  const choice = await vscode.window.showWarningMessage(
    `Replace the release notes of ${label(release)}?`,
    { modal: true, detail: 'They are generated again from git; edits made to the stored notes are lost. Export them first to keep a copy.' },
    'Replace',
  );
  if (choice !== 'Replace') throw new Cancelled();
}

/** Generates and stores the notes, under a progress notification. */
export async function generateFor(core: FolderCore, releaseId: string): Promise<GeneratedNotes & { release: Release }> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Generating release notes from git…' },
    () => core.notes.generate(releaseId),
  );
}

export async function generateNotes(ctx: CommandContext, arg: unknown): Promise<GeneratedNotes & { release: Release }> {
  const t = await releaseTarget(ctx.sessions, arg, PLANNING_ARG_SPECS.releaseNotes, {
    statuses: ['planned', 'in_progress', 'deployed'],
    title: 'Generate Release Notes: which release?',
    purpose: 'to write notes for',
  });
  const release = await t.core.releases.getRelease(t.releaseId);
  // Called with an argument object: replaces without asking (the caller decided).
  if (!t.args && release) await confirmReplace(release);
  const result = await generateFor(t.core, t.releaseId);
  if (!t.args) {
    const from = result.notes.baseTag ? `since ${result.notes.baseTag}` : 'since the first commit';
    const EDIT = 'Edit';
    const OPEN = 'Open Dashboard';
    void vscode.window
      .showInformationMessage(`Generated the release notes of ${label(result.release)} from ${result.notes.commits} commit${result.notes.commits === 1 ? '' : 's'} ${from}.`, EDIT, OPEN)
      .then((choice) => {
        if (choice === EDIT) void openNotesEditor(t.session, result.release).then(undefined, (e) => ctx.reportError(e));
        if (choice === OPEN) void ctx.dashboards.open(t.session, result.release.id, 'notes').then(undefined, (e) => ctx.reportError(e));
      });
  }
  return result;
}

/** Opens the release's notes in a Markdown editor; saving stores them on the release. */
export async function openNotesEditor(session: WorkspaceSession, release: Release, beside = false): Promise<vscode.Uri> {
  const uri = notesUri(session, release.id, release.version);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false, viewColumn: beside ? vscode.ViewColumn.Beside : undefined });
  return uri;
}

export async function editNotes(ctx: CommandContext, arg: unknown): Promise<{ uri: string }> {
  const t = await releaseTarget(ctx.sessions, arg, PLANNING_ARG_SPECS.releaseNotes, { title: 'Edit Release Notes: which release?', purpose: 'to edit notes of' });
  const release = await t.core.releases.getRelease(t.releaseId);
  if (!release) throw new NotFoundError('release', t.releaseId);
  const uri = await openNotesEditor(t.session, release);
  if (!t.args && !release.releaseNotes) {
    void vscode.window.showInformationMessage(`Release ${release.version} has no notes yet: write them here (Ctrl+S stores them), or run "Generate Release Notes".`);
  }
  return { uri: uri.toString() };
}

/** Asks where to write the notes, then writes them. */
export async function exportInteractively(session: WorkspaceSession, core: FolderCore, release: Release): Promise<{ path: string; bytes: number }> {
  const target = await vscode.window.showSaveDialog({
    title: `Export the release notes of ${release.version}`,
    defaultUri: vscode.Uri.file(path.join(session.folder.uri.fsPath, `release-notes-${release.version}.md`)),
    filters: { Markdown: ['md'] },
    saveLabel: 'Export',
  });
  if (!target) throw new Cancelled();
  const out = await core.notes.exportMarkdown(release.id, target.fsPath);
  const OPEN = 'Open';
  void vscode.window.showInformationMessage(`Exported the release notes of ${release.version} to ${vscode.workspace.asRelativePath(out.path)}.`, OPEN).then((c) => {
    if (c === OPEN) void vscode.window.showTextDocument(vscode.Uri.file(out.path));
  });
  return out;
}

/** A path given by code: a Markdown file, so that an export can never overwrite a script or a settings file. */
function markdownFile(field: string, value: string): string {
  const p = requireText(field, value, { max: 1000 });
  if (!/\.(md|markdown)$/i.test(p)) throw new ValidationError(field, `${describe(p)} does not end in .md: release notes are exported only to a Markdown file`);
  return p;
}

export async function exportNotes(ctx: CommandContext, arg: unknown): Promise<{ path: string; bytes: number }> {
  const t = await releaseTarget(ctx.sessions, arg, PLANNING_ARG_SPECS.exportNotes, { title: 'Export Release Notes: which release?', purpose: 'to export notes of' });
  if (t.args) {
    const a = t.args as unknown as ExportNotesArgs;
    return t.core.notes.exportMarkdown(t.releaseId, path.resolve(t.session.folder.uri.fsPath, markdownFile('arguments.path', a.path)));
  }
  const release = await t.core.releases.getRelease(t.releaseId);
  if (!release) throw new NotFoundError('release', t.releaseId);
  return exportInteractively(t.session, t.core, release);
}

/** "deployment frequency 2.3 a week (high) · lead time 18 h (high) · …". */
export function doraSummary(r: DoraReport): string {
  return [r.deploymentFrequency, r.leadTime, r.changeFailureRate, r.timeToRestore]
    .map((f) => `${f.label.charAt(0).toLowerCase()}${f.label.slice(1)} ${f.display}${f.band ? ` (${f.band})` : ''}`)
    .join(' · ');
}

export async function refreshMetrics(ctx: CommandContext, arg: unknown): Promise<DoraReport> {
  const a = arg === undefined ? undefined : checkArgs<RefreshMetricsArgs>(PLANNING_ARG_SPECS.refreshMetrics, arg);
  const session = await pickSession(ctx.sessions, a?.folder, a === undefined);
  const core = await session.core();
  const entry = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'Gathering DORA metrics…' },
    () => core.dora.refresh(a?.windowDays),
  );
  void ctx.dashboards.refreshAll();
  if (!a) {
    const r = entry.report;
    void vscode.window.showInformationMessage(`DORA metrics of ${session.name} (${r.environment}, last ${Math.round(r.days)} days): ${doraSummary(r)}.`);
  }
  return entry.report;
}

