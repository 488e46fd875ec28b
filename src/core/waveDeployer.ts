// The `deployServices` pipeline step: each service's deploy command, wave by wave in dependency
// order, the services of one wave in parallel (bounded), the next wave only once the previous one is
// healthy; dependents of a failure are blocked, and what did deploy is rolled back in reverse order.
import { NotFoundError, RefusedError, ValidationError, type DeploymentOrder, type HealthCheck, type Service } from './model';
import type {
  HttpClient,
  ProcessResult,
  ProcessRunner,
  ServiceDeployContext,
  ServiceDeployer,
  ServiceDeployResult,
  ServiceDeployStatus,
  WorkspaceTrust,
} from './ports';
import type { DependencyAwareDeploymentManager, DeploymentPlan } from './releases/DependencyAwareDeploymentManager';
import { describe, listNames } from './validate';

export const DEFAULT_DEPLOY_CONCURRENCY = 4;
export const MAX_DEPLOY_CONCURRENCY = 64;
/** How long a service's health check may take to pass when it sets no timeoutMs. */
export const DEFAULT_HEALTH_TIMEOUT_MS = 60_000;

export interface WaveServiceDeployerDeps {
  orders: Pick<DependencyAwareDeploymentManager, 'plan'>;
  runner: ProcessRunner;
  http: HttpClient;
  /** Services deployed at once within a wave (1–64, default 4); a function so a changed setting applies to the next run. */
  concurrency?: number | (() => number);
  /** Each deploy or rollback command's limit; none by default (the pipeline step's timeout cancels the whole step). */
  commandTimeoutMs?: number;
  /** Pause between health check attempts. Default 1000 ms. */
  healthIntervalMs?: number;
  /** Each health check attempt's limit (capped by what is left of the service's timeout). Default 5000 ms. */
  healthAttemptTimeoutMs?: number;
  /** Roll back what deployed when a service fails. Default true. */
  rollbackOnFailure?: boolean;
  /** When given and untrusted, nothing runs (deploy commands are shell commands from the workspace). */
  trust?: WorkspaceTrust;
  /** Monotonic milliseconds; default performance.now(). */
  now?: () => number;
}

type Entry = ServiceDeployResult['services'][number];

interface ServiceState {
  order: DeploymentOrder;
  service?: Service;
  entry: Entry;
  /** The deploy command ran and exited 0: something changed that a rollback may undo. */
  deployed: boolean;
}

/** Runs the `deployServices` step for a release; see the file comment. */
export class WaveServiceDeployer implements ServiceDeployer {
  private readonly now: () => number;

  constructor(private readonly deps: WaveServiceDeployerDeps) {
    this.now = deps.now ?? (() => globalThis.performance.now());
    if (typeof deps.concurrency === 'number') checkConcurrency(deps.concurrency);
  }

  async deployServices(ctx: ServiceDeployContext): Promise<ServiceDeployResult> {
    const concurrency = checkConcurrency(typeof this.deps.concurrency === 'function' ? this.deps.concurrency() : this.deps.concurrency ?? DEFAULT_DEPLOY_CONCURRENCY);
    if (this.deps.trust && !this.deps.trust.isTrusted()) {
      return { ok: false, summary: 'deploying services runs their deploy commands, which happens only in a trusted workspace; trust this folder to run it', services: [] };
    }
    let plan: DeploymentPlan;
    try {
      plan = await this.deps.orders.plan(ctx.releaseId, ctx.environment);
    } catch (err) {
      if (err instanceof RefusedError || err instanceof NotFoundError || err instanceof ValidationError) {
        return { ok: false, summary: err.message, services: [] };
      }
      throw err;
    }
    const version = plan.release.version;
    if (plan.order.length === 0) {
      return { ok: false, summary: `release ${version} names no services; add services to the release or remove the deployServices step`, services: [] };
    }

    const states = new Map<string, ServiceState>();
    for (const o of plan.order) {
      const state: ServiceState = { order: o, entry: { service: o.service, wave: o.wave, status: 'skipped' }, deployed: false };
      const s = plan.services.get(o.service);
      if (s) state.service = s;
      states.set(o.service, state);
    }
    const all = [...states.values()];

    // All or nothing: a service whose outside dependency does not run in the target environment
    // means the release cannot go in order, so nothing starts.
    const notReady = plan.order.filter((o) => !o.ready);
    if (notReady.length) {
      for (const st of all) {
        if (!st.order.ready) setStatus(st, 'blocked', st.order.reason ?? 'not ready');
        else setStatus(st, 'skipped', `not started: ${listNames(notReady.map((o) => o.service))} ${notReady.length > 1 ? 'are' : 'is'} not ready`);
      }
      const summary = `nothing deployed to ${ctx.environment}: ${notReady.map((o) => `${o.service} (${o.reason ?? 'not ready'})`).join('; ')}`;
      return { ok: false, summary, services: all.map((s) => s.entry) };
    }

    const waveCount = plan.waves.length;
    let cancelled = false;
    for (let w = 0; w < waveCount; w++) {
      const wave = plan.waves[w]!.map((name) => states.get(name)!);
      if (ctx.signal.aborted) cancelled = true;
      const runnable: ServiceState[] = [];
      for (const st of wave) {
        if (cancelled) {
          setStatus(st, 'skipped', 'cancelled before it started');
          continue;
        }
        const bad = st.order.dependencies
          .map((d) => states.get(d))
          .filter((d): d is ServiceState => d !== undefined && d.entry.status !== 'succeeded' && d.entry.status !== 'skipped');
        if (bad.length) {
          setStatus(st, 'blocked', `not attempted: depends on ${bad.map((d) => `${d.order.service} (${d.entry.status})`).join(', ')}`);
          continue;
        }
        runnable.push(st);
      }
      if (!runnable.length) continue;
      ctx.onOutput(`wave ${w + 1} of ${waveCount}: ${runnable.map((s) => s.order.service).join(', ')}\n`);
      await pool(runnable, concurrency, (st) => this.deployOne(st, ctx));
      // The next wave starts only once every service of this one answers its health check.
      await Promise.all(runnable.filter((st) => st.entry.status === 'succeeded' || (st.entry.status === 'skipped' && st.service?.healthCheck))
        .map((st) => this.checkHealth(st, ctx)));
      if (ctx.signal.aborted) cancelled = true;
    }

    const failed = all.filter((s) => s.entry.status === 'failed');
    const rolledBack: string[] = [];
    const notRolledBack: string[] = [];
    if (failed.length && !cancelled && this.deps.rollbackOnFailure !== false) {
      // Reverse of the deployment order: nothing is rolled back while a service that depends on it
      // still runs the new version.
      const toUndo = plan.order.map((o) => states.get(o.service)!).filter((s) => s.deployed).reverse();
      if (toUndo.length) ctx.onOutput(`rolling back in reverse order: ${toUndo.map((s) => s.order.service).join(', ')}\n`);
      for (const st of toUndo) {
        if (await this.rollbackOne(st, ctx)) rolledBack.push(st.order.service);
        else notRolledBack.push(st.order.service);
      }
    } else if (failed.length && cancelled) {
      const deployed = all.filter((s) => s.deployed).map((s) => s.order.service);
      if (deployed.length) ctx.onOutput(`cancelled: no rollback run; ${listNames(deployed)} stay deployed\n`);
    }

    const ok = !cancelled && all.every((s) => s.entry.status === 'succeeded' || s.entry.status === 'skipped');
    // The pipeline engine writes the summary to the step log.
    const summary = summarise(all, waveCount, ctx.environment, cancelled, rolledBack, notRolledBack);
    return { ok, summary, services: all.map((s) => s.entry) };
  }

  private async deployOne(st: ServiceState, ctx: ServiceDeployContext): Promise<void> {
    const name = st.order.service;
    if (ctx.signal.aborted) {
      setStatus(st, 'skipped', 'cancelled before it started');
      return;
    }
    if (!st.service) {
      setStatus(st, 'failed', `${name} is not in the service catalog`);
      return;
    }
    const command = st.service.deployCommand;
    if (command === undefined) {
      setStatus(st, 'skipped', 'has no deploy command; nothing was run');
      return;
    }
    const result = await this.run(st.service, command, ctx);
    st.entry.durationMs = Math.round(result.durationMs);
    st.entry.exitCode = result.exitCode;
    if (result.exitCode === 0 && !result.cancelled && !result.timedOut) {
      st.deployed = true;
      setStatus(st, 'succeeded');
    } else {
      setStatus(st, 'failed', `deploy command ${failure(result, this.deps.commandTimeoutMs)}`);
    }
  }

  private async checkHealth(st: ServiceState, ctx: ServiceDeployContext): Promise<void> {
    const hc = st.service?.healthCheck;
    if (!hc || ctx.signal.aborted) return;
    const name = st.order.service;
    const started = this.now();
    const outcome = await this.waitHealthy(hc, ctx.signal);
    const took = Math.round(this.now() - started);
    if (st.entry.durationMs !== undefined) st.entry.durationMs += took;
    if (outcome.ok) {
      ctx.onOutput(`[${name}] healthy: ${hc.url} after ${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'} (${took} ms)\n`);
      return;
    }
    const why = outcome.cancelled ? 'health check cancelled' : `health check failed: ${outcome.error}`;
    ctx.onOutput(`[${name}] ${why}\n`);
    setStatus(st, 'failed', why);
  }

  private async waitHealthy(hc: HealthCheck, signal: AbortSignal): Promise<{ ok: boolean; attempts: number; cancelled: boolean; error?: string }> {
    const budget = hc.timeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS;
    const interval = this.deps.healthIntervalMs ?? 1000;
    const perAttempt = this.deps.healthAttemptTimeoutMs ?? 5000;
    const deadline = this.now() + budget;
    let attempts = 0;
    let last = '';
    for (;;) {
      if (signal.aborted) return { ok: false, attempts, cancelled: true };
      const left = deadline - this.now();
      attempts++;
      const res = await this.deps.http.request({
        url: hc.url,
        method: 'GET',
        expectStatus: hc.expectStatus,
        timeoutMs: Math.max(1, Math.min(perAttempt, left)),
        retries: 0,
        signal,
      });
      if (res.ok) return { ok: true, attempts, cancelled: false };
      if (res.cancelled) return { ok: false, attempts, cancelled: true };
      last = res.error ?? `status ${res.status}`;
      if (this.now() + interval >= deadline) {
        return { ok: false, attempts, cancelled: false, error: `not healthy within ${budget} ms (${attempts} attempt${attempts === 1 ? '' : 's'}); last: ${last}` };
      }
      if (await sleep(interval, signal)) return { ok: false, attempts, cancelled: true };
    }
  }

  /** True when the service is back to what ran before. */
  private async rollbackOne(st: ServiceState, ctx: ServiceDeployContext): Promise<boolean> {
    const name = st.order.service;
    const command = st.service?.rollbackCommand;
    if (command === undefined) {
      appendReason(st, 'not rolled back: it has no rollback command');
      ctx.onOutput(`[${name}] not rolled back: it has no rollback command\n`);
      return false;
    }
    const result = await this.run(st.service!, command, ctx);
    if (result.exitCode === 0 && !result.cancelled && !result.timedOut) {
      st.entry.status = 'rolled_back';
      appendReason(st, 'rolled back');
      return true;
    }
    const why = `rollback command ${failure(result, this.deps.commandTimeoutMs)}`;
    appendReason(st, why);
    ctx.onOutput(`[${name}] ${why}\n`);
    return false;
  }

  /** Release values reach the command only through the environment, never through its text. */
  private run(service: Service, command: string, ctx: ServiceDeployContext): Promise<ProcessResult> {
    const prefix = new LinePrefixer(`[${service.name}] `, ctx.onOutput);
    return this.deps.runner
      .run({
        command,
        cwd: ctx.cwd,
        env: { ...ctx.env, SERVICE: service.name, SERVICE_PATH: service.path ?? '.' },
        timeoutMs: this.deps.commandTimeoutMs,
        signal: ctx.signal,
        onOutput: (text, stream) => prefix.write(text, stream),
      })
      .finally(() => prefix.flush());
  }
}

/** Prefixes every line of a service's output with its name; keeps partial lines per stream until complete. */
class LinePrefixer {
  private readonly pending = { stdout: '', stderr: '' };

  constructor(
    private readonly prefix: string,
    private readonly out: (text: string) => void,
  ) {}

  write(text: string, stream: 'stdout' | 'stderr'): void {
    const buffered = this.pending[stream] + text;
    const end = buffered.lastIndexOf('\n');
    if (end === -1) {
      this.pending[stream] = buffered;
      return;
    }
    this.pending[stream] = buffered.slice(end + 1);
    this.emit(buffered.slice(0, end));
  }

  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.pending[stream] !== '') this.emit(this.pending[stream]);
      this.pending[stream] = '';
    }
  }

  private emit(lines: string): void {
    this.out(lines.split('\n').map((l) => `${this.prefix}${l.endsWith('\r') ? l.slice(0, -1) : l}\n`).join(''));
  }
}

function setStatus(st: ServiceState, status: ServiceDeployStatus, reason?: string): void {
  st.entry.status = status;
  if (reason === undefined) delete st.entry.reason;
  else st.entry.reason = reason;
}

function appendReason(st: ServiceState, text: string): void {
  st.entry.reason = st.entry.reason ? `${st.entry.reason}; ${text}` : text;
}

function failure(r: ProcessResult, timeoutMs: number | undefined): string {
  if (r.cancelled) return 'cancelled';
  if (r.timedOut) return `timed out after ${timeoutMs} ms`;
  if (r.exitCode === null && r.signal === null) return `could not start: ${r.log.split('\n')[0] ?? ''}`.trim();
  if (r.exitCode === null) return `killed by ${r.signal}`;
  return `exited with code ${r.exitCode}`;
}

function summarise(all: ServiceState[], waves: number, environment: string, cancelled: boolean, rolledBack: string[], notRolledBack: string[]): string {
  const names = (status: ServiceDeployStatus) => all.filter((s) => s.entry.status === status).map((s) => s.order.service);
  const ran = all.filter((s) => s.deployed || s.entry.status === 'succeeded').length;
  const parts = [`${ran} of ${all.length} service${all.length === 1 ? '' : 's'} deployed to ${environment} in ${waves} wave${waves === 1 ? '' : 's'}`];
  const failed = names('failed');
  if (failed.length) parts.push(`${listNames(failed)} failed`);
  const blocked = names('blocked');
  if (blocked.length) parts.push(`${listNames(blocked)} blocked`);
  const skipped = names('skipped');
  if (skipped.length && !cancelled) parts.push(`${listNames(skipped)} ${skipped.length > 1 ? 'have' : 'has'} no deploy command`);
  if (cancelled) parts.push('cancelled');
  if (rolledBack.length) parts.push(`rolled back ${listNames(rolledBack)}`);
  if (notRolledBack.length) parts.push(`not rolled back ${listNames(notRolledBack)}`);
  return parts.join('; ');
}

/** Runs `fn` over `items`, at most `limit` at once. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Resolves true when aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(true);
    const onAbort = () => {
      clearTimeout(t);
      resolve(true);
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function checkConcurrency(n: unknown): number {
  if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > MAX_DEPLOY_CONCURRENCY) {
    throw new ValidationError('concurrency', `expected a whole number of services 1–${MAX_DEPLOY_CONCURRENCY}, got ${describe(n)}`);
  }
  return n as number;
}
