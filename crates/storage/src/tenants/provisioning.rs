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

/// The advisory lock (two-key form) that serialises changes to database-wide grants.
const PROVISIONING_LOCK: (i32, i32) = (727_275, 0);
/// How long a tenant command waits for another one's provisioning lock.
const PROVISIONING_LOCK_WAIT: &str = "60s";

/// What the database-wide revokes ([`HARDENING_SQL`]) give back: `{ROLES}` is replaced by
/// Kontor's own roles.
const HARDENING_SQL: &str = include_str!("../control/hardening.sql");

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
    /// The admin connection's role, and whether it is a superuser (only one can apply
    /// [`HARDENING_SQL`]).
    admin_user: String,
    superuser: bool,
    /// What of [`HARDENING_SQL`] is missing in this database (see [`Provisioner::hardening_gaps`]).
    gaps: Vec<String>,
}

/// Whose a role is, as far as this installation can tell.
enum RoleOwner {
    /// There is no such role yet.
    Nobody,
    /// Made by this installation (its comment says so).
    Us,
    /// Made by this installation before roles carried a comment: it owns this database's
    /// schema of its name (a tenant role) or was granted this installation's control schema
    /// (the control role). It gets the comment now.
    UsBeforeComments,
    /// Anyone else's: its comment, if it has one.
    Other(Option<String>),
}

impl Provisioner {
    /// Connects with the admin URL and makes sure the control schema, the control role and the
    /// database-wide revokes are in place (idempotent; safe from several processes).
    pub async fn connect(
        admin_url: &str,
        installation: Installation,
        secret: MasterSecret,
    ) -> Result<Provisioner> {
        let (admin, database, admin_user, superuser) = Self::admin_pool(admin_url).await?;
        Self::start(
            admin,
            admin_url,
            installation,
            secret,
            database,
            admin_user,
            superuser,
        )
        .await
    }

    /// [`Provisioner::connect`] for the database's default installation: the one named after
    /// the database ([`Installation::for_database`]) unless the database holds an installation
    /// from before such names ([`Installation::LEGACY_DEFAULT`]) and none of the new name.
    pub async fn connect_default(admin_url: &str, secret: MasterSecret) -> Result<Provisioner> {
        let (admin, database, admin_user, superuser) = Self::admin_pool(admin_url).await?;
        let derived = Installation::for_database(&database);
        let legacy = Installation::legacy_default();
        let has_schema = |installation: &Installation| {
            sqlx::query("SELECT COUNT(*) AS n FROM pg_catalog.pg_namespace WHERE nspname = $1")
                .bind(installation.control_schema())
                .fetch_one(&admin)
        };
        let derived_exists: i64 = has_schema(&derived).await?.try_get("n")?;
        let legacy_exists: i64 = has_schema(&legacy).await?.try_get("n")?;
        let installation = if derived_exists == 0 && legacy_exists > 0 {
            tracing::info!(
                installation = Installation::LEGACY_DEFAULT,
                "this database holds an installation from before per-database names; it keeps its name"
            );
            legacy
        } else {
            derived
        };
        Self::start(
            admin,
            admin_url,
            installation,
            secret,
            database,
            admin_user,
            superuser,
        )
        .await
    }

    /// The admin pool, the database's name, the admin's role and whether it is a superuser.
    async fn admin_pool(admin_url: &str) -> Result<(AnyPool, String, String, bool)> {
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
        let row = sqlx::query(
            "SELECT CAST(current_database() AS TEXT) AS db, CAST(current_user AS TEXT) AS who, \
             CAST(CASE WHEN (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN 1 ELSE 0 END AS BIGINT) AS su",
        )
        .fetch_one(&admin)
        .await?;
        let superuser: i64 = row.try_get("su")?;
        Ok((
            admin,
            row.try_get("db")?,
            row.try_get("who")?,
            superuser == 1,
        ))
    }

    async fn start(
        admin: AnyPool,
        admin_url: &str,
        installation: Installation,
        secret: MasterSecret,
        database: String,
        admin_user: String,
        superuser: bool,
    ) -> Result<Provisioner> {
        let mut provisioner = Provisioner {
            admin,
            base_url: admin_url.to_string(),
            installation,
            secret,
            database,
            blob_store: None,
            admin_user,
            superuser,
            gaps: Vec::new(),
        };
        provisioner.init().await?;
        if !provisioner.superuser {
            let mut conn = provisioner.admin.acquire().await?;
            let mut gaps = provisioner.find_gaps(&mut conn).await?;
            if !gaps.is_empty() {
                gaps.push(format!(
                    "the admin role {} is no superuser and cannot change that: run once as a superuser \
                     `kontor tenant hardening-sql | psql -d {}` (docs/cloud.md)",
                    provisioner.admin_user, provisioner.database
                ));
            }
            for gap in &gaps {
                tracing::warn!(database = %provisioner.database, "{gap}");
            }
            provisioner.gaps = gaps;
        }
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
        self.lock_database(&mut tx).await?;
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
        // before PostgreSQL 15 CREATE) on `public`. Tenant roles get CONNECT back one by one,
        // nothing else. The database's owner may revoke these.
        exec(&mut *tx, format!("REVOKE ALL ON DATABASE {db} FROM PUBLIC")).await?;
        exec(&mut *tx, "REVOKE ALL ON SCHEMA public FROM PUBLIC".into()).await?;
        self.ensure_role(&mut tx, &ctl_role, true).await?;
        // Advisory locks, statistics, large objects: only a superuser may revoke those (else
        // `find_gaps` reports them afterwards). Only when something is missing: every GRANT
        // and REVOKE rewrites catalog rows, and this runs for every tenant command.
        if self.superuser && !self.find_gaps(&mut tx).await?.is_empty() {
            exec(&mut *tx, self.hardening_sql()).await?;
        }
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
    ///
    /// A role of the same name that this installation did not make (another installation's,
    /// maybe in another database of the cluster) is refused before anything about it changes.
    async fn ensure_role(
        &self,
        tx: &mut sqlx::AnyConnection,
        role: &str,
        inherit: bool,
    ) -> Result<()> {
        let verifier = new_verifier(&self.secret.role_password(role));
        let attributes = format!(
            "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE {} NOREPLICATION NOBYPASSRLS CONNECTION LIMIT 32",
            if inherit { "INHERIT" } else { "NOINHERIT" }
        );
        match self.role_owner(&mut *tx, role).await? {
            RoleOwner::Nobody => {
                exec(
                    &mut *tx,
                    format!("CREATE ROLE {role} {attributes} PASSWORD '{verifier}'"),
                )
                .await?;
                self.mark_role(&mut *tx, role).await?;
            }
            RoleOwner::Us => {
                exec(
                    &mut *tx,
                    format!("ALTER ROLE {role} {attributes} PASSWORD '{verifier}'"),
                )
                .await?;
            }
            RoleOwner::UsBeforeComments => {
                tracing::info!(role, "marking this installation's role as its own");
                exec(
                    &mut *tx,
                    format!("ALTER ROLE {role} {attributes} PASSWORD '{verifier}'"),
                )
                .await?;
                self.mark_role(&mut *tx, role).await?;
            }
            RoleOwner::Other(comment) => return Err(self.foreign_role(role, comment)),
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

    /// Whose `role` is (see [`RoleOwner`]).
    async fn role_owner(&self, conn: &mut sqlx::AnyConnection, role: &str) -> Result<RoleOwner> {
        let row = sqlx::query(
            "SELECT CAST(pg_catalog.shobj_description(r.oid, 'pg_authid') AS TEXT) AS comment, \
             CAST(CASE WHEN NOT r.rolsuper AND (\
                 EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n WHERE n.nspname = r.rolname AND n.nspowner = r.oid) \
                 OR EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a \
                            WHERE n.nspname = $2 AND a.grantee = r.oid AND a.privilege_type = 'USAGE')) \
             THEN 1 ELSE 0 END AS BIGINT) AS here \
             FROM pg_catalog.pg_roles r WHERE r.rolname = $1",
        )
        .bind(role)
        .bind(self.installation.control_schema())
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            return Ok(RoleOwner::Nobody);
        };
        let comment: Option<String> = row.try_get("comment")?;
        let here: i64 = row.try_get("here")?;
        Ok(
            if comment.as_deref() == Some(&self.installation.role_comment(&self.database)) {
                RoleOwner::Us
            } else if comment.is_none() && here == 1 {
                RoleOwner::UsBeforeComments
            } else {
                RoleOwner::Other(comment)
            },
        )
    }

    /// Records on the role that this installation made it (its `COMMENT ON ROLE`).
    async fn mark_role(&self, conn: &mut sqlx::AnyConnection, role: &str) -> Result<()> {
        let sql: String = sqlx::query("SELECT format('COMMENT ON ROLE %I IS %L', $1, $2) AS sql")
            .bind(role)
            .bind(self.installation.role_comment(&self.database))
            .fetch_one(&mut *conn)
            .await?
            .try_get("sql")?;
        exec(&mut *conn, sql).await
    }

    fn foreign_role(&self, role: &str, comment: Option<String>) -> StoreError {
        let whose = match comment {
            Some(c) => format!("its comment reads \"{c}\""),
            None => format!(
                "it is not marked as Kontor's and has nothing in database {}",
                self.database
            ),
        };
        StoreError::invalid(
            "--installation",
            format!(
                "{}: the database role {role} exists already and is not this installation's ({whose}). \
                 Roles are shared by every database of a PostgreSQL cluster, and Kontor does not take \
                 over another installation's role. Give this installation a name of its own with \
                 --installation NAME (or KONTOR_INSTALLATION); see docs/cloud.md",
                self.installation.name()
            ),
        )
    }

    /// Refuses to change `role` unless this installation made it.
    async fn check_role(&self, role: &str) -> Result<()> {
        let mut conn = self.admin.acquire().await?;
        match self.role_owner(&mut conn, role).await? {
            RoleOwner::Other(comment) => Err(self.foreign_role(role, comment)),
            _ => Ok(()),
        }
    }

    /// Serialises changes to database-wide grants (PostgreSQL fails concurrent GRANT/REVOKE on
    /// one object with "tuple concurrently updated"), for the transaction `tx`. Gives up after
    /// a minute, naming who holds the lock.
    async fn lock_database(&self, tx: &mut sqlx::AnyConnection) -> Result<()> {
        exec(
            &mut *tx,
            format!("SET LOCAL lock_timeout = '{PROVISIONING_LOCK_WAIT}'"),
        )
        .await?;
        let locked = sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
            .bind(PROVISIONING_LOCK.0)
            .bind(PROVISIONING_LOCK.1)
            .execute(&mut *tx)
            .await;
        match locked {
            Ok(_) => {}
            Err(e) if e.as_database_error().and_then(|d| d.code()).as_deref() == Some("55P03") => {
                let holders: Vec<String> = sqlx::query(
                    "SELECT CAST(a.usename AS TEXT) AS who, CAST(a.pid AS BIGINT) AS pid \
                     FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
                     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 \
                     AND l.classid = CAST($1 AS oid) AND l.objid = CAST($2 AS oid)",
                )
                .bind(i64::from(PROVISIONING_LOCK.0))
                .bind(i64::from(PROVISIONING_LOCK.1))
                .fetch_all(&self.admin)
                .await
                .unwrap_or_default()
                .iter()
                .filter_map(|r| {
                    let who: String = r.try_get("who").ok()?;
                    let pid: i64 = r.try_get("pid").ok()?;
                    Some(format!("role {who}, pid {pid}"))
                })
                .collect();
                return Err(StoreError::conflict(
                    ErrorCode::DatabaseUnavailable,
                    format!(
                        "database {}: another session has held Kontor's provisioning lock for {PROVISIONING_LOCK_WAIT} ({}); \
                         if it is not another kontor tenant command, end it with SELECT pg_terminate_backend(PID)",
                        self.database,
                        if holders.is_empty() {
                            "holder not visible".to_string()
                        } else {
                            holders.join("; ")
                        }
                    ),
                ));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(())
    }

    /// The statements that take away from every role what a tenant must not have in this
    /// database (advisory locks, statistics, large objects) and give back to Kontor's own roles
    /// what they use. A superuser must run them; with a superuser admin connection every
    /// `Provisioner` does. Idempotent.
    pub fn hardening_sql(&self) -> String {
        let mut roles = vec![self.installation.control_role()];
        if !self.superuser {
            roles.push(self.admin_role());
        }
        HARDENING_SQL.replace("{ROLES}", &roles.join(", "))
    }

    /// The admin connection's role, quoted for SQL.
    fn admin_role(&self) -> String {
        quote_ident(&self.admin_user)
    }

    /// What of [`Provisioner::hardening_sql`] this database still lacks, one sentence each;
    /// empty when nothing (always with a superuser admin connection, which applies it).
    pub fn hardening_gaps(&self) -> &[String] {
        &self.gaps
    }

    /// What of [`Provisioner::hardening_sql`] is missing, through `conn`: every function and
    /// view it covers (a PostgreSQL upgrade may bring new ones), and what it gives back.
    async fn find_gaps(&self, conn: &mut sqlx::AnyConnection) -> Result<Vec<String>> {
        let row = sqlx::query(
            "SELECT \
             (SELECT COUNT(*) FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace \
                AND (p.proname LIKE 'pg\\_advisory\\_%' OR p.proname LIKE 'pg\\_try\\_advisory\\_%') \
                AND has_function_privilege('public', p.oid, 'EXECUTE')) AS advisory, \
             (SELECT COUNT(*) FROM pg_catalog.pg_proc p WHERE p.pronamespace = 'pg_catalog'::regnamespace \
                AND (p.proname LIKE 'pg\\_stat\\_get\\_%' OR p.proname IN ('pg_relation_size', 'pg_total_relation_size', \
                     'pg_table_size', 'pg_indexes_size', 'pg_database_size', 'pg_tablespace_size', 'pg_lock_status')) \
                AND has_function_privilege('public', p.oid, 'EXECUTE')) \
             + (SELECT COUNT(*) FROM pg_catalog.pg_class c WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'v' \
                AND (c.relname LIKE 'pg\\_stat\\_%' OR c.relname LIKE 'pg\\_statio\\_%' OR c.relname = 'pg_locks') \
                AND has_table_privilege('public', c.oid, 'SELECT')) \
             + CAST(CASE WHEN has_table_privilege('public', 'pg_catalog.pg_class', 'SELECT') THEN 1 ELSE 0 END AS BIGINT) AS stats, \
             CAST(CASE WHEN has_function_privilege('public', 'pg_catalog.lo_creat(integer)', 'EXECUTE') THEN 1 ELSE 0 END AS BIGINT) AS lo, \
             CAST(CASE WHEN has_function_privilege($1, 'pg_catalog.pg_try_advisory_lock(integer, integer)', 'EXECUTE') \
                    AND has_table_privilege($1, 'pg_catalog.pg_stat_replication', 'SELECT') \
                    AND has_function_privilege(current_user, 'pg_catalog.pg_advisory_xact_lock(integer, integer)', 'EXECUTE') \
                    AND has_table_privilege(current_user, 'pg_catalog.pg_stat_activity', 'SELECT') THEN 0 ELSE 1 END AS BIGINT) AS kept",
        )
        .bind(self.installation.control_role())
        .fetch_one(&mut *conn)
        .await?;
        let mut gaps = Vec::new();
        let db = &self.database;
        if row.try_get::<i64, _>("advisory")? > 0 {
            gaps.push(format!("every role of database {db} may take advisory locks: a tenant could stop tenant commands and alerts"));
        }
        if row.try_get::<i64, _>("stats")? > 0 {
            gaps.push(format!("every role of database {db} may read statistics: a tenant sees other tenants' row counts and activity"));
        }
        if row.try_get::<i64, _>("lo")? > 0 {
            gaps.push(format!(
                "every role of database {db} may create large objects"
            ));
        }
        if row.try_get::<i64, _>("kept")? > 0 {
            gaps.push(format!(
                "the roles {} and {} lack what the revokes give back to them in database {db}",
                self.installation.control_role(),
                self.admin_user
            ));
        }
        Ok(gaps)
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
        self.lock_database(&mut tx).await?;
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
            self.check_role(&role).await?;
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
            self.check_role(&role).await?;
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
        self.check_role(&role).await?;
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
        self.check_role(&role).await?;
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
        self.check_role(&role).await?;
        exec(&self.admin, format!("ALTER ROLE {role} NOLOGIN")).await?;
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1",
        )
        .bind(&role)
        .execute(&self.admin)
        .await?;
        let mut tx = self.admin.begin().await?;
        self.lock_database(&mut tx).await?;
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
        self.lock_database(&mut tx).await?;
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
