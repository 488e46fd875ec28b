// Release risk: a 0–1 score from named factors, each with its value, weight and a one-line reason.
// A factor that cannot be measured (no git repository, no earlier tag) says so and carries no weight,
// rather than counting as "no risk".
import type { Deployment, Release, RiskFactor, Service } from './model';
import type { GitPort } from './ports';

export interface RiskContext {
  now: Date;
  services: Service[];
  /** Deployments of the last 30 days, any release. */
  recentDeployments: Deployment[];
  releases: Release[];
  git?: GitPort;
  /** The next freeze window starting after `now`, if environments define any. */
  nextFreeze?: (now: Date) => Promise<{ name: string; environment: string; startsAt: Date } | null>;
}

export interface RiskAssessment {
  score: number;
  factors: Record<string, RiskFactor>;
}

/** Base weights; renormalised over the factors that are available. */
export const RISK_WEIGHTS = {
  serviceCount: 0.15,
  dependencyFanIn: 0.2,
  recentFailures: 0.2,
  changeSize: 0.2,
  sensitivePaths: 0.1,
  scheduleProximity: 0.15,
} as const;

type FactorName = keyof typeof RISK_WEIGHTS;
type Partial = { value: number | string; score: number | null; explanation: string };

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function assessReleaseRisk(release: Release, ctx: RiskContext): Promise<RiskAssessment> {
  const parts: Record<FactorName, Partial> = {
    serviceCount: serviceCount(release),
    dependencyFanIn: fanIn(release, ctx.services),
    recentFailures: recentFailures(release, ctx.recentDeployments),
    ...(await gitFactors(release, ctx.git)),
    scheduleProximity: await schedule(release, ctx),
  };
  const available = (Object.keys(parts) as FactorName[]).filter((k) => parts[k].score !== null);
  const totalWeight = available.reduce((s, k) => s + RISK_WEIGHTS[k], 0);
  const factors: Record<string, RiskFactor> = {};
  let score = 0;
  for (const k of Object.keys(parts) as FactorName[]) {
    const p = parts[k];
    const weight = p.score === null || totalWeight === 0 ? 0 : round(RISK_WEIGHTS[k] / totalWeight);
    factors[k] = { value: p.value, weight, score: p.score === null ? null : round(p.score), explanation: p.explanation };
    if (p.score !== null && totalWeight > 0) score += (RISK_WEIGHTS[k] / totalWeight) * p.score;
  }
  return { score: round(clamp01(score)), factors };
}

function serviceCount(release: Release): Partial {
  const n = release.services?.length ?? 0;
  return {
    value: n,
    score: clamp01(n / 8),
    explanation: n === 0 ? 'No services named: nothing is coordinated' : `${plural(n, 'service')} released together`,
  };
}

function fanIn(release: Release, services: Service[]): Partial {
  const touched = release.services ?? [];
  if (!touched.length) return { value: 0, score: 0, explanation: 'No services named, so nothing depends on this release' };
  let worst = { name: '', dependents: [] as string[] };
  for (const name of touched) {
    const dependents = services.filter((s) => s.dependencies.includes(name)).map((s) => s.name);
    if (dependents.length > worst.dependents.length) worst = { name, dependents };
  }
  const n = worst.dependents.length;
  return {
    value: n,
    score: clamp01(n / 5),
    explanation: n === 0
      ? 'No other service depends on the services in this release'
      : `${worst.name} is a dependency of ${plural(n, 'service')} (${worst.dependents.slice(0, 5).join(', ')}${n > 5 ? ', …' : ''})`,
  };
}

function recentFailures(release: Release, deployments: Deployment[]): Partial {
  const finished = deployments.filter((d) => d.status === 'completed' || d.status === 'failed' || d.status === 'rolled_back');
  const bad = finished.filter((d) => d.status === 'failed' || d.status === 'rolled_back');
  if (!finished.length) return { value: 0, score: 0.2, explanation: 'No deployments in the last 30 days: no track record yet' };
  const own = bad.filter((d) => d.releaseId === release.id).length;
  const rate = bad.length / finished.length;
  return {
    value: bad.length,
    score: clamp01(rate * 2 + (own ? 0.25 : 0)),
    explanation: `${bad.length} of ${plural(finished.length, 'deployment')} in the last 30 days failed or were rolled back${own ? ` (${own} of this release)` : ''}`,
  };
}

async function gitFactors(release: Release, git: GitPort | undefined): Promise<Record<'changeSize' | 'sensitivePaths', Partial>> {
  const unavailable = (why: string) => ({
    changeSize: { value: 'unavailable', score: null, explanation: `Change size unavailable: ${why}` },
    sensitivePaths: { value: 'unavailable', score: null, explanation: `Sensitive paths unavailable: ${why}` },
  });
  if (!git) return unavailable('no git integration');
  try {
    if (!(await git.isRepository())) return unavailable('the workspace is not a git repository');
    const tag = await git.previousReleaseTag(release.version);
    if (!tag) return unavailable(`no git tag for a version before ${release.version}`);
    const c = await git.changeSince(tag);
    const lines = c.linesAdded + c.linesDeleted;
    const sens = c.sensitiveFiles;
    return {
      changeSize: {
        value: lines,
        score: clamp01(Math.log10(1 + lines) / Math.log10(1 + 5000) * 0.8 + Math.min(0.2, c.files / 500)),
        explanation: `${plural(lines, 'line')} changed in ${plural(c.files, 'file')} over ${plural(c.commits, 'commit')} since ${c.baseTag}`,
      },
      sensitivePaths: {
        value: sens.length,
        score: clamp01(sens.length / 3),
        explanation: sens.length
          ? `${plural(sens.length, 'sensitive file')} changed since ${c.baseTag}: ${sens.slice(0, 3).join(', ')}${sens.length > 3 ? ', …' : ''}`
          : `No migrations, infrastructure or security files changed since ${c.baseTag}`,
      },
    };
  } catch (e) {
    return unavailable(`git failed (${(e as Error).message.split('\n')[0]})`);
  }
}

async function schedule(release: Release, ctx: RiskContext): Promise<Partial> {
  const now = ctx.now.getTime();
  const day = 86_400_000;
  const notes: string[] = [];
  let score = 0.1;
  if (release.status === 'deployed' || release.status === 'cancelled') {
    return { value: release.status, score: 0, explanation: `The release is ${release.status}` };
  }
  if (!release.plannedStart) {
    score = 0.2;
    notes.push('No planned date');
  } else {
    const days = (release.plannedStart.getTime() - now) / day;
    const end = release.plannedEnd?.getTime() ?? release.plannedStart.getTime();
    if (end < now) {
      score = 1;
      notes.push(`The planned window ended ${Math.ceil((now - end) / day)} day(s) ago`);
    } else if (days <= 1) {
      score = 0.8;
      notes.push(days < 0 ? 'The planned window is open now' : 'Planned to start within a day');
    } else if (days <= 3) {
      score = 0.5;
      notes.push(`Planned to start in ${Math.ceil(days)} days`);
    } else if (days <= 7) {
      score = 0.3;
      notes.push(`Planned to start in ${Math.ceil(days)} days`);
    } else {
      notes.push(`Planned to start in ${Math.round(days)} days`);
    }
  }
  if (ctx.nextFreeze) {
    const f = await ctx.nextFreeze(ctx.now);
    if (f) {
      const days = (f.startsAt.getTime() - now) / day;
      if (days <= 2) {
        score = Math.max(score, 0.9);
        notes.push(`freeze '${f.name}' on ${f.environment} starts in ${days <= 0 ? 'under a day' : `${Math.ceil(days)} day(s)`}`);
      } else if (days <= 7) {
        score = Math.max(score, 0.5);
        notes.push(`freeze '${f.name}' on ${f.environment} starts in ${Math.ceil(days)} days`);
      }
    }
  }
  return { value: release.plannedStart ? release.plannedStart.toISOString() : 'unscheduled', score, explanation: notes.join('; ') };
}
