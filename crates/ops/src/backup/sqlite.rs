//! A consistent copy of a live SQLite database through SQLite's online backup API
//! (`sqlite3_backup_*`): one step copies every page inside one read transaction, so the copy
//! is a snapshot; in WAL mode writers go on meanwhile (no downtime).
//!
//! The one module of Kontor with `unsafe`: sqlx exposes no backup API, so this calls the C
//! functions of the SQLite library that sqlx itself links, each call commented below.
#![allow(unsafe_code)]

use std::ffi::{CStr, CString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::ptr;

use libsqlite3_sys as ffi;

use super::error::{BackupError, Result};

/// An open raw connection, closed on drop.
struct Connection {
    db: *mut ffi::sqlite3,
}

impl Connection {
    fn open(path: &Path, flags: i32) -> Result<Connection> {
        let c_path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| BackupError::io(path, "the path contains a NUL byte"))?;
        let mut db = ptr::null_mut();
        // SAFETY: c_path is a valid C string; db receives a handle that we own (and close in
        // Drop even when opening failed, as SQLite asks).
        let rc = unsafe { ffi::sqlite3_open_v2(c_path.as_ptr(), &mut db, flags, ptr::null()) };
        let conn = Connection { db };
        if rc != ffi::SQLITE_OK {
            return Err(BackupError::io(
                path,
                format!("cannot open: {}", conn.message()),
            ));
        }
        // SAFETY: db is an open handle.
        unsafe { ffi::sqlite3_busy_timeout(conn.db, 10_000) };
        Ok(conn)
    }

    fn message(&self) -> String {
        if self.db.is_null() {
            return "out of memory".into();
        }
        // SAFETY: db is a handle; sqlite3_errmsg returns a NUL-terminated string it owns.
        unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db)) }
            .to_string_lossy()
            .into_owned()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        // SAFETY: closing a handle we own (null is a no-op).
        unsafe { ffi::sqlite3_close(self.db) };
    }
}

/// Copies the database at `source` into a new file `dest` (blocking: call it from
/// `spawn_blocking`).
pub fn online_backup(source: &Path, dest: &Path) -> Result<()> {
    if !source.is_file() {
        return Err(BackupError::io(source, "no database file here"));
    }
    let src = Connection::open(source, ffi::SQLITE_OPEN_READWRITE)?;
    let dst = Connection::open(dest, ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE)?;
    let main = c"main";
    // SAFETY: both handles are open and distinct; the backup handle is finished below.
    let backup = unsafe { ffi::sqlite3_backup_init(dst.db, main.as_ptr(), src.db, main.as_ptr()) };
    if backup.is_null() {
        return Err(BackupError::io(
            dest,
            format!("cannot start the backup: {}", dst.message()),
        ));
    }
    let mut rc;
    let mut waited = 0;
    loop {
        // SAFETY: backup is a live backup handle. -1 copies every page in one step, i.e. in
        // one read transaction on the source: a consistent snapshot.
        rc = unsafe { ffi::sqlite3_backup_step(backup, -1) };
        if (rc == ffi::SQLITE_BUSY || rc == ffi::SQLITE_LOCKED) && waited < 600 {
            waited += 1;
            std::thread::sleep(std::time::Duration::from_millis(100));
            continue;
        }
        break;
    }
    // SAFETY: finishing the handle we started; it is not used afterwards.
    let finish = unsafe { ffi::sqlite3_backup_finish(backup) };
    if rc != ffi::SQLITE_DONE || finish != ffi::SQLITE_OK {
        return Err(BackupError::io(
            source,
            format!(
                "online backup failed (code {rc}/{finish}): {}",
                dst.message()
            ),
        ));
    }
    Ok(())
}

/// `PRAGMA integrity_check` on a database file; `Ok(())` when SQLite says "ok".
pub async fn integrity_check(path: &Path) -> Result<()> {
    use sqlx::ConnectOptions;
    use sqlx::Row;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false);
    let mut conn = options
        .connect()
        .await
        .map_err(|e| BackupError::io(path, format!("not a SQLite database: {e}")))?;
    let rows = sqlx::query("PRAGMA integrity_check")
        .fetch_all(&mut conn)
        .await
        .map_err(|e| BackupError::io(path, format!("integrity check failed: {e}")))?;
    let _ = sqlx::Connection::close(conn).await;
    let findings: Vec<String> = rows
        .iter()
        .filter_map(|r| r.try_get::<String, _>(0).ok())
        .collect();
    if findings == ["ok"] {
        Ok(())
    } else {
        Err(BackupError::io(
            path,
            format!("integrity check: {}", findings.join("; ")),
        ))
    }
}

/// A connection of its own to an existing database file (never creates one).
async fn connect_file(path: &Path) -> Result<sqlx::sqlite::SqliteConnection> {
    use sqlx::ConnectOptions;
    sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(false)
        .connect()
        .await
        .map_err(|e| BackupError::io(path, e))
}

/// The schema version recorded in a database file.
pub async fn schema_version(path: &Path) -> Result<i64> {
    use sqlx::Row;
    let mut conn = connect_file(path).await?;
    let version: i64 =
        sqlx::query("SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM kontor_migrations")
            .fetch_one(&mut conn)
            .await
            .map_err(|e| BackupError::io(path, format!("no Kontor schema: {e}")))?
            .try_get("v")?;
    let _ = sqlx::Connection::close(conn).await;
    Ok(version)
}

/// The files a database file leaves in a blob store (SHA-256 of rows with an object key).
pub async fn external_files(path: &Path) -> Result<Vec<String>> {
    use sqlx::Row;
    let mut conn = connect_file(path).await?;
    let shas =
        sqlx::query("SELECT sha256 FROM blobs WHERE external_key IS NOT NULL ORDER BY sha256")
            .fetch_all(&mut conn)
            .await
            .map_err(|e| BackupError::io(path, format!("cannot list the files: {e}")))?
            .iter()
            .map(|r| r.try_get::<String, _>("sha256"))
            .collect::<std::result::Result<_, _>>()?;
    let _ = sqlx::Connection::close(conn).await;
    Ok(shas)
}
