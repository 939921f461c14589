//! The serving side: looking tenants up and opening their stores as their own roles.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Row};

use super::{
    Installation, MasterSecret, Tenant, control_latest_version, find_tenant, list_tenants,
    tenant_blob_store, url_as, url_database, validate_slug,
};
use crate::Store;
use crate::blobstore::BlobStore;
use crate::error::{Result, StoreError};

/// How to pool a tenant's connections.
#[derive(Debug, Clone, Copy)]
pub struct TenantPool {
    pub max_connections: u32,
    /// Connections unused this long are closed.
    pub idle_timeout: Duration,
}

impl Default for TenantPool {
    fn default() -> Self {
        TenantPool {
            max_connections: 4,
            idle_timeout: Duration::from_secs(60),
        }
    }
}

/// What a serving instance uses: tenant lookups through the read-only control role, and
/// tenant stores through each tenant's own role. It holds no admin credentials.
#[derive(Clone)]
pub struct Directory {
    control: AnyPool,
    base_url: String,
    installation: Installation,
    secret: MasterSecret,
    blob_store: Option<BlobStore>,
}

impl Directory {
    /// `url` names the server and database; its user and password are not used.
    pub async fn connect(
        url: &str,
        installation: Installation,
        secret: MasterSecret,
    ) -> Result<Directory> {
        sqlx::any::install_default_drivers();
        let role = installation.control_role();
        let control_url = url_as(url, &role, &secret.role_password(&role))?;
        let control = AnyPoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .idle_timeout(Some(Duration::from_secs(60)))
            // Broken connections (after a failover) are dropped, not handed out.
            .test_before_acquire(true)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(AnyConnectOptions::from_str(&control_url)?)
            .await?;
        Ok(Directory {
            control,
            base_url: url.to_string(),
            installation,
            secret,
            blob_store: None,
        })
    }

    /// [`Directory::connect`] for the database's default installation: the one named after
    /// the database in `url` ([`Installation::for_database`]), or, if its control role cannot
    /// log in, an installation from before such names ([`Installation::LEGACY_DEFAULT`]) that
    /// is set up in this database.
    pub async fn connect_default(url: &str, secret: MasterSecret) -> Result<Directory> {
        let database = url_database(url).ok_or_else(|| {
            StoreError::invalid(
                "database",
                "must name the database (postgres://HOST/DATABASE): the installation's default \
                 name is derived from it (or give --installation)",
            )
        })?;
        let derived = Installation::for_database(&database);
        let first = match Directory::connect(url, derived, secret.clone()).await {
            Ok(directory) => return Ok(directory),
            Err(e) if login_refused(&e) => e,
            Err(e) => return Err(e),
        };
        let Ok(legacy) = Directory::connect(url, Installation::legacy_default(), secret).await
        else {
            return Err(first);
        };
        let set_up: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM pg_catalog.pg_namespace WHERE nspname = $1 \
             AND has_schema_privilege(oid, 'USAGE')",
        )
        .bind(legacy.installation.control_schema())
        .fetch_one(&legacy.control)
        .await?
        .try_get("n")?;
        if set_up == 0 {
            legacy.close().await;
            return Err(first);
        }
        tracing::warn!(
            installation = Installation::LEGACY_DEFAULT,
            "this database holds an installation from before per-database names; \
             set --installation kontor (KONTOR_INSTALLATION=kontor) to name it directly"
        );
        Ok(legacy)
    }

    pub fn installation(&self) -> &Installation {
        &self.installation
    }

    /// Tenant stores opened from here keep and read files in `blob_store`, each tenant below
    /// its own prefix (its role name, e.g. `PREFIX/kontor_t12/`).
    pub fn with_blob_store(mut self, blob_store: Option<BlobStore>) -> Directory {
        self.blob_store = blob_store;
        self
    }

    /// The installation-wide blob store (not limited to a tenant), if one is configured.
    pub fn blob_store(&self) -> Option<&BlobStore> {
        self.blob_store.as_ref()
    }

    /// The tenant with this slug, if there is one (any state).
    pub async fn find(&self, slug: &str) -> Result<Option<Tenant>> {
        if validate_slug(slug).is_err() {
            return Ok(None);
        }
        find_tenant(&self.control, &self.installation, slug).await
    }

    /// Every tenant, oldest first (any state).
    pub async fn list(&self) -> Result<Vec<Tenant>> {
        list_tenants(&self.control, &self.installation).await
    }

    /// The control role's pool (the control schema: tenants, backup runs).
    pub fn control_pool(&self) -> &AnyPool {
        &self.control
    }

    /// Opens a tenant's store as the tenant's role, with a small pool.
    pub async fn open(&self, tenant: &Tenant, pool: TenantPool) -> Result<Store> {
        let role = self.installation.tenant_role(tenant.id);
        let url = url_as(&self.base_url, &role, &self.secret.role_password(&role))?;
        let blob_store = tenant_blob_store(self.blob_store.as_ref(), &role)?;
        Ok(
            Store::connect_pooled(&url, &role, pool.max_connections, pool.idle_timeout)
                .await?
                .with_blob_store(blob_store),
        )
    }

    /// Whether the control schema answers and is at the version this build knows.
    pub async fn ready(&self) -> Result<bool> {
        let ctl = self.installation.control_schema();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM {ctl}.tenants LIMIT 1) AS one"
        )))
        .fetch_one(&self.control)
        .await?;
        let version: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) AS v FROM {ctl}.control_migrations"
        )))
        .fetch_one(&self.control)
        .await?
        .try_get("v")?;
        Ok(version == control_latest_version())
    }

    /// The control connections (read-only role), for monitoring queries such as replication.
    pub fn pool(&self) -> &AnyPool {
        &self.control
    }

    pub async fn close(&self) {
        self.control.close().await;
    }
}

/// Whether PostgreSQL refused the login itself (no such role, wrong password, no CONNECT).
fn login_refused(e: &StoreError) -> bool {
    let StoreError::Database(e) = e else {
        return false;
    };
    matches!(
        e.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("28P01" | "28000" | "42501")
    )
}
