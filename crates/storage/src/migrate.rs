//! Versioned migrations, applied on start, per database or per PostgreSQL schema.

use sqlx::{AnyPool, Executor, Row};

use crate::db::Backend;
use crate::error::Result;

/// (version, name, DDL template). Append only: never edit a released migration.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("migrations/0001_init.sql")),
    (
        2,
        "sessions_settings",
        include_str!("migrations/0002_sessions_settings.sql"),
    ),
    (3, "blobs", include_str!("migrations/0003_blobs.sql")),
    (
        4,
        "document_files",
        include_str!("migrations/0004_document_files.sql"),
    ),
    (
        5,
        "list_indexes",
        include_str!("migrations/0005_list_indexes.sql"),
    ),
    (
        6,
        "payment_terms",
        include_str!("migrations/0006_payment_terms.sql"),
    ),
    (
        7,
        "login_security",
        include_str!("migrations/0007_login_security.sql"),
    ),
    (
        8,
        "backup_runs",
        include_str!("migrations/0008_backup_runs.sql"),
    ),
    (
        9,
        "idempotency_keys",
        include_str!("migrations/0009_idempotency_keys.sql"),
    ),
    (
        10,
        "external_blobs",
        include_str!("migrations/0010_external_blobs.sql"),
    ),
    (
        11,
        "quote_outcome",
        include_str!("migrations/0011_quote_outcome.sql"),
    ),
    (
        12,
        "payment_reversals",
        include_str!("migrations/0012_payment_reversals.sql"),
    ),
    (
        13,
        "down_payments",
        include_str!("migrations/0013_down_payments.sql"),
    ),
    (
        14,
        "incoming_invoices",
        include_str!("migrations/0014_incoming_invoices.sql"),
    ),
];

/// The version from which a file's bytes may live in a blob store (`blobs.external_key`).
pub const EXTERNAL_BLOBS: i64 = 10;

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

fn statements(sql: &str) -> impl Iterator<Item = String> + '_ {
    sql.split(";\n")
        .map(|chunk| {
            chunk
                .lines()
                .filter(|l| !l.trim_start().starts_with("--"))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|s| !s.trim().is_empty())
}

/// Applies every pending migration, each in its own transaction. Safe to run from several
/// instances at once: PostgreSQL serialises them with a lock on the schema's
/// `kontor_migrations` table (which only the schema's own role can take, unlike an advisory
/// lock: in cloud mode tenant roles may not take advisory locks at all), SQLite with its
/// write lock.
pub async fn run(pool: &AnyPool, backend: Backend) -> Result<i64> {
    run_until(pool, backend, latest_version()).await
}

/// Applies the pending migrations up to and including version `until` (a restore loads an
/// older backup into a schema at the backup's version, then migrates it like an upgrade).
pub async fn run_until(pool: &AnyPool, backend: Backend, until: i64) -> Result<i64> {
    pool.execute(
        "CREATE TABLE IF NOT EXISTS kontor_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .await?;
    let mut applied = 0;
    for (version, name, template) in MIGRATIONS.iter().filter(|m| m.0 <= until) {
        let mut tx = pool.begin_with(backend.begin_write()).await?;
        if backend == Backend::Postgres {
            tx.execute("LOCK TABLE kontor_migrations IN SHARE ROW EXCLUSIVE MODE")
                .await?;
        }
        let done: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM kontor_migrations WHERE version = $1")
                .bind(version)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        if done > 0 {
            tx.rollback().await?;
            continue;
        }
        for statement in statements(&backend.ddl(template)) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO kontor_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(version)
        .bind(*name)
        .bind(crate::util::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        tracing::info!(version, name, "applied migration");
        applied += 1;
    }
    Ok(applied)
}

/// The schema version the database is at.
pub async fn current_version(pool: &AnyPool) -> Result<i64> {
    let row =
        sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM kontor_migrations")
            .fetch_one(pool)
            .await?;
    Ok(row.try_get("v")?)
}
