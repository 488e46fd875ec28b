import { useStore } from 'zustand';
import type { DashboardTab } from '../../src/shared/protocol';
import type { DashboardStore } from '../store/dashboardStore';
import { RELEASE_STATUS } from '../format';
import { Badge } from '../ui/Badge';
import { Spinner } from '../ui/Spinner';
import { Tabs, type TabSpec } from '../ui/Tabs';
import { ActivityTab } from './ActivityTab';
import { ConversationTab } from './ConversationTab';
import { MetricsTab } from './MetricsTab';
import { NotesTab } from './NotesTab';
import { OverviewTab } from './OverviewTab';
import { PipelineTab } from './PipelineTab';
import { PromotionTab } from './PromotionTab';
import { RoadmapTab } from './RoadmapTab';
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
    {
      key: 'promotion',
      label: 'Promotion',
      content: (
        <PromotionTab
          version={r.version}
          status={r.status}
          promotion={snap.promotion}
          pipelines={snap.pipelines}
          readOnly={snap.readOnly}
          busy={!!s.pending.promotion}
          error={s.errors.promotion}
          onPromote={s.promote}
          onApproval={s.decideApproval}
          onShowRun={s.showRun}
        />
      ),
    },
    {
      key: 'pipeline',
      label: 'Pipeline',
      badge: snap.pipelines?.runs.filter((x) => (x.status === 'interrupted' || x.status === 'waiting_approval') && !x.endedAt).length || undefined,
      content: (
        <PipelineTab
          runs={snap.pipelines?.runs ?? []}
          liveLogs={s.liveLogs}
          selectedRunId={s.selectedRunId}
          onSelectRun={s.selectRun}
          readOnly={snap.readOnly}
          busy={!!s.pending.pipeline}
          error={s.errors.pipeline}
          onAction={s.runAction}
        />
      ),
    },
    {
      key: 'services',
      label: 'Services',
      badge: r.services.length || undefined,
      content: (
        <ServicesTab
          active={s.tab === 'services'}
          graph={snap.serviceGraph}
          releaseServices={r.services}
          ui={s.graphUi}
          onUiChange={s.setGraphUi}
          readOnly={snap.readOnly}
          busy={!!s.pending.service}
          error={s.errors.service}
          onAdd={s.addService}
          onEdit={s.editService}
          onRemove={s.removeService}
        />
      ),
    },
    { key: 'traffic', label: 'Traffic', content: <TrafficTab active={s.tab === 'traffic'} readOnly={snap.readOnly} /> },
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
    {
      key: 'roadmap',
      label: 'Roadmap',
      badge: snap.roadmap?.linked.reduce((n, x) => n + x.milestones.filter((m) => m.linked && m.atRisk).length, 0) || undefined,
      content: (
        <RoadmapTab
          section={snap.roadmap}
          releaseVersion={r.version}
          disabledReason={snap.readOnly ?? (r.status === 'cancelled' ? 'A cancelled release cannot deliver a milestone.' : undefined)}
          busy={!!s.pending.roadmap}
          error={s.errors.roadmap}
          onLink={s.linkMilestone}
          onUnlink={s.unlinkMilestone}
        />
      ),
    },
    {
      key: 'notes',
      label: 'Notes',
      content: (
        <NotesTab
          notes={r.releaseNotes}
          status={r.status}
          readOnly={snap.readOnly}
          busy={!!s.pending.notes}
          error={s.errors.notes}
          onGenerate={s.generateNotes}
          onEdit={s.editNotes}
          onExport={s.exportNotes}
        />
      ),
    },
    {
      key: 'metrics',
      label: 'Metrics',
      content: <MetricsTab metrics={snap.metrics} metricsError={snap.metricsError} busy={!!s.pending.metrics} error={s.errors.metrics} onRefresh={s.refreshMetrics} />,
    },
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
