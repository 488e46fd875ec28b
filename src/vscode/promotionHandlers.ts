// The handlers of issue 4's commands (promotion, environments, freezes, pipelines), spread into the
// one handler table in commands.ts.
import { Commands } from './commandIds';
import { addEnvironment, addFreezeWindow, editEnvironment, moveEnvironmentDown, moveEnvironmentUp, removeEnvironment, removeFreezeWindow, renameEnvironment } from './environmentCommands';
import {
  abortPipelineRun,
  approvePipelineStep,
  cancelPipelineRun,
  createPipeline,
  editPipelines,
  ignorePipelineStep,
  retryPipelineStep,
  startPipelineRun,
} from './pipelineCommands';
import { approvePromotion, markDeployment, promote, redeployEnvironment, rejectPromotion, requestApproval, rollbackEnvironment } from './promotionCommands';

export const PROMOTION_HANDLERS = {
  [Commands.promote]: promote,
  [Commands.requestApproval]: requestApproval,
  [Commands.approvePromotion]: approvePromotion,
  [Commands.rejectPromotion]: rejectPromotion,
  [Commands.markDeployment]: markDeployment,
  [Commands.redeployEnvironment]: redeployEnvironment,
  [Commands.rollbackEnvironment]: rollbackEnvironment,
  [Commands.addEnvironment]: addEnvironment,
  [Commands.renameEnvironment]: renameEnvironment,
  [Commands.moveEnvironmentUp]: moveEnvironmentUp,
  [Commands.moveEnvironmentDown]: moveEnvironmentDown,
  [Commands.removeEnvironment]: removeEnvironment,
  [Commands.editEnvironment]: editEnvironment,
  [Commands.addFreezeWindow]: addFreezeWindow,
  [Commands.removeFreezeWindow]: removeFreezeWindow,
  [Commands.startPipelineRun]: startPipelineRun,
  [Commands.cancelPipelineRun]: cancelPipelineRun,
  [Commands.retryPipelineStep]: retryPipelineStep,
  [Commands.ignorePipelineStep]: ignorePipelineStep,
  [Commands.abortPipelineRun]: abortPipelineRun,
  [Commands.approvePipelineStep]: approvePipelineStep,
  [Commands.createPipeline]: createPipeline,
  [Commands.editPipelines]: editPipelines,
};
