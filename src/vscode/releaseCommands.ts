// Release commands: create, update, cancel, assess risk, open the dashboard, post to the
// conversation, export the calendar. Each takes an optional argument object (see commandArgs.ts) and
// otherwise asks with validated input boxes and quick picks.
import * as path from 'node:path';
import semver from 'semver';
import * as vscode from 'vscode';
import { NotFoundError, ValidationError, type Release, type ReleaseUpdates } from '../core/model';
import type { ReleaseSummary } from '../core/ports';
import { CalendarFeed } from '../core/calendarFeed';
import { validateVersion } from '../core/releases/ReleaseManager';
import { atomicTextWriter } from '../storage/textFiles';
import { describe, optionalText, requireText } from '../core/validate';
import {
  ARG_SPECS,
  argDate,
  checkArgs,
  formatDateInput,
  parseDateInput,
  type CancelReleaseArgs,
  type CreateReleaseArgs,
  type ExportCalendarArgs,
  type OpenDashboardArgs,
  type PostMessageArgs,
  type UpdateReleaseArgs,
} from './commandArgs';
import type { CommandContext } from './commands';
import { riskLevel } from './releaseTreeModel';
import { Cancelled, input, isArgObject, pick, pickMany, pickSession, releaseTarget } from './prompts';
import type { WorkspaceSession } from './workspaceSession';

const OPEN = 'Open Dashboard';

function offerDashboard(ctx: CommandContext, session: WorkspaceSession, releaseId: string, message: string): void {
  void vscode.window.showInformationMessage(message, OPEN).then((choice) => {
    if (choice === OPEN) return ctx.dashboards.open(session, releaseId).then(undefined, (e) => ctx.reportError(e));
  });
}

/** The next minor version after the highest one in use (0.1.0 for the first release). */
export function suggestVersion(existing: readonly Pick<ReleaseSummary, 'version'>[]): string {
  const valid = existing.map((r) => r.version).filter((v) => semver.valid(v));
  if (!valid.length) return '0.1.0';
  const top = valid.sort(semver.rcompare)[0];
  return semver.inc(top, semver.prerelease(top) ? 'patch' : 'minor') ?? '0.1.0';
}

function dateCheck(field: string, after?: { field: string; date: Date | undefined }) {
  return (value: string) => {
    const d = parseDateInput(field, value);
    if (d && after?.date && d.getTime() < after.date.getTime()) {
      throw new ValidationError(field, `must not be before ${after.field} (${formatDateInput(after.date)})`);
    }
  };
}

export async function createRelease(ctx: CommandContext, arg: unknown): Promise<{ release: Release; conversationId: string }> {
  if (arg !== undefined) {
    const a = checkArgs<CreateReleaseArgs>(ARG_SPECS.createRelease, arg);
    const session = await pickSession(ctx.sessions, a.folder, false);
    const core = await session.core();
    return core.releases.createRelease(a.name, a.version, {
      description: a.description,
      services: a.services,
      plannedStart: argDate('plannedStart', a.plannedStart) ?? undefined,
      plannedEnd: argDate('plannedEnd', a.plannedEnd) ?? undefined,
    });
  }
  const session = await pickSession(ctx.sessions, undefined, true);
  const core = await session.core();
  const existing = await core.uow.read((r) => r.releases.listSummaries());
  const versions = new Map(existing.map((r) => [r.version, r]));
  const catalog = await core.catalog.listServices();
  const steps = catalog.length ? 5 : 4;
  let step = 0;
  const title = (what: string) => `Create Release (${++step}/${steps}): ${what}`;

  const name = await input({ title: title('name'), prompt: 'What is this release called? e.g. "Checkout redesign"', check: (v) => requireText('name', v) });
  const version = (
    await input({
      title: title('version'),
      prompt: 'Semantic version, unique in this folder (MAJOR.MINOR.PATCH)',
      value: suggestVersion(existing),
      check: (v) => {
        const clean = validateVersion(v);
        const clash = versions.get(clean);
        if (clash) throw new ValidationError('version', `${clean} already exists (release '${clash.name}', ${clash.status.replace('_', ' ')})`);
      },
    })
  ).trim();
  let services: string[] = [];
  if (catalog.length) {
    const chosen = await pickMany(
      catalog.map((s) => ({ label: s.name, description: s.path, detail: s.dependencies.length ? `depends on ${s.dependencies.join(', ')}` : undefined })),
      { title: title('services'), placeHolder: 'Which services does this release ship? (none is fine)' },
    );
    services = chosen.map((c) => c.label);
  }
  const plannedStart = parseDateInput(
    'plannedStart',
    await input({ title: title('planned start'), prompt: 'When does it start? e.g. 2026-12-01 or 2026-12-01 14:30 (local time); empty: not scheduled', check: dateCheck('plannedStart') }),
  );
  const plannedEnd = parseDateInput(
    'plannedEnd',
    await input({
      title: title('planned end'),
      prompt: 'When should it be done? Empty: not scheduled',
      check: dateCheck('plannedEnd', { field: 'planned start', date: plannedStart }),
    }),
  );
  const result = await core.releases.createRelease(name, version, { services, plannedStart, plannedEnd });
  offerDashboard(ctx, session, result.release.id, `Created release ${result.release.version} (${result.release.name}).`);
  return result;
}

const UPDATE_FIELDS = ['name', 'version', 'description', 'services', 'plannedStart', 'plannedEnd'] as const;

export async function updateRelease(ctx: CommandContext, arg: unknown): Promise<Release> {
  const t = await releaseTarget(ctx.sessions, arg, ARG_SPECS.updateRelease, {
    statuses: ['planned', 'in_progress', 'deployed'],
    title: 'Update Release: which release?',
    purpose: 'to update',
  });
  if (t.args) {
    const { updates } = t.args as unknown as UpdateReleaseArgs;
    const patch: Record<string, unknown> = { ...updates };
    for (const k of ['plannedStart', 'plannedEnd'] as const) if (k in patch) patch[k] = argDate(k, patch[k]);
    return t.core.releases.updateRelease(t.releaseId, patch as ReleaseUpdates);
  }
  const release = await t.core.releases.getRelease(t.releaseId);
  if (!release) throw new ValidationError('release', `${t.releaseId} does not exist`);
  const fields: { label: string; description: string; field: (typeof UPDATE_FIELDS)[number] }[] = [
    { label: 'Name', description: release.name, field: 'name' },
    ...(release.status === 'planned' ? [{ label: 'Version', description: release.version, field: 'version' as const }] : []),
    { label: 'Description', description: release.description ?? '(none)', field: 'description' },
    ...(release.status !== 'deployed' ? [{ label: 'Services', description: (release.services ?? []).join(', ') || '(none)', field: 'services' as const }] : []),
    { label: 'Planned start', description: formatDateInput(release.plannedStart) || '(not scheduled)', field: 'plannedStart' },
    { label: 'Planned end', description: formatDateInput(release.plannedEnd) || '(not scheduled)', field: 'plannedEnd' },
  ];
  const { field } = await pick(fields, { title: `Update Release ${release.version}: which field?` });
  const title = `Update Release ${release.version}: ${fields.find((f) => f.field === field)?.label.toLowerCase()}`;
  let updates: ReleaseUpdates;
  switch (field) {
    case 'name':
      updates = { name: await input({ title, value: release.name, check: (v) => requireText('name', v) }) };
      break;
    case 'version':
      updates = { version: (await input({ title, value: release.version, check: (v) => validateVersion(v) })).trim() };
      break;
    case 'description': {
      const text = await input({ title, value: release.description ?? '', prompt: 'Empty removes the description', check: (v) => optionalText('description', v, { max: 10_000 }) });
      updates = { description: text.trim() === '' ? null : text };
      break;
    }
    case 'services': {
      const catalog = await t.core.catalog.listServices();
      const current = new Set(release.services ?? []);
      const chosen = await pickMany(
        catalog.map((s) => ({ label: s.name, description: s.path, picked: current.has(s.name) })),
        { title, placeHolder: 'The services this release ships' },
      );
      updates = { services: chosen.map((c) => c.label) };
      break;
    }
    case 'plannedStart': {
      const v = await input({ title, value: formatDateInput(release.plannedStart), prompt: 'e.g. 2026-12-01 14:30 (local time); empty: not scheduled', check: dateCheck('plannedStart') });
      updates = { plannedStart: parseDateInput('plannedStart', v) ?? null };
      break;
    }
    case 'plannedEnd': {
      const v = await input({
        title,
        value: formatDateInput(release.plannedEnd),
        prompt: 'e.g. 2026-12-05 18:00 (local time); empty: not scheduled',
        check: dateCheck('plannedEnd', { field: 'planned start', date: release.plannedStart }),
      });
      updates = { plannedEnd: parseDateInput('plannedEnd', v) ?? null };
      break;
    }
  }
  const after = await t.core.releases.updateRelease(release.id, updates);
  void vscode.window.showInformationMessage(`Updated release ${after.version}.`);
  return after;
}

export async function cancelRelease(ctx: CommandContext, arg: unknown): Promise<Release> {
  const t = await releaseTarget(ctx.sessions, arg, ARG_SPECS.cancelRelease, {
    statuses: ['planned', 'in_progress'],
    title: 'Cancel Release: which release?',
    purpose: 'to cancel',
  });
  if (t.args) return t.core.releases.cancelRelease(t.releaseId, (t.args as unknown as CancelReleaseArgs).reason);
  const release = await t.core.releases.getRelease(t.releaseId);
  const label = release ? `${release.version} (${release.name})` : t.releaseId;
  const reason = await input({
    title: `Cancel Release ${label}`,
    prompt: 'Why is it cancelled? Recorded in the audit log. Cancelling is final.',
    check: (v) => requireText('reason', v, { max: 2000 }),
  });
  const after = await t.core.releases.cancelRelease(t.releaseId, reason);
  void vscode.window.showInformationMessage(`Cancelled release ${after.version}.`);
  return after;
}

export async function assessRisk(ctx: CommandContext, arg: unknown): Promise<Release> {
  const t = await releaseTarget(ctx.sessions, arg, ARG_SPECS.releaseRef, {
    statuses: ['planned', 'in_progress'],
    title: 'Assess Release Risk: which release?',
    purpose: 'to assess',
  });
  const release = await t.core.releases.getRelease(t.releaseId);
  // Before the progress notification: an unknown release is refused without showing anything.
  if (!release) throw new NotFoundError('release', t.releaseId);
  const after = await vscode.window.withProgress(
    // Not cancellable: the git measurements are short, and the result is stored in one transaction.
    { location: vscode.ProgressLocation.Notification, title: `Assessing the risk of release ${release.version}…` },
    () => t.core.releases.assessRisk(t.releaseId),
  );
  if (!t.args) {
    const score = after.riskScore ?? 0;
    offerDashboard(ctx, t.session, after.id, `Risk of release ${after.version}: ${score.toFixed(2)} (${riskLevel(score)}). The dashboard explains each factor.`);
  }
  return after;
}

export async function openDashboard(ctx: CommandContext, arg: unknown): Promise<{ folder: string; releaseId: string }> {
  const t = await releaseTarget(ctx.sessions, arg, ARG_SPECS.openDashboard, { title: 'Open Release Dashboard: which release?', purpose: 'to show' });
  await ctx.dashboards.open(t.session, t.releaseId, (t.args as OpenDashboardArgs | undefined)?.tab);
  return { folder: t.session.key, releaseId: t.releaseId };
}

export async function postMessage(ctx: CommandContext, arg: unknown) {
  const t = await releaseTarget(ctx.sessions, arg, ARG_SPECS.postMessage, { title: 'Post to Release Conversation: which release?', purpose: 'to discuss' });
  const release = await t.core.releases.getRelease(t.releaseId);
  if (!release) throw new ValidationError('releaseId', `release ${describe(t.releaseId)} does not exist`);
  if (!release.conversationId) throw new ValidationError('releaseId', `release ${release.version} has no conversation`);
  const text = t.args
    ? (t.args as unknown as PostMessageArgs).text
    : await input({
        title: `Post to the conversation of release ${release.version}`,
        prompt: 'Your message (posted under your git user.name)',
        check: (v) => requireText('text', v, { max: 20_000, multiline: true }),
      });
  const message = await t.core.releases.postMessage(release.conversationId, await t.core.identity.currentUser(), text);
  if (!t.args) offerDashboard(ctx, t.session, release.id, `Posted to the conversation of release ${release.version}.`);
  return message;
}

/**
 * A calendar path given by code: an .ics file, so that a caller (or a hostile argument) cannot make
 * the export overwrite a script, a settings file or anything else the user owns.
 */
function calendarFile(field: string, value: string): string {
  const p = requireText(field, value, { max: 1000 });
  if (!/\.ics$/i.test(p)) throw new ValidationError(field, `${describe(p)} does not end in .ics: the calendar is written only to an iCalendar (.ics) file`);
  return p;
}

export async function exportCalendar(ctx: CommandContext, arg: unknown): Promise<{ path: string; events: number }> {
  const a = arg === undefined ? undefined : checkArgs<ExportCalendarArgs>(ARG_SPECS.exportCalendar, arg);
  const session = await pickSession(ctx.sessions, a?.folder, !isArgObject(arg));
  const core = await session.core();
  let target: string;
  if (a) {
    target = path.resolve(session.folder.uri.fsPath, a.path === undefined ? ctx.config.calendarPath(session.folder) : calendarFile('arguments.path', a.path));
  } else {
    const uri = await vscode.window.showSaveDialog({
      title: 'Export Release Calendar',
      defaultUri: vscode.Uri.file(ctx.config.calendarPath(session.folder)),
      filters: { iCalendar: ['ics'] },
      saveLabel: 'Export',
    });
    if (!uri) throw new Cancelled();
    target = uri.fsPath;
  }
  // Releases, train departures and checkpoints, and freeze windows: the same file the workspace keeps up to date.
  const feed = new CalendarFeed({ uow: core.uow, clock: core.clock, files: atomicTextWriter, path: target, name: `Releases — ${session.name}` });
  const { path: written, events } = await feed.write();
  const result = { path: written, events };
  if (!a) {
    void vscode.window.showInformationMessage(
      `Exported ${result.events} calendar event${result.events === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(result.path)}: import it into any calendar app.`,
    );
  }
  return result;
}
