//! `kontor tenant …` against PostgreSQL (cloud mode): create, list, suspend, resume, export,
//! delete, migrate, and the errors an operator sees. Runs when KONTOR_TEST_DATABASE_URL names a
//! PostgreSQL server (the postgres tier of scripts/test.sh).

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

struct Cloud {
    url: String,
    /// `None`: the database's default installation (no --installation).
    installation: Option<String>,
    secret_file: tempfile::NamedTempFile,
    dir: tempfile::TempDir,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

impl Cloud {
    fn new() -> Option<Cloud> {
        let Some(url) = kontor_storage::testing::postgres_url() else {
            eprintln!("skipped: tenant commands need PostgreSQL (set KONTOR_TEST_DATABASE_URL)");
            return None;
        };
        let mut secret_file = tempfile::NamedTempFile::new().unwrap();
        writeln!(secret_file, "{}", hex::encode(rand::random::<[u8; 32]>())).unwrap();
        Some(Cloud {
            url,
            installation: Some(format!("k{}", kontor_storage::testing::unique_schema())),
            secret_file,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    /// `kontor` with this installation's database, name and master secret, then `args`.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_kontor"));
        command
            .env_remove("KONTOR_DATABASE_URL")
            .env_remove("KONTOR_MASTER_SECRET")
            .env_remove("KONTOR_INSTALLATION")
            .env("KONTOR_LOG", "warn")
            .args(["--database", &self.url])
            .args(
                self.installation
                    .iter()
                    .flat_map(|name| ["--installation", name.as_str()]),
            )
            .arg("--master-secret-file")
            .arg(self.secret_file.path())
            .args(args);
        command
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    #[track_caller]
    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let out = self.run(args, stdin);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        text(&out.stdout)
    }

    #[track_caller]
    fn fails(&self, args: &[&str], stdin: &str, message: &str) {
        let out = self.run(args, stdin);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(
            text(&out.stderr).contains(message),
            "{args:?}: {}",
            text(&out.stderr)
        );
    }
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
    let Some(cloud) = Cloud::new() else { return };
    let password = "a long enough passphrase\n";

    cloud.fails(
        &["tenant", "create", "Bad Name", "--admin", "anna"],
        password,
        "tenant",
    );
    cloud.fails(
        &["tenant", "create", "acme", "--admin", "anna"],
        "short\n",
        "at least 12 characters",
    );
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
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("tenant acme created in"),
        "{}",
        text(&out.stderr)
    );
    cloud.fails(
        &["tenant", "create", "acme", "--admin", "anna"],
        password,
        "exists already",
    );
    cloud.ok(&["tenant", "create", "other", "--admin", "otto"], password);

    let list = cloud.ok(&["tenant", "list"], "");
    assert!(list.contains("acme\tactive\tACME GmbH\tv"), "{list}");
    assert!(list.contains("other\tactive"), "{list}");

    cloud.ok(&["tenant", "suspend", "acme"], "");
    assert!(
        cloud
            .ok(&["tenant", "list"], "")
            .contains("acme\tsuspended")
    );
    cloud.fails(&["tenant", "suspend", "acme"], "", "not active");
    cloud.fails(&["tenant", "suspend", "nobody"], "", "not found");

    // A suspended tenant can still be exported (the GDPR hand-back), and stays suspended.
    let zip = cloud.dir.path().join("acme.zip");
    cloud.fails(
        &["tenant", "delete", "acme", "--confirm", "acme"],
        "",
        "export acme first",
    );
    let out = cloud.run(
        &["tenant", "export", "acme", "--out", zip.to_str().unwrap()],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
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
            .ok(&["tenant", "list"], "")
            .contains("acme\tsuspended")
    );

    cloud.ok(&["tenant", "resume", "acme"], "");
    let migrate = cloud.run(&["tenant", "migrate"], "");
    assert!(migrate.status.success(), "{}", text(&migrate.stderr));
    assert!(
        text(&migrate.stderr).contains("0 migrated, 2 already current, 0 failed"),
        "{}",
        text(&migrate.stderr)
    );

    cloud.fails(
        &["tenant", "delete", "acme", "--confirm", "other"],
        "",
        "confirm",
    );
    cloud.ok(&["tenant", "delete", "acme", "--confirm", "acme"], "");
    assert!(cloud.ok(&["tenant", "list"], "").contains("acme\tdeleted"));
    cloud.fails(
        &["tenant", "export", "acme", "--out", zip.to_str().unwrap()],
        "",
        "deleted",
    );

    // Operator mistakes get a clear message.
    let out = Command::new(env!("CARGO_BIN_EXE_kontor"))
        .env_remove("KONTOR_DATABASE_URL")
        .env_remove("KONTOR_MASTER_SECRET")
        .env_remove("KONTOR_MASTER_SECRET_FILE")
        .args(["--database", &cloud.url, "tenant", "list"])
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("master secret"),
        "{}",
        text(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kontor"))
        .env_remove("KONTOR_DATABASE_URL")
        .args([
            "--data-dir",
            cloud.dir.path().to_str().unwrap(),
            "tenant",
            "list",
        ])
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("cloud mode needs PostgreSQL"),
        "{}",
        text(&out.stderr)
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

/// `kontor serve --cloud` of this installation on a free port, until dropped.
struct Server {
    child: std::process::Child,
    addr: String,
}

impl Server {
    fn start(cloud: &Cloud) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let server = Server {
            child: cloud
                .command(&[
                    "--data-dir",
                    cloud.dir.path().to_str().unwrap(),
                    "serve",
                    "--cloud",
                    "--listen",
                    &addr,
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .unwrap(),
            addr,
        };
        for _ in 0..200 {
            if let Ok(mut s) = std::net::TcpStream::connect(&server.addr) {
                s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .unwrap();
                let mut answer = String::new();
                let _ = s.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.1 200") {
                    return server;
                }
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("kontor serve --cloud did not start");
    }

    /// The status of `method path` at `tenant` (X-Kontor-Tenant) with `token`.
    async fn status(&self, method: reqwest::Method, path: &str, tenant: &str, token: &str) -> u16 {
        let mut request = reqwest::Client::new()
            .request(method.clone(), format!("http://{}{path}", self.addr))
            .bearer_auth(token)
            .header("x-kontor-tenant", tenant);
        if method == reqwest::Method::POST {
            request = request.json(&serde_json::json!({"name": "Neukunde", "is_customer": true}));
        }
        request.send().await.unwrap().status().as_u16()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn tenant_tokens_from_the_command_line() {
    let Some(cloud) = Cloud::new() else { return };
    let password = "a long enough passphrase\n";
    cloud.ok(&["tenant", "create", "acme", "--admin", "anna"], password);
    cloud.ok(&["tenant", "create", "other", "--admin", "otto"], password);

    // Only the token on standard output, as `kontor token create`; no password anywhere.
    let out = cloud.run(
        &["tenant", "token", "create", "acme", "ci", "--user", "anna"],
        "",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout);
    assert_eq!(token.lines().count(), 1, "{token}");
    let token = token.trim().to_string();
    assert!(
        token.len() >= 32 && !token.contains(char::is_whitespace),
        "{token}"
    );
    // The user may be left out when the tenant has one; --role limits the token.
    let auditor = cloud
        .ok(
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
        .trim()
        .to_string();
    cloud.fails(
        &["tenant", "token", "create", "nobody", "ci"],
        "",
        "not found",
    );
    cloud.fails(
        &["tenant", "token", "create", "acme", "ci", "--user", "otto"],
        "",
        "otto",
    );
    cloud.fails(
        &["tenant", "token", "create", "acme", "ci", "--role", "boss"],
        "",
        "unknown role",
    );

    let server = Server::start(&cloud);
    let get = reqwest::Method::GET;
    assert_eq!(
        server
            .status(get.clone(), "/api/v1/contacts", "acme", &token)
            .await,
        200
    );
    assert_eq!(
        server
            .status(get.clone(), "/api/v1/contacts", "other", &token)
            .await,
        401,
        "a token means nothing at another tenant"
    );
    assert_eq!(
        server
            .status(get.clone(), "/api/v1/contacts", "acme", &auditor)
            .await,
        200
    );
    assert_eq!(
        server
            .status(reqwest::Method::POST, "/api/v1/contacts", "acme", &auditor)
            .await,
        403,
        "the auditor token cannot write"
    );
    drop(server);

    // A suspended tenant gets no new tokens.
    cloud.ok(&["tenant", "suspend", "acme"], "");
    cloud.fails(
        &["tenant", "token", "create", "acme", "ci"],
        "",
        "suspended, not active",
    );
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
    let Some(mut cloud) = Cloud::new() else {
        return;
    };
    let admin_url = cloud.url.clone();
    let mut scratch = ScratchDatabase::new(&admin_url).await;
    let database = scratch.name.clone();
    let expected = kontor_storage::tenants::Installation::for_database(&database);
    scratch
        .roles
        .extend([expected.tenant_role(1), expected.control_role()]);
    // No --installation: the database's own.
    cloud.installation = None;
    cloud.url = scratch.url();
    cloud.ok(
        &["tenant", "create", "acme", "--admin", "anna"],
        "a long enough passphrase\n",
    );
    assert!(cloud.ok(&["tenant", "list"], "").contains("acme\tactive"));
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
    let sql = cloud.ok(&["tenant", "hardening-sql"], "");
    assert!(
        sql.contains("FROM PUBLIC") && sql.contains(&expected.control_role()),
        "{sql}"
    );
    // The same name for an installation in another database: refused, saying what to do.
    cloud.url = admin_url;
    cloud.installation = Some(expected.name().to_string());
    cloud.fails(
        &["tenant", "list"],
        "",
        &format!(
            "the database role {} exists already",
            expected.control_role()
        ),
    );
    cloud.fails(&["tenant", "list"], "", "--installation NAME");
}
