//! Databases for tests: a fresh store per test (SQLite, or PostgreSQL when
//! `KONTOR_TEST_DATABASE_URL` is set), and SQLite data folders as `kontor --data-dir` uses them.

use std::path::PathBuf;

use kontor_storage::Store;
pub use kontor_storage::testing::{TestStore, postgres_url, unique_schema};

/// A SQLite data folder (`data` inside a temporary folder) with its store open: what
/// `kontor --data-dir` works on. Removed when dropped.
pub struct DataDir {
    /// The temporary folder: room beside `data` for targets, keys and restores.
    pub dir: tempfile::TempDir,
    /// The data folder (`kontor.db` and friends).
    pub data: PathBuf,
    pub store: Store,
}

impl DataDir {
    pub async fn open() -> DataDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("data");
        let store = Store::open_dir(&data)
            .await
            .expect("store in the data folder");
        DataDir { dir, data, store }
    }
}
