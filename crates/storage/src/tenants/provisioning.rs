//! The operator's side: control schema, tenants' creation to deletion, their roles and grants.

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor, Row};

use super::credentials::new_verifier;
use super::{
    Installation, MasterSecret, TENANT_COLUMNS, Tenant, TenantState, find_tenant, list_tenants,
    tenant_blob_store, tenant_from, url_as, validate_slug,
};
use crate::blobstore::BlobStore;
use crate::error::{Result, StoreError};
use crate::{Store, migrate, util};
use kontor_domain::ErrorCode;

/// Control-schema migrations: (version, name, DDL with `{CTL}` for the control schema).
const CONTROL_MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "tenants", include_str!("../control/0001_tenants.sql")),
    (
        2,
        "backup_runs",
        include_str!("../control/0002_backup_runs.sql"),
    ),
];

/// The newest control schema version this build knows.
pub fn control_latest_version() -> i64 {
    CONTROL_MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

/// What `migrate_all` did.
#[derive(Debug, Default)]
pub struct MigrationReport {
    pub migrated: Vec<String>,
    pub current: usize,
    pub failed: Vec<(String, String)>,
}

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Serialises changes to database-wide grants: PostgreSQL fails concurrent GRANT/REVOKE on one
/// object with "tuple concurrently updated".
async fn lock_database(tx: &mut sqlx::AnyConnection) -> Result<()> {
    tx.execute("SELECT pg_advisory_xact_lock(727275, 0)")
        .await?;
    Ok(())
}

async fn exec(pool: impl Executor<'_, Database = sqlx::Any>, sql: String) -> Result<()> {
    pool.execute(sqlx::raw_sql(sqlx::AssertSqlSafe(sql)))
        .await?;
    Ok(())
}

/// The operator's side: creates, migrates, suspends and deletes tenants. Its connection (a
/// superuser or a role with CREATEROLE owning the database) is used for nothing else; tenant
/// data is always reached through the tenant's own role.
pub struct Provisioner {
    admin: AnyPool,
    base_url: String,
    installation: Installation,
    secret: MasterSecret,
    database: String,
    blob_store: Option<BlobStore>,
}

impl Provisioner {
    /// Connects with the admin URL and makes sure the control schema, the control role and the
    /// database-wide revokes are in place (idempotent; safe from several processes).
    pub async fn connect(
        admin_url: &str,
        installation: Installation,
        secret: MasterSecret,
    ) -> Result<Provisioner> {
        sqlx::any::install_default_drivers();
        if crate::Backend::from_url(admin_url)? != crate::Backend::Postgres {
            return Err(StoreError::invalid(
                "database",
                "cloud mode needs PostgreSQL (postgres://…)",
            ));
        }
        let admin = AnyPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(AnyConnectOptions::from_str(admin_url)?)
            .await?;
        let database: String = sqlx::query("SELECT CAST(current_database() AS TEXT) AS db")
            .fetch_one(&admin)
            .await?
            .try_get("db")?;
        let provisioner = Provisioner {
            admin,
            base_url: admin_url.to_string(),
            installation,
            secret,
            database,
            blob_store: None,
        };
        provisioner.init().await?;
        Ok(provisioner)
    }

    pub fn installation(&self) -> &Installation {
        &self.installation
    }

    /// Tenant stores opened from here keep and read files in `blob_store`, each tenant below
    /// its own prefix (its role name).
    pub fn with_blob_store(mut self, blob_store: Option<BlobStore>) -> Provisioner {
        self.blob_store = blob_store;
        self
    }

    async fn init(&self) -> Result<()> {
        let ctl = self.installation.control_schema();
        let ctl_role = self.installation.control_role();
        let db = quote_ident(&self.database);
        let mut tx = self.admin.begin().await?;
        lock_database(&mut tx).await?;
        exec(&mut *tx, format!("CREATE SCHEMA IF NOT EXISTS {ctl}")).await?;
        exec(
            &mut *tx,
            format!(
                "CREATE TABLE IF NOT EXISTS {ctl}.control_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            ),
        )
        .await?;
        for (version, name, template) in CONTROL_MIGRATIONS {
            let done: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM {ctl}.control_migrations WHERE version = $1"
            )))
            .bind(version)
            .fetch_one(&mut *tx)
            .await?
            .try_get("n")?;
            if done > 0 {
                continue;
            }
            exec(&mut *tx, template.replace("{CTL}", &ctl)).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO {ctl}.control_migrations (version, name, applied_at) VALUES ($1, $2, $3)"
            )))
            .bind(version)
            .bind(*name)
            .bind(util::now())
            .execute(&mut *tx)
            .await?;
        }
        // What every role gets through PUBLIC: CONNECT and TEMP on the database, USAGE (and
        // before PostgreSQL 15 CREATE) on `public`, creating large objects. Tenant roles get
        // CONNECT back one by one, nothing else.
        exec(&mut *tx, format!("REVOKE ALL ON DATABASE {db} FROM PUBLIC")).await?;
        exec(&mut *tx, "REVOKE ALL ON SCHEMA public FROM PUBLIC".into()).await?;
        exec(
            &mut *tx,
            "REVOKE EXECUTE ON FUNCTION pg_catalog.lo_creat(integer), pg_catalog.lo_create(oid), \
             pg_catalog.lo_from_bytea(oid, bytea), pg_catalog.lo_import(text), \
             pg_catalog.lo_import(text, oid), pg_catalog.lo_export(oid, text) FROM PUBLIC"
                .into(),
        )
        .await?;
        self.ensure_role(&mut tx, &ctl_role, true).await?;
        exec(
            &mut *tx,
            format!("GRANT USAGE ON SCHEMA {ctl} TO {ctl_role}"),
        )
        .await?;
        exec(
            &mut *tx,
            format!("GRANT SELECT ON {ctl}.tenants TO {ctl_role}"),
        )
        .await?;
        // Serving instances report whether the control schema is current (`/readyz`).
        exec(
            &mut *tx,
            format!("GRANT SELECT ON {ctl}.control_migrations TO {ctl_role}"),
        )
        .await?;
        // Serving instances record their backup runs (and take the backup lease) there.
        exec(
            &mut *tx,
            format!("GRANT SELECT, INSERT, UPDATE, DELETE ON {ctl}.backup_runs TO {ctl_role}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates a login role with nothing but CONNECT on this database (or resets its password
    /// to the one derived from the current master secret).
    ///
    /// `inherit`: whether the role uses the privileges of roles the operator grants it. Tenant
    /// roles never do (NOINHERIT). The control role does, so that `GRANT pg_monitor TO
    /// <installation>_ctl` lets the watchdog read pg_stat_replication (PostgreSQL 15 has no
    /// per-grant INHERIT option); it is a member of nothing unless the operator grants it.
    async fn ensure_role(
        &self,
        tx: &mut sqlx::AnyConnection,
        role: &str,
        inherit: bool,
    ) -> Result<()> {
        let verifier = new_verifier(&self.secret.role_password(role));
        let exists: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM pg_catalog.pg_roles WHERE rolname = $1")
                .bind(role)
                .fetch_one(&mut *tx)
                .await?
                .try_get("n")?;
        let attributes = format!(
            "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE {} NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 32",
            if inherit { "INHERIT" } else { "NOINHERIT" }
        );
        if exists == 0 {
            exec(
                &mut *tx,
                format!("CREATE ROLE {role} {attributes} PASSWORD '{verifier}'"),
            )
            .await?;
        } else {
            exec(
                &mut *tx,
                format!("ALTER ROLE {role} {attributes} PASSWORD '{verifier}'"),
            )
            .await?;
        }
        exec(
            &mut *tx,
            format!(
                "GRANT CONNECT ON DATABASE {} TO {role}",
                quote_ident(&self.database)
            ),
        )
        .await?;
        Ok(())
    }

    /// Creates a tenant: control row, role, schema, migrations (run as the tenant's role, so it
    /// owns every table). Re-running it for a tenant left in `provisioning` finishes the job.
    pub async fn create(&self, slug: &str, name: &str) -> Result<Tenant> {
        self.create_at(slug, name, migrate::latest_version()).await
    }

    /// [`Provisioner::create`] with the schema migrated only up to version `until`: a restore
    /// loads an older backup at its own version, then brings the tenant up to date with
    /// [`Provisioner::migrate_tenant`].
    pub async fn create_at(&self, slug: &str, name: &str, until: i64) -> Result<Tenant> {
        validate_slug(slug)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::invalid("name", "must be 1–200 characters"));
        }
        let ctl = self.installation.control_schema();
        let existing = self.find(slug).await?;
        let tenant = match existing {
            Some(t) if t.state == TenantState::Provisioning => t,
            Some(_) => {
                return Err(StoreError::conflict(
                    ErrorCode::TenantExists,
                    format!("tenant: {slug} exists already"),
                ));
            }
            None => {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO {ctl}.tenants (slug, name, state, created_at) VALUES ($1, $2, 'provisioning', $3) \
                     ON CONFLICT (slug) DO NOTHING RETURNING {TENANT_COLUMNS}"
                )))
                .bind(slug)
                .bind(name)
                .bind(util::now())
                .fetch_optional(&self.admin)
                .await?;
                match row {
                    Some(row) => tenant_from(&row)?,
                    None => {
                        return Err(StoreError::conflict(
                            ErrorCode::TenantExists,
                            format!("tenant: {slug} exists already"),
                        ));
                    }
                }
            }
        };
        let role = self.installation.tenant_role(tenant.id);
        let mut tx = self.admin.begin().await?;
        lock_database(&mut tx).await?;
        self.ensure_role(&mut tx, &role, false).await?;
        exec(
            &mut *tx,
            format!("CREATE SCHEMA IF NOT EXISTS {role} AUTHORIZATION {role}"),
        )
        .await?;
        tx.commit().await?;
        let store = self.open_tenant_at(&tenant, until).await?;
        let version = migrate::current_version(store.pool()).await?;
        store.close().await;
        self.set_row(slug, "state = 'active', schema_version = $2", version)
            .await?;
        self.get(slug).await
    }

    /// Creates a tenant with its first administrator (both checked before anything is made).
    pub async fn create_with_admin(
        &self,
        slug: &str,
        name: &str,
        admin: &str,
        password: &str,
    ) -> Result<Tenant> {
        validate_slug(slug)?;
        crate::users_check(admin, password)?;
        let tenant = self.create(slug, name).await?;
        let store = self.open_tenant(&tenant).await?;
        let result = async {
            if store.user_count().await? == 0 {
                store
                    .create_user(&crate::Actor::cli(), admin, password, crate::Role::Admin)
                    .await?;
            }
            Ok::<(), StoreError>(())
        }
        .await;
        store.close().await;
        result?;
        Ok(tenant)
    }

    async fn set_row(&self, slug: &str, set: &str, value: i64) -> Result<()> {
        let ctl = self.installation.control_schema();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {ctl}.tenants SET {set} WHERE slug = $1"
        )))
        .bind(slug)
        .bind(value)
        .execute(&self.admin)
        .await?;
        Ok(())
    }

    pub async fn find(&self, slug: &str) -> Result<Option<Tenant>> {
        find_tenant(&self.admin, &self.installation, slug).await
    }

    /// A tenant by slug, or a not-found error naming it.
    pub async fn get(&self, slug: &str) -> Result<Tenant> {
        self.find(slug)
            .await?
            .ok_or_else(|| StoreError::not_found("tenant", slug))
    }

    /// Every tenant, oldest first (deleted ones too).
    pub async fn list(&self) -> Result<Vec<Tenant>> {
        list_tenants(&self.admin, &self.installation).await
    }

    /// The tenant's store, connected as the tenant's own role.
    pub async fn open_tenant(&self, tenant: &Tenant) -> Result<Store> {
        self.open_tenant_at(tenant, migrate::latest_version()).await
    }

    /// The tenant's store, migrated up to version `until` only (see [`Provisioner::create_at`]).
    pub async fn open_tenant_at(&self, tenant: &Tenant, until: i64) -> Result<Store> {
        let role = self.installation.tenant_role(tenant.id);
        let url = url_as(&self.base_url, &role, &self.secret.role_password(&role))?;
        let blob_store = tenant_blob_store(self.blob_store.as_ref(), &role)?;
        Ok(Store::connect_at(
            &url,
            crate::ConnectOptions {
                schema: Some(role),
                max_connections: 2,
            },
            until,
        )
        .await?
        .with_blob_store(blob_store))
    }

    /// The tenant's store for an export; a suspended tenant's role may log in until
    /// [`Provisioner::end_export`] (serving still refuses it: the control row says suspended).
    pub async fn open_tenant_for_export(&self, tenant: &Tenant) -> Result<Store> {
        let role = self.installation.tenant_role(tenant.id);
        if tenant.state == TenantState::Suspended {
            exec(&self.admin, format!("ALTER ROLE {role} LOGIN")).await?;
        }
        let store = self.open_tenant(tenant).await;
        if store.is_err() {
            self.end_export(tenant).await?;
        }
        store
    }

    /// Locks a suspended tenant's role again after an export.
    pub async fn end_export(&self, tenant: &Tenant) -> Result<()> {
        if tenant.state == TenantState::Suspended {
            let role = self.installation.tenant_role(tenant.id);
            exec(&self.admin, format!("ALTER ROLE {role} NOLOGIN")).await?;
        }
        Ok(())
    }

    /// Suspends a tenant: its role can no longer log in and its open connections end.
    pub async fn suspend(&self, slug: &str) -> Result<Tenant> {
        let tenant = self.get(slug).await?;
        if tenant.state != TenantState::Active {
            return Err(StoreError::conflict(
                ErrorCode::TenantState,
                format!("tenant: {slug} is {}, not active", tenant.state.as_str()),
            ));
        }
        let role = self.installation.tenant_role(tenant.id);
        self.set_row(
            slug,
            "state = 'suspended', schema_version = schema_version + $2",
            0,
        )
        .await?;
        exec(&self.admin, format!("ALTER ROLE {role} NOLOGIN")).await?;
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1",
        )
        .bind(&role)
        .execute(&self.admin)
        .await?;
        self.get(slug).await
    }

    /// Lets a suspended tenant log in again.
    pub async fn resume(&self, slug: &str) -> Result<Tenant> {
        let tenant = self.get(slug).await?;
        if tenant.state != TenantState::Suspended {
            return Err(StoreError::conflict(
                ErrorCode::TenantState,
                format!("tenant: {slug} is {}, not suspended", tenant.state.as_str()),
            ));
        }
        let role = self.installation.tenant_role(tenant.id);
        exec(&self.admin, format!("ALTER ROLE {role} LOGIN")).await?;
        self.set_row(
            slug,
            "state = 'active', schema_version = schema_version + $2",
            0,
        )
        .await?;
        self.get(slug).await
    }

    /// Notes that the tenant's data was exported (deleting needs that first).
    pub async fn record_export(&self, slug: &str) -> Result<()> {
        let ctl = self.installation.control_schema();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {ctl}.tenants SET exported_at = $2 WHERE slug = $1"
        )))
        .bind(slug)
        .bind(util::now())
        .execute(&self.admin)
        .await?;
        Ok(())
    }

    /// Deletes a tenant's schema and role for good. Refused unless the tenant was exported
    /// and `confirm` repeats its slug.
    pub async fn delete(&self, slug: &str, confirm: &str) -> Result<Tenant> {
        let tenant = self.get(slug).await?;
        if confirm != slug {
            return Err(StoreError::invalid(
                "confirm",
                format!("must repeat the tenant's name ({slug}) to delete it"),
            ));
        }
        if tenant.state == TenantState::Deleted {
            return Err(StoreError::conflict(
                ErrorCode::TenantState,
                format!("tenant: {slug} is deleted already"),
            ));
        }
        if tenant.exported_at.is_none() {
            return Err(StoreError::conflict(
                ErrorCode::NotExported,
                format!("tenant: export {slug} first (kontor tenant export {slug})"),
            ));
        }
        let role = self.installation.tenant_role(tenant.id);
        exec(&self.admin, format!("ALTER ROLE {role} NOLOGIN")).await?;
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1",
        )
        .bind(&role)
        .execute(&self.admin)
        .await?;
        let mut tx = self.admin.begin().await?;
        lock_database(&mut tx).await?;
        exec(&mut *tx, format!("DROP SCHEMA IF EXISTS {role} CASCADE")).await?;
        exec(
            &mut *tx,
            format!(
                "REVOKE ALL ON DATABASE {} FROM {role}",
                quote_ident(&self.database)
            ),
        )
        .await?;
        exec(&mut *tx, format!("DROP ROLE IF EXISTS {role}")).await?;
        let ctl = self.installation.control_schema();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE {ctl}.tenants SET state = 'deleted', deleted_at = $2 WHERE slug = $1"
        )))
        .bind(slug)
        .bind(util::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        // Its files in the blob store go too (the export holds them).
        if let Some(files) = tenant_blob_store(self.blob_store.as_ref(), &role)? {
            match files.delete_all().await {
                Ok(n) => {
                    tracing::info!(tenant = slug, files = n, store = %files.name(), "deleted the tenant's files")
                }
                Err(e) => {
                    tracing::warn!(tenant = slug, error = %e, "the tenant's files in the blob store could not all be deleted; delete its prefix by hand")
                }
            }
        }
        self.get(slug).await
    }

    /// Brings every tenant's schema to this build's version, each as its own role. Each
    /// migration is its own transaction and applied ones are skipped, so an interrupted run
    /// simply continues when started again. Also finishes interrupted provisioning, and
    /// resets role passwords to the current master secret.
    pub async fn migrate_all(&self) -> Result<MigrationReport> {
        let mut report = MigrationReport::default();
        for tenant in self.list().await? {
            if tenant.state == TenantState::Deleted {
                continue;
            }
            if tenant.state == TenantState::Provisioning {
                match self.create(&tenant.slug, &tenant.name).await {
                    Ok(_) => report.migrated.push(tenant.slug.clone()),
                    Err(e) => report.failed.push((tenant.slug.clone(), e.to_string())),
                }
                continue;
            }
            match self.migrate_tenant(&tenant).await {
                Ok(_) if tenant.schema_version == migrate::latest_version() => report.current += 1,
                Ok(_) => report.migrated.push(tenant.slug.clone()),
                Err(e) => report.failed.push((tenant.slug.clone(), e.to_string())),
            }
        }
        Ok(report)
    }

    /// Brings one tenant's schema to this build's version as its own role (a suspended
    /// tenant's role may log in for the time it takes) and records the version; returns it.
    pub async fn migrate_tenant(&self, tenant: &Tenant) -> Result<i64> {
        let role = self.installation.tenant_role(tenant.id);
        let mut tx = self.admin.begin().await?;
        lock_database(&mut tx).await?;
        self.ensure_role(&mut tx, &role, false).await?;
        if tenant.state == TenantState::Suspended {
            exec(&mut *tx, format!("ALTER ROLE {role} LOGIN")).await?;
        }
        tx.commit().await?;
        let opened = self.open_tenant(tenant).await;
        if tenant.state == TenantState::Suspended {
            exec(&self.admin, format!("ALTER ROLE {role} NOLOGIN")).await?;
        }
        let store = opened?;
        let version = migrate::current_version(store.pool()).await?;
        store.close().await;
        self.set_row(&tenant.slug, "schema_version = $2", version)
            .await?;
        Ok(version)
    }

    pub async fn close(&self) {
        self.admin.close().await;
    }
}
