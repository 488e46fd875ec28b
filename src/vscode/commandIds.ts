// The one table of commands (style rule 8). package.json `contributes.commands` and
// `menus.commandPalette` must match it both ways: test/unit/vscode/commandTable.test.ts checks.
// No 'vscode' import here, so that the plain-mocha test can load the table.

export const COMMAND_CATEGORY = 'Release Manager';

export const Commands = {
  createRelease: 'releaseManager.release.create',
  updateRelease: 'releaseManager.release.update',
  cancelRelease: 'releaseManager.release.cancel',
  assessRisk: 'releaseManager.release.assessRisk',
  openDashboard: 'releaseManager.release.openDashboard',
  postMessage: 'releaseManager.conversation.post',
  exportCalendar: 'releaseManager.calendar.export',
  addService: 'releaseManager.services.add',
  editService: 'releaseManager.services.edit',
  removeService: 'releaseManager.services.remove',
  discoverServices: 'releaseManager.services.discover',
  refreshViews: 'releaseManager.views.refresh',
  showMoreReleases: 'releaseManager.views.showMore',
  showLog: 'releaseManager.log.show',
} as const;

export type CommandKey = keyof typeof Commands;
export type CommandId = (typeof Commands)[CommandKey];

export interface CommandSpec {
  id: CommandId;
  title: string;
  /** A codicon name, shown as `$(name)` on view title bars and inline tree actions. */
  icon?: string;
  /** False for commands that only make sense from a view (hidden from the command palette). */
  palette: boolean;
}

export const COMMANDS: readonly CommandSpec[] = [
  { id: Commands.createRelease, title: 'Create Release', icon: 'add', palette: true },
  { id: Commands.updateRelease, title: 'Update Release', icon: 'edit', palette: true },
  { id: Commands.cancelRelease, title: 'Cancel Release', icon: 'circle-slash', palette: true },
  { id: Commands.assessRisk, title: 'Assess Release Risk', icon: 'pulse', palette: true },
  { id: Commands.openDashboard, title: 'Open Release Dashboard', icon: 'dashboard', palette: true },
  { id: Commands.postMessage, title: 'Post to Release Conversation', icon: 'comment', palette: true },
  { id: Commands.exportCalendar, title: 'Export Release Calendar', icon: 'calendar', palette: true },
  { id: Commands.addService, title: 'Add Service', icon: 'add', palette: true },
  { id: Commands.editService, title: 'Edit Service', icon: 'edit', palette: true },
  { id: Commands.removeService, title: 'Remove Service', icon: 'trash', palette: true },
  { id: Commands.discoverServices, title: 'Discover Services', icon: 'search', palette: true },
  // The trees refresh on every change; the button is for reassurance after editing the file by hand.
  { id: Commands.refreshViews, title: 'Refresh', icon: 'refresh', palette: false },
  // The "Show more" row at the end of a long history group runs it.
  { id: Commands.showMoreReleases, title: 'Show More Releases', icon: 'ellipsis', palette: false },
  { id: Commands.showLog, title: 'Show Log', icon: 'output', palette: true },
];

/** "Release Manager: Create Release", as the palette shows it. */
export function paletteTitle(id: CommandId): string {
  const spec = COMMANDS.find((c) => c.id === id);
  return `${COMMAND_CATEGORY}: ${spec?.title ?? id}`;
}
