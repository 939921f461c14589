//! Cloud tenancy on PostgreSQL: provisioning and the tenant lifecycle, and attacks by one
//! tenant's database role on everything that is not its own. Runs when
//! KONTOR_TEST_DATABASE_URL names a PostgreSQL server (the postgres tier of scripts/test.sh);
//! each test uses an installation of its own, so tests run in parallel on one cluster.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use kontor_storage::tenants::{
    Directory, Installation, MasterSecret, Provisioner, Tenant, TenantPool, TenantState, url_as,
};
use kontor_storage::testing::{postgres_url, unique_schema};
use kontor_storage::{Actor, Store, StoreError};
use kontor_testkit::cloud::TestInstallation;
use kontor_testkit::fixtures::german_b2b;
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Row};

struct Cloud {
    admin_url: String,
    secret: MasterSecret,
    provisioner: Provisioner,
}

async fn cloud() -> Option<Cloud> {
    let installation = TestInstallation::new("tenancy")?;
    Some(Cloud {
        admin_url: installation.admin_url.clone(),
        secret: installation.master_secret(),
        provisioner: installation.provisioner().await,
    })
}

impl Cloud {
    fn role(&self, t: &Tenant) -> String {
        self.provisioner.installation().tenant_role(t.id)
    }

    /// A raw connection pool authenticated as the tenant's role (what an attacker with an SQL
    /// injection in the tenant's session would hold).
    async fn as_tenant(&self, t: &Tenant) -> AnyPool {
        let role = self.role(t);
        let url = url_as(&self.admin_url, &role, &self.secret.role_password(&role)).unwrap();
        AnyPoolOptions::new()
            .max_connections(1)
            .after_connect({
                let role = role.clone();
                move |conn, _| {
                    let set = format!("SET search_path TO {role}");
                    Box::pin(async move {
                        sqlx::raw_sql(sqlx::AssertSqlSafe(set))
                            .execute(&mut *conn)
                            .await?;
                        Ok(())
                    })
                }
            })
            .connect(&url)
            .await
            .expect("tenant role connects")
    }

    async fn admin(&self) -> AnyPool {
        AnyPoolOptions::new()
            .max_connections(1)
            .connect(&self.admin_url)
            .await
            .unwrap()
    }
}

/// Asserts that PostgreSQL refuses `sql` for lack of privilege (SQLSTATE 42501).
async fn refused(pool: &AnyPool, sql: &str) {
    let result = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(pool)
        .await;
    match result {
        Ok(_) => panic!("allowed, but must be refused: {sql}"),
        Err(e) => {
            let code = e
                .as_database_error()
                .and_then(|d| d.code())
                .map(|c| c.to_string());
            assert_eq!(
                code.as_deref(),
                Some("42501"),
                "{sql}: expected insufficient_privilege, got {e}"
            );
        }
    }
}

async fn count(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get::<i64, _>(0)
        .unwrap()
}

async fn add_contact(store: &Store, name: &str) -> i64 {
    let input = kontor_domain::ContactData {
        name: name.into(),
        ..german_b2b()
    };
    store
        .create_contact(&Actor::cli(), &input)
        .await
        .expect("contact")
        .id
}

#[tokio::test]
async fn provisioning_and_lifecycle() {
    let Some(cloud) = cloud().await else { return };
    let p = &cloud.provisioner;

    let acme = p.create("acme", "ACME GmbH").await.unwrap();
    assert_eq!(acme.state, TenantState::Active);
    assert_eq!(
        acme.schema_version,
        kontor_storage::migrate::latest_version()
    );
    let err = p.create("acme", "again").await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                code: kontor_domain::ErrorCode::TenantExists,
                ..
            }
        ),
        "{err}"
    );
    let err = p.create("Bad Name", "x").await.unwrap_err().to_string();
    assert!(err.starts_with("tenant:"), "{err}");
    let err = p.create("ok-name", " ").await.unwrap_err().to_string();
    assert!(err.starts_with("name:"), "{err}");

    // The role: a login with nothing else, member of no role, owning its schema.
    let admin = cloud.admin().await;
    let role = cloud.role(&acme);
    let row = sqlx::query(
        "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication, rolbypassrls \
         FROM pg_catalog.pg_roles WHERE rolname = $1",
    )
    .bind(&role)
    .fetch_one(&admin)
    .await
    .unwrap();
    let flags: Vec<bool> = (0..7).map(|i| row.try_get::<bool, _>(i).unwrap()).collect();
    assert_eq!(flags, [true, false, false, false, false, false, false]);
    let memberships = count(
        &admin,
        &format!(
            "SELECT COUNT(*) FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.member WHERE r.rolname = '{role}'"
        ),
    )
    .await;
    assert_eq!(memberships, 0, "a tenant role is a member of no role");
    // The control role: a login member of no role either, but one that would use the
    // privileges of a role granted to it (pg_monitor for the replication check, see
    // docs/monitoring.md), which a tenant role would not.
    let ctl_role = p.installation().control_role();
    let row = sqlx::query(
        "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolinherit, rolreplication, rolbypassrls \
         FROM pg_catalog.pg_roles WHERE rolname = $1",
    )
    .bind(&ctl_role)
    .fetch_one(&admin)
    .await
    .unwrap();
    let flags: Vec<bool> = (0..7).map(|i| row.try_get::<bool, _>(i).unwrap()).collect();
    assert_eq!(flags, [true, false, false, false, true, false, false]);
    let memberships = count(
        &admin,
        &format!(
            "SELECT COUNT(*) FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles r ON r.oid = m.member WHERE r.rolname = '{ctl_role}'"
        ),
    )
    .await;
    assert_eq!(memberships, 0, "the control role is a member of no role");
    // With pg_monitor granted as the guide says, the control role (which serving instances
    // connect as) uses its privileges without SET ROLE.
    let directory = Directory::connect(
        &cloud.admin_url,
        p.installation().clone(),
        cloud.secret.clone(),
    )
    .await
    .unwrap();
    let monitors = |pool: AnyPool| async move {
        sqlx::query(
            "SELECT CAST(CASE WHEN pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') THEN 1 ELSE 0 END AS BIGINT) AS n",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap()
    };
    assert_eq!(monitors(directory.control_pool().clone()).await, 0);
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "GRANT pg_monitor TO {ctl_role}"
    )))
    .execute(&admin)
    .await
    .unwrap();
    assert_eq!(monitors(directory.control_pool().clone()).await, 1);
    directory.close().await;
    let owner: String = sqlx::query(
        "SELECT CAST(pg_catalog.pg_get_userbyid(nspowner) AS TEXT) AS o FROM pg_catalog.pg_namespace WHERE nspname = $1",
    )
    .bind(&role)
    .fetch_one(&admin)
    .await
    .unwrap()
    .try_get("o")
    .unwrap();
    assert_eq!(owner, role);
    // Tables created by migrations belong to the tenant's role, not to the admin.
    let foreign_tables = count(
        &admin,
        &format!(
            "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE schemaname = '{role}' AND tableowner <> '{role}'"
        ),
    )
    .await;
    assert_eq!(foreign_tables, 0);

    // The password PostgreSQL keeps is a SCRAM verifier of the derived password, not the password.
    let stored: String =
        sqlx::query("SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1")
            .bind(&role)
            .fetch_one(&admin)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
    assert!(stored.starts_with("SCRAM-SHA-256$4096:"), "{stored}");
    assert!(!stored.contains(&cloud.secret.role_password(&role)));

    // A directory (what `serve` uses) finds the tenant and opens its store as its role.
    let directory = Directory::connect(
        &cloud.admin_url,
        p.installation().clone(),
        cloud.secret.clone(),
    )
    .await
    .unwrap();
    let found = directory.find("acme").await.unwrap().unwrap();
    assert_eq!(found, acme);
    assert!(directory.find("nobody").await.unwrap().is_none());
    assert!(directory.find("x'; select 1; --").await.unwrap().is_none());
    let store = directory.open(&acme, TenantPool::default()).await.unwrap();
    let user: String = sqlx::query("SELECT CAST(current_user AS TEXT) AS u")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("u")
        .unwrap();
    assert_eq!(user, role);
    add_contact(&store, "Kunde A").await;
    store.close().await;

    // Suspended: the role cannot log in at all.
    let suspended = p.suspend("acme").await.unwrap();
    assert_eq!(suspended.state, TenantState::Suspended);
    let err = match directory.open(&acme, TenantPool::default()).await {
        Ok(_) => panic!("a suspended tenant's role logged in"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("not permitted to log in"), "{err}");
    assert!(p.suspend("acme").await.is_err());
    // Migrating all tenants works on suspended ones too, and leaves them suspended.
    let report = p.migrate_all().await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.current, 1);
    assert!(directory.open(&acme, TenantPool::default()).await.is_err());
    assert_eq!(p.resume("acme").await.unwrap().state, TenantState::Active);
    let store = directory.open(&acme, TenantPool::default()).await.unwrap();
    assert_eq!(
        count(store.pool(), "SELECT COUNT(*) FROM contacts").await,
        1
    );
    store.close().await;

    // Deleting needs an export first and the name repeated.
    let err = p.delete("acme", "acme").await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                code: kontor_domain::ErrorCode::NotExported,
                ..
            }
        ),
        "{err}"
    );
    p.record_export("acme").await.unwrap();
    let err = p.delete("acme", "acm").await.unwrap_err().to_string();
    assert!(err.starts_with("confirm:"), "{err}");
    let deleted = p.delete("acme", "acme").await.unwrap();
    assert_eq!(deleted.state, TenantState::Deleted);
    let left = count(
        &admin,
        &format!(
            "SELECT (SELECT COUNT(*) FROM pg_catalog.pg_roles WHERE rolname = '{role}') + \
             (SELECT COUNT(*) FROM pg_catalog.pg_namespace WHERE nspname = '{role}')"
        ),
    )
    .await;
    assert_eq!(left, 0, "role and schema are gone");
    assert!(directory.open(&acme, TenantPool::default()).await.is_err());
    assert!(
        p.create("acme", "new").await.is_err(),
        "a deleted name is not reused"
    );
    assert_eq!(p.list().await.unwrap().len(), 1);
}

#[tokio::test]
async fn interrupted_provisioning_resumes() {
    let Some(cloud) = cloud().await else { return };
    let p = &cloud.provisioner;
    let admin = cloud.admin().await;
    let t = p.create("resume", "Resume AG").await.unwrap();
    let role = cloud.role(&t);
    // Simulate a crash after the role and schema existed but before the migrations ended.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {role}.kontor_migrations WHERE version = 5; UPDATE {ctl}.tenants SET state = 'provisioning', schema_version = 0",
        ctl = p.installation().control_schema()
    )))
    .execute(&admin)
    .await
    .unwrap();
    // Re-applying migration 5 (list indexes) needs its indexes gone, as after a crash.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP INDEX {role}.contacts_archived_name, {role}.articles_active_name, \
         {role}.documents_status_type_id, {role}.documents_id_search"
    )))
    .execute(&admin)
    .await
    .unwrap();
    let report = p.migrate_all().await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(report.migrated, vec!["resume".to_string()]);
    let t = p.get("resume").await.unwrap();
    assert_eq!(t.state, TenantState::Active);
    assert_eq!(t.schema_version, kontor_storage::migrate::latest_version());
}

#[tokio::test]
async fn a_tenant_role_reaches_nothing_but_its_own_schema() {
    let Some(cloud) = cloud().await else { return };
    let p = &cloud.provisioner;
    let a = p.create("tenant-a", "A").await.unwrap();
    let b = p.create("tenant-b", "B").await.unwrap();
    let (role_a, role_b) = (cloud.role(&a), cloud.role(&b));
    let ctl = p.installation().control_schema();
    let store_b = p.open_tenant(&b).await.unwrap();
    add_contact(&store_b, "Geheim GmbH").await;
    let admin = cloud.admin().await;
    let large_object: i64 = sqlx::query("SELECT CAST(lo_from_bytea(0, 'geheim') AS BIGINT) AS o")
        .fetch_one(&admin)
        .await
        .unwrap()
        .try_get("o")
        .unwrap();

    let attacker = cloud.as_tenant(&a).await;
    // Its own data works (the attacks below fail for privilege, not for being broken).
    assert_eq!(count(&attacker, "SELECT COUNT(*) FROM contacts").await, 0);
    sqlx::raw_sql("CREATE TABLE mine (x INT); DROP TABLE mine")
        .execute(&attacker)
        .await
        .expect("a tenant may change its own schema");

    // Other tenants, the control schema, credentials.
    refused(&attacker, &format!("SELECT * FROM {role_b}.contacts")).await;
    refused(&attacker, &format!("SELECT * FROM {role_b}.users")).await;
    refused(
        &attacker,
        &format!("INSERT INTO {role_b}.settings VALUES ('x', 'y', 'z')"),
    )
    .await;
    refused(&attacker, &format!("DROP SCHEMA {role_b} CASCADE")).await;
    refused(
        &attacker,
        &format!("ALTER SCHEMA {role_b} OWNER TO {role_a}"),
    )
    .await;
    refused(&attacker, &format!("SELECT * FROM {ctl}.tenants")).await;
    refused(
        &attacker,
        &format!("UPDATE {ctl}.tenants SET state = 'active'"),
    )
    .await;
    refused(&attacker, "SELECT * FROM pg_catalog.pg_authid").await;
    refused(&attacker, "SELECT rolpassword FROM pg_catalog.pg_authid").await;
    refused(&attacker, "SELECT passwd FROM pg_catalog.pg_shadow").await;
    // Server files and programs.
    refused(&attacker, "SELECT pg_read_file('/etc/passwd')").await;
    refused(&attacker, "SELECT pg_read_binary_file('/etc/passwd')").await;
    refused(&attacker, "SELECT pg_ls_dir('.')").await;
    refused(&attacker, "SELECT pg_stat_file('postgresql.conf')").await;
    refused(
        &attacker,
        "CREATE TABLE loot (line TEXT); COPY loot FROM '/etc/passwd'",
    )
    .await;
    refused(&attacker, "COPY (SELECT 1) TO '/tmp/kontor-pwned'").await;
    refused(
        &attacker,
        "CREATE TABLE cmd (line TEXT); COPY cmd FROM PROGRAM 'id'",
    )
    .await;
    // Large objects: neither others' nor new ones.
    refused(&attacker, &format!("SELECT lo_get({large_object})")).await;
    refused(&attacker, "SELECT lo_create(0)").await;
    refused(&attacker, "SELECT lo_creat(-1)").await;
    refused(&attacker, "SELECT lo_from_bytea(0, 'x')").await;
    refused(&attacker, "SELECT lo_import('/etc/passwd')").await;
    // Shared schemas and the database.
    refused(&attacker, "CREATE TABLE public.planted (x INT)").await;
    refused(
        &attacker,
        "CREATE FUNCTION public.planted() RETURNS INT LANGUAGE sql AS 'SELECT 1'",
    )
    .await;
    refused(
        &attacker,
        "CREATE FUNCTION pg_catalog.planted() RETURNS INT LANGUAGE sql AS 'SELECT 1'",
    )
    .await;
    refused(&attacker, "CREATE SCHEMA planted").await;
    refused(&attacker, "CREATE TEMP TABLE planted (x INT)").await;
    refused(&attacker, "CREATE EXTENSION IF NOT EXISTS dblink").await;
    // Becoming someone else.
    refused(&attacker, &format!("SET ROLE {role_b}")).await;
    refused(&attacker, "SET ROLE postgres").await;
    refused(&attacker, &format!("SET SESSION AUTHORIZATION {role_b}")).await;
    refused(&attacker, "SET SESSION AUTHORIZATION postgres").await;
    refused(&attacker, &format!("GRANT {role_b} TO {role_a}")).await;
    refused(&attacker, &format!("ALTER ROLE {role_a} SUPERUSER")).await;
    refused(&attacker, &format!("ALTER ROLE {role_a} BYPASSRLS")).await;
    refused(&attacker, &format!("ALTER ROLE {role_b} PASSWORD 'x'")).await;
    refused(&attacker, "CREATE ROLE planted LOGIN").await;
    // Giving its own schema away so that another could plant things there is pointless, but
    // handing objects to other roles is refused too.
    refused(
        &attacker,
        &format!("ALTER SCHEMA {role_a} OWNER TO {role_b}"),
    )
    .await;
    refused(&attacker, "ALTER SYSTEM SET log_statement = 'none'").await;
    refused(
        &attacker,
        &format!("SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = '{role_b}'"),
    )
    .await;
    assert_eq!(
        count(
            &attacker,
            &format!("SELECT CAST(has_schema_privilege('{role_b}', 'USAGE') AS INT) + CAST(has_schema_privilege('{ctl}', 'USAGE') AS INT) + CAST(has_schema_privilege('public', 'USAGE') AS INT)")
        )
        .await,
        0
    );

    // Nothing of B changed.
    assert_eq!(
        count(&admin, &format!("SELECT COUNT(*) FROM {role_b}.contacts")).await,
        1
    );
    assert_eq!(p.get("tenant-b").await.unwrap().state, TenantState::Active);
    attacker.close().await;
}

#[tokio::test]
async fn tenant_credentials_are_its_own() {
    let Some(cloud) = cloud().await else { return };
    let p = &cloud.provisioner;
    let a = p.create("cred-a", "A").await.unwrap();
    let b = p.create("cred-b", "B").await.unwrap();
    let (role_a, role_b) = (cloud.role(&a), cloud.role(&b));
    let admin = cloud.admin().await;
    // Whether this server checks passwords on 127.0.0.1 for roles other than the superuser
    // (scripts/pg-throwaway.sh configures scram-sha-256 for them; a trust-only server cannot
    // tell credentials apart, which is then reported and the password checks skipped).
    // The first rule that matches the tenant role on 127.0.0.1 decides.
    let method: String = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT CAST(auth_method AS TEXT) AS m FROM pg_catalog.pg_hba_file_rules WHERE type = 'host' \
         AND address = '127.0.0.1' AND ('all' = ANY(user_name) OR '{role_a}' = ANY(user_name)) \
         AND ('all' = ANY(database) OR current_database() = ANY(database)) ORDER BY line_number LIMIT 1"
    )))
    .fetch_one(&admin)
    .await
    .unwrap()
    .try_get("m")
    .unwrap();
    let trusted = i64::from(method == "trust");
    if trusted > 0 {
        eprintln!(
            "note: pg_hba.conf trusts every role on 127.0.0.1; the password checks need a server \
             that asks for passwords (scripts/pg-throwaway.sh)"
        );
        return;
    }
    let connect = |user: String, password: String| {
        let url = url_as(&cloud.admin_url, &user, &password).unwrap();
        async move {
            AnyPoolOptions::new()
                .max_connections(1)
                .connect(&url)
                .await
                .map(|_| ())
        }
    };
    connect(role_a.clone(), cloud.secret.role_password(&role_a))
        .await
        .expect("A with A's password");
    for (user, password) in [
        (role_a.clone(), cloud.secret.role_password(&role_b)),
        (role_b.clone(), cloud.secret.role_password(&role_a)),
        (role_a.clone(), String::from("guess")),
        (
            role_a.clone(),
            MasterSecret::new(vec![7u8; 32])
                .unwrap()
                .role_password(&role_a),
        ),
    ] {
        let err = connect(user.clone(), password).await.unwrap_err();
        let code = err
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.to_string());
        assert_eq!(code.as_deref(), Some("28P01"), "{user}: {err}");
    }
}

#[tokio::test]
async fn injected_names_change_nothing() {
    let Some(cloud) = cloud().await else { return };
    let p = &cloud.provisioner;
    let victim = p.create("victim", "Victim").await.unwrap();
    let victim_role = cloud.role(&victim);
    let ctl = p.installation().control_schema();
    let evil = format!("'; DROP SCHEMA {victim_role} CASCADE; DROP TABLE {ctl}.tenants; --");
    for slug in [
        evil.as_str(),
        "a\"; drop schema x; --",
        "victim; --",
        "x'--",
    ] {
        let err = p.create(slug, "x").await.unwrap_err().to_string();
        assert!(err.starts_with("tenant:"), "{slug}: {err}");
    }
    // As a display name and as data inside a tenant, the text is kept literally.
    let attacker = p.create("attacker", &evil).await.unwrap();
    assert_eq!(attacker.name, evil);
    let store = p.open_tenant(&attacker).await.unwrap();
    let id = add_contact(&store, &evil).await;
    assert_eq!(store.contact(id).await.unwrap().data.name, evil);
    let admin = cloud.admin().await;
    assert_eq!(
        count(
            &admin,
            &format!(
                "SELECT COUNT(*) FROM pg_catalog.pg_namespace WHERE nspname = '{victim_role}'"
            )
        )
        .await,
        1
    );
    assert_eq!(p.list().await.unwrap().len(), 2);
}

/// `base` pointing at database `database` instead (same server and credentials).
fn url_for_database(base: &str, database: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap();
    let authority = rest.split('/').next().unwrap();
    format!("{scheme}://{authority}/{database}")
}

/// Two new databases on the test cluster, dropped (with every connection to them) on drop,
/// together with the roles named in `roles`.
struct Databases {
    admin_url: String,
    names: Vec<String>,
    roles: Vec<String>,
}

impl Databases {
    async fn new(admin_url: &str, count: usize) -> Databases {
        sqlx::any::install_default_drivers();
        let admin = AnyPoolOptions::new()
            .max_connections(1)
            .connect(admin_url)
            .await
            .unwrap();
        let base = unique_schema();
        let mut names = Vec::new();
        for i in 0..count {
            let name = format!("kdb{base}_{i}");
            // template0: nobody is connected to it, so parallel tests can copy it at once.
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {name} TEMPLATE template0"
            )))
            .execute(&admin)
            .await
            .unwrap();
            names.push(name);
        }
        admin.close().await;
        Databases {
            admin_url: admin_url.to_string(),
            names,
            roles: Vec::new(),
        }
    }

    fn url(&self, i: usize) -> String {
        url_for_database(&self.admin_url, &self.names[i])
    }
}

impl Drop for Databases {
    fn drop(&mut self) {
        let (url, names, roles) = (
            self.admin_url.clone(),
            self.names.clone(),
            self.roles.clone(),
        );
        // Best effort, on a runtime of its own: the test's runtime is going away.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let Ok(admin) = AnyPoolOptions::new().max_connections(1).connect(&url).await else {
                    return;
                };
                for name in names {
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&admin)
                    .await;
                }
                for role in roles {
                    let _ =
                        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP ROLE IF EXISTS {role}")))
                            .execute(&admin)
                            .await;
                }
            })
        })
        .join();
    }
}

async fn verifier_of(admin: &AnyPool, role: &str) -> String {
    sqlx::query("SELECT rolpassword FROM pg_catalog.pg_authid WHERE rolname = $1")
        .bind(role)
        .fetch_one(admin)
        .await
        .unwrap()
        .try_get(0)
        .unwrap()
}

#[tokio::test]
async fn installations_in_two_databases_keep_their_roles() {
    let Some(admin_url) = postgres_url() else {
        eprintln!("skipped: tenancy needs PostgreSQL (set KONTOR_TEST_DATABASE_URL)");
        return;
    };
    let mut dbs = Databases::new(&admin_url, 2).await;
    let (url_a, url_b) = (dbs.url(0), dbs.url(1));
    let secret_a = MasterSecret::new(rand::random::<[u8; 32]>().to_vec()).unwrap();
    let secret_b = MasterSecret::new(rand::random::<[u8; 32]>().to_vec()).unwrap();
    let admin = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await
        .unwrap();

    // The default installation: each database its own name, so its own roles.
    let pa = Provisioner::connect_default(&url_a, secret_a.clone())
        .await
        .unwrap();
    let pb = Provisioner::connect_default(&url_b, secret_b.clone())
        .await
        .unwrap();
    let (ia, ib) = (pa.installation().clone(), pb.installation().clone());
    // A fresh database gets the revokes from a superuser's first tenant command.
    let in_a = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url_a)
        .await
        .unwrap();
    assert_eq!(
        count(
            &in_a,
            "SELECT CAST(has_function_privilege('public', 'pg_advisory_lock(bigint)', 'EXECUTE') AS INT) \
             + CAST(has_table_privilege('public', 'pg_stat_user_tables', 'SELECT') AS INT) \
             + CAST(has_table_privilege('public', 'pg_class', 'SELECT') AS INT)"
        )
        .await,
        0
    );
    in_a.close().await;
    assert_eq!(ia.name(), Installation::for_database(&dbs.names[0]).name());
    assert_ne!(ia.name(), ib.name());
    dbs.roles.extend([
        ia.tenant_role(1),
        ia.control_role(),
        ib.tenant_role(1),
        ib.control_role(),
    ]);
    let acme = pa.create("acme", "ACME").await.unwrap();
    let store = pa.open_tenant(&acme).await.unwrap();
    add_contact(&store, "Kunde A").await;
    store.close().await;
    let (role_a, ctl_a) = (ia.tenant_role(acme.id), ia.control_role());
    let before = (
        verifier_of(&admin, &role_a).await,
        verifier_of(&admin, &ctl_a).await,
    );
    // `tenant create` in the second database: its own role, nothing of the first touched.
    let zeta = pb.create("zeta", "Zeta").await.unwrap();
    assert_eq!(zeta.id, acme.id, "both first tenants have id 1");
    assert_ne!(ib.tenant_role(zeta.id), role_a);
    assert_eq!(
        (
            verifier_of(&admin, &role_a).await,
            verifier_of(&admin, &ctl_a).await
        ),
        before
    );
    // The first installation's tenant still logs in and serves (through the default
    // installation's directory, as `serve --cloud` without --installation).
    let directory = Directory::connect_default(&url_a, secret_a.clone())
        .await
        .unwrap();
    assert_eq!(directory.installation().name(), ia.name());
    let found = directory.find("acme").await.unwrap().unwrap();
    let store = directory.open(&found, TenantPool::default()).await.unwrap();
    assert_eq!(
        count(store.pool(), "SELECT COUNT(*) FROM contacts").await,
        1
    );
    store.close().await;
    directory.close().await;

    // The same name given to installations in both databases: the second is refused before
    // it changes anything of the first's, with a message naming the role and the way out.
    let name = format!("k{}", unique_schema());
    let shared = Installation::new(&name).unwrap();
    dbs.roles
        .extend([shared.tenant_role(1), shared.control_role()]);
    let first = Provisioner::connect(&url_a, shared.clone(), secret_a.clone())
        .await
        .unwrap();
    let t = first.create("first", "First").await.unwrap();
    let first_verifiers = (
        verifier_of(&admin, &shared.tenant_role(t.id)).await,
        verifier_of(&admin, &shared.control_role()).await,
    );
    let err = match Provisioner::connect(&url_b, shared.clone(), secret_b.clone()).await {
        Ok(_) => panic!("an installation took over another database's control role"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains(&shared.control_role()), "{err}");
    assert!(err.contains("--installation"), "{err}");
    assert!(err.contains(&dbs.names[0]), "names whose role it is: {err}");
    assert_eq!(
        (
            verifier_of(&admin, &shared.tenant_role(t.id)).await,
            verifier_of(&admin, &shared.control_role()).await
        ),
        first_verifiers
    );
    // Nothing was left behind in the second database either.
    let url_b_admin = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url_b)
        .await
        .unwrap();
    assert_eq!(
        count(
            &url_b_admin,
            &format!(
                "SELECT COUNT(*) FROM pg_catalog.pg_namespace WHERE nspname = '{}'",
                shared.control_schema()
            )
        )
        .await,
        0
    );
    url_b_admin.close().await;

    // A tenant role of that name made by someone else (here: a stray role with no comment and
    // nothing in the database) is refused too, and keeps its password.
    let other = Installation::new(&format!("k{}", unique_schema())).unwrap();
    let stray = other.tenant_role(1);
    dbs.roles.extend([stray.clone(), other.control_role()]);
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE ROLE {stray} LOGIN PASSWORD 'not kontor''s'"
    )))
    .execute(&admin)
    .await
    .unwrap();
    let stray_verifier = verifier_of(&admin, &stray).await;
    let po = Provisioner::connect(&url_b, other.clone(), secret_b.clone())
        .await
        .unwrap();
    let err = po.create("late", "Late").await.unwrap_err().to_string();
    assert!(
        err.contains(&stray) && err.contains("--installation"),
        "{err}"
    );
    assert_eq!(verifier_of(&admin, &stray).await, stray_verifier);
    po.close().await;

    // Roles made before roles were marked (no comment) are still recognised as this
    // installation's own by what they hold in its database, and marked.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "COMMENT ON ROLE {} IS NULL; COMMENT ON ROLE {} IS NULL",
        shared.tenant_role(t.id),
        shared.control_role()
    )))
    .execute(&admin)
    .await
    .unwrap();
    first.close().await;
    let again = Provisioner::connect(&url_a, shared.clone(), secret_a.clone())
        .await
        .unwrap();
    let report = again.migrate_all().await.unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    let marked = count(
        &admin,
        &format!(
            "SELECT COUNT(*) FROM pg_catalog.pg_roles WHERE rolname IN ('{}', '{}') \
             AND shobj_description(oid, 'pg_authid') = 'kontor installation {name} in database {}'",
            shared.tenant_role(t.id),
            shared.control_role(),
            dbs.names[0]
        ),
    )
    .await;
    assert_eq!(marked, 2);
    // ... but not from the other database, where they hold nothing.
    assert!(
        Provisioner::connect(&url_b, shared.clone(), secret_b.clone())
            .await
            .is_err()
    );
    again.close().await;
    pa.close().await;
    pb.close().await;
    admin.close().await;
}

/// A raw pool authenticated as `role` with its derived password.
async fn login_as(cloud: &Cloud, role: &str) -> AnyPool {
    let url = url_as(&cloud.admin_url, role, &cloud.secret.role_password(role)).unwrap();
    AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .unwrap_or_else(|e| panic!("{role} logs in: {e}"))
}

#[tokio::test]
async fn a_tenant_role_cannot_take_kontors_locks() {
    let Some(cloud) = cloud().await else { return };
    let p = &cloud.provisioner;
    let a = p.create("locks-a", "A").await.unwrap();
    let attacker = cloud.as_tenant(&a).await;
    // The keys Kontor used (provisioning 727275/0, watchdog 727275/hash, migrations 727274,
    // backups 727276) and any other: every advisory lock function is refused.
    for sql in [
        "SELECT pg_advisory_lock(727275, 0)",
        "SELECT pg_try_advisory_lock(727275, hashtext('installation:x'))",
        "SELECT pg_advisory_xact_lock(727275, 0)",
        "SELECT pg_try_advisory_xact_lock(727274, 1)",
        "SELECT pg_advisory_lock_shared(727275, 0)",
        "SELECT pg_advisory_xact_lock_shared(1)",
        "SELECT pg_try_advisory_lock_shared(1)",
        "SELECT pg_advisory_lock(1)",
        "SELECT pg_advisory_unlock(727275, 0)",
        "SELECT pg_advisory_unlock_all()",
    ] {
        refused(&attacker, sql).await;
    }
    attacker.close().await;
    // Kontor itself still works without them: a tenant's migrations (LOCK TABLE on its own
    // kontor_migrations), tenant create, and the control role's alert leadership lock.
    let b = p.create("locks-b", "B").await.unwrap();
    let store = p.open_tenant(&b).await.unwrap();
    store.close().await;
    let control = login_as(&cloud, &p.installation().control_role()).await;
    assert_eq!(
        count(
            &control,
            "SELECT CAST(CASE WHEN pg_try_advisory_lock(727275, hashtext('installation:x')) THEN 1 ELSE 0 END AS BIGINT)"
        )
        .await,
        1
    );
    control.close().await;
    assert!(p.hardening_gaps().is_empty(), "{:?}", p.hardening_gaps());
}

#[tokio::test]
async fn a_tenant_role_sees_no_statistics_of_others() {
    let Some(cloud) = cloud().await else { return };
    let p = &cloud.provisioner;
    let a = p.create("stats-a", "A").await.unwrap();
    let b = p.create("stats-b", "B").await.unwrap();
    let role_b = cloud.role(&b);
    let store_b = p.open_tenant(&b).await.unwrap();
    for i in 0..5 {
        add_contact(&store_b, &format!("Geheim {i}")).await;
    }
    store_b.close().await;
    let admin = cloud.admin().await;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ANALYZE {role_b}.contacts")))
        .execute(&admin)
        .await
        .unwrap();
    let b_contacts = format!(
        "(SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = '{role_b}' AND c.relname = 'contacts')"
    );

    let attacker = cloud.as_tenant(&a).await;
    for sql in [
        "SELECT relname, n_live_tup FROM pg_catalog.pg_stat_user_tables".to_string(),
        "SELECT relname FROM pg_catalog.pg_stat_all_tables".to_string(),
        "SELECT relname FROM pg_catalog.pg_stat_xact_user_tables".to_string(),
        "SELECT relname FROM pg_catalog.pg_statio_user_tables".to_string(),
        "SELECT indexrelname FROM pg_catalog.pg_stat_user_indexes".to_string(),
        "SELECT usename, query FROM pg_catalog.pg_stat_activity".to_string(),
        "SELECT tup_inserted FROM pg_catalog.pg_stat_database".to_string(),
        "SELECT relation FROM pg_catalog.pg_locks".to_string(),
        format!("SELECT pg_stat_get_live_tuples({b_contacts})"),
        format!("SELECT pg_stat_get_tuples_inserted({b_contacts})"),
        format!("SELECT pg_relation_size({b_contacts})"),
        format!("SELECT pg_total_relation_size({b_contacts})"),
        format!(
            "SELECT reltuples FROM pg_catalog.pg_class WHERE relname = 'contacts' AND relnamespace = CAST('{role_b}' AS regnamespace)"
        ),
        "SELECT relname, relpages FROM pg_catalog.pg_class".to_string(),
        "SELECT * FROM pg_catalog.pg_class".to_string(),
        "SELECT pg_database_size(current_database())".to_string(),
    ] {
        refused(&attacker, &sql).await;
    }
    // Names in the catalogs stay visible (accepted, see docs/cloud.md); nothing more.
    assert!(
        count(
            &attacker,
            &format!(
                "SELECT COUNT(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{role_b}'"
            )
        )
        .await
            > 0
    );
    // Its own tables work as before, and pg_stats shows only columns it may read.
    assert_eq!(count(&attacker, "SELECT COUNT(*) FROM contacts").await, 0);
    assert_eq!(
        count(
            &attacker,
            &format!("SELECT COUNT(*) FROM pg_catalog.pg_stats WHERE schemaname = '{role_b}'")
        )
        .await,
        0
    );
    attacker.close().await;

    // Kontor's monitoring keeps what it reads: the control role, the replication check.
    let control = login_as(&cloud, &p.installation().control_role()).await;
    count(
        &control,
        "SELECT COUNT(*) FROM pg_catalog.pg_stat_replication",
    )
    .await;
    control.close().await;
    admin.close().await;
}

/// The documented shell line that derives a role's password (docs/cloud.md), run as written
/// with `ROLE` and `SECRET_FILE` set; `None` when openssl is not installed.
fn documented_password(role: &str, secret_file: &std::path::Path) -> Option<String> {
    let docs = include_str!("../../../docs/cloud.md");
    let line = docs
        .lines()
        .find(|l| l.starts_with("printf 'kontor role password v1:"))
        .expect("docs/cloud.md shows how to derive a role password");
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        return None;
    }
    let out = std::process::Command::new("sh")
        .args(["-c", line])
        .env("ROLE", role)
        .env("SECRET_FILE", secret_file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{line}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap().trim().to_string())
}

/// Whether `password` is the one PostgreSQL's SCRAM-SHA-256 `verifier` was made from
/// (RFC 5802/7677, computed here from the verifier's salt and iteration count).
fn verifier_matches(verifier: &str, password: &str) -> bool {
    use base64::Engine;
    use hmac::Mac;
    let b64 = base64::engine::general_purpose::STANDARD;
    let rest = verifier.strip_prefix("SCRAM-SHA-256$").unwrap();
    let (params, keys) = rest.split_once('$').unwrap();
    let (iterations, salt) = params.split_once(':').unwrap();
    let (_, server_key) = keys.split_once(':').unwrap();
    let salted = pbkdf2::pbkdf2_hmac_array::<sha2::Sha256, 32>(
        password.as_bytes(),
        &b64.decode(salt).unwrap(),
        iterations.parse().unwrap(),
    );
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&salted).unwrap();
    mac.update(b"Server Key");
    b64.encode(mac.finalize().into_bytes()) == server_key
}

#[tokio::test]
async fn role_passwords_derive_as_documented() {
    let Some(admin_url) = postgres_url() else {
        eprintln!("skipped: tenancy needs PostgreSQL (set KONTOR_TEST_DATABASE_URL)");
        return;
    };
    // The secret as an operator keeps it: a file with one line (`openssl rand -hex 32 > …`).
    let text = hex::encode(rand::random::<[u8; 32]>());
    let mut file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut file, format!("{text}\n").as_bytes()).unwrap();
    let secret = MasterSecret::new(text.into_bytes()).unwrap();
    let installation = Installation::new(&format!("k{}", unique_schema())).unwrap();
    let p = Provisioner::connect(&admin_url, installation.clone(), secret)
        .await
        .unwrap();
    let t = p.create("derived", "Derived").await.unwrap();
    let admin = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await
        .unwrap();
    for role in [installation.tenant_role(t.id), installation.control_role()] {
        let Some(password) = documented_password(&role, file.path()) else {
            eprintln!("skipped: the documented derivation needs openssl");
            return;
        };
        assert_eq!(password.len(), 64, "{password}");
        let verifier = verifier_of(&admin, &role).await;
        assert!(
            verifier_matches(&verifier, &password),
            "{role}: the documented password is not the one PostgreSQL knows"
        );
        assert!(!verifier_matches(&verifier, "something else"));
        // And it logs in (where pg_hba.conf trusts 127.0.0.1 this proves less than the
        // verifier above).
        let url = url_as(&admin_url, &role, &password).unwrap();
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect(&url)
            .await
            .unwrap_or_else(|e| panic!("{role} with the documented password: {e}"));
        let user: String = sqlx::query("SELECT CAST(current_user AS TEXT) AS u")
            .fetch_one(&pool)
            .await
            .unwrap()
            .try_get("u")
            .unwrap();
        assert_eq!(user, role);
        pool.close().await;
    }
    p.close().await;
}

#[tokio::test]
async fn a_non_superuser_admin_is_told_what_a_superuser_must_run() {
    let Some(admin_url) = postgres_url() else {
        eprintln!("skipped: tenancy needs PostgreSQL (set KONTOR_TEST_DATABASE_URL)");
        return;
    };
    // As in deploy/patroni/README.md: an admin role with CREATEROLE that owns the database.
    let mut dbs = Databases::new(&admin_url, 1).await;
    let owner = format!("{}_admin", dbs.names[0]);
    let superuser = AnyPoolOptions::new()
        .max_connections(1)
        .connect(&dbs.url(0))
        .await
        .unwrap();
    // With a password: clusters that trust only the superuser (scripts/pg-throwaway.sh, CI)
    // make every other role log in with one.
    let password = hex::encode(rand::random::<[u8; 16]>());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD '{password}'; ALTER DATABASE {} OWNER TO {owner}",
        dbs.names[0]
    )))
    .execute(&superuser)
    .await
    .unwrap();
    let installation = Installation::new(&format!("k{}", unique_schema())).unwrap();
    dbs.roles
        .extend([installation.control_role(), owner.clone()]);
    let owner_url = url_as(&dbs.url(0), &owner, &password).unwrap();
    let secret = MasterSecret::new(rand::random::<[u8; 32]>().to_vec()).unwrap();
    let p = Provisioner::connect(&owner_url, installation.clone(), secret.clone())
        .await
        .unwrap();
    let gaps = p.hardening_gaps().join("\n");
    assert!(gaps.contains("advisory locks"), "{gaps}");
    assert!(gaps.contains("statistics"), "{gaps}");
    assert!(gaps.contains("hardening-sql"), "{gaps}");
    // What `kontor tenant hardening-sql` prints, run by a superuser, closes every gap and keeps
    // for the admin role and the control role what they use.
    let sql = p.hardening_sql();
    assert!(sql.contains(&format!("\"{owner}\"")), "{sql}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
        .execute(&superuser)
        .await
        .unwrap();
    p.close().await;
    let ctl = installation.control_role();
    let kept = count(
        &superuser,
        &format!(
            "SELECT CAST(has_function_privilege('public', 'pg_advisory_lock(bigint)', 'EXECUTE') AS INT)              + CAST(has_table_privilege('public', 'pg_stat_user_tables', 'SELECT') AS INT)              + CAST(has_table_privilege('public', 'pg_class', 'SELECT') AS INT)              + CAST(has_function_privilege('public', 'lo_creat(integer)', 'EXECUTE') AS INT)              + 10 * (CAST(has_function_privilege('{owner}', 'pg_advisory_xact_lock(integer, integer)', 'EXECUTE') AS INT)                      + CAST(has_table_privilege('{owner}', 'pg_stat_activity', 'SELECT') AS INT)                      + CAST(has_function_privilege('{ctl}', 'pg_try_advisory_lock(integer, integer)', 'EXECUTE') AS INT)                      + CAST(has_table_privilege('{ctl}', 'pg_stat_replication', 'SELECT') AS INT))"
        ),
    )
    .await;
    assert_eq!(
        kept, 40,
        "PUBLIC lost everything, Kontor's roles kept what they use"
    );
    superuser.close().await;
}

#[tokio::test]
async fn a_tenants_migrations_run_once_when_several_open_it_at_once() {
    let Some(cloud) = cloud().await else { return };
    let p = &cloud.provisioner;
    let t = p.create("racing", "Racing").await.unwrap();
    let role = cloud.role(&t);
    // Migration 5 (list indexes) missing, as after an interrupted upgrade.
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DELETE FROM {role}.kontor_migrations WHERE version = 5; \
         DROP INDEX {role}.contacts_archived_name, {role}.articles_active_name, \
         {role}.documents_status_type_id, {role}.documents_id_search"
    )))
    .execute(&cloud.admin().await)
    .await
    .unwrap();
    // Four serving instances open it at the same moment: each migrates as the tenant's role
    // (no advisory locks), the table lock lets one apply each migration, the others skip it.
    let directory = Directory::connect(
        &cloud.admin_url,
        p.installation().clone(),
        cloud.secret.clone(),
    )
    .await
    .unwrap();
    let opened =
        futures_util::future::join_all((0..4).map(|_| directory.open(&t, TenantPool::default())))
            .await;
    for store in opened {
        let store = store.expect("opens and migrates");
        assert_eq!(
            kontor_storage::migrate::current_version(store.pool())
                .await
                .unwrap(),
            kontor_storage::migrate::latest_version()
        );
        store.close().await;
    }
    directory.close().await;
}
