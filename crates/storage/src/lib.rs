//! Persistence for Kontor on SQLite and PostgreSQL: one schema and one set of queries for both,
//! migrations, the hash-chained audit log, and the repositories of one business.
//!
//! A [`Store`] is the data of exactly one business: a SQLite file, or one PostgreSQL schema.
//! Nothing in it assumes there is only one business in the database server.

mod articles;
pub mod audit;
pub mod blobs;
pub mod blobstore;
mod catalog;
mod company;
mod contacts;
pub mod db;
mod documents;
pub mod error;
mod export;
pub mod idempotency;
pub mod incoming;
pub mod migrate;
pub mod model;
mod numbers;
mod payments;
pub mod reports;
pub mod security;
pub mod sessions;
pub mod sort;
pub mod tenants;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod two_factor;
mod users;
mod util;

pub use audit::{Actor, AuditEntry, AuditReport};
pub use db::{Backend, ConnectOptions};
pub use error::{Result, StoreError};
pub use export::ZipWriter;
pub use idempotency::{IdempotencyKey, Once, StoredResponse};
pub use incoming::{
    Incoming, IncomingHeader, IncomingPayment, IncomingQuery, IncomingStatus, NewIncoming,
};
pub use model::*;
pub use sort::{ArticleSort, ContactSort, DocumentSort, Sort, SortKey, StatusFilter};
pub use users::{MIN_PASSWORD_LEN, RESERVED_USERNAMES, check_username, hash_password, users_check};

use sqlx::{Any, AnyPool, Transaction};
use std::sync::Arc;

/// The data of one business.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time; queueing writers here, first come first served, avoids
    /// the busy handler's sleep-and-retry that gives long tail latencies under concurrency.
    writers: Arc<tokio::sync::Mutex<()>>,
    /// Where new files go when not into the `blobs` table (see [`Store::with_blob_store`]).
    blob_store: Option<blobstore::BlobStore>,
}

/// A write transaction; on SQLite it also holds this process's writer turn until it ends.
pub(crate) struct WriteTx {
    tx: Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> Result<()> {
        Ok(self.tx.commit().await?)
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

impl Store {
    /// Opens the database at `url`, applying pending migrations.
    pub async fn connect(url: &str, options: ConnectOptions) -> Result<Store> {
        Store::connect_at(url, options, migrate::latest_version()).await
    }

    /// Opens the database at `url`, applying pending migrations up to version `until` only
    /// (for restoring an older backup, which is loaded at its own version and then migrated).
    pub async fn connect_at(url: &str, options: ConnectOptions, until: i64) -> Result<Store> {
        let (pool, backend) = db::open_pool(url, &options).await?;
        migrate::run_until(&pool, backend, until).await?;
        Ok(Store {
            pool,
            backend,
            writers: Arc::new(tokio::sync::Mutex::new(())),
            blob_store: None,
        })
    }

    /// Opens the database at `url` as it is, without migrating (for `kontor check`, which
    /// must report a schema that is behind rather than change it).
    pub async fn connect_unmigrated(url: &str, options: ConnectOptions) -> Result<Store> {
        let (pool, backend) = db::open_pool(url, &options).await?;
        Ok(Store {
            pool,
            backend,
            writers: Arc::new(tokio::sync::Mutex::new(())),
            blob_store: None,
        })
    }

    /// Opens a cloud tenant's schema with a small pool whose idle connections close; migrates
    /// only when the schema is behind (the common case costs one query).
    pub(crate) async fn connect_pooled(
        url: &str,
        schema: &str,
        max_connections: u32,
        idle_timeout: std::time::Duration,
    ) -> Result<Store> {
        let options = ConnectOptions {
            schema: Some(schema.to_string()),
            max_connections,
        };
        let pool_options = sqlx::any::AnyPoolOptions::new()
            .max_connections(max_connections)
            .min_connections(0)
            .idle_timeout(Some(idle_timeout))
            // After a database failover the pooled connections are dead: each is tested before
            // use and a broken one is dropped for a new one (the drill in
            // crates/kontor/tests/drill_patroni.rs relies on it).
            .test_before_acquire(true)
            .acquire_timeout(std::time::Duration::from_secs(10));
        let (pool, backend) = db::open_pool_with(url, &options, pool_options).await?;
        // A schema without the migrations table yet counts as version 0.
        let current: i64 = migrate::current_version(&pool).await.unwrap_or_default();
        if current < migrate::latest_version() {
            migrate::run(&pool, backend).await?;
        }
        Ok(Store {
            pool,
            backend,
            writers: Arc::new(tokio::sync::Mutex::new(())),
            blob_store: None,
        })
    }

    /// Opens (creating if needed) the SQLite database in a data folder.
    pub async fn open_dir(dir: &std::path::Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::invalid("data_dir", format!("cannot create {}: {e}", dir.display()))
        })?;
        Store::connect(&db::sqlite_url_for_dir(dir), ConnectOptions::default()).await
    }

    /// Keeps new files in `blob_store` (already limited to this installation's or tenant's
    /// prefix) instead of the database, and reads files kept there. Without it, new files go
    /// into the database; files already in a blob store then cannot be read.
    pub fn with_blob_store(mut self, blob_store: Option<blobstore::BlobStore>) -> Store {
        self.blob_store = blob_store;
        self
    }

    pub fn blob_store(&self) -> Option<&blobstore::BlobStore> {
        self.blob_store.as_ref()
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Starts a write transaction (SQLite takes its write lock at once).
    async fn write(&self) -> Result<WriteTx> {
        let turn = match self.backend {
            Backend::Sqlite => Some(self.writers.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let tx = self.pool.begin_with(self.backend.begin_write()).await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    /// Whether the database answers and its schema is current.
    pub async fn ready(&self) -> Result<bool> {
        Ok(migrate::current_version(&self.pool).await? == migrate::latest_version())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Checks the audit chain from the first entry to the head.
    pub async fn audit_verify(&self) -> Result<AuditReport> {
        audit::verify(&self.pool).await
    }

    /// The newest audit entries about one record.
    pub async fn audit_entries(
        &self,
        entity: &str,
        entity_id: &str,
        limit: i64,
    ) -> Result<Vec<AuditEntry>> {
        audit::entries_for(&self.pool, entity, entity_id, limit.clamp(1, 500)).await
    }
}
