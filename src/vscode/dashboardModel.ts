// The dashboard's view model: core models in, a plain-JSON snapshot out. Pure (no 'vscode'), so
// unit tests check it and the host stays a thin adapter. New tabs add a section here and in
// src/shared/protocol.ts (DashboardSnapshot).
import type { AuditEvent, Deployment, Message, Release, RiskFactor, Service } from '../core/model';
import type { Repositories, UnitOfWork } from '../core/ports';
import type { ActivityView, DashboardSnapshot, PromotionView, RiskFactorView, ServiceView } from '../shared/protocol';
import type { PromotionSource } from './promotionSource';
import { riskLevel } from './releaseTreeModel';

export interface DashboardInputs {
  folder: { name: string; uri: string };
  release: Release;
  /** The whole catalog: dependents are computed across it. */
  services: readonly Service[];
  /** This release's deployments, newest first. */
  deployments: readonly Deployment[];
  messages: readonly Message[];
  /** Events about the release and its conversation, any order. */
  audit: readonly AuditEvent[];
  promotion: PromotionView;
  readOnly?: string;
  now: Date;
}

export const RISK_FACTOR_LABELS: Record<string, string> = {
  serviceCount: 'Services',
  dependencyFanIn: 'Dependency fan-in',
  recentFailures: 'Recent failures',
  changeSize: 'Change size',
  sensitivePaths: 'Sensitive paths',
  scheduleProximity: 'Schedule proximity',
};

/** Newest first, at most this many. */
export const ACTIVITY_LIMIT = 200;

const iso = (d: Date | undefined) => d?.toISOString();

export function buildSnapshot(i: DashboardInputs): DashboardSnapshot {
  const r = i.release;
  const inRelease = new Set(r.services ?? []);
  const dependents = new Map<string, string[]>();
  for (const s of i.services) for (const d of s.dependencies) dependents.set(d, [...(dependents.get(d) ?? []), s.name]);
  const services: ServiceView[] = i.services
    .filter((s) => inRelease.has(s.name))
    .concat(i.services.filter((s) => !inRelease.has(s.name)))
    .map((s) => strip({
      name: s.name,
      path: s.path,
      deployCommand: s.deployCommand,
      healthCheckUrl: s.healthCheck?.url,
      dependencies: [...s.dependencies],
      dependents: dependents.get(s.name) ?? [],
      inRelease: inRelease.has(s.name),
    }));
  // A release may name a service that was removed from the catalog since; still show it.
  for (const name of r.services ?? []) {
    if (!i.services.some((s) => s.name === name)) services.unshift({ name, dependencies: [], dependents: [], inRelease: true });
  }
  return strip({
    folder: i.folder,
    release: strip({
      id: r.id,
      version: r.version,
      name: r.name,
      status: r.status,
      description: r.description,
      services: [...(r.services ?? [])],
      plannedStart: iso(r.plannedStart),
      plannedEnd: iso(r.plannedEnd),
      actualStart: iso(r.actualStart),
      actualEnd: iso(r.actualEnd),
      releaseNotes: r.releaseNotes,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
    }),
    risk: strip({ score: r.riskScore, level: riskLevel(r.riskScore), factors: riskFactors(r.riskFactors) }),
    promotion: i.promotion,
    deployments: i.deployments.map((d) => strip({
      id: d.id,
      environment: d.environment,
      status: d.status,
      createdAt: d.createdAt.toISOString(),
      startedAt: iso(d.startedAt),
      completedAt: iso(d.completedAt),
    })),
    services,
    conversation: strip({
      id: r.conversationId,
      messages: i.messages.map((m) => ({ id: m.id, author: m.author, text: m.text, at: m.createdAt.toISOString() })),
    }),
    activity: [...i.audit]
      .sort((a, b) => b.at.getTime() - a.at.getTime() || b.id - a.id)
      .slice(0, ACTIVITY_LIMIT)
      .map((e): ActivityView => ({ id: e.id, at: e.at.toISOString(), actor: e.actor, action: e.action, summary: auditSummary(e) })),
    readOnly: i.readOnly,
    generatedAt: i.now.toISOString(),
  });
}

export function riskFactors(factors: Record<string, RiskFactor> | undefined): RiskFactorView[] {
  if (!factors) return [];
  return Object.entries(factors).map(([key, f]) => ({
    key,
    label: RISK_FACTOR_LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()),
    value: String(f.value),
    weight: f.weight,
    score: f.score,
    explanation: f.explanation,
  }));
}

const FIELD_LABELS: Record<string, string> = {
  name: 'name',
  version: 'version',
  description: 'description',
  services: 'services',
  plannedStart: 'planned start',
  plannedEnd: 'planned end',
  releaseNotes: 'release notes',
  status: 'status',
};

/** One line saying what an audit event changed, for the Activity tab. */
export function auditSummary(e: AuditEvent): string {
  const before = asRecord(e.before);
  const after = asRecord(e.after);
  switch (e.action) {
    case 'release.create':
      return `created release ${String(after?.version ?? '')}${after?.name ? ` “${String(after.name)}”` : ''}`;
    case 'release.update': {
      const changed = Object.keys(FIELD_LABELS).filter((k) => JSON.stringify(before?.[k]) !== JSON.stringify(after?.[k]));
      return changed.length ? `changed ${changed.map((k) => FIELD_LABELS[k]).join(', ')}` : 'saved without changes';
    }
    case 'release.risk': {
      const score = after?.riskScore;
      return typeof score === 'number' ? `assessed risk: ${score.toFixed(2)}` : 'assessed risk';
    }
    case 'conversation.post': {
      const text = typeof after?.text === 'string' ? after.text.replace(/\s+/g, ' ').trim() : '';
      return `posted “${text.length > 80 ? `${text.slice(0, 79)}…` : text}”`;
    }
    case 'approval.request':
      return `requested approval for ${String(after?.environment ?? 'an environment')}`;
    case 'approval.approve':
    case 'approval.reject':
      return `${e.action === 'approval.approve' ? 'approved' : 'rejected'} for ${String(after?.environment ?? 'an environment')}${after?.comment ? `: ${String(after.comment)}` : ''}`;
    default: {
      const deployment = /^deployment\.(promotion|redeploy|rollback)(\.override)?$/.exec(e.action);
      if (deployment) {
        const env = String(after?.environment ?? '?');
        const verb = { promotion: `promoted to ${env}`, redeploy: `redeployed to ${env}`, rollback: `rolled ${env} back` }[deployment[1] as 'promotion' | 'redeploy' | 'rollback'];
        const override = asRecord(asRecord(after?.metadata)?.override);
        return deployment[2] ? `${verb}, overriding the checks${typeof override?.reason === 'string' ? `: ${override.reason}` : ''}` : verb;
      }
      const deploymentStatus = /^deployment\.status\.(\w+)$/.exec(e.action);
      if (deploymentStatus) {
        return `${String(after?.environment ?? before?.environment ?? 'deployment')}: ${before?.status ? `${String(before.status).replace('_', ' ')} → ` : ''}${deploymentStatus[1].replace('_', ' ')}`;
      }
      const status = /^release\.status\.(\w+)$/.exec(e.action);
      if (status) {
        const reason = typeof after?.reason === 'string' && after.reason ? `: ${after.reason}` : '';
        return `${before?.status ? `${String(before.status).replace('_', ' ')} → ` : ''}${status[1].replace('_', ' ')}${reason}`;
      }
      return e.action.replace(/[._]/g, ' ');
    }
  }
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Drops undefined keys so that what crosses postMessage is exactly what the types say. */
function strip<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Audit events of the release's deployments and approvals (newest first per entity, capped). */
async function related(r: Repositories, entityType: string, ids: readonly string[]): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for (const entityId of ids.slice(0, ACTIVITY_LIMIT)) out.push(...(await r.audit.list({ entityType, entityId, limit: 20 })));
  return out;
}

/** Reads what a release's dashboard shows, in one read transaction; null when the release does not exist. */
export async function loadDashboardSnapshot(
  core: { uow: UnitOfWork; promotion: PromotionSource; readOnly?: string },
  folder: DashboardInputs['folder'],
  releaseId: string,
  now: Date = new Date(),
): Promise<DashboardSnapshot | null> {
  const data = await core.uow.read(async (r) => {
    const release = await r.releases.get(releaseId);
    if (!release) return null;
    const cid = release.conversationId;
    const deployments = await r.deployments.list({ releaseId });
    return {
      release,
      services: await r.services.list(),
      deployments,
      messages: cid ? await r.conversations.listMessages(cid) : [],
      audit: [
        ...(await r.audit.list({ entityType: 'release', entityId: releaseId, limit: ACTIVITY_LIMIT })),
        ...(cid ? await r.audit.list({ entityType: 'conversation', entityId: cid, limit: ACTIVITY_LIMIT }) : []),
        ...(await related(r, 'deployment', deployments.map((d) => d.id))),
        ...(await related(r, 'approval', (await r.approvals.list({ releaseId })).map((a) => a.id))),
      ],
    };
  });
  if (!data) return null;
  const promotion = await core.promotion.promotionPath(releaseId);
  return buildSnapshot({ folder, ...data, promotion, readOnly: core.readOnly, now });
}
