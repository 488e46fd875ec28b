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
  deploymentOrder: 'releaseManager.services.deploymentOrder',
  refreshViews: 'releaseManager.views.refresh',
  showMoreReleases: 'releaseManager.views.showMore',
  showLog: 'releaseManager.log.show',
  createTrain: 'releaseManager.train.create',
  updateTrain: 'releaseManager.train.update',
  enableTrain: 'releaseManager.train.enable',
  disableTrain: 'releaseManager.train.disable',
  deleteTrain: 'releaseManager.train.delete',
  runDueTrains: 'releaseManager.train.runDue',
  createRoadmap: 'releaseManager.roadmap.create',
  addMilestone: 'releaseManager.roadmap.addMilestone',
  editMilestone: 'releaseManager.roadmap.editMilestone',
  removeMilestone: 'releaseManager.roadmap.removeMilestone',
  linkRelease: 'releaseManager.roadmap.linkRelease',
  unlinkRelease: 'releaseManager.roadmap.unlinkRelease',
  showRoadmap: 'releaseManager.roadmap.show',
  generateNotes: 'releaseManager.notes.generate',
  editNotes: 'releaseManager.notes.edit',
  exportNotes: 'releaseManager.notes.export',
  refreshMetrics: 'releaseManager.metrics.refresh',
  promote: 'releaseManager.promotion.promote',
  requestApproval: 'releaseManager.promotion.requestApproval',
  approvePromotion: 'releaseManager.promotion.approve',
  rejectPromotion: 'releaseManager.promotion.reject',
  markDeployment: 'releaseManager.deployment.markStatus',
  redeployEnvironment: 'releaseManager.environment.redeploy',
  rollbackEnvironment: 'releaseManager.environment.rollback',
  addEnvironment: 'releaseManager.environment.add',
  renameEnvironment: 'releaseManager.environment.rename',
  moveEnvironmentUp: 'releaseManager.environment.moveUp',
  moveEnvironmentDown: 'releaseManager.environment.moveDown',
  removeEnvironment: 'releaseManager.environment.remove',
  editEnvironment: 'releaseManager.environment.edit',
  addFreezeWindow: 'releaseManager.freeze.add',
  removeFreezeWindow: 'releaseManager.freeze.remove',
  startPipelineRun: 'releaseManager.pipeline.startRun',
  cancelPipelineRun: 'releaseManager.pipeline.cancelRun',
  retryPipelineStep: 'releaseManager.pipeline.retryStep',
  ignorePipelineStep: 'releaseManager.pipeline.ignoreStep',
  abortPipelineRun: 'releaseManager.pipeline.abortRun',
  approvePipelineStep: 'releaseManager.pipeline.approveStep',
  createPipeline: 'releaseManager.pipeline.create',
  editPipelines: 'releaseManager.pipeline.editFile',
  setupBlueGreen: 'releaseManager.traffic.setup',
  switchTraffic: 'releaseManager.traffic.switch',
  promoteBlueGreen: 'releaseManager.traffic.promote',
  abortBlueGreen: 'releaseManager.traffic.abort',
  rollbackTraffic: 'releaseManager.traffic.rollback',
  configureRouter: 'releaseManager.traffic.configureRouter',
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
  { id: Commands.deploymentOrder, title: 'Show Deployment Order', icon: 'type-hierarchy', palette: true },
  // The trees refresh on every change; the button is for reassurance after editing the file by hand.
  { id: Commands.refreshViews, title: 'Refresh', icon: 'refresh', palette: false },
  // The "Show more" row at the end of a long history group runs it.
  { id: Commands.showMoreReleases, title: 'Show More Releases', icon: 'ellipsis', palette: false },
  { id: Commands.showLog, title: 'Show Log', icon: 'output', palette: true },
  // Issue 7: release trains, roadmaps, release notes, DORA metrics (trainCommands.ts, roadmapCommands.ts, notesCommands.ts).
  { id: Commands.createTrain, title: 'Create Release Train', icon: 'add', palette: true },
  { id: Commands.updateTrain, title: 'Edit Release Train', icon: 'edit', palette: true },
  { id: Commands.enableTrain, title: 'Enable Release Train', icon: 'debug-start', palette: true },
  { id: Commands.disableTrain, title: 'Disable Release Train', icon: 'debug-pause', palette: true },
  { id: Commands.deleteTrain, title: 'Delete Release Train', icon: 'trash', palette: true },
  { id: Commands.runDueTrains, title: 'Run Due Release Trains Now', icon: 'run-all', palette: true },
  { id: Commands.createRoadmap, title: 'Create Roadmap', icon: 'map', palette: true },
  { id: Commands.addMilestone, title: 'Add Milestone', icon: 'milestone', palette: true },
  { id: Commands.editMilestone, title: 'Edit Milestone', icon: 'edit', palette: true },
  { id: Commands.removeMilestone, title: 'Remove Milestone', icon: 'trash', palette: true },
  { id: Commands.linkRelease, title: 'Link Release to Milestones', icon: 'link', palette: true },
  { id: Commands.unlinkRelease, title: 'Unlink Release from Milestones', icon: 'debug-disconnect', palette: true },
  { id: Commands.showRoadmap, title: 'Show Roadmap', icon: 'map', palette: true },
  { id: Commands.generateNotes, title: 'Generate Release Notes', icon: 'git-commit', palette: true },
  { id: Commands.editNotes, title: 'Edit Release Notes', icon: 'edit', palette: true },
  { id: Commands.exportNotes, title: 'Export Release Notes as Markdown', icon: 'export', palette: true },
  { id: Commands.refreshMetrics, title: 'Refresh DORA Metrics', icon: 'graph', palette: true },
  // Issue 4: promotion, environments, freezes and pipelines (promotionCommands.ts, environmentCommands.ts, pipelineCommands.ts).
  { id: Commands.promote, title: 'Promote Release', icon: 'rocket', palette: true },
  { id: Commands.requestApproval, title: 'Request Promotion Approval', icon: 'person-add', palette: true },
  { id: Commands.approvePromotion, title: 'Approve Promotion', icon: 'pass', palette: true },
  { id: Commands.rejectPromotion, title: 'Reject Promotion', icon: 'error', palette: true },
  { id: Commands.markDeployment, title: 'Mark Deployment Status', icon: 'checklist', palette: true },
  { id: Commands.redeployEnvironment, title: 'Redeploy Environment', icon: 'debug-restart', palette: true },
  { id: Commands.rollbackEnvironment, title: 'Roll Back Environment', icon: 'discard', palette: true },
  { id: Commands.addEnvironment, title: 'Add Environment', icon: 'add', palette: true },
  { id: Commands.renameEnvironment, title: 'Rename Environment', icon: 'edit', palette: true },
  { id: Commands.moveEnvironmentUp, title: 'Move Environment Up', icon: 'arrow-up', palette: true },
  { id: Commands.moveEnvironmentDown, title: 'Move Environment Down', icon: 'arrow-down', palette: true },
  { id: Commands.removeEnvironment, title: 'Remove Environment', icon: 'trash', palette: true },
  { id: Commands.editEnvironment, title: 'Edit Environment Settings', icon: 'settings-gear', palette: true },
  { id: Commands.addFreezeWindow, title: 'Add Freeze Window', icon: 'lock', palette: true },
  { id: Commands.removeFreezeWindow, title: 'Remove Freeze Window', icon: 'unlock', palette: true },
  { id: Commands.startPipelineRun, title: 'Start Pipeline Run', icon: 'play', palette: true },
  { id: Commands.cancelPipelineRun, title: 'Cancel Pipeline Run', icon: 'debug-stop', palette: true },
  { id: Commands.retryPipelineStep, title: 'Retry Failed Pipeline Step', icon: 'debug-rerun', palette: true },
  { id: Commands.ignorePipelineStep, title: 'Ignore Failed Pipeline Step', icon: 'debug-step-over', palette: true },
  { id: Commands.abortPipelineRun, title: 'Abort Pipeline Run', icon: 'close', palette: true },
  { id: Commands.approvePipelineStep, title: 'Approve Pipeline Step', icon: 'check', palette: true },
  { id: Commands.createPipeline, title: 'Create Pipeline', icon: 'new-file', palette: true },
  { id: Commands.editPipelines, title: 'Edit Pipelines File', icon: 'go-to-file', palette: true },
  // Issue 6: blue-green traffic (trafficCommands.ts).
  { id: Commands.setupBlueGreen, title: 'Set Up Blue-Green Rollout', icon: 'split-horizontal', palette: true },
  { id: Commands.switchTraffic, title: 'Switch Traffic', icon: 'arrow-swap', palette: true },
  { id: Commands.promoteBlueGreen, title: 'Promote Blue-Green Rollout', icon: 'check-all', palette: true },
  { id: Commands.abortBlueGreen, title: 'Abort Blue-Green Rollout', icon: 'stop-circle', palette: true },
  { id: Commands.rollbackTraffic, title: 'Roll Back Traffic', icon: 'history', palette: true },
  { id: Commands.configureRouter, title: 'Configure Traffic Router', icon: 'server-environment', palette: true },
];

/** "Release Manager: Create Release", as the palette shows it. */
export function paletteTitle(id: CommandId): string {
  const spec = COMMANDS.find((c) => c.id === id);
  return `${COMMAND_CATEGORY}: ${spec?.title ?? id}`;
}
