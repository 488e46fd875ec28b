// The dashboard's state: the host's latest snapshot (data), plus UI state that survives reloads
// (tab, unsent draft) through the host bridge. Requests carry an id; the host answers done/failed.
import { create } from 'zustand';
import { parseWebviewMessage } from '../../src/shared/messageValidation';
import { DASHBOARD_TABS, type DashboardSnapshot, type DashboardTab, type GraphUiState, type HostToWebview, type WebviewToHost } from '../../src/shared/protocol';
import { STEP_LOG_TAIL, type ApprovalDecision, type RunAction } from '../../src/shared/pipelineView';
import { loadUiState, post, saveUiState } from '../hostBridge';
import { savedGraphUi } from './uiState';

type RequestKind = 'roadmap' | 'notes' | 'metrics' | 'post' | 'risk' | 'service' | 'promotion' | 'pipeline';

export interface DashboardState {
  releaseId: string;
  folder: string;
  snapshot?: DashboardSnapshot;
  /** Why there is nothing to show (release gone, folder closed, read failed). */
  unavailable?: string;
  tab: DashboardTab;
  draft: string;
  /** The Services tab's environment and view, kept across reloads. */
  graphUi: GraphUiState;
  setGraphUi(patch: GraphUiState): void;
  pending: Partial<Record<RequestKind, string>>;
  errors: Partial<Record<RequestKind | 'general', string>>;
  setTab(tab: DashboardTab): void;
  setDraft(text: string): void;
  receive(message: HostToWebview): void;
  postDraft(): void;
  assessRisk(): void;
  /** Roadmap, Notes and Metrics tabs (issue 7). */
  linkMilestone(roadmapId: string, milestoneId: string): void;
  unlinkMilestone(roadmapId: string, milestoneId: string): void;
  generateNotes(): void;
  editNotes(): void;
  exportNotes(): void;
  refreshMetrics(): void;
  /** Add / Edit / Remove Service in the host (prompts open in VS Code). */
  addService(): void;
  editService(name: string): void;
  removeService(name: string): void;
  /** Promotion and Pipeline tabs (issue 4). */
  promote(environment: string): void;
  decideApproval(environment: string, decision: ApprovalDecision): void;
  runAction(runId: string, action: RunAction): void;
  /** Live output per `${runId}:${stepIndex}` (its last STEP_LOG_TAIL characters). */
  liveLogs: Record<string, string>;
  /** The run the Pipeline tab shows (default: the newest). */
  selectedRunId?: string;
  selectRun(runId: string): void;
  /** Opens the Pipeline tab on a run. */
  showRun(runId: string): void;
}

let counter = 0;
const nextId = (kind: RequestKind) => `${kind}-${Date.now().toString(36)}-${(++counter).toString(36)}`;

export function createDashboardStore(initial: { releaseId: string; folder: string; tab: DashboardTab }) {
  const saved = loadUiState();
  // A restored panel keeps its tab and draft; a new one starts where the host asked.
  const sameRelease = saved.releaseId === initial.releaseId;
  const tab = sameRelease && saved.tab && DASHBOARD_TABS.includes(saved.tab) ? saved.tab : initial.tab;

  return create<DashboardState>()((set, get) => {
    const persist = () => {
      const s = get();
      const graph = s.graphUi.environment !== undefined || s.graphUi.view ? s.graphUi : undefined;
      saveUiState({ releaseId: s.releaseId, folder: s.folder, tab: s.tab, draft: s.draft || undefined, graph });
    };
    const request = (kind: RequestKind, message: WebviewToHost) => {
      // The same check the host makes: a message it would refuse is not sent.
      const checked = parseWebviewMessage(message);
      if (!checked.ok) {
        set((s) => ({ errors: { ...s.errors, [kind]: `${checked.field}: ${checked.reason}` } }));
        return;
      }
      set((s) => ({ pending: { ...s.pending, [kind]: (message as { requestId: string }).requestId }, errors: { ...s.errors, [kind]: undefined } }));
      post(message);
    };
    const kindOf = (requestId: string | undefined): RequestKind | undefined =>
      (Object.entries(get().pending) as [RequestKind, string][]).find(([, id]) => id === requestId)?.[0];

    const state: DashboardState = {
      releaseId: initial.releaseId,
      folder: initial.folder,
      tab,
      draft: sameRelease ? (saved.draft ?? '') : '',
      graphUi: sameRelease ? savedGraphUi(saved.graph) : {},
      setGraphUi: (patch) => {
        set((s) => ({ graphUi: { ...s.graphUi, ...patch } }));
        persist();
      },
      pending: {},
      errors: {},
      liveLogs: {},
      setTab: (t) => {
        set({ tab: t });
        persist();
      },
      setDraft: (text) => {
        set((s) => ({ draft: text, errors: { ...s.errors, post: undefined } }));
        persist();
      },
      receive: (m) => {
        switch (m.type) {
          case 'dashboard/snapshot':
            set({ snapshot: m.snapshot, unavailable: undefined });
            return;
          case 'dashboard/unavailable':
            set({ unavailable: m.message });
            return;
          case 'dashboard/showTab':
            get().setTab(m.tab);
            return;
          case 'pipeline/output': {
            const key = `${m.runId}:${m.stepIndex}`;
            set((s) => {
              const text = (s.liveLogs[key] ?? '') + m.text;
              return { liveLogs: { ...s.liveLogs, [key]: text.length > STEP_LOG_TAIL ? text.slice(-STEP_LOG_TAIL) : text } };
            });
            return;
          }
          case 'request/done': {
            const kind = kindOf(m.requestId);
            if (!kind) return;
            set((s) => ({ pending: { ...s.pending, [kind]: undefined }, ...(kind === 'post' ? { draft: '' } : {}) }));
            persist();
            return;
          }
          case 'request/failed': {
            const kind = kindOf(m.requestId);
            set((s) => ({
              pending: kind ? { ...s.pending, [kind]: undefined } : s.pending,
              errors: { ...s.errors, [kind ?? 'general']: m.message },
            }));
            return;
          }
        }
      },
      postDraft: () => request('post', { type: 'conversation/post', requestId: nextId('post'), text: get().draft }),
      assessRisk: () => request('risk', { type: 'release/assessRisk', requestId: nextId('risk') }),
      linkMilestone: (roadmapId, milestoneId) => request('roadmap', { type: 'roadmap/link', requestId: nextId('roadmap'), roadmapId, milestoneId }),
      unlinkMilestone: (roadmapId, milestoneId) => request('roadmap', { type: 'roadmap/unlink', requestId: nextId('roadmap'), roadmapId, milestoneId }),
      generateNotes: () => request('notes', { type: 'notes/generate', requestId: nextId('notes') }),
      editNotes: () => request('notes', { type: 'notes/edit', requestId: nextId('notes') }),
      exportNotes: () => request('notes', { type: 'notes/export', requestId: nextId('notes') }),
      refreshMetrics: () => request('metrics', { type: 'metrics/refresh', requestId: nextId('metrics') }),
      addService: () => request('service', { type: 'service/add', requestId: nextId('service') }),
      editService: (name) => request('service', { type: 'service/edit', requestId: nextId('service'), name }),
      removeService: (name) => request('service', { type: 'service/remove', requestId: nextId('service'), name }),
      promote: (environment) => request('promotion', { type: 'promotion/promote', requestId: nextId('promotion'), environment }),
      decideApproval: (environment, decision) => request('promotion', { type: 'promotion/approval', requestId: nextId('promotion'), environment, decision }),
      selectRun: (runId) => set({ selectedRunId: runId }),
      showRun: (runId) => {
        set({ selectedRunId: runId });
        get().setTab('pipeline');
      },
      runAction: (runId, action) => request('pipeline', { type: 'pipeline/action', requestId: nextId('pipeline'), runId, action }),
    };
    return state;
  });
}

export type DashboardStore = ReturnType<typeof createDashboardStore>;

