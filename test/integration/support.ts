// Shared by the integration tests: the extension's API object and polling.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ReleaseManagerApi } from '../../src/container';
import type { TreeNode } from '../../src/vscode/treeNodes';

export const EXTENSION_ID = 'release-manager.release-manager';

export async function api(): Promise<ReleaseManagerApi> {
  const ext = vscode.extensions.getExtension<ReleaseManagerApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} not loaded by the extension host`);
  const a = await ext.activate();
  await a.core(); // the database is open
  return a;
}

/** Polls `fn` every 50 ms until it returns a truthy value (which it resolves with) or time runs out. */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

export async function waitFor<T>(what: string, fn: () => T | Promise<T>, timeoutMs = 5000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as Truthy<T>;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Row {
  node: TreeNode;
  label: string;
  description: string;
  contextValue?: string;
}

/** The children of a tree node, as the tree would render them. */
export async function rows(provider: vscode.TreeDataProvider<TreeNode>, parent?: TreeNode): Promise<Row[]> {
  const children = (await provider.getChildren(parent)) ?? [];
  return Promise.all(
    children.map(async (node) => {
      const item = await provider.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      return { node, label, description: typeof item.description === 'string' ? item.description : '', contextValue: item.contextValue };
    }),
  );
}

/** Runs a command expecting it to be refused; resolves with the error message. */
export async function refused(command: string, ...args: unknown[]): Promise<string> {
  try {
    await vscode.commands.executeCommand(command, ...args);
  } catch (e) {
    return (e as Error).message;
  }
  return assert.fail(`${command} was not refused`);
}

let n = 0;
/** A version no other test uses. */
export const uniqueVersion = (major: number) => `${major}.${Date.now() % 100_000}.${n++}`;
