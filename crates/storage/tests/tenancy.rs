//! Cloud tenancy on PostgreSQL: provisioning and the tenant lifecycle, and attacks by one
//! tenant's database role on everything that is not its own. Runs when
//! KONTOR_TEST_DATABASE_URL names a PostgreSQL server (the postgres tier of scripts/test.sh);
//! each test uses an installation of its own, so tests run in parallel on one cluster.

use kontor_storage::tenants::{
    Directory, MasterSecret, Provisioner, Tenant, TenantPool, TenantState, url_as,
};
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
