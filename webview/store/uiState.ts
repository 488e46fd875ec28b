// The UI state a restored dashboard reads back from VS Code (webview getState). It is only what this
// webview wrote, but it outlives versions of the extension: anything of the wrong shape is dropped.
import type { GraphUiState } from '../../src/shared/protocol';

/** What a restored panel kept of the graph, when it still has the right shape (state is not trusted blindly). */
export function savedGraphUi(g: unknown): GraphUiState {
  if (typeof g !== 'object' || g === null) return {};
  const own = (o: object, name: string): unknown => (Object.hasOwn(o, name) ? (o as Record<string, unknown>)[name] : undefined);
  const out: GraphUiState = {};
  const environment = own(g, 'environment');
  if (typeof environment === 'string' && environment.length <= 64) out.environment = environment;
  const v = own(g, 'view');
  if (typeof v !== 'object' || v === null) return out;
  const [key, x, y, k] = ['key', 'x', 'y', 'k'].map((n) => own(v, n));
  if (
    typeof key === 'string' && key.length <= 200 &&
    typeof x === 'number' && typeof y === 'number' && typeof k === 'number' &&
    Number.isFinite(x) && Number.isFinite(y) && Number.isFinite(k) && k > 0
  ) out.view = { key, x, y, k };
  return out;
}
