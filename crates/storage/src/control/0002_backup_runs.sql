-- Backup runs of a cloud installation; see migrations/0008_backup_runs.sql.
-- The control role writes them (grants in tenants/provisioning.rs), tenant roles cannot see them.
CREATE TABLE IF NOT EXISTS {CTL}.backup_runs (
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
CREATE INDEX IF NOT EXISTS backup_runs_started ON {CTL}.backup_runs (started_at);
