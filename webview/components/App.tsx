import { useStore } from 'zustand';
import type { DashboardTab } from '../../src/shared/protocol';
import type { DashboardStore } from '../store/dashboardStore';
import { RELEASE_STATUS } from '../format';
import { Badge } from '../ui/Badge';
import { Spinner } from '../ui/Spinner';
import { Tabs, type TabSpec } from '../ui/Tabs';
import { ActivityTab } from './ActivityTab';
import { ConversationTab } from './ConversationTab';
import { OverviewTab } from './OverviewTab';
import { ServicesTab } from './ServicesTab';
import { TrafficTab } from './TrafficTab';

export function App(props: { store: DashboardStore }) {
  const s = useStore(props.store);
  const snap = s.snapshot;
  if (!snap) {
    return (
      <main id="dashboard" data-state={s.unavailable ? 'unavailable' : 'loading'}>
        {s.unavailable ? (
          <p className="error" id="dashboard-unavailable">
            {s.unavailable}
          </p>
        ) : (
          <div className="loading">
            <Spinner label="Loading the release" /> Loading the release…
          </div>
        )}
      </main>
    );
  }
  const r = snap.release;
  const tabs: TabSpec<DashboardTab>[] = [
    {
      key: 'overview',
      label: 'Overview',
      content: <OverviewTab snapshot={snap} assessing={!!s.pending.risk} riskError={s.errors.risk} onAssess={s.assessRisk} />,
    },
    { key: 'services', label: 'Services', badge: r.services.length || undefined, content: <ServicesTab services={snap.services} /> },
    { key: 'traffic', label: 'Traffic', content: <TrafficTab /> },
    {
      key: 'conversation',
      label: 'Conversation',
      badge: snap.conversation.messages.length || undefined,
      content: (
        <ConversationTab
          messages={snap.conversation.messages}
          draft={s.draft}
          posting={!!s.pending.post}
          error={s.errors.post}
          readOnly={snap.readOnly}
          onDraft={s.setDraft}
          onPost={s.postDraft}
        />
      ),
    },
    { key: 'activity', label: 'Activity', content: <ActivityTab activity={snap.activity} /> },
  ];
  return (
    <main id="dashboard" data-state="ready" data-release-id={r.id} data-generated-at={snap.generatedAt}>
      <header className="release-header">
        <h1 id="release-title">
          <span id="release-version">{r.version}</span> <span id="release-name">{r.name}</span>
        </h1>
        <Badge id="release-status">{RELEASE_STATUS[r.status]}</Badge>
        <span className="muted small" id="release-folder">
          {snap.folder.name}
        </span>
      </header>
      {s.unavailable ? (
        <p className="banner error" role="alert">
          {s.unavailable}
        </p>
      ) : null}
      {snap.readOnly ? (
        <p className="banner warning" id="read-only">
          {snap.readOnly}
        </p>
      ) : null}
      {s.errors.general ? (
        <p className="banner error" role="alert" id="dashboard-error">
          {s.errors.general}
        </p>
      ) : null}
      <Tabs id="dashboard-tabs" active={s.tab} onChange={s.setTab} tabs={tabs} />
    </main>
  );
}
