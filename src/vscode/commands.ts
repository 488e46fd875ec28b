// Registers every command of the table (commandIds.ts) with one error policy: a refusal or bad
// input shows the core's own text as an error message; a dismissed prompt ends quietly; anything
// unexpected is logged with its stack. Callers that passed an argument (tests, other extensions,
// keybindings) also get the rejection.
import * as vscode from 'vscode';
import { Commands, type CommandId } from './commandIds';
import type { Config } from './config';
import type { DashboardPanels } from './dashboardPanel';
import { userMessage } from './errors';
import { Cancelled } from './prompts';
import { assessRisk, cancelRelease, createRelease, exportCalendar, openDashboard, postMessage, updateRelease } from './releaseCommands';
import { addService, discover, editService, removeService } from './serviceCommands';
import { ValidationError } from '../core/model';
import { isTreeNode, MoreNode } from './treeNodes';
import type { Sessions } from './workspaceSession';

export interface CommandContext {
  sessions: Sessions;
  dashboards: DashboardPanels;
  config: Config;
  log: vscode.LogOutputChannel;
  discoveryDiagnostics: vscode.DiagnosticCollection;
  refreshViews(): void;
  /** The Releases tree's "Show more" row. */
  showMoreReleases(node: MoreNode): void;
  /** Shows an error the way commands do (for follow-up actions such as "Open Dashboard"). */
  reportError(e: unknown): void;
}

type Handler = (ctx: CommandContext, arg: unknown) => Promise<unknown>;

const HANDLERS: Record<CommandId, Handler> = {
  [Commands.createRelease]: createRelease,
  [Commands.updateRelease]: updateRelease,
  [Commands.cancelRelease]: cancelRelease,
  [Commands.assessRisk]: assessRisk,
  [Commands.openDashboard]: openDashboard,
  [Commands.postMessage]: postMessage,
  [Commands.exportCalendar]: exportCalendar,
  [Commands.addService]: addService,
  [Commands.editService]: editService,
  [Commands.removeService]: removeService,
  [Commands.discoverServices]: discover,
  [Commands.refreshViews]: async (ctx) => ctx.refreshViews(),
  [Commands.showMoreReleases]: async (ctx, arg) => {
    if (!(arg instanceof MoreNode)) throw new ValidationError('arguments', 'run from the "Show more" row of a release group');
    ctx.showMoreReleases(arg);
  },
  [Commands.showLog]: async (ctx) => ctx.log.show(true),
};

export function showError(e: unknown, log: vscode.LogOutputChannel, id?: string): void {
  const um = userMessage(e);
  if (um.expected) log.info(`${id ?? 'command'}: ${um.message}`);
  else log.error(`${id ?? 'command'}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  const actions = um.expected ? [] : ['Show Log'];
  void vscode.window.showErrorMessage(um.message, ...actions).then((a) => {
    if (a === 'Show Log') log.show(true);
  });
}

export function registerCommands(ctx: CommandContext): vscode.Disposable[] {
  return (Object.entries(HANDLERS) as [CommandId, Handler][]).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (arg?: unknown) => {
      try {
        return await handler(ctx, arg);
      } catch (e) {
        if (e instanceof Cancelled) return undefined;
        showError(e, ctx.log, id);
        // Called by code (an argument that is not a tree node): the caller gets the rejection too.
        if (arg !== undefined && !isTreeNode(arg)) throw e;
        return undefined;
      }
    }),
  );
}
