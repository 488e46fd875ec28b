// Registers every command of the table (commandIds.ts) with one error policy: a refusal or bad
// input shows the core's own text as an error message; a dismissed prompt ends quietly; anything
// unexpected is logged with its stack. Callers that passed an argument (tests, other extensions,
// keybindings) also get the rejection.
import * as vscode from 'vscode';
import { Commands, type CommandId } from './commandIds';
import type { Config } from './config';
import type { DashboardPanels } from './dashboardPanel';
import type { DiscoveryDiagnostics } from './discoveryDiagnostics';
import { userMessage } from './errors';
import { NotificationThrottle } from './notificationThrottle';
import { PLANNING_HANDLERS } from './planningHandlers';
import { PROMOTION_HANDLERS } from './promotionHandlers';
import { Cancelled } from './prompts';
import { assessRisk, cancelRelease, createRelease, exportCalendar, openDashboard, postMessage, updateRelease } from './releaseCommands';
import { addService, discover, editService, removeService } from './serviceCommands';
import { deploymentOrder } from './orderCommands';
import { TRAFFIC_HANDLERS } from './trafficCommands';
import { ValidationError } from '../core/model';
import { checkArgs } from './commandArgs';
import { isTreeNode, MoreNode } from './treeNodes';
import { isTrainTreeNode } from './trainTree';
import type { Sessions } from './workspaceSession';

export interface CommandContext {
  sessions: Sessions;
  dashboards: DashboardPanels;
  config: Config;
  log: vscode.LogOutputChannel;
  /** Discovery's problems in the Problems panel (also refreshed when compose files change). */
  discoveryDiagnostics: Pick<DiscoveryDiagnostics, 'publish'>;
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
  [Commands.deploymentOrder]: deploymentOrder,
  [Commands.refreshViews]: async (ctx, arg) => {
    noArguments(arg);
    ctx.refreshViews();
  },
  [Commands.showMoreReleases]: async (ctx, arg) => {
    if (!(arg instanceof MoreNode)) throw new ValidationError('arguments', 'run from the "Show more" row of a release group');
    ctx.showMoreReleases(arg);
  },
  [Commands.showLog]: async (ctx, arg) => {
    noArguments(arg);
    ctx.log.show(true);
  },
  ...PLANNING_HANDLERS,
  ...TRAFFIC_HANDLERS,
  ...PROMOTION_HANDLERS,
};

/** For commands that take nothing: code that passes something is told so instead of being ignored (`{}` is fine). */
function noArguments(arg: unknown): void {
  if (arg !== undefined && !isTreeNode(arg) && !isTrainTreeNode(arg)) checkArgs({}, arg);
}

let notifier: { throttle: NotificationThrottle<{ message: string; offerLog: boolean }>; log: vscode.LogOutputChannel } | undefined;

function notify(log: vscode.LogOutputChannel, message: string, offerLog: boolean): void {
  const show = (text: string, withLog: boolean) =>
    void vscode.window.showErrorMessage(text, ...(withLog ? ['Show Log'] : [])).then((a) => {
      if (a === 'Show Log') log.show(true);
    });
  if (notifier?.log !== log) {
    notifier = {
      log,
      throttle: new NotificationThrottle(
        (n) => show(n.message, n.offerLog),
        (count) => show(`${count} more Release Manager error${count === 1 ? '' : 's'} came too fast to show one by one; each is in the log.`, true),
      ),
    };
  }
  notifier.throttle.notify({ message, offerLog });
}

export function showError(e: unknown, log: vscode.LogOutputChannel, id?: string): void {
  const um = userMessage(e);
  if (um.expected) log.info(`${id ?? 'command'}: ${um.message}`);
  else log.error(`${id ?? 'command'}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  // Bounded: a caller looping on a refused command must not bury the window in notifications.
  notify(log, um.message, !um.expected);
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
        if (arg !== undefined && !isTreeNode(arg) && !isTrainTreeNode(arg)) throw e;
        return undefined;
      }
    }),
  );
}
