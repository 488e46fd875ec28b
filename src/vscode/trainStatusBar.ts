// The train countdown in the status bar, beside the release indicator: shown when a checkpoint (or a
// departure) of an enabled train is near — within releaseManager.trains.countdownDays — as "code
// freeze in 2d"; the tooltip names the train and the time; a click shows the Release Trains view.
import * as vscode from 'vscode';
import type { NextCheckpoint } from '../core/releases/ReleaseTrainScheduler';
import type { Config } from './config';
import { TRAINS_VIEW_ID } from './trainTree';
import { countdownView } from './trainTreeModel';
import type { Sessions, WorkspaceSession } from './workspaceSession';

export interface CountdownState {
  visible: boolean;
  /** "$(watch) code freeze in 2d". */
  text: string;
  /** Markdown. */
  tooltip: string;
  trainId?: string;
  folder?: string;
}

/** The text counts down by itself: re-read this often. */
const TICK_MS = 30_000;

export class TrainCountdownStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private state: CountdownState = { visible: false, text: '', tooltip: '' };
  private generation = 0;
  private readonly tick: NodeJS.Timeout;

  constructor(
    private readonly sessions: Sessions,
    private readonly config: Config,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Just right of the release indicator (priority 50).
    this.item = vscode.window.createStatusBarItem('releaseManager.trainCountdown', vscode.StatusBarAlignment.Left, 49);
    this.item.name = 'Release Manager: Train Countdown';
    this.item.command = { command: `${TRAINS_VIEW_ID}.focus`, title: 'Show Release Trains' };
    this.tick = setInterval(() => void this.update(), TICK_MS);
  }

  current(): CountdownState {
    return { ...this.state };
  }

  async update(): Promise<void> {
    const generation = ++this.generation;
    try {
      const days = this.config.countdownDays();
      let best: { next: NextCheckpoint; session: WorkspaceSession } | undefined;
      if (days > 0) {
        for (const session of this.sessions.list()) {
          if (session.state !== 'ready') continue;
          const core = await session.core();
          const next = await core.trains.nextCheckpoint(core.clock.now(), { days });
          if (next && (!best || next.at.getTime() < best.next.at.getTime())) best = { next, session };
        }
      }
      if (generation !== this.generation) return;
      if (!best) {
        this.state = { visible: false, text: '', tooltip: '' };
        this.item.hide();
        return;
      }
      const core = await best.session.core();
      const train = await core.trains.getSchedule(best.next.trainId);
      if (generation !== this.generation) return;
      const view = countdownView(best.next, train?.recurrence.timeZone ?? 'UTC', this.sessions.list().length > 1 ? best.session.name : undefined);
      this.item.text = view.text;
      this.item.tooltip = new vscode.MarkdownString(view.tooltip);
      this.item.accessibilityInformation = { label: `Release train ${best.next.trainName}: ${best.next.text}` };
      this.item.show();
      this.state = { visible: true, text: view.text, tooltip: view.tooltip, trainId: best.next.trainId, folder: best.session.key };
    } catch (e) {
      this.log.warn(`train countdown: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    clearInterval(this.tick);
    this.item.dispose();
  }
}
