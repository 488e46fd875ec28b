// The Releases view: folders (when several are open) → status groups → releases → their services
// and their latest deployment per environment. Data and grouping live in releaseTreeModel.ts.
import * as vscode from 'vscode';
import type { Deployment, DeploymentStatus, ReleaseStatus } from '../core/model';
import { Commands } from './commandIds';
import { deploymentTime, environmentOrder, latestPerEnvironment, STATE_LABEL } from './promotionModel';
import { formatWhen, HISTORY_PAGE, isHistory, loadGroupReleases, loadStatusGroups, releaseDescription, releaseTooltipLines } from './releaseTreeModel';
import { DeploymentNode, FolderNode, GroupNode, InfoNode, MoreNode, ReleaseNode, ReleaseServiceNode, type TreeNode } from './treeNodes';
import type { Sessions, WorkspaceSession } from './workspaceSession';

const STATUS_ICON: Record<ReleaseStatus, [string, string?]> = {
  in_progress: ['rocket', 'charts.blue'],
  planned: ['calendar'],
  deployed: ['pass', 'testing.iconPassed'],
  cancelled: ['circle-slash', 'disabledForeground'],
};

export const DEPLOYMENT_ICON: Record<DeploymentStatus, [string, string?]> = {
  pending: ['clock', 'charts.yellow'],
  in_progress: ['sync~spin', 'charts.blue'],
  completed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  rolled_back: ['history', 'charts.orange'],
};

export const icon = ([id, color]: [string, string?]) => new vscode.ThemeIcon(id, color ? new vscode.ThemeColor(color) : undefined);

/** Shared by both trees: a folder row, or a session that is not ready yet. */
export function sessionStateNode(s: WorkspaceSession): InfoNode | undefined {
  if (s.state === 'opening') return new InfoNode(`${s.key}/opening`, 'Opening the release database…', 'loading~spin');
  if (s.state === 'failed') return new InfoNode(`${s.key}/failed`, 'The release database could not be opened', 'error', s.error);
  return undefined;
}

export function deploymentItem(n: DeploymentNode, now = new Date()): vscode.TreeItem {
  const d = n.deployment;
  const state = STATE_LABEL[d.status];
  const label = n.labelBy === 'environment' ? d.environment : (n.version ?? 'unknown release');
  const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
  item.id = `${n.session.key}/${n.labelBy}/${d.id}`;
  item.description = `${state} · ${formatWhen(deploymentTime(d), now)}`;
  item.iconPath = icon(DEPLOYMENT_ICON[d.status]);
  item.contextValue = 'deployment';
  item.tooltip = [
    `${n.version ?? 'Release'} in ${d.environment}: ${state}`,
    `Created ${formatWhen(d.createdAt, now)}`,
    d.startedAt ? `Started ${formatWhen(d.startedAt, now)}` : undefined,
    d.completedAt ? `Finished ${formatWhen(d.completedAt, now)}` : undefined,
    d.rolledBackAt ? `Rolled back ${formatWhen(d.rolledBackAt, now)}` : undefined,
  ].filter(Boolean).join('\n');
  if (d.releaseId) item.command = openDashboardCommand(n.session, d.releaseId);
  return item;
}

export function openDashboardCommand(session: WorkspaceSession, releaseId: string): vscode.Command {
  return { command: Commands.openDashboard, title: 'Open Release Dashboard', arguments: [{ folder: session.key, releaseId }] };
}

export function infoItem(n: InfoNode): vscode.TreeItem {
  const item = new vscode.TreeItem(n.label, vscode.TreeItemCollapsibleState.None);
  item.id = n.id;
  item.iconPath = new vscode.ThemeIcon(n.icon);
  item.tooltip = n.detail;
  item.description = n.detail;
  item.contextValue = 'info';
  return item;
}

export class ReleasesTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** How many releases each history group shows (folder/status → count). */
  private readonly limits = new Map<string, number>();

  constructor(private readonly sessions: Sessions) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** The "Show more" row: one more page of that group. */
  showMore(node: MoreNode): void {
    this.limits.set(`${node.session.key}/${node.status}`, node.shown + HISTORY_PAGE);
    this.emitter.fire(undefined);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      const list = this.sessions.list();
      if (list.length === 1) return this.folderChildren(list[0], true);
      if (list.length === 0) return [];
      // Several folders: show them, unless none has a release yet (then the welcome view shows).
      const any = await Promise.all(list.map(async (s) => s.state !== 'ready' || (await this.folderChildren(s, true)).length > 0));
      return any.some(Boolean) ? list.map((s) => new FolderNode(s)) : [];
    }
    switch (node.kind) {
      case 'folder':
        return this.folderChildren(node.session, false);
      case 'group': {
        const core = await node.session.core();
        const { status, count } = node.group;
        const limit = this.limits.get(`${node.session.key}/${status}`) ?? HISTORY_PAGE;
        const rows = await loadGroupReleases(core.uow, status, await core.promotion.environmentOrder(), limit);
        const out: TreeNode[] = rows.map((r) => new ReleaseNode(node.session, r.release, r.where));
        if (isHistory(status) && count > rows.length) out.push(new MoreNode(node.session, status, rows.length, count));
        return out;
      }
      case 'release':
        return this.releaseChildren(node);
      default:
        return [];
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.session.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.session.key}/folder`;
        item.iconPath = vscode.ThemeIcon.Folder;
        item.resourceUri = node.session.folder.uri;
        item.contextValue = 'folder';
        return item;
      }
      case 'group': {
        const { status, label, count } = node.group;
        const open = status === 'in_progress' || status === 'planned';
        const item = new vscode.TreeItem(label, open ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.session.key}/group/${status}`;
        item.description = String(count);
        item.iconPath = icon(STATUS_ICON[status]);
        item.contextValue = `releaseGroup.${status}`;
        return item;
      }
      case 'release': {
        const r = node.release;
        const item = new vscode.TreeItem(r.name, vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.session.key}/release/${r.id}`;
        item.description = releaseDescription(r, node.where);
        item.tooltip = new vscode.MarkdownString(releaseTooltipLines(r).map((l) => escapeMd(l)).join('  \n'));
        item.iconPath = icon(STATUS_ICON[r.status]);
        // release.planned / release.in_progress / release.deployed / release.cancelled: menus key on it.
        item.contextValue = `release.${r.status}`;
        item.command = openDashboardCommand(node.session, r.id);
        item.accessibilityInformation = { label: `Release ${r.name}, version ${r.version}, ${r.status.replace('_', ' ')}` };
        return item;
      }
      case 'releaseService': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.session.key}/release/${node.releaseId}/service/${node.name}`;
        item.iconPath = new vscode.ThemeIcon(node.known ? 'package' : 'warning');
        item.description = node.known ? 'service' : 'service · no longer in the catalog';
        item.contextValue = node.known ? 'releaseService' : 'releaseService.unknown';
        return item;
      }
      case 'deployment':
        return deploymentItem(node);
      case 'info':
        return infoItem(node);
      case 'more': {
        const next = Math.min(HISTORY_PAGE, node.total - node.shown);
        const item = new vscode.TreeItem(`Show ${next} more`, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.session.key}/group/${node.status}/more`;
        item.description = `${node.shown.toLocaleString()} of ${node.total.toLocaleString()} shown, newest first`;
        item.iconPath = new vscode.ThemeIcon('ellipsis');
        item.contextValue = 'more';
        item.command = { command: Commands.showMoreReleases, title: 'Show More Releases', arguments: [node] };
        return item;
      }
      case 'environment':
        return new vscode.TreeItem(node.environment);
    }
  }

  private async folderChildren(session: WorkspaceSession, single: boolean): Promise<TreeNode[]> {
    const info = sessionStateNode(session);
    if (info) return [info];
    try {
      const core = await session.core();
      const groups = await loadStatusGroups(core.uow);
      if (!groups.length && !single) return [new InfoNode(`${session.key}/empty`, 'No releases yet', 'info')];
      return groups.map((g) => new GroupNode(session, g));
    } catch (e) {
      return [new InfoNode(`${session.key}/error`, 'Could not read releases', 'error', (e as Error).message)];
    }
  }

  private async releaseChildren(node: ReleaseNode): Promise<TreeNode[]> {
    const core = await node.session.core();
    const { release, known, deployments } = await core.uow.read(async (r) => ({
      release: await r.releases.get(node.release.id),
      known: new Set((await r.services.list()).map((s) => s.name)),
      deployments: await r.deployments.list({ releaseId: node.release.id }),
    }));
    if (!release) return [];
    const latest = latestPerEnvironment(deployments);
    const order = environmentOrder(await core.promotion.environmentOrder(), latest.keys());
    const out: TreeNode[] = [
      ...(release.services ?? []).map((name) => new ReleaseServiceNode(node.session, release.id, name, known.has(name))),
      ...order.filter((env) => latest.has(env)).map((env) => new DeploymentNode(node.session, latest.get(env) as Deployment, release.version)),
    ];
    return out.length ? out : [new InfoNode(`${node.session.key}/release/${release.id}/empty`, 'No services or deployments yet', 'info')];
  }

  dispose(): void {
    this.emitter.dispose();
  }
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-!|<>]/g, (c) => `\\${c}`);
}
