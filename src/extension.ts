import type * as vscode from 'vscode';
import { Container } from './container';

let container: Container | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<Container> {
  container = await Container.create(context);
  return container;
}

export async function deactivate(): Promise<void> {
  await container?.dispose();
  container = undefined;
}
