//! `kontor tenant …` against PostgreSQL (cloud mode): create, list, suspend, resume, export,
//! delete, migrate, and the errors an operator sees. Runs when KONTOR_TEST_DATABASE_URL names a
//! PostgreSQL server (the postgres tier of scripts/test.sh).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::io::Read;
use std::process::Command;

use kontor_testkit::Kontor;
use kontor_testkit::cloud::TestInstallation;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

/// Lists the entries of a ZIP with Python's zipfile (an independent reader), testing every CRC.
fn zip_entries(path: &std::path::Path) -> Vec<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); bad = z.testzip(); \
             assert bad is None, bad; print('\\n'.join(z.namelist()))",
        ])
        .arg(path)
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).lines().map(str::to_string).collect()
}

#[test]
fn tenant_lifecycle_from_the_command_line() {
    let Some(installation) = TestInstallation::new("tenant commands") else {
        return;
    };
    // The secret in a file, as an operator passes it.
    let secret_file = installation.secret_file();
    let dir = tempfile::tempdir().unwrap();
    let cloud = Kontor::new(env!("CARGO_BIN_EXE_kontor"))
        .args(["--database", &installation.admin_url])
        .args(["--installation", &installation.name])
        .arg("--master-secret-file")
        .arg(secret_file.path());
    let password = "a long enough passphrase\n";

    cloud
        .run(
            &["tenant", "create", "Bad Name", "--admin", "anna"],
            password,
        )
        .fails("tenant");
    cloud
        .run(&["tenant", "create", "acme", "--admin", "anna"], "short\n")
        .fails("at least 12 characters");
    let out = cloud.run(
        &[
            "tenant",
            "create",
            "acme",
            "--admin",
            "anna",
            "--display-name",
            "ACME GmbH",
        ],
        password,
    );
    assert!(out.success(), "{}", out.stderr);
    assert!(
        out.stderr.contains("tenant acme created in"),
        "{}",
        out.stderr
    );
    cloud
        .run(&["tenant", "create", "acme", "--admin", "anna"], password)
        .fails("exists already");
    cloud
        .run(&["tenant", "create", "other", "--admin", "otto"], password)
        .ok();

    let list = cloud.run(&["tenant", "list"], "").ok().to_string();
    assert!(list.contains("acme\tactive\tACME GmbH\tv"), "{list}");
    assert!(list.contains("other\tactive"), "{list}");

    cloud.run(&["tenant", "suspend", "acme"], "").ok();
    assert!(
        cloud
            .run(&["tenant", "list"], "")
            .ok()
            .contains("acme\tsuspended")
    );
    cloud
        .run(&["tenant", "suspend", "acme"], "")
        .fails("not active");
    cloud
        .run(&["tenant", "suspend", "nobody"], "")
        .fails("not found");

    // A suspended tenant can still be exported (the GDPR hand-back), and stays suspended.
    let zip = dir.path().join("acme.zip");
    cloud
        .run(&["tenant", "delete", "acme", "--confirm", "acme"], "")
        .fails("export acme first");
    let out = cloud.run(
        &["tenant", "export", "acme", "--out", zip.to_str().unwrap()],
        "",
    );
    assert!(out.success(), "{}", out.stderr);
    let entries = zip_entries(&zip);
    for expected in [
        "manifest.json",
        "tables/users.json",
        "tables/users.csv",
        "tables/audit_log.json",
        "tables/company.json",
    ] {
        assert!(
            entries.iter().any(|e| e == expected),
            "{expected} in {entries:?}"
        );
    }
    assert!(
        !entries.iter().any(|e| e.contains("sessions")),
        "{entries:?}"
    );
    let mut users = String::new();
    zip_member(&zip, "tables/users.json")
        .read_to_string(&mut users)
        .unwrap();
    assert!(users.contains("\"anna\""), "{users}");
    assert!(
        !users.contains("password_hash") && !users.contains("argon2"),
        "{users}"
    );
    assert!(
        cloud
            .run(&["tenant", "list"], "")
            .ok()
            .contains("acme\tsuspended")
    );

    cloud.run(&["tenant", "resume", "acme"], "").ok();
    let migrate = cloud.run(&["tenant", "migrate"], "");
    assert!(migrate.success(), "{}", migrate.stderr);
    assert!(
        migrate
            .stderr
            .contains("0 migrated, 2 already current, 0 failed"),
        "{}",
        migrate.stderr
    );

    cloud
        .run(&["tenant", "delete", "acme", "--confirm", "other"], "")
        .fails("confirm");
    cloud
        .run(&["tenant", "delete", "acme", "--confirm", "acme"], "")
        .ok();
    assert!(
        cloud
            .run(&["tenant", "list"], "")
            .ok()
            .contains("acme\tdeleted")
    );
    cloud
        .run(
            &["tenant", "export", "acme", "--out", zip.to_str().unwrap()],
            "",
        )
        .fails("deleted");

    // Operator mistakes get a clear message.
    let out = Kontor::new(env!("CARGO_BIN_EXE_kontor"))
        .args(["--database", &installation.admin_url])
        .run(&["tenant", "list"], "");
    assert!(out.stderr.contains("master secret"), "{}", out.stderr);
    let out = Kontor::new(env!("CARGO_BIN_EXE_kontor"))
        .data_dir(dir.path())
        .run(&["tenant", "list"], "");
    assert!(
        out.stderr.contains("cloud mode needs PostgreSQL"),
        "{}",
        out.stderr
    );
}

/// One member of a ZIP, read with Python's zipfile.
fn zip_member(path: &std::path::Path, name: &str) -> std::io::Cursor<Vec<u8>> {
    let out = Command::new("python3")
        .args(["-c", "import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))"])
        .arg(path)
        .arg(name)
        .output()
        .expect("python3");
    assert!(out.status.success(), "{}", text(&out.stderr));
    std::io::Cursor::new(out.stdout)
}

const KONTOR: &str = env!("CARGO_BIN_EXE_kontor");

/// The status of `method path` at `tenant` (X-Kontor-Tenant) with `token`.
async fn status_at(
    server: &kontor_testkit::Binary,
    method: reqwest::Method,
    path: &str,
    tenant: &str,
    token: &str,
) -> u16 {
    let mut request = reqwest::Client::new()
        .request(method.clone(), server.url(path))
        .bearer_auth(token)
        .header("x-kontor-tenant", tenant);
    if method == reqwest::Method::POST {
        request = request.json(&serde_json::json!({"name": "Neukunde", "is_customer": true}));
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn tenant_tokens_from_the_command_line() {
    let Some(cloud) = TestInstallation::new("tenant tokens") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let kontor = cloud.kontor(KONTOR).data_dir(dir.path());
    let password = "a long enough passphrase\n";
    kontor
        .run(&["tenant", "create", "acme", "--admin", "anna"], password)
        .ok();
    kontor
        .run(&["tenant", "create", "other", "--admin", "otto"], password)
        .ok();

    // Only the token on standard output, as `kontor token create`; no password anywhere.
    let run = kontor.run(
        &["tenant", "token", "create", "acme", "ci", "--user", "anna"],
        "",
    );
    let token = run.ok().to_string();
    assert_eq!(token.lines().count(), 1, "{token}");
    let token = token.trim().to_string();
    assert!(
        token.len() >= 32 && !token.contains(char::is_whitespace),
        "{token}"
    );
    // The user may be left out when the tenant has one; --role limits the token.
    let auditor = kontor
        .run(
            &[
                "tenant",
                "token",
                "create",
                "acme",
                "read-only",
                "--role",
                "auditor",
            ],
            "",
        )
        .ok()
        .trim()
        .to_string();
    kontor
        .run(&["tenant", "token", "create", "nobody", "ci"], "")
        .fails("not found");
    kontor
        .run(
            &["tenant", "token", "create", "acme", "ci", "--user", "otto"],
            "",
        )
        .fails("otto");
    kontor
        .run(
            &["tenant", "token", "create", "acme", "ci", "--role", "boss"],
            "",
        )
        .fails("unknown role");

    let server = kontor
        .server(&["--cloud"])
        .ready_at("/healthz")
        .start()
        .await;
    let get = reqwest::Method::GET;
    assert_eq!(
        status_at(&server, get.clone(), "/api/v1/contacts", "acme", &token).await,
        200
    );
    assert_eq!(
        status_at(&server, get.clone(), "/api/v1/contacts", "other", &token).await,
        401,
        "a token means nothing at another tenant"
    );
    assert_eq!(
        status_at(&server, get.clone(), "/api/v1/contacts", "acme", &auditor).await,
        200
    );
    assert_eq!(
        status_at(
            &server,
            reqwest::Method::POST,
            "/api/v1/contacts",
            "acme",
            &auditor
        )
        .await,
        403,
        "the auditor token cannot write"
    );
    drop(server);

    // A suspended tenant gets no new tokens.
    kontor.run(&["tenant", "suspend", "acme"], "").ok();
    kontor
        .run(&["tenant", "token", "create", "acme", "ci"], "")
        .fails("suspended, not active");
}

/// A database of its own on the test cluster, dropped on drop with the roles in `roles`.
struct ScratchDatabase {
    admin_url: String,
    name: String,
    roles: Vec<String>,
}

impl ScratchDatabase {
    async fn new(admin_url: &str) -> ScratchDatabase {
        sqlx::any::install_default_drivers();
        let name = format!("kdb{}", kontor_storage::testing::unique_schema());
        let admin = sqlx::any::AnyPoolOptions::new()
            .max_connections(1)
            .connect(admin_url)
            .await
            .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} TEMPLATE template0"
        )))
        .execute(&admin)
        .await
        .unwrap();
        admin.close().await;
        ScratchDatabase {
            admin_url: admin_url.to_string(),
            name,
            roles: Vec::new(),
        }
    }

    fn url(&self) -> String {
        let (scheme, rest) = self.admin_url.split_once("://").unwrap();
        format!(
            "{scheme}://{}/{}",
            rest.split('/').next().unwrap(),
            self.name
        )
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // One by one: DROP DATABASE cannot run in the implicit transaction of several.
        let mut statements = vec![format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        )];
        statements.extend(
            self.roles
                .iter()
                .map(|role| format!("DROP ROLE IF EXISTS {role}")),
        );
        let url = self.admin_url.clone();
        // On a runtime of its own: the test's is going away.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    if let Ok(admin) = sqlx::any::AnyPoolOptions::new()
                        .max_connections(1)
                        .connect(&url)
                        .await
                    {
                        for sql in statements {
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                                .execute(&admin)
                                .await;
                        }
                    }
                })
        })
        .join();
    }
}

#[tokio::test]
async fn the_default_installation_is_the_databases_own() {
    let Some(cloud) = TestInstallation::new("default installation") else {
        return;
    };
    let admin_url = cloud.admin_url.clone();
    let mut scratch = ScratchDatabase::new(&admin_url).await;
    let database = scratch.name.clone();
    let expected = kontor_storage::tenants::Installation::for_database(&database);
    scratch
        .roles
        .extend([expected.tenant_role(1), expected.control_role()]);
    // No --installation: the database's own.
    let own = Kontor::new(KONTOR)
        .args(["--database", &scratch.url()])
        .env("KONTOR_MASTER_SECRET", &cloud.secret);
    own.run(
        &["tenant", "create", "acme", "--admin", "anna"],
        "a long enough passphrase\n",
    )
    .ok();
    assert!(
        own.run(&["tenant", "list"], "")
            .ok()
            .contains("acme\tactive")
    );
    let admin = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&admin_url)
        .await
        .unwrap();
    let comment: Option<String> = sqlx::query_scalar(
        "SELECT CAST(shobj_description(oid, 'pg_authid') AS TEXT) FROM pg_catalog.pg_roles WHERE rolname = $1",
    )
    .bind(expected.tenant_role(1))
    .fetch_one(&admin)
    .await
    .unwrap();
    admin.close().await;
    assert_eq!(
        comment,
        Some(format!(
            "kontor installation {} in database {database}",
            expected.name()
        ))
    );
    let sql = own.run(&["tenant", "hardening-sql"], "").ok().to_string();
    assert!(
        sql.contains("FROM PUBLIC") && sql.contains(&expected.control_role()),
        "{sql}"
    );
    // The same name for an installation in another database: refused, saying what to do.
    let other = Kontor::new(KONTOR)
        .args([
            "--database",
            admin_url.as_str(),
            "--installation",
            expected.name(),
        ])
        .env("KONTOR_MASTER_SECRET", &cloud.secret);
    other.run(&["tenant", "list"], "").fails(&format!(
        "the database role {} exists already",
        expected.control_role()
    ));
    other
        .run(&["tenant", "list"], "")
        .fails("--installation NAME");
}
