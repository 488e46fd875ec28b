// The Traffic tab's state: the host's live view (sent about once a second while the tab is shown),
// the rollout asked for, and the button that is running. Requests carry an id; the host answers
// `traffic/result`. Kept apart from the dashboard store: only the tab reads it.
import { create } from 'zustand';
import { parseWebviewMessage } from '../../src/shared/messageValidation';
import type { WebviewToHost } from '../../src/shared/protocol';
import type { TrafficAction, TrafficTabView } from '../../src/shared/trafficView';
import { onHostMessage, post } from '../hostBridge';

export interface TrafficState {
  view?: TrafficTabView;
  /** The environment whose rollout the tab shows (undefined: the host picks). */
  environment?: string;
  /** The button that is running, until its result. */
  pending?: { action: TrafficAction; requestId: string };
  error?: string;
  watch(watching: boolean): void;
  choose(environment: string): void;
  run(action: TrafficAction, environment?: string): void;
}

let counter = 0;
let watching = false;

function send(message: WebviewToHost): string | undefined {
  // The host's own check: a message it would refuse is not sent.
  const checked = parseWebviewMessage(message);
  if (!checked.ok) return `${checked.field}: ${checked.reason}`;
  post(message);
  return undefined;
}

export const trafficStore = create<TrafficState>()((set, get) => ({
  watch: (w) => {
    watching = w;
    const env = get().environment;
    send({ type: 'traffic/watch', watching: w, ...(env !== undefined && { environment: env }) });
  },
  choose: (environment) => {
    set({ environment });
    if (watching) send({ type: 'traffic/watch', watching: true, environment });
  },
  run: (action, environment) => {
    if (get().pending) return;
    const requestId = `traffic-${action}-${Date.now().toString(36)}-${(++counter).toString(36)}`;
    const env = environment ?? get().environment ?? get().view?.selected?.environment;
    const error = send({ type: 'traffic/action', requestId, action, ...(env !== undefined && { environment: env }) });
    set(error ? { error } : { pending: { action, requestId }, error: undefined });
  },
}));

onHostMessage((m) => {
  if (m.type === 'traffic/view') trafficStore.setState({ view: m.view });
  else if (m.type === 'traffic/result' && trafficStore.getState().pending?.requestId === m.requestId) {
    trafficStore.setState({ pending: undefined, error: m.ok || m.cancelled ? undefined : m.message });
  }
});
