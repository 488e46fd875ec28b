// The status-bar release indicator: the active release across the open folders (the most recent in
// progress, else the next planned), where it got to, a spinner while a deployment runs; a click opens
// its dashboard; hidden when there are no releases.
import * as vscode from 'vscode';
import type { ReleaseSummary } from '../core/ports';
import type { PromotionStepView } from '../shared/protocol';
import { openDashboardCommand } from './releaseTree';
import { pickActiveRelease, statusBarView } from './statusModel';
import type { Sessions, WorkspaceSession } from './workspaceSession';

type Candidate = ReleaseSummary & { session: WorkspaceSession };

export interface StatusBarState {
  visible: boolean;
  text: string;
  tooltip: string;
  releaseId?: string;
  folder?: string;
}

export class ReleaseStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private state: StatusBarState = { visible: false, text: '', tooltip: '' };
  private generation = 0;

  constructor(
    private readonly sessions: Sessions,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item = vscode.window.createStatusBarItem('releaseManager.activeRelease', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Release Manager: Active Release';
  }

  /** What the item shows now (for tests). */
  current(): StatusBarState {
    return { ...this.state };
  }

  async update(): Promise<void> {
    const generation = ++this.generation;
    try {
      const candidates: Candidate[][] = [[], []];
      for (const session of this.sessions.list()) {
        if (session.state !== 'ready') continue;
        const core = await session.core();
        const [inProgress, planned] = await core.uow.read(async (r) => [
          await r.releases.listSummaries({ status: 'in_progress' }),
          await r.releases.listSummaries({ status: 'planned' }),
        ]);
        candidates[0].push(...inProgress.map((r) => ({ ...r, session })));
        candidates[1].push(...planned.map((r) => ({ ...r, session })));
      }
      const active = pickActiveRelease(candidates[0], candidates[1]);
      let steps: PromotionStepView[] = [];
      if (active) steps = (await (await active.session.core()).promotion.promotionPath(active.id)).steps;
      // Deployments of other releases (a redeploy or rollback of a deployed one) spin the item too.
      const elsewhere: string[] = [];
      for (const session of this.sessions.list()) {
        if (session.state !== 'ready') continue;
        const core = await session.core();
        for (const d of await core.environments.listDeployments({ status: 'in_progress', limit: 5 })) {
          if (d.releaseId === active?.id) continue;
          const version = d.releaseId ? (await core.releases.getRelease(d.releaseId))?.version : undefined;
          elsewhere.push(`${version ?? 'a release'} → ${d.environment}`);
        }
      }
      if (generation !== this.generation) return; // a newer update started meanwhile
      if (!active && elsewhere.length) {
        // No release in progress or planned, but one is being redeployed or rolled back.
        const text = `$(sync~spin) ${elsewhere[0]}${elsewhere.length > 1 ? ` (+${elsewhere.length - 1})` : ''}`;
        const tooltip = `Deploying: ${elsewhere.join('; ')}`;
        this.item.text = text;
        this.item.tooltip = tooltip;
        this.item.command = undefined;
        this.item.accessibilityInformation = { label: tooltip };
        this.item.show();
        this.state = { visible: true, text, tooltip };
        return;
      }
      if (!active) {
        this.state = { visible: false, text: '', tooltip: '' };
        this.item.hide();
        return;
      }
      const multi = this.sessions.list().length > 1;
      const view = statusBarView(active, steps, multi ? active.session.name : undefined, elsewhere);
      this.item.text = view.text;
      this.item.tooltip = new vscode.MarkdownString(view.tooltip);
      this.item.command = openDashboardCommand(active.session, active.id);
      this.item.accessibilityInformation = { label: `Active release ${active.version}, ${view.text.replace(/^\$\([^)]+\)\s*/, '')}` };
      this.item.show();
      this.state = { visible: true, text: view.text, tooltip: view.tooltip, releaseId: active.id, folder: active.session.key };
    } catch (e) {
      this.log.warn(`status bar: ${(e as Error).message}`);
    }
  }

  dispose(): void {
    this.item.dispose();
  }
}
