-- Backup runs: one row per run, written by the instance that runs it. The row of
-- a running backup is also the lease that keeps other instances from starting one at the
-- same time (heartbeat_at shows it is alive). targets: JSON list of per-target outcomes.
CREATE TABLE backup_runs (
    id TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    heartbeat_at TEXT NOT NULL,
    finished_at TEXT,
    result TEXT NOT NULL,
    size_bytes BIGINT NOT NULL DEFAULT 0,
    files BIGINT NOT NULL DEFAULT 0,
    targets TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    host TEXT NOT NULL
);
CREATE INDEX backup_runs_started ON backup_runs (started_at);
