// What each command of the table (src/vscode/commandIds.ts) takes, for the fuzzers: its argument
// spec (the one it checks with) and a valid sample in the fuzz workspace, which the fuzzer breaks in
// one way per case. A command without an entry here fails test/unit/fuzz/commandArgs.test.ts and the
// integration fuzz test with its name: add `[Commands.x]: { args: ITS_SPEC, sample: (f) => ({ … }) }`
// ('none' for a command that takes no argument object, 'treeNode' for one only a tree row runs).
import { ARG_SPECS } from '../../../src/vscode/commandArgs';
import { Commands } from '../../../src/vscode/commandIds';
import { PLANNING_ARG_SPECS as PLAN } from '../../../src/vscode/planningArgs';
import { ENVIRONMENT_ARGS as ENV, PIPELINE_ARGS as PIPE, PROMOTION_ARGS as PROMO } from '../../../src/vscode/promotionArgs';
import { TRAFFIC_ARG_SPECS as TRAFFIC } from '../../../src/vscode/trafficArgs';
import type { ArgSpec, Args } from './commandArgs';

/** What exists in the workspace the fuzzer runs in (the samples refer to it). */
export interface FuzzFixtures {
  /** The workspace folder's name. */
  folder: string;
  /** A planned release with a conversation. */
  releaseId: string;
  /** A catalogued service the release names. */
  service: string;
  /** A version no release has. */
  freshVersion: string;
  /** An environment of the promotion path. */
  environment: string;
  /** A disabled train's name, a roadmap's name and one of its milestones' titles. */
  train: string;
  roadmap: string;
  milestone: string;
}

export type CommandFuzz =
  | { args: ArgSpec; sample?: (f: FuzzFixtures) => Args }
  | { args: 'none' }
  | { args: 'treeNode' };

export const COMMAND_FUZZ: Record<string, CommandFuzz> = {
  [Commands.createRelease]: {
    args: ARG_SPECS.createRelease,
    sample: (f) => ({
      folder: f.folder, name: 'Fuzz release', version: f.freshVersion, description: 'made by the fuzzer', services: [f.service],
      plannedStart: '2031-01-10 09:00', plannedEnd: '2031-01-12T18:00:00Z',
    }),
  },
  [Commands.updateRelease]: {
    args: ARG_SPECS.updateRelease,
    sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, updates: { name: 'Renamed by the fuzzer', description: 'x', plannedEnd: '2031-02-01' } }),
  },
  [Commands.cancelRelease]: { args: ARG_SPECS.cancelRelease, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, reason: 'superseded' }) },
  [Commands.assessRisk]: { args: ARG_SPECS.releaseRef, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId }) },
  [Commands.openDashboard]: { args: ARG_SPECS.openDashboard, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, tab: 'conversation' }) },
  [Commands.postMessage]: { args: ARG_SPECS.postMessage, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, text: 'Ready for staging?' }) },
  [Commands.exportCalendar]: { args: ARG_SPECS.exportCalendar, sample: (f) => ({ folder: f.folder, path: '.vscode/fuzz-export.ics' }) },
  [Commands.addService]: {
    args: ARG_SPECS.addService,
    sample: (f) => ({ folder: f.folder, name: 'fuzz-new-service', path: 'services/fuzz', deployCommand: 'true', healthCheckUrl: 'http://127.0.0.1:9/health', dependencies: [f.service] }),
  },
  [Commands.editService]: { args: ARG_SPECS.editService, sample: (f) => ({ folder: f.folder, name: f.service, changes: { deployCommand: 'echo deploy', path: 'services/x', healthCheckUrl: 'http://127.0.0.1:9/health' } }) },
  [Commands.removeService]: { args: ARG_SPECS.removeService, sample: (f) => ({ folder: f.folder, name: f.service }) },
  [Commands.discoverServices]: { args: ARG_SPECS.discoverServices, sample: (f) => ({ folder: f.folder, accept: [] }) },
  [Commands.deploymentOrder]: { args: ARG_SPECS.deploymentOrder, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: f.environment }) },
  [Commands.refreshViews]: { args: 'none' },
  [Commands.showMoreReleases]: { args: 'treeNode' },
  [Commands.showLog]: { args: 'none' },
  // Issue 7: trains, roadmaps, notes, metrics.
  [Commands.createTrain]: {
    args: PLAN.createTrain,
    sample: (f) => ({
      folder: f.folder, name: 'Fuzz train 2', frequency: 'monthly', startDate: '2035-01-05 09:00', timeZone: 'UTC', versionRule: 'next-minor',
      services: [f.service], checkpoints: [{ name: 'code freeze', offset: { days: -2 } }], enabled: false,
    }),
  },
  [Commands.updateTrain]: { args: PLAN.updateTrain, sample: (f) => ({ folder: f.folder, train: f.train, updates: { name: 'Renamed train', time: '10:00' } }) },
  [Commands.enableTrain]: { args: PLAN.trainRef, sample: (f) => ({ folder: f.folder, train: f.train }) },
  [Commands.disableTrain]: { args: PLAN.trainRef, sample: (f) => ({ folder: f.folder, train: f.train }) },
  [Commands.deleteTrain]: { args: PLAN.trainRef, sample: (f) => ({ folder: f.folder, train: f.train }) },
  [Commands.runDueTrains]: { args: PLAN.runDue, sample: (f) => ({ folder: f.folder }) },
  [Commands.createRoadmap]: { args: PLAN.createRoadmap, sample: (f) => ({ folder: f.folder, name: 'Fuzz roadmap 2', description: 'x', milestones: [{ title: 'M1' }] }) },
  [Commands.addMilestone]: { args: PLAN.addMilestone, sample: (f) => ({ folder: f.folder, roadmap: f.roadmap, title: 'Another', dueDate: '2031-01-01', weight: 2 }) },
  [Commands.editMilestone]: { args: PLAN.editMilestone, sample: (f) => ({ folder: f.folder, roadmap: f.roadmap, milestone: f.milestone, updates: { title: 'Renamed' } }) },
  [Commands.removeMilestone]: { args: PLAN.milestoneRef, sample: (f) => ({ folder: f.folder, roadmap: f.roadmap, milestone: f.milestone }) },
  [Commands.linkRelease]: { args: PLAN.linkRelease, sample: (f) => ({ folder: f.folder, roadmap: f.roadmap, releaseId: f.releaseId, milestones: [f.milestone] }) },
  [Commands.unlinkRelease]: { args: PLAN.linkRelease, sample: (f) => ({ folder: f.folder, roadmap: f.roadmap, releaseId: f.releaseId, milestones: [f.milestone] }) },
  [Commands.showRoadmap]: { args: PLAN.roadmapRef, sample: (f) => ({ folder: f.folder, roadmap: f.roadmap }) },
  [Commands.generateNotes]: { args: PLAN.releaseNotes, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId }) },
  [Commands.editNotes]: { args: PLAN.releaseNotes, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId }) },
  [Commands.exportNotes]: { args: PLAN.exportNotes, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, path: 'fuzz-notes.md' }) },
  [Commands.refreshMetrics]: { args: PLAN.refreshMetrics, sample: (f) => ({ folder: f.folder, windowDays: 30 }) },
  // Issue 4: promotion, environments, freezes, pipelines.
  [Commands.promote]: { args: PROMO.promote, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: f.environment, overrideReason: 'fuzz' }) },
  [Commands.requestApproval]: { args: PROMO.approval, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: 'production', comment: 'please' }) },
  [Commands.approvePromotion]: { args: PROMO.approval, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: 'production', comment: 'ok' }) },
  [Commands.rejectPromotion]: { args: PROMO.approval, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: 'production', comment: 'no' }) },
  [Commands.markDeployment]: { args: PROMO.markDeployment, sample: (f) => ({ folder: f.folder, deploymentId: 'no-such-deployment', status: 'completed', note: 'x' }) },
  [Commands.redeployEnvironment]: { args: PROMO.redeploy, sample: (f) => ({ folder: f.folder, environment: f.environment, releaseId: f.releaseId }) },
  [Commands.rollbackEnvironment]: { args: PROMO.rollback, sample: (f) => ({ folder: f.folder, environment: f.environment }) },
  [Commands.addEnvironment]: { args: ENV.add, sample: (f) => ({ folder: f.folder, name: 'fuzz-env', settings: { protected: true } }) },
  [Commands.renameEnvironment]: { args: ENV.rename, sample: (f) => ({ folder: f.folder, environment: f.environment, newName: 'stage-two' }) },
  [Commands.moveEnvironmentUp]: { args: ENV.environment, sample: (f) => ({ folder: f.folder, environment: f.environment }) },
  [Commands.moveEnvironmentDown]: { args: ENV.environment, sample: (f) => ({ folder: f.folder, environment: f.environment }) },
  [Commands.removeEnvironment]: { args: ENV.environment, sample: (f) => ({ folder: f.folder, environment: f.environment }) },
  [Commands.editEnvironment]: { args: ENV.edit, sample: (f) => ({ folder: f.folder, environment: f.environment, changes: { protected: true, guidedFailure: false } }) },
  [Commands.addFreezeWindow]: {
    args: ENV.addFreeze,
    sample: (f) => ({ folder: f.folder, environment: f.environment, window: { name: 'Fuzz freeze', start: '2035-12-20T18:00', end: '2036-01-02T08:00', timeZone: 'UTC' } }),
  },
  [Commands.removeFreezeWindow]: { args: ENV.removeFreeze, sample: (f) => ({ folder: f.folder, environment: f.environment, windowId: 'no-such-window' }) },
  [Commands.startPipelineRun]: { args: PIPE.startRun, sample: (f) => ({ folder: f.folder, deploymentId: 'no-such-deployment', pipeline: 'deploy' }) },
  [Commands.cancelPipelineRun]: { args: PIPE.run, sample: (f) => ({ folder: f.folder, runId: 'no-such-run' }) },
  [Commands.retryPipelineStep]: { args: PIPE.run, sample: (f) => ({ folder: f.folder, runId: 'no-such-run' }) },
  [Commands.ignorePipelineStep]: { args: PIPE.run, sample: (f) => ({ folder: f.folder, runId: 'no-such-run' }) },
  [Commands.abortPipelineRun]: { args: PIPE.run, sample: (f) => ({ folder: f.folder, runId: 'no-such-run' }) },
  [Commands.approvePipelineStep]: { args: PIPE.approveStep, sample: (f) => ({ folder: f.folder, runId: 'no-such-run', comment: 'ok' }) },
  [Commands.createPipeline]: { args: PIPE.create, sample: (f) => ({ folder: f.folder, name: 'fuzz-pipeline' }) },
  [Commands.editPipelines]: { args: PIPE.editFile, sample: (f) => ({ folder: f.folder }) },
  // Issue 6: blue-green traffic.
  [Commands.setupBlueGreen]: { args: TRAFFIC.setup, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: 'production', options: { stepBakeSeconds: 1 } }) },
  [Commands.switchTraffic]: { args: TRAFFIC.switch, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: 'production', colour: 'green', weight: 10, confirm: true }) },
  [Commands.promoteBlueGreen]: { args: TRAFFIC.promote, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: 'production', full: true, confirm: true }) },
  [Commands.abortBlueGreen]: { args: TRAFFIC.abort, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: 'production', reason: 'x', confirm: true }) },
  [Commands.rollbackTraffic]: { args: TRAFFIC.rollback, sample: (f) => ({ folder: f.folder, releaseId: f.releaseId, environment: 'production', reason: 'x', confirm: true }) },
  [Commands.configureRouter]: {
    args: TRAFFIC.configureRouter,
    sample: (f) => ({ folder: f.folder, environment: f.environment, settings: { router: { kind: 'haproxy', socketPath: '/tmp/no-such.sock', backend: 'be_app' } } }),
  },
};

/** Commands of the table without an entry here. */
export function uncoveredCommands(ids: readonly string[]): string[] {
  return ids.filter((id) => !Object.prototype.hasOwnProperty.call(COMMAND_FUZZ, id));
}

/** Placeholder fixtures for checks that run no command (the unit tests). */
export const UNIT_FIXTURES: FuzzFixtures = {
  folder: 'shop', releaseId: 'release-id', service: 'api', freshVersion: '9.9.9', environment: 'staging', train: 'Fuzz train', roadmap: 'Fuzz roadmap', milestone: 'Beta',
};
