// Quick picks and input boxes shared by the commands. Input boxes validate as the user types with the
// core's own validators, so what the box accepts is what the manager accepts.
import * as vscode from 'vscode';
import { RefusedError, ValidationError, type ReleaseStatus, type Service } from '../core/model';
import type { ReleaseSummary } from '../core/ports';
import { describe } from '../core/validate';
import { checkArgs, type ReleaseRefArgs } from './commandArgs';
import { riskLevel, sortForGroup, STATUS_LABEL, STATUS_ORDER } from './releaseTreeModel';
import { isTrainTreeNode } from './trainTree';
import { isTreeNode, releaseRefOf } from './treeNodes';
import type { FolderCore, Sessions, WorkspaceSession } from './workspaceSession';

/** The user dismissed a prompt: the command ends quietly. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

/**
 * Passed by code — an argument object, or any other value — rather than by a person (nothing, or a
 * row of a tree). Code never gets a prompt: checkArgs then refuses whatever is not an argument object
 * (a list or a string used to fall through to the prompts and wait there for a person).
 */
export function isArgObject(arg: unknown): boolean {
  return arg !== undefined && !isTreeNode(arg) && !isTrainTreeNode(arg);
}

/** validateInput from a validator that throws: the reason without the field name, or undefined when fine. */
export function validating(check: (value: string) => unknown): (value: string) => string | undefined {
  return (value) => {
    try {
      check(value);
      return undefined;
    } catch (e) {
      if (e instanceof ValidationError) return capitalise(e.reason);
      return e instanceof Error ? e.message : String(e);
    }
  };
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export async function input(options: vscode.InputBoxOptions & { check?: (value: string) => unknown }): Promise<string> {
  const { check, ...rest } = options;
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...rest, validateInput: check ? validating(check) : undefined });
  if (value === undefined) throw new Cancelled();
  return value;
}

export async function pick<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T> {
  const chosen = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, matchOnDescription: true, matchOnDetail: true, ...options });
  if (!chosen) throw new Cancelled();
  return chosen;
}

export async function pickMany<T extends vscode.QuickPickItem>(items: readonly T[], options: vscode.QuickPickOptions): Promise<T[]> {
  const chosen = await vscode.window.showQuickPick(items, { ignoreFocusOut: true, matchOnDescription: true, matchOnDetail: true, ...options, canPickMany: true });
  if (!chosen) throw new Cancelled();
  return chosen;
}

/**
 * The folder a command acts on: named by `folder` (name, path or URI), the only one open, or — when
 * several are open and a person runs the command — picked.
 */
export async function pickSession(sessions: Sessions, folder: string | undefined, interactive: boolean): Promise<WorkspaceSession> {
  const list = sessions.list();
  const names = list.map((s) => s.name).join(', ');
  if (folder !== undefined) {
    const s = sessions.find(folder);
    if (!s) throw new ValidationError('arguments.folder', `${describe(folder)} is not an open workspace folder (open: ${names || 'none'})`);
    return s;
  }
  if (list.length === 0) {
    throw new RefusedError('Open a folder first: Release Manager keeps the releases of a workspace folder in that folder (.vscode/release-manager.sqlite).');
  }
  if (list.length === 1) return list[0];
  if (!interactive) throw new ValidationError('arguments.folder', `several folders are open; name one (${names})`);
  const chosen = await pick(
    list.map((s) => ({ label: s.name, description: vscode.workspace.asRelativePath(s.dbPath, true), session: s })),
    { title: 'Release Manager: which folder?', placeHolder: 'Each folder keeps its own releases' },
  );
  return chosen.session;
}

/** A release picked from the folder's releases with one of these statuses (all when omitted). */
export async function pickRelease(core: FolderCore, options: { statuses?: ReleaseStatus[]; title: string; purpose: string }): Promise<ReleaseSummary> {
  const statuses = options.statuses ?? [...STATUS_ORDER];
  const all = await core.uow.read((r) => r.releases.listSummaries({ status: statuses }));
  if (!all.length) {
    const which = statuses.length === STATUS_ORDER.length ? '' : `${statuses.map((s) => STATUS_LABEL[s].toLowerCase()).join(' or ')} `;
    throw new RefusedError(`There is no ${which}release ${options.purpose} in ${core.folder.name}.`);
  }
  const items: (vscode.QuickPickItem & { release?: ReleaseSummary })[] = [];
  for (const status of STATUS_ORDER.filter((s) => statuses.includes(s))) {
    const group = sortForGroup(status, all.filter((r) => r.status === status));
    if (!group.length) continue;
    items.push({ label: STATUS_LABEL[status], kind: vscode.QuickPickItemKind.Separator });
    for (const r of group) {
      items.push({
        label: r.version,
        description: r.name,
        detail: r.riskScore === undefined ? undefined : `risk ${r.riskScore.toFixed(2)} (${riskLevel(r.riskScore)})`,
        release: r,
      });
    }
  }
  const chosen = await pick(items, { title: options.title, placeHolder: 'Type a version or a name' });
  return chosen.release as ReleaseSummary;
}

export interface ReleaseTarget {
  session: WorkspaceSession;
  core: FolderCore;
  releaseId: string;
  /** The argument object, when the command was called with one (already shape-checked). */
  args?: ReleaseRefArgs & Record<string, unknown>;
}

/** The release a command acts on: from a tree node, an argument object, or a picker. */
export async function releaseTarget(
  sessions: Sessions,
  arg: unknown,
  spec: Parameters<typeof checkArgs>[0],
  picker: { statuses?: ReleaseStatus[]; title: string; purpose: string },
): Promise<ReleaseTarget> {
  if (isTreeNode(arg)) {
    const ref = releaseRefOf(arg);
    if (!ref) throw new ValidationError('arguments', `this ${arg.kind} does not belong to a release`);
    return { session: ref.session, core: await ref.session.core(), releaseId: ref.releaseId };
  }
  if (arg !== undefined) {
    const args = checkArgs<ReleaseRefArgs & Record<string, unknown>>(spec, arg);
    const session = await pickSession(sessions, args.folder, false);
    return { session, core: await session.core(), releaseId: args.releaseId, args };
  }
  const session = await pickSession(sessions, undefined, true);
  const core = await session.core();
  const release = await pickRelease(core, picker);
  return { session, core, releaseId: release.id };
}

export async function pickService(core: FolderCore, title: string): Promise<Service> {
  const services = await core.catalog.listServices();
  if (!services.length) throw new RefusedError(`There are no services in ${core.folder.name} yet: add or discover them first.`);
  const chosen = await pick(
    services.map((s) => ({
      label: s.name,
      description: s.path,
      detail: s.dependencies.length ? `depends on ${s.dependencies.join(', ')}` : undefined,
      service: s,
    })),
    { title, placeHolder: 'Type a service name' },
  );
  return chosen.service;
}
