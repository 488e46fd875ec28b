// Versioned schema migrations. Each runs in its own transaction; a database records the versions it
// has in `schema_migrations`. Append new migrations at the end; never edit a released one.
// Times are ISO-8601 UTC text; JSON columns hold JSON text; ids are UUID text (audit ids are integers).

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** PRAGMA application_id of a Release Manager database ('RMGR'), so a foreign SQLite file is recognised. */
export const APPLICATION_ID = 0x524d4752;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE services (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  path TEXT,
  deploy_command TEXT,
  rollback_command TEXT,
  health_check TEXT,
  source TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE service_dependencies (
  service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
  depends_on TEXT NOT NULL,
  source TEXT,
  condition TEXT,
  PRIMARY KEY (service_id, depends_on)
);

CREATE TABLE releases (
  id TEXT PRIMARY KEY,
  project_id TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  description TEXT,
  status TEXT NOT NULL CHECK (status IN ('planned','in_progress','deployed','cancelled')),
  planned_start TEXT,
  planned_end TEXT,
  actual_start TEXT,
  actual_end TEXT,
  risk_score REAL,
  risk_factors TEXT,
  release_notes TEXT,
  conversation_id TEXT,
  train_id TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (project_id, version)
);
CREATE INDEX releases_status ON releases(status, updated_at);
CREATE TABLE release_services (
  release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  service_name TEXT NOT NULL,
  position INTEGER NOT NULL,
  PRIMARY KEY (release_id, service_name)
);

CREATE TABLE environments (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  position INTEGER NOT NULL,
  protected INTEGER NOT NULL DEFAULT 0,
  require_different_approver INTEGER NOT NULL DEFAULT 0,
  pipeline_id TEXT,
  guided_failure INTEGER NOT NULL DEFAULT 0,
  router TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE freeze_windows (
  id TEXT PRIMARY KEY,
  environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  definition TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  environment TEXT NOT NULL,
  requested_by TEXT,
  requested_at TEXT,
  approved_by TEXT,
  approved_at TEXT,
  status TEXT NOT NULL,
  comment TEXT
);
CREATE INDEX approvals_release ON approvals(release_id, environment);

CREATE TABLE deployments (
  id TEXT PRIMARY KEY,
  release_id TEXT REFERENCES releases(id) ON DELETE CASCADE,
  project_id TEXT,
  environment TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending','in_progress','completed','failed','rolled_back')),
  pipeline_id TEXT,
  started_at TEXT,
  completed_at TEXT,
  rolled_back_at TEXT,
  metadata TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX deployments_release ON deployments(release_id, created_at);
CREATE INDEX deployments_environment ON deployments(environment, created_at);

CREATE TABLE pipelines (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  steps TEXT NOT NULL,
  source TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE pipeline_runs (
  id TEXT PRIMARY KEY,
  pipeline_id TEXT,
  deployment_id TEXT REFERENCES deployments(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  current_step INTEGER,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  owner TEXT,
  definition TEXT,
  pipeline_name TEXT,
  interruption TEXT
);
CREATE INDEX pipeline_runs_deployment ON pipeline_runs(deployment_id);
CREATE INDEX pipeline_runs_status ON pipeline_runs(status);
CREATE TABLE step_results (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES pipeline_runs(id) ON DELETE CASCADE,
  step_index INTEGER NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  exit_code INTEGER,
  started_at TEXT,
  ended_at TEXT,
  duration_ms INTEGER,
  log_excerpt TEXT,
  summary TEXT
);
CREATE INDEX step_results_run ON step_results(run_id, step_index);

CREATE TABLE blue_green (
  id TEXT PRIMARY KEY,
  release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  environment TEXT NOT NULL,
  state TEXT NOT NULL,
  active_colour TEXT NOT NULL,
  preview_colour TEXT NOT NULL,
  weights TEXT NOT NULL,
  versions TEXT,
  config TEXT,
  target_weights TEXT,
  production INTEGER NOT NULL DEFAULT 0,
  reason TEXT,
  details TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (release_id, environment)
);
CREATE INDEX blue_green_environment ON blue_green(environment, state);

CREATE TABLE trains (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  recurrence TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  version_rule TEXT NOT NULL,
  services TEXT,
  checkpoints TEXT,
  active_from TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE train_departures (
  train_id TEXT NOT NULL REFERENCES trains(id) ON DELETE CASCADE,
  departure_at TEXT NOT NULL,
  release_id TEXT,
  error TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (train_id, departure_at)
);

CREATE TABLE roadmaps (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE milestones (
  id TEXT PRIMARY KEY,
  roadmap_id TEXT NOT NULL REFERENCES roadmaps(id) ON DELETE CASCADE,
  title TEXT NOT NULL,
  due_date TEXT,
  weight REAL NOT NULL DEFAULT 1,
  position INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE release_milestones (
  release_id TEXT NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
  milestone_id TEXT NOT NULL REFERENCES milestones(id) ON DELETE CASCADE,
  roadmap_id TEXT NOT NULL,
  linked_at TEXT NOT NULL,
  PRIMARY KEY (release_id, milestone_id)
);
CREATE INDEX release_milestones_milestone ON release_milestones(milestone_id);

CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  subject_type TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  title TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  author TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, created_at);

CREATE TABLE calendar_events (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT,
  starts_at TEXT NOT NULL,
  ends_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX calendar_events_subject ON calendar_events(subject_id);

CREATE TABLE audit_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX audit_events_entity ON audit_events(entity_type, entity_id);
-- The audit log is append-only, enforced by the database itself.
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
`,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
