// The interfaces the core needs from the outside world. Adapters live in src/storage, src/git,
// src/process, src/traffic and src/vscode; the core never imports them.
import type {
  Approval,
  AuditEvent,
  CalendarEvent,
  Conversation,
  Deployment,
  DeploymentStatus,
  Environment,
  Message,
  PipelineDefinition,
  PipelineRun,
  PipelineRunStatus,
  Release,
  ReleaseFilter,
  RunOwner,
  Service,
  StepResult,
} from './model';
import type { ReleaseTrain, TrainDeparture } from './releaseTrains';
import type { Milestone, ReleaseMilestoneLink, Roadmap } from './roadmaps';

import type { BlueGreenDeployment, BlueGreenQuery } from './blueGreen';

// ---------------------------------------------------------------- time, people, trust

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Who is acting: `git config user.name`, else the OS user. */
export interface Identity {
  currentUser(): Promise<string>;
}

/** Shell steps, tasks and router commands run only when this says yes. */
export interface WorkspaceTrust {
  isTrusted(): boolean;
}

// ---------------------------------------------------------------- storage

export interface ReleaseRepository {
  insert(release: Release): Promise<void>;
  update(release: Release): Promise<void>;
  get(id: string): Promise<Release | null>;
  /** The release with this version in this project (undefined project = the workspace's default). */
  findByVersion(projectId: string | undefined, version: string): Promise<Release | null>;
  list(filter?: ReleaseFilter): Promise<Release[]>;
  count(): Promise<number>;
  /** Releases per status; statuses without releases are absent. */
  countByStatus(): Promise<Partial<Record<Release['status'], number>>>;
  /** Like `list`, without services, risk factors and notes: what trees and pickers need, cheap at 10,000 releases. */
  listSummaries(filter?: ReleaseFilter): Promise<ReleaseSummary[]>;
}

/** The columns a list of releases shows. */
export type ReleaseSummary = Pick<Release, 'id' | 'projectId' | 'name' | 'version' | 'status' | 'riskScore' | 'plannedStart'
  | 'plannedEnd' | 'actualStart' | 'actualEnd' | 'conversationId' | 'createdAt' | 'updatedAt'>;

export interface ServiceRepository {
  insert(service: Service): Promise<void>;
  update(service: Service): Promise<void>;
  remove(id: string): Promise<void>;
  get(id: string): Promise<Service | null>;
  getByName(name: string): Promise<Service | null>;
  list(): Promise<Service[]>;
}

export interface DeploymentQuery {
  releaseId?: string;
  environment?: string;
  status?: DeploymentStatus | DeploymentStatus[];
  /** Only deployments created at or after this time. */
  since?: Date;
  /** Newest first when set. */
  limit?: number;
}

export interface DeploymentRepository {
  insert(deployment: Deployment): Promise<void>;
  update(deployment: Deployment): Promise<void>;
  get(id: string): Promise<Deployment | null>;
  /** Newest first. */
  list(query?: DeploymentQuery): Promise<Deployment[]>;
}

export interface ConversationRepository {
  insert(conversation: Conversation): Promise<void>;
  get(id: string): Promise<Conversation | null>;
  addMessage(message: Message): Promise<void>;
  /** Oldest first. */
  listMessages(conversationId: string): Promise<Message[]>;
}

export interface CalendarRepository {
  upsert(event: CalendarEvent): Promise<void>;
  remove(id: string): Promise<void>;
  listBySubject(subjectId: string): Promise<CalendarEvent[]>;
  list(): Promise<CalendarEvent[]>;
}

export type AuditInput = Omit<AuditEvent, 'id'>;

export interface AuditQuery {
  entityType?: string;
  entityId?: string;
  /** Newest first when set. */
  limit?: number;
}

/** Append-only: there is no update or delete. */
export interface AuditRepository {
  append(event: AuditInput): Promise<number>;
  list(query?: AuditQuery): Promise<AuditEvent[]>;
}

/** Environments with their freeze windows (src/storage/environmentRepositories.ts). */
export interface EnvironmentRepository {
  /** By position. */
  list(): Promise<Environment[]>;
  get(id: string): Promise<Environment | null>;
  /** Case-insensitive. */
  getByName(name: string): Promise<Environment | null>;
  /** Writes the environment and replaces its freeze windows. */
  insert(env: Environment): Promise<void>;
  update(env: Environment): Promise<void>;
  /** Removes the environment, its freeze windows and its approvals (deployment history stays). */
  remove(id: string): Promise<void>;
  /** Renames the environment everywhere it is referenced by name (deployments, approvals, blue-green). */
  renameReferences(from: string, to: string): Promise<void>;
  /** Whether the default environments were created once already (so removing them all does not bring them back). */
  isSeeded(): Promise<boolean>;
  markSeeded(): Promise<void>;
}

export interface ApprovalRepository {
  insert(a: Approval): Promise<void>;
  update(a: Approval): Promise<void>;
  /** Newest first. */
  list(query?: { releaseId?: string; environment?: string }): Promise<Approval[]>;
}

export interface PipelineRepository {
  insert(p: PipelineDefinition): Promise<void>;
  update(p: PipelineDefinition): Promise<void>;
  remove(id: string): Promise<void>;
  get(id: string): Promise<PipelineDefinition | null>;
  /** Case-insensitive. */
  getByName(name: string): Promise<PipelineDefinition | null>;
  /** By name. */
  list(): Promise<PipelineDefinition[]>;
}

export interface PipelineRunQuery {
  deploymentId?: string;
  status?: PipelineRunStatus | PipelineRunStatus[];
  /** Newest first when set. */
  limit?: number;
}

/** Runs and their step results (src/storage/pipelineRepositories.ts). */
export interface PipelineRunRepository {
  /** Writes the run and all its steps. */
  insert(run: PipelineRun): Promise<void>;
  /** The run's own fields (status, current step, end, interruption, owner); steps are written with `updateStep`. */
  update(run: PipelineRun): Promise<void>;
  updateStep(runId: string, step: StepResult): Promise<void>;
  get(id: string): Promise<PipelineRun | null>;
  /** Newest first. Runs come with their steps. */
  list(query?: PipelineRunQuery): Promise<PipelineRun[]>;
}

/** Release trains and the departures they have handled (src/storage/trainRepositories.ts). */
export interface TrainRepository {
  insert(train: ReleaseTrain): Promise<void>;
  update(train: ReleaseTrain): Promise<void>;
  /** Removes the train and its departure records; the releases it created stay. */
  remove(id: string): Promise<void>;
  get(id: string): Promise<ReleaseTrain | null>;
  /** Case-insensitive. */
  getByName(name: string): Promise<ReleaseTrain | null>;
  /** By name. */
  list(): Promise<ReleaseTrain[]>;
  /** Fails (primary key train + instant) when the departure was recorded already: it happens once. */
  recordDeparture(departure: TrainDeparture): Promise<void>;
  getDeparture(trainId: string, departureAt: Date): Promise<TrainDeparture | null>;
  /** The latest recorded departure instant of the train, or null. */
  lastDeparture(trainId: string): Promise<Date | null>;
  /** Newest first. */
  listDepartures(trainId: string, limit?: number): Promise<TrainDeparture[]>;
}

/** Roadmaps, their milestones and release links (src/storage/roadmapRepositories.ts). */
export interface RoadmapRepository {
  /** Writes the roadmap and its milestones. */
  insert(roadmap: Roadmap): Promise<void>;
  /** The roadmap's own fields (name, description, updatedAt); milestones have their own calls. */
  update(roadmap: Roadmap): Promise<void>;
  /** Removes the roadmap, its milestones and their links. */
  remove(id: string): Promise<void>;
  /** With milestones in position order. */
  get(id: string): Promise<Roadmap | null>;
  /** Case-insensitive. */
  getByName(name: string): Promise<Roadmap | null>;
  /** By name, with milestones. */
  list(): Promise<Roadmap[]>;
  insertMilestone(milestone: Milestone): Promise<void>;
  updateMilestone(milestone: Milestone): Promise<void>;
  /** Removes the milestone and its links. */
  removeMilestone(id: string): Promise<void>;
  /** False when the release was linked to the milestone already. */
  link(link: ReleaseMilestoneLink): Promise<boolean>;
  /** False when there was no such link. */
  unlink(releaseId: string, milestoneId: string): Promise<boolean>;
  /** Oldest first. */
  links(query: { roadmapId?: string; releaseId?: string; milestoneId?: string }): Promise<ReleaseMilestoneLink[]>;
}

export interface Repositories {
  releases: ReleaseRepository;
  services: ServiceRepository;
  deployments: DeploymentRepository;
  conversations: ConversationRepository;
  calendar: CalendarRepository;
  audit: AuditRepository;
  blueGreen: BlueGreenRepository;
  environments: EnvironmentRepository;
  approvals: ApprovalRepository;
  pipelines: PipelineRepository;
  pipelineRuns: PipelineRunRepository;
  trains: TrainRepository;
  roadmaps: RoadmapRepository;
}

/**
 * Transactions over the repositories. `write` runs `fn` in one transaction that is durable when the
 * returned promise resolves (and is rolled back when `fn` throws). `fn` must only await repository
 * calls: slow work (git, processes, network) belongs before or after the transaction.
 */
export interface UnitOfWork {
  read<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
  write<T>(fn: (repos: Repositories) => Promise<T>): Promise<T>;
}

// ---------------------------------------------------------------- git

export interface ChangeSummary {
  /** The tag the change is measured from. */
  baseTag: string;
  commits: number;
  files: number;
  linesAdded: number;
  linesDeleted: number;
  /** Changed files under sensitive paths (migrations, infrastructure, auth, lock files…). */
  sensitiveFiles: string[];
  /** Every changed path, relative to the repository root. */
  paths: string[];
}

export interface GitPort {
  /** null when the folder is not in a git repository. */
  isRepository(): Promise<boolean>;
  /** The newest tag that is a release version lower than `version` (`v1.2.0` or `1.2.0`), or null. */
  previousReleaseTag(version: string): Promise<string | null>;
  /** Change from `tag` to HEAD. */
  changeSince(tag: string): Promise<ChangeSummary>;
  /** The full sha of HEAD; null outside a repository or before the first commit. */
  headCommit(): Promise<string | null>;
  /**
   * Commits reachable from `to` (default HEAD) and not from tag `tag` — all of them when `tag` is
   * null (a first release) — newest first, merges left out, each with its changed files.
   */
  commitsSince(tag: string | null, to?: string): Promise<CommitInfo[]>;
  /**
   * Commits reachable from commit `to` and from none of `exclude` (one commit, several — e.g. every
   * commit deployed before — or null: all), newest first, no merges.
   */
  commitsBetween(exclude: string | readonly string[] | null, to: string): Promise<CommitInfo[]>;
  /** The commit a tag points to, or null when there is no such tag. */
  tagCommit(tag: string): Promise<string | null>;
  /** Creates the annotated tag `tag` on `commit` (default HEAD); fails when the tag exists. Returns the commit. */
  createAnnotatedTag(tag: string, message: string, commit?: string): Promise<string>;
}

export interface CommitInfo {
  sha: string;
  author: string;
  authorEmail: string;
  authoredAt: Date;
  /** When the commit was made (rebases and amends move it): lead time counts from here. */
  committedAt: Date;
  /** First line of the message. */
  subject: string;
  /** The rest of the message after the subject, trimmed (footers such as BREAKING CHANGE are here). */
  body: string;
  /** Paths changed, relative to the repository root (renames as delete + add). */
  files: string[];
}

// ---------------------------------------------------------------- processes

export interface ProcessSpec {
  /** Shell command text from a pipeline definition (never built from release values). */
  command: string;
  cwd: string;
  /** Added to the inherited environment: the only way release values reach the process. */
  env?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
  onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Bytes of output kept in the result's log (head and tail are kept, the middle elided). */
  logCapBytes?: number;
}

export interface ProcessResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  log: string;
  logTruncated: boolean;
  /** Total bytes the process wrote, before capping. */
  outputBytes: number;
}

export interface ProcessRunner {
  run(spec: ProcessSpec): Promise<ProcessResult>;
}

// ---------------------------------------------------------------- http (pipeline http steps, health checks)

export interface HttpRequestSpec {
  /** http: or https: only. */
  url: string;
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Accepted status (or statuses). Default: any 2xx. */
  expectStatus?: number | number[];
  /** Per attempt. */
  timeoutMs?: number;
  /** Further attempts after the first fails (network, timeout or unexpected status). Default 0. */
  retries?: number;
  /** Pause between attempts. */
  retryDelayMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponseSummary {
  /** The last attempt got an expected status. */
  ok: boolean;
  /** Status of the last response, null when none arrived. */
  status: number | null;
  attempts: number;
  durationMs: number;
  cancelled: boolean;
  /** Start of the last response body. */
  bodyExcerpt: string;
  /** One line for a person when not ok, e.g. `GET http://127.0.0.1:8080/health: expected 200, got 503 after 3 attempts`. */
  error?: string;
}

/**
 * Never rejects for network failures, timeouts, unexpected statuses or cancellation (they come
 * back as `ok: false` with `error`); rejects only for invalid options, before any request.
 * Implemented by `httpClient` in src/process/httpRequest.ts.
 */
export interface HttpClient {
  request(spec: HttpRequestSpec): Promise<HttpResponseSummary>;
}

// ---------------------------------------------------------------- pipeline execution

/** Waits `ms`; resolves early (with false) when `signal` aborts. Injected so tests of `wait` steps stay fast. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<boolean>;

export const timerSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export interface TaskRunSpec {
  /** The task's name (VS Code: its label). */
  task: string;
  cwd: string;
  /** Release values for the task's process: the only way they reach it. */
  env: Record<string, string>;
  timeoutMs?: number;
  signal: AbortSignal;
  onOutput(text: string): void;
}

export interface TaskRunResult {
  exitCode: number | null;
  timedOut?: boolean;
  cancelled?: boolean;
  /** Why the task could not run (unknown task name, …), for the step log. */
  error?: string;
}

/** `task` steps: the VS Code adapter runs a task through vscode.tasks; tests use a name → command map. */
export interface TaskRunner {
  runTask(spec: TaskRunSpec): Promise<TaskRunResult>;
}

/** Who drives pipeline runs, and whether a recorded owner still lives (src/process/runOwner.ts). */
export interface RunOwnership {
  current(): RunOwner;
  /** False when the process is gone, or its pid now belongs to a process that started at another time. */
  isAlive(owner: RunOwner): Promise<boolean>;
}

// ---------------------------------------------------------------- deploying services in waves

export type ServiceDeployStatus = 'succeeded' | 'failed' | 'blocked' | 'skipped' | 'rolled_back';

export interface ServiceDeployContext {
  releaseId: string;
  environment: string;
  deploymentId: string;
  runId: string;
  /** Environment variables for every service's deploy command (RELEASE_VERSION, TARGET_ENV, …); SERVICE is added per service. */
  env: Record<string, string>;
  cwd: string;
  signal: AbortSignal;
  onOutput(text: string): void;
}

export interface ServiceDeployResult {
  ok: boolean;
  /** One line for the step log, e.g. "4 deployed in 3 waves; worker failed; web blocked". */
  summary: string;
  services: { service: string; wave: number; status: ServiceDeployStatus; durationMs?: number; exitCode?: number | null; reason?: string }[];
}

/** The `deployServices` pipeline step: each service's deploy command in the release's dependency waves. */
export interface ServiceDeployer {
  deployServices(ctx: ServiceDeployContext): Promise<ServiceDeployResult>;
}

// ---------------------------------------------------------------- traffic (blue-green)

export type Colour = 'blue' | 'green';

/** Integers, summing to 100. */
export interface Weights {
  blue: number;
  green: number;
}

export interface ColourCounters {
  requests: number;
  errors5xx: number;
}

export interface TrafficRouter {
  readonly kind: 'haproxy' | 'nginx' | 'command';
  readonly capabilities: { weighted: boolean; hitless: boolean; perColourMetrics: boolean };
  /** Checks the configuration would accept these weights (nginx -t, haproxy -c, …). */
  validate(w: Weights): Promise<void>;
  /** Reads the router's real state, never a cache. */
  getWeights(): Promise<Weights>;
  /** Raises the new side before lowering the old; atomic file writes. */
  setWeights(w: Weights): Promise<void>;
  /** Probes until the split is observed; resolves with the ms it took. */
  verify?(w: Weights, timeoutMs: number): Promise<number>;
  /** Cumulative counters per colour, when the router can tell. */
  counters?(): Promise<Record<Colour, ColourCounters>>;
}

/** Blue-green rollouts (src/storage/blueGreenRepositories.ts). One per release and environment. */
export interface BlueGreenRepository {
  insert(record: BlueGreenDeployment): Promise<void>;
  update(record: BlueGreenDeployment): Promise<void>;
  get(id: string): Promise<BlueGreenDeployment | null>;
  find(releaseId: string, environment: string): Promise<BlueGreenDeployment | null>;
  /** Newest first (by last change). */
  list(query?: BlueGreenQuery): Promise<BlueGreenDeployment[]>;
}

/** Where checks reach each colour directly, never through the router (router settings `endpoints`). */
export interface ColourEndpoints {
  blue: { healthUrl: string; smokeUrl?: string };
  green: { healthUrl: string; smokeUrl?: string };
  /** Through the router, answers carrying `X-Colour`: the error-rate source when the router has no per-colour metrics. */
  probeUrl?: string;
}

/** An environment's router and check endpoints, resolved from its router settings. */
export interface BlueGreenTarget {
  router: TrafficRouter;
  endpoints: ColourEndpoints;
  /** The last or a protected environment: auto-promotion off by default. */
  production: boolean;
  /** Environment-level blue-green strategy settings, validated by the manager (`BlueGreenStrategyInput`). */
  strategy?: unknown;
}

/** Environment → router (src/traffic/routerFactory.ts builds it from Environment.router via createRouter). */
export interface RouterFactory {
  forEnvironment(environment: string): Promise<BlueGreenTarget>;
}

export interface ColourDeployRequest {
  releaseId: string;
  version: string;
  environment: string;
  colour: Colour;
  /** For the deploy steps' environment: the container runs the environment's pipeline with these added. */
  env: { COLOR: Colour };
  signal: AbortSignal;
  onOutput(text: string): void;
}

export interface ColourDeployResult {
  ok: boolean;
  /** One line: what was deployed, or why it failed. */
  summary: string;
  /** The deployment record the pipeline ran for, when there is one. */
  deploymentId?: string;
}

/** Deploys a release to one colour (blue-green `setup`). */
export interface ColourDeployer {
  deploy(request: ColourDeployRequest): Promise<ColourDeployResult>;
}

/** Argo's scale-down: called `scaleDownDelaySeconds` after promotion for the old colour. */
export interface ColourScaler {
  /**
   * `skipped`: nothing is configured to scale down in this environment; the old colour stays up
   * (and a rollback stays possible), so the rollout is not marked scaled down.
   */
  scaleDown(request: { releaseId: string; environment: string; colour: Colour; signal: AbortSignal }): Promise<{ ok: boolean; summary: string; skipped?: boolean }>;
}

export interface ErrorRateBreach {
  colour: Colour;
  errorRate: number;
  requests: number;
  errors: number;
  windowMs: number;
  /** Epoch ms of the poll that saw it. */
  detectedAt: number;
}

/** Health gate, smoke request, probes and the error-rate watcher (src/traffic/colourChecks.ts). */
export interface ColourChecks {
  /** Resolves after `consecutive` 2xx in a row; rejects with the reason (last failure) past the deadline or on abort. */
  waitHealthy(url: string, opts: { consecutive: number; intervalMs: number; requestTimeoutMs: number; deadlineMs: number; signal?: AbortSignal }): Promise<{ attempts: number; ms: number }>;
  /** One GET on a real path; rejects unless it answers `expectStatus`. */
  smoke(url: string, opts: { expectStatus: number; timeoutMs: number }): Promise<{ status: number; ms: number }>;
  /** One GET; never rejects. */
  probe(url: string, timeoutMs: number): Promise<{ status?: number; error?: string; ms: number }>;
  /** Polls the colour's 5xx rate (router counters, else probes through `probeUrl`); calls onBreach once. */
  watchErrorRate(opts: {
    colour: Colour;
    router: TrafficRouter;
    probeUrl?: string;
    windowMs: number;
    threshold: number;
    minRequests: number;
    pollMs: number;
    onBreach(breach: ErrorRateBreach): void;
    onError?(err: Error): void;
  }): { stop(): void };
}
