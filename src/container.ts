import * as vscode from 'vscode';

/** Composition root: storage → managers → VS Code adapters. Filled in as the layers land. */
export class Container implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private constructor(readonly context: vscode.ExtensionContext) {}

  static async create(context: vscode.ExtensionContext): Promise<Container> {
    const c = new Container(context);
    context.subscriptions.push(c);
    return c;
  }

  async dispose(): Promise<void> {
    for (const d of this.disposables.splice(0).reverse()) d.dispose();
  }
}
