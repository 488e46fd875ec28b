// The Release Trains view: trains (schedule, enabled or not) → their next departures (wall clock in
// the train's zone, the version each would get) → checkpoints (absolute times, passed ones dimmed).
// Rows come from trainTreeModel.ts; the countdowns in them are re-read every minute while visible.
import * as vscode from 'vscode';
import type { ReleaseTrain } from '../core/releaseTrains';
import { sessionStateNode } from './releaseTree';
import { InfoNode } from './treeNodes';
import { loadTrainRows, type CheckpointRow, type DepartureRow, type TrainRow } from './trainTreeModel';
import type { Sessions, WorkspaceSession } from './workspaceSession';

export class TrainFolderNode {
  readonly kind = 'trainFolder';
  constructor(readonly session: WorkspaceSession) {}
}

export class TrainNode {
  readonly kind = 'train';
  constructor(
    readonly session: WorkspaceSession,
    readonly row: TrainRow,
  ) {}

  get train(): ReleaseTrain {
    return this.row.train;
  }
}

export class DepartureNode {
  readonly kind = 'departure';
  constructor(
    readonly session: WorkspaceSession,
    readonly train: ReleaseTrain,
    readonly row: DepartureRow,
  ) {}
}

export class CheckpointNode {
  readonly kind = 'checkpoint';
  constructor(
    readonly session: WorkspaceSession,
    readonly train: ReleaseTrain,
    readonly departure: DepartureRow,
    readonly row: CheckpointRow,
  ) {}
}

export type TrainTreeNode = TrainFolderNode | TrainNode | DepartureNode | CheckpointNode | InfoNode;

/** A node of this tree (a context-menu command's argument). */
export function isTrainTreeNode(v: unknown): v is TrainFolderNode | TrainNode | DepartureNode | CheckpointNode {
  return v instanceof TrainFolderNode || v instanceof TrainNode || v instanceof DepartureNode || v instanceof CheckpointNode;
}

/** The train a node belongs to. */
export function trainRefOf(node: unknown): { session: WorkspaceSession; train: ReleaseTrain } | undefined {
  if (node instanceof TrainNode || node instanceof DepartureNode || node instanceof CheckpointNode) return { session: node.session, train: node.train };
  return undefined;
}

export const TRAINS_VIEW_ID = 'releaseManager.trains';

/** Countdowns ("in 3h") change by themselves: the rows are re-read this often while the view shows. */
const TICK_MS = 60_000;

export class TrainsTreeProvider implements vscode.TreeDataProvider<TrainTreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TrainTreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private view: vscode.TreeView<TrainTreeNode> | undefined;
  private readonly tick: NodeJS.Timeout;

  constructor(
    private readonly sessions: Sessions,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.tick = setInterval(() => {
      if (this.view?.visible) this.refresh();
    }, TICK_MS);
  }

  /** The view showing this tree (its visibility gates the minute tick). */
  attach(view: vscode.TreeView<TrainTreeNode>): void {
    this.view = view;
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  async getChildren(node?: TrainTreeNode): Promise<TrainTreeNode[]> {
    if (!node) {
      const list = this.sessions.list();
      if (list.length === 1) return this.folderChildren(list[0], true);
      if (list.length === 0) return [];
      const any = await Promise.all(list.map(async (s) => s.state !== 'ready' || (await this.folderChildren(s, true)).length > 0));
      return any.some(Boolean) ? list.map((s) => new TrainFolderNode(s)) : [];
    }
    switch (node.kind) {
      case 'trainFolder':
        return this.folderChildren(node.session, false);
      case 'train': {
        if (!node.train.enabled) return [new InfoNode(`${node.session.key}/train/${node.train.id}/disabled`, 'Disabled: no departures', 'debug-pause')];
        if (!node.row.departures.length) return [new InfoNode(`${node.session.key}/train/${node.train.id}/none`, 'No departures in the next year', 'info')];
        return node.row.departures.map((d) => new DepartureNode(node.session, node.train, d));
      }
      case 'departure':
        return node.row.checkpoints.map((c) => new CheckpointNode(node.session, node.train, node.row, c));
      default:
        return [];
    }
  }

  getTreeItem(node: TrainTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'trainFolder': {
        const item = new vscode.TreeItem(node.session.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `${node.session.key}/trains`;
        item.iconPath = vscode.ThemeIcon.Folder;
        item.resourceUri = node.session.folder.uri;
        item.contextValue = 'trainFolder';
        return item;
      }
      case 'train': {
        const t = node.train;
        const item = new vscode.TreeItem(t.name, t.enabled ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
        item.id = `${node.session.key}/train/${t.id}`;
        item.description = node.row.description;
        item.tooltip = node.row.tooltip;
        item.iconPath = t.enabled ? new vscode.ThemeIcon('rocket', new vscode.ThemeColor('charts.blue')) : new vscode.ThemeIcon('debug-pause', new vscode.ThemeColor('disabledForeground'));
        // train.enabled / train.disabled: the menus key on it.
        item.contextValue = `train.${t.enabled ? 'enabled' : 'disabled'}`;
        item.accessibilityInformation = { label: `Release train ${t.name}, ${node.row.description}` };
        return item;
      }
      case 'departure': {
        const d = node.row;
        const item = new vscode.TreeItem(d.label, d.checkpoints.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
        item.id = `${node.session.key}/train/${node.train.id}/departure/${d.at.toISOString()}`;
        item.description = d.description;
        item.tooltip = d.tooltip;
        item.iconPath = new vscode.ThemeIcon('calendar');
        item.contextValue = 'departure';
        item.accessibilityInformation = { label: `Departure ${d.label} ${node.train.recurrence.timeZone}, version ${d.expectedVersion}` };
        return item;
      }
      case 'checkpoint': {
        const c = node.row;
        const item = new vscode.TreeItem(c.label, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.session.key}/train/${node.train.id}/departure/${node.departure.at.toISOString()}/checkpoint/${c.name}`;
        item.description = c.description;
        item.tooltip = c.tooltip;
        // Passed checkpoints are dimmed: the icon in the disabled colour and "passed" in the text (not colour alone).
        item.iconPath = c.passed ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('disabledForeground')) : new vscode.ThemeIcon('milestone');
        item.contextValue = c.passed ? 'checkpoint.passed' : 'checkpoint';
        return item;
      }
      case 'info': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.None);
        item.id = node.id;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.description = node.detail;
        item.tooltip = node.detail;
        item.contextValue = 'info';
        return item;
      }
    }
  }

  private async folderChildren(session: WorkspaceSession, single: boolean): Promise<TrainTreeNode[]> {
    const info = sessionStateNode(session);
    if (info) return [info];
    try {
      const core = await session.core();
      const rows = await loadTrainRows(core.trains, this.now());
      if (!rows.length && !single) return [new InfoNode(`${session.key}/trains/empty`, 'No release trains yet', 'info')];
      return rows.map((r) => new TrainNode(session, r));
    } catch (e) {
      return [new InfoNode(`${session.key}/trains/error`, 'Could not read the release trains', 'error', (e as Error).message)];
    }
  }

  dispose(): void {
    clearInterval(this.tick);
    this.emitter.dispose();
  }
}
