import type * as vscode from 'vscode';
import { Container, type ReleaseManagerApi } from './container';

let container: Container | undefined;

/** Composition only (style rule 1): the container builds and owns everything. */
export function activate(context: vscode.ExtensionContext): ReleaseManagerApi {
  container = Container.create(context);
  return container.api;
}

/** Awaited by VS Code: the databases write what is unsaved before the host exits. */
export async function deactivate(): Promise<void> {
  await container?.dispose();
  container = undefined;
}
