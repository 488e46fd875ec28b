// The dashboard's state: the host's latest snapshot (data), plus UI state that survives reloads
// (tab, unsent draft) through the host bridge. Requests carry an id; the host answers done/failed.
import { create } from 'zustand';
import { parseWebviewMessage } from '../../src/shared/messageValidation';
import { DASHBOARD_TABS, type DashboardSnapshot, type DashboardTab, type HostToWebview, type WebviewToHost } from '../../src/shared/protocol';
import { loadUiState, post, saveUiState } from '../hostBridge';

type RequestKind = 'post' | 'risk';

export interface DashboardState {
  releaseId: string;
  folder: string;
  snapshot?: DashboardSnapshot;
  /** Why there is nothing to show (release gone, folder closed, read failed). */
  unavailable?: string;
  tab: DashboardTab;
  draft: string;
  pending: Partial<Record<RequestKind, string>>;
  errors: Partial<Record<RequestKind | 'general', string>>;
  setTab(tab: DashboardTab): void;
  setDraft(text: string): void;
  receive(message: HostToWebview): void;
  postDraft(): void;
  assessRisk(): void;
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
      saveUiState({ releaseId: s.releaseId, folder: s.folder, tab: s.tab, draft: s.draft || undefined });
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
      pending: {},
      errors: {},
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
    };
    return state;
  });
}

export type DashboardStore = ReturnType<typeof createDashboardStore>;
