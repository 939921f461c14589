//! Fresh, isolated stores for tests: a temporary SQLite file, or — when
//! `KONTOR_TEST_DATABASE_URL` names a PostgreSQL server — a new schema of its own there.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::{ConnectOptions, Result, Store};

/// A store that lives as long as this value (the SQLite folder is removed on drop;
/// PostgreSQL schemas are left for inspection and dropped with the throwaway cluster).
pub struct TestStore {
    pub store: Store,
    pub url: String,
    pub schema: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The PostgreSQL URL tests should use, if any.
pub fn postgres_url() -> Option<String> {
    std::env::var("KONTOR_TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
}

/// A unique schema name for one test.
pub fn unique_schema() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("t_{}_{}_{}", std::process::id(), nanos % 1_000_000_000, n)
}

impl TestStore {
    pub async fn new() -> Result<TestStore> {
        Self::with_connections(16).await
    }

    pub async fn with_connections(max_connections: u32) -> Result<TestStore> {
        match postgres_url() {
            Some(url) => {
                let schema = unique_schema();
                let options = ConnectOptions {
                    schema: Some(schema.clone()),
                    max_connections,
                };
                let store = Store::connect(&url, options).await?;
                Ok(TestStore {
                    store,
                    url,
                    schema: Some(schema),
                    _dir: None,
                })
            }
            None => {
                let dir = tempfile::tempdir()
                    .map_err(|e| crate::StoreError::invalid("tempdir", e.to_string()))?;
                let url = crate::db::sqlite_url_for_dir(dir.path());
                let store = Store::connect(
                    &url,
                    ConnectOptions {
                        schema: None,
                        max_connections,
                    },
                )
                .await?;
                Ok(TestStore {
                    store,
                    url,
                    schema: None,
                    _dir: Some(dir),
                })
            }
        }
    }

    /// Options that reopen the same database (same schema).
    pub fn options(&self) -> ConnectOptions {
        ConnectOptions {
            schema: self.schema.clone(),
            max_connections: 4,
        }
    }
}
