// Argument objects of the promotion, environment and pipeline commands (issue 4): their shape, as
// checkArgs checks it. Pure (no 'vscode'), so that plain-Node tests (the fuzzers) read the same specs.
import type { Spec } from './commandArgs';

export const FOLDER_ARG = { folder: { kind: 'string' as const } };
export const REQUIRED_TEXT = { kind: 'string' as const, required: true };
export const TEXT = { kind: 'string' as const };

const RELEASE = { ...FOLDER_ARG, releaseId: REQUIRED_TEXT };
const ENV = { ...FOLDER_ARG, environment: REQUIRED_TEXT };
const RUN = { ...FOLDER_ARG, runId: REQUIRED_TEXT };
const OBJECT = { kind: 'object' as const };

export const PROMOTION_ARGS = {
  promote: { ...RELEASE, environment: REQUIRED_TEXT, pipeline: TEXT, overrideReason: TEXT },
  approval: { ...RELEASE, environment: REQUIRED_TEXT, comment: TEXT },
  markDeployment: { ...FOLDER_ARG, deploymentId: REQUIRED_TEXT, status: REQUIRED_TEXT, note: TEXT },
  redeploy: { ...FOLDER_ARG, environment: REQUIRED_TEXT, releaseId: TEXT, pipeline: TEXT, overrideReason: TEXT },
  rollback: { ...FOLDER_ARG, environment: REQUIRED_TEXT, pipeline: TEXT, overrideReason: TEXT },
} satisfies Record<string, Spec>;

export const ENVIRONMENT_ARGS = {
  add: { ...FOLDER_ARG, name: REQUIRED_TEXT, settings: OBJECT },
  rename: { ...ENV, newName: REQUIRED_TEXT },
  environment: ENV,
  edit: { ...ENV, changes: { kind: 'object' as const, required: true } },
  addFreeze: { ...ENV, window: { kind: 'object' as const, required: true } },
  removeFreeze: { ...ENV, windowId: REQUIRED_TEXT },
} satisfies Record<string, Spec>;

export const PIPELINE_ARGS = {
  startRun: { ...FOLDER_ARG, deploymentId: REQUIRED_TEXT, pipeline: TEXT },
  run: RUN,
  approveStep: { ...RUN, comment: TEXT },
  create: { ...FOLDER_ARG, name: REQUIRED_TEXT },
  editFile: FOLDER_ARG,
} satisfies Record<string, Spec>;
