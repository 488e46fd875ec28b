// The only caller of acquireVsCodeApi (it may be called once per document): typed messages to and
// from the extension host, and the UI state VS Code keeps across reloads.
import type { DashboardUiState, HostToWebview, WebviewToHost } from '../src/shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();

export function post(message: WebviewToHost): void {
  api.postMessage(message);
}

/** Messages from the host. The host is trusted, but the shape is still checked where it is used. */
export function onHostMessage(listener: (m: HostToWebview) => void): () => void {
  const handler = (e: MessageEvent) => {
    const m = e.data as HostToWebview | undefined;
    if (m && typeof m === 'object' && typeof m.type === 'string') listener(m);
  };
  window.addEventListener('message', handler);
  return () => window.removeEventListener('message', handler);
}

export function loadUiState(): Partial<DashboardUiState> {
  const s = api.getState();
  return typeof s === 'object' && s !== null ? (s as Partial<DashboardUiState>) : {};
}

export function saveUiState(state: DashboardUiState): void {
  api.setState(state);
}
