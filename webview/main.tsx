// The release dashboard. cspMonitor comes first so that it sees any violation from the start.
import './cspMonitor';
import { createRoot } from 'react-dom/client';
import { DASHBOARD_TABS, type DashboardTab } from '../src/shared/protocol';
import { App } from './components/App';
import { onCspViolation } from './cspMonitor';
import { onHostMessage, post } from './hostBridge';
import { createDashboardStore } from './store/dashboardStore';

const root = document.getElementById('root') as HTMLElement;
const initialTab = root.dataset.tab as DashboardTab | undefined;
const store = createDashboardStore({
  releaseId: root.dataset.releaseId ?? '',
  folder: root.dataset.folder ?? '',
  tab: initialTab && DASHBOARD_TABS.includes(initialTab) ? initialTab : 'overview',
});
// Saved at once: the serializer reads it to restore this panel after a reload.
store.getState().setTab(store.getState().tab);

onHostMessage((m) => store.getState().receive(m));
onCspViolation((v) => post({ type: 'webview/cspViolation', directive: v.directive, blockedUri: v.blockedUri }));
createRoot(root).render(<App store={store} />);
// Ready handshake: the host answers with a full snapshot.
post({ type: 'webview/ready' });
