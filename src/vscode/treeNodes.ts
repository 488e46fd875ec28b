// The elements of the Releases and Environments trees. Commands run from a tree's context menu get
// one of these as their argument; releaseRefOf() turns it into what the command needs.
import type { Deployment, ReleaseStatus } from '../core/model';
import type { ReleaseSummary } from '../core/ports';
import type { EnvironmentRow } from './environmentTreeModel';
import type { StatusGroup } from './releaseTreeModel';
import type { WorkspaceSession } from './workspaceSession';

export class FolderNode {
  readonly kind = 'folder';
  constructor(readonly session: WorkspaceSession) {}
}

export class GroupNode {
  readonly kind = 'group';
  constructor(
    readonly session: WorkspaceSession,
    readonly group: StatusGroup,
  ) {}
}

export class ReleaseNode {
  readonly kind = 'release';
  constructor(
    readonly session: WorkspaceSession,
    readonly release: ReleaseSummary,
    /** "staging ✓" for a release on its way. */
    readonly where?: string,
  ) {}
}

export class ReleaseServiceNode {
  readonly kind = 'releaseService';
  constructor(
    readonly session: WorkspaceSession,
    readonly releaseId: string,
    readonly name: string,
    /** False when the catalog no longer has this service. */
    readonly known: boolean,
  ) {}
}

export class DeploymentNode {
  readonly kind = 'deployment';
  constructor(
    readonly session: WorkspaceSession,
    readonly deployment: Deployment,
    /** The release's version, when known. */
    readonly version?: string,
    /** Label with the environment (Releases tree) or with the version (environment history). */
    readonly labelBy: 'environment' | 'version' = 'environment',
  ) {}
}

export class EnvironmentNode {
  readonly kind = 'environment';
  constructor(
    readonly session: WorkspaceSession,
    readonly row: EnvironmentRow,
  ) {}

  get environment(): string {
    return this.row.environment;
  }
}

/** The last row of a history group that shows only its newest releases. */
export class MoreNode {
  readonly kind = 'more';
  constructor(
    readonly session: WorkspaceSession,
    readonly status: ReleaseStatus,
    readonly shown: number,
    readonly total: number,
  ) {}
}

/** A line that is not an entity: "Opening the release database…", an error, an empty list. */
export class InfoNode {
  readonly kind = 'info';
  constructor(
    readonly id: string,
    readonly label: string,
    readonly icon: string,
    readonly detail?: string,
  ) {}
}

export type TreeNode = FolderNode | GroupNode | ReleaseNode | ReleaseServiceNode | DeploymentNode | EnvironmentNode | MoreNode | InfoNode;

export function isTreeNode(v: unknown): v is TreeNode {
  return (
    v instanceof FolderNode || v instanceof GroupNode || v instanceof ReleaseNode || v instanceof ReleaseServiceNode ||
    v instanceof DeploymentNode || v instanceof EnvironmentNode || v instanceof MoreNode || v instanceof InfoNode
  );
}

/** The release a node stands for, if any. */
export function releaseRefOf(node: TreeNode): { session: WorkspaceSession; releaseId: string; status?: ReleaseStatus } | undefined {
  switch (node.kind) {
    case 'release':
      return { session: node.session, releaseId: node.release.id, status: node.release.status };
    case 'releaseService':
      return { session: node.session, releaseId: node.releaseId };
    case 'deployment':
      return node.deployment.releaseId ? { session: node.session, releaseId: node.deployment.releaseId } : undefined;
    case 'environment': {
      const id = (node.row.current ?? node.row.last)?.releaseId;
      return id ? { session: node.session, releaseId: id } : undefined;
    }
    default:
      return undefined;
  }
}
