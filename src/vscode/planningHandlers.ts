// The planning commands' handlers (issue 7), spread into the command table's registration (commands.ts).
import { Commands } from './commandIds';
import { editNotes, exportNotes, generateNotes, refreshMetrics } from './notesCommands';
import { addMilestone, createRoadmap, editMilestone, linkRelease, removeMilestone, showRoadmap, unlinkRelease } from './roadmapCommands';
import { createTrain, deleteTrain, disableTrain, enableTrain, runDueTrains, updateTrain } from './trainCommands';

export const PLANNING_HANDLERS = {
  [Commands.createTrain]: createTrain,
  [Commands.updateTrain]: updateTrain,
  [Commands.enableTrain]: enableTrain,
  [Commands.disableTrain]: disableTrain,
  [Commands.deleteTrain]: deleteTrain,
  [Commands.runDueTrains]: runDueTrains,
  [Commands.createRoadmap]: createRoadmap,
  [Commands.addMilestone]: addMilestone,
  [Commands.editMilestone]: editMilestone,
  [Commands.removeMilestone]: removeMilestone,
  [Commands.linkRelease]: linkRelease,
  [Commands.unlinkRelease]: unlinkRelease,
  [Commands.showRoadmap]: showRoadmap,
  [Commands.generateNotes]: generateNotes,
  [Commands.editNotes]: editNotes,
  [Commands.exportNotes]: exportNotes,
  [Commands.refreshMetrics]: refreshMetrics,
} as const;
