//! A PostgreSQL schema as rows (JSON lines): the portable format of cloud tenants and of
//! single installations on PostgreSQL. Dumped in one REPEATABLE READ READ ONLY transaction
//! (a snapshot) through the store's own connection, i.e. the tenant's own role; loaded into
//! a fresh schema at the same version in one transaction.
//!
//! Format: a header line `{"format":…,"schema_version":N}`, then per table a line
//! `{"table":"t","rows":N}` followed by its N rows (`to_jsonb` of the row; bytea as `\x…`),
//! and a last line `{"end":true,"tables":K}`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::Path;

use futures_util::TryStreamExt;
use kontor_storage::{Backend, Store};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::crypto::Sealer;
use super::error::{BackupError, Result};

pub const ROWS_FORMAT: &str = "kontor-rows/1";

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    schema_version: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct TableHeader {
    table: String,
    rows: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct End {
    end: bool,
    tables: u64,
}

fn check_identifier(name: &str) -> Result<()> {
    if kontor_storage::db::is_safe_identifier(name) {
        Ok(())
    } else {
        Err(BackupError::Database(format!(
            "table name {name:?} is not a plain identifier"
        )))
    }
}

async fn tables(conn: &mut sqlx::AnyConnection) -> Result<Vec<String>> {
    let rows = sqlx::query(
        "SELECT CAST(tablename AS TEXT) AS t FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
    )
    .fetch_all(&mut *conn)
    .await?;
    let names: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String, _>("t"))
        .collect::<std::result::Result<_, _>>()?;
    for n in &names {
        check_identifier(n)?;
    }
    Ok(names)
}

/// What a dump wrote.
#[derive(Debug, Clone, Default)]
pub struct Dumped {
    /// The files whose bytes are in a blob store (SHA-256), as of the dump's snapshot.
    pub external_files: Vec<String>,
}

/// Writes every table of the store's schema into `out`.
pub async fn dump(store: &Store, out: &mut Sealer) -> Result<Dumped> {
    if store.backend() != Backend::Postgres {
        return Err(BackupError::Database(
            "row dumps are for PostgreSQL schemas".into(),
        ));
    }
    let mut tx = store
        .pool()
        .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await?;
    let version: i64 =
        sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM kontor_migrations")
            .fetch_one(&mut *tx)
            .await?
            .try_get("v")?;
    let mut line = serde_json::to_vec(&Header {
        format: ROWS_FORMAT.into(),
        schema_version: version,
    })
    .map_err(|e| BackupError::Database(e.to_string()))?;
    line.push(b'\n');
    out.write_all(&line)?;
    let names = tables(&mut tx).await?;
    let mut total = 0;
    for table in &names {
        let count: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {table}"
        )))
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        let mut header = serde_json::to_vec(&TableHeader {
            table: table.clone(),
            rows: count as u64,
        })
        .map_err(|e| BackupError::Database(e.to_string()))?;
        header.push(b'\n');
        out.write_all(&header)?;
        let sql = format!("SELECT CAST(to_jsonb(t) AS TEXT) AS j FROM {table} t");
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&mut *tx);
        let mut seen = 0i64;
        while let Some(row) = rows.try_next().await? {
            let json: String = row.try_get("j")?;
            out.write_all(json.as_bytes())?;
            out.write_all(b"\n")?;
            seen += 1;
        }
        drop(rows);
        if seen != count {
            return Err(BackupError::Database(format!(
                "table {table}: counted {count} rows but read {seen} in the same snapshot"
            )));
        }
        total += seen as u64;
    }
    let mut end = serde_json::to_vec(&End {
        end: true,
        tables: names.len() as u64,
    })
    .map_err(|e| BackupError::Database(e.to_string()))?;
    end.push(b'\n');
    out.write_all(&end)?;
    // In the same snapshot: which files the dump's rows leave in a blob store (a schema from
    // before files could live there has none).
    let external_files = if version >= kontor_storage::migrate::EXTERNAL_BLOBS {
        sqlx::query("SELECT sha256 FROM blobs WHERE external_key IS NOT NULL ORDER BY sha256")
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>("sha256"))
            .collect::<std::result::Result<_, _>>()?
    } else {
        Vec::new()
    };
    tx.commit().await?;
    tracing::debug!(tables = names.len(), rows = total, "dumped the schema");
    Ok(Dumped { external_files })
}

/// What a dump holds: its schema version and rows per table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpSummary {
    pub schema_version: i64,
    pub tables: BTreeMap<String, u64>,
}

/// Reads a whole plaintext dump and checks its structure (every line JSON, row counts as
/// announced, the end marker present) without touching any database.
pub fn check(path: &Path, id: &str, name: &str) -> Result<DumpSummary> {
    let bad = |m: String| BackupError::content(id, name, m);
    let file = std::fs::File::open(path).map_err(|e| BackupError::io(path, e))?;
    let mut lines = std::io::BufReader::with_capacity(1 << 20, file).lines();
    let mut next = |what: &str| -> Result<String> {
        match lines.next() {
            Some(Ok(l)) => Ok(l),
            Some(Err(e)) => Err(bad(format!("cannot read: {e}"))),
            None => Err(bad(format!("ends early (expected {what})"))),
        }
    };
    let header: Header =
        serde_json::from_str(&next("the header")?).map_err(|e| bad(format!("header: {e}")))?;
    if header.format != ROWS_FORMAT {
        return Err(bad(format!("unknown format {:?}", header.format)));
    }
    let mut tables = BTreeMap::new();
    loop {
        let line = next("a table or the end")?;
        if let Ok(end) = serde_json::from_str::<End>(&line) {
            if !end.end || end.tables != tables.len() as u64 {
                return Err(bad(format!(
                    "end marker says {} tables, found {}",
                    end.tables,
                    tables.len()
                )));
            }
            break;
        }
        let t: TableHeader =
            serde_json::from_str(&line).map_err(|e| bad(format!("table header: {e}")))?;
        check_identifier(&t.table)?;
        for n in 0..t.rows {
            let row = next(&format!("row {} of table {}", n + 1, t.table))?;
            match serde_json::from_str::<serde_json::Value>(&row) {
                Ok(serde_json::Value::Object(_)) => {}
                _ => {
                    return Err(bad(format!(
                        "table {}: row {} is not a JSON object",
                        t.table,
                        n + 1
                    )));
                }
            }
        }
        tables.insert(t.table, t.rows);
    }
    if lines.next().is_some() {
        return Err(bad("data after the end marker".into()));
    }
    Ok(DumpSummary {
        schema_version: header.schema_version,
        tables,
    })
}

/// Rows per INSERT (bounded by bytes too).
const BATCH_ROWS: usize = 500;
const BATCH_BYTES: usize = 8 << 20;

/// Loads a checked dump into the store's schema, which must be freshly migrated to the
/// dump's version and hold no data of its own (seeded rows are replaced). All or nothing:
/// one transaction. Foreign keys are checked at the end (deferred while loading), so the
/// order of rows does not matter.
pub async fn load(
    store: &Store,
    path: &Path,
    summary: &DumpSummary,
    id: &str,
    name: &str,
) -> Result<()> {
    let current = kontor_storage::migrate::current_version(store.pool()).await?;
    if current != summary.schema_version {
        return Err(BackupError::content(
            id,
            name,
            format!(
                "the backup has schema version {}, this Kontor writes version {current}; restore with the matching Kontor version",
                summary.schema_version
            ),
        ));
    }
    let mut tx = store.pool().begin().await?;
    let existing: BTreeSet<String> = tables(&mut tx).await?.into_iter().collect();
    let wanted: BTreeSet<String> = summary.tables.keys().cloned().collect();
    if existing != wanted {
        return Err(BackupError::content(
            id,
            name,
            format!(
                "tables differ from this schema: only in the backup {:?}, only here {:?}",
                wanted.difference(&existing).collect::<Vec<_>>(),
                existing.difference(&wanted).collect::<Vec<_>>()
            ),
        ));
    }
    // Foreign keys: deferred while loading, checked at SET CONSTRAINTS IMMEDIATE, restored.
    let fks: Vec<(String, String, bool, bool)> = sqlx::query(
        "SELECT CAST(c.relname AS TEXT) AS t, CAST(k.conname AS TEXT) AS k, k.condeferrable AS d, k.condeferred AS i \
         FROM pg_catalog.pg_constraint k JOIN pg_catalog.pg_class c ON c.oid = k.conrelid \
         WHERE k.contype = 'f' AND k.connamespace = CAST(current_schema() AS regnamespace)",
    )
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("t")?, r.try_get("k")?, r.try_get("d")?, r.try_get("i")?)))
    .collect::<std::result::Result<_, sqlx::Error>>()?;
    for (table, constraint, _, _) in &fks {
        check_identifier(table)?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {table} ALTER CONSTRAINT \"{}\" DEFERRABLE INITIALLY DEFERRED",
            constraint.replace('"', "\"\"")
        )))
        .execute(&mut *tx)
        .await?;
    }
    for table in &wanted {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    let file = std::fs::File::open(path).map_err(|e| BackupError::io(path, e))?;
    let mut lines = std::io::BufReader::with_capacity(1 << 20, file).lines();
    let mut read = || -> Result<String> {
        lines
            .next()
            .transpose()
            .map_err(|e| BackupError::io(path, e))?
            .ok_or_else(|| BackupError::content(id, name, "ends early"))
    };
    read()?; // header, checked before
    for _ in 0..summary.tables.len() {
        let t: TableHeader =
            serde_json::from_str(&read()?).map_err(|e| BackupError::content(id, name, e))?;
        let sql = format!(
            "INSERT INTO {0} SELECT * FROM jsonb_populate_recordset(CAST(NULL AS {0}), CAST($1 AS jsonb))",
            t.table
        );
        let mut batch = String::from("[");
        let mut in_batch = 0;
        for n in 0..t.rows {
            let row = read()?;
            if in_batch > 0 {
                batch.push(',');
            }
            batch.push_str(&row);
            in_batch += 1;
            if in_batch == BATCH_ROWS || batch.len() > BATCH_BYTES || n + 1 == t.rows {
                batch.push(']');
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .bind(std::mem::replace(&mut batch, String::from("[")))
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| BackupError::Database(format!("table {}: {e}", t.table)))?;
                in_batch = 0;
            }
        }
    }
    sqlx::raw_sql("SET CONSTRAINTS ALL IMMEDIATE")
        .execute(&mut *tx)
        .await
        .map_err(|e| BackupError::Database(format!("the restored rows break a reference: {e}")))?;
    for (table, constraint, deferrable, deferred) in &fks {
        let mode = match (deferrable, deferred) {
            (false, _) => "NOT DEFERRABLE",
            (true, false) => "DEFERRABLE INITIALLY IMMEDIATE",
            (true, true) => "DEFERRABLE INITIALLY DEFERRED",
        };
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "ALTER TABLE {table} ALTER CONSTRAINT \"{}\" {mode}",
            constraint.replace('"', "\"\"")
        )))
        .execute(&mut *tx)
        .await?;
    }
    // Identity columns continue after the highest restored value.
    let identities: Vec<(String, String)> = sqlx::query(
        "SELECT CAST(c.relname AS TEXT) AS t, CAST(a.attname AS TEXT) AS col FROM pg_catalog.pg_attribute a \
         JOIN pg_catalog.pg_class c ON c.oid = a.attrelid \
         WHERE c.relnamespace = CAST(current_schema() AS regnamespace) AND c.relkind = 'r' AND a.attidentity <> '' AND a.attnum > 0",
    )
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| Ok((r.try_get("t")?, r.try_get("col")?)))
    .collect::<std::result::Result<_, sqlx::Error>>()?;
    for (table, column) in &identities {
        check_identifier(table)?;
        check_identifier(column)?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), COALESCE((SELECT MAX({column}) FROM {table}), 1), (SELECT COUNT(*) > 0 FROM {table}))"
        ))).execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
