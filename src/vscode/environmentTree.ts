// The Environments view: each environment in promotion order with the release running there and its
// last deployment's state and time; children: the deployment history.
import * as vscode from 'vscode';
import { STATE_LABEL } from './promotionModel';
import { deploymentItem, DEPLOYMENT_ICON, icon, infoItem, sessionStateNode } from './releaseTree';
import { formatWhen } from './releaseTreeModel';
import { loadEnvironmentHistory } from './environmentTreeModel';
import { DeploymentNode, EnvironmentNode, FolderNode, InfoNode, type TreeNode } from './treeNodes';
import type { Sessions, WorkspaceSession } from './workspaceSession';

export class EnvironmentsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly sessions: Sessions) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  async getChildren(node?: TreeNode): Promise<TreeNode[]> {
    if (!node) {
      const list = this.sessions.list();
      if (list.length === 1) return this.folderChildren(list[0]);
      return list.map((s) => new FolderNode(s));
    }
    switch (node.kind) {
      case 'folder':
        return this.folderChildren(node.session);
      case 'environment': {
        const core = await node.session.core();
        const rows = await loadEnvironmentHistory(core.uow, node.environment);
        if (!rows.length) return [new InfoNode(`${node.session.key}/env/${node.environment}/empty`, 'No deployments yet', 'info')];
        return rows.map((r) => new DeploymentNode(node.session, r.deployment, r.version, 'version'));
      }
      default:
        return [];
    }
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'folder': {
        const item = new vscode.TreeItem(node.session.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.session.key}/env-folder`;
        item.iconPath = vscode.ThemeIcon.Folder;
        item.contextValue = 'folder';
        return item;
      }
      case 'environment':
        return this.environmentItem(node);
      case 'deployment':
        return deploymentItem(node);
      case 'info':
        return infoItem(node);
      default:
        return new vscode.TreeItem('');
    }
  }

  private environmentItem(node: EnvironmentNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.environment, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `${node.session.key}/env/${node.environment}`;
    item.contextValue = 'environment';
    const now = new Date();
    const { current, last, frozen } = node.row;
    const parts: string[] = [];
    if (frozen) parts.push('frozen');
    if (current) parts.push(`${current.version ?? 'unknown release'} ✓`);
    // The last deployment, when it is not the one that runs there (a later failure, one in flight).
    if (last && !(last.status === 'completed' && current && last.releaseId === current.releaseId)) {
      parts.push(`last: ${last.version ?? 'unknown release'} ${STATE_LABEL[last.status]}`);
    }
    if (last) parts.push(formatWhen(last.at, now));
    item.description = parts.length ? parts.join(' · ') : 'nothing deployed';
    item.iconPath = last ? icon(DEPLOYMENT_ICON[last.status]) : new vscode.ThemeIcon(frozen ? 'lock' : 'circle-outline');
    item.tooltip = [
      `${node.environment}${node.row.protected ? ' (protected: promotion needs an approval)' : ''}`,
      frozen,
      current ? `Running: ${current.version ?? 'unknown release'} since ${formatWhen(current.at, now)}` : 'Running: nothing deployed yet',
      last ? `Last deployment: ${last.version ?? 'unknown release'}, ${STATE_LABEL[last.status]} at ${formatWhen(last.at, now)}` : undefined,
    ].filter(Boolean).join('\n');
    return item;
  }

  private async folderChildren(session: WorkspaceSession): Promise<TreeNode[]> {
    const info = sessionStateNode(session);
    if (info) return [info];
    try {
      const core = await session.core();
      const rows = await core.promotion.environmentRows();
      return rows.map((r) => new EnvironmentNode(session, r));
    } catch (e) {
      return [new InfoNode(`${session.key}/env-error`, 'Could not read environments', 'error', (e as Error).message)];
    }
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
