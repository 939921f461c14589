//! The `kontor` command line against a real database: SQLite in a temporary data folder, or a
//! fresh PostgreSQL schema when KONTOR_TEST_DATABASE_URL is set.

use std::io::Write;
use std::process::{Command, Output, Stdio};

struct Env {
    dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let pg = kontor_storage::testing::postgres_url()
            .map(|url| (url, kontor_storage::testing::unique_schema()));
        Env { dir, pg }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_kontor"));
        c.env_remove("KONTOR_DATABASE_URL")
            .env("KONTOR_LOG", "warn");
        match &self.pg {
            Some((url, schema)) => c.args(["--database", url, "--schema", schema]),
            None => c.args(["--data-dir", self.dir.path().to_str().unwrap()]),
        };
        c.args(args);
        c
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .cmd(args)
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
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[test]
fn users_tokens_and_audit_from_the_command_line() {
    let env = Env::new();
    let out = env.run(&["user", "add", "anna", "--role", "admin"], "short\n");
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("password must be at least 12 characters"),
        "{}",
        text(&out.stderr)
    );

    let out = env.run(
        &["user", "add", "anna", "--role", "admin"],
        "a long enough passphrase\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = env.run(
        &["user", "add", "bob", "--role", "boss"],
        "a long enough passphrase\n",
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("unknown role"));

    let out = env.run(&["token", "create", "script"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let token = text(&out.stdout);
    assert!(
        token.starts_with("kontor_") && token.trim().len() == 71 && token.lines().count() == 1,
        "only the token: {token:?}"
    );

    let out = env.run(&["user", "list"], "");
    assert!(text(&out.stdout).contains("anna\tadmin\tactive"));

    let out = env.run(&["audit", "verify"], "");
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("2 entries"),
        "{}",
        text(&out.stdout)
    );

    let out = env.run(&["--help"], "");
    for sub in ["serve", "user", "token", "audit", "migrate"] {
        assert!(text(&out.stdout).contains(sub), "--help lists {sub}");
    }
}

#[tokio::test]
async fn audit_verify_fails_on_tampering() {
    let env = Env::new();
    assert!(
        env.run(&["user", "add", "anna"], "a long enough passphrase\n")
            .status
            .success()
    );
    assert!(env.run(&["token", "create", "t1"], "").status.success());
    // Tamper directly in the database, as someone with file access might.
    let (url, schema) = match &env.pg {
        Some((u, s)) => (u.clone(), Some(s.clone())),
        None => (kontor_storage::db::sqlite_url_for_dir(env.dir.path()), None),
    };
    let store = kontor_storage::Store::connect(
        &url,
        kontor_storage::ConnectOptions {
            schema,
            max_connections: 1,
        },
    )
    .await
    .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 1")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;
    let out = env.run(&["audit", "verify"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stdout).contains("entry 1 was altered"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn serve_starts_and_stops_on_sigterm() {
    let env = Env::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let child = env
        .cmd(&["serve", "--listen", &listen])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut up = false;
    for _ in 0..100 {
        if let Ok(mut s) = std::net::TcpStream::connect(&listen) {
            use std::io::Read;
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut buf = String::new();
            let _ = s.read_to_string(&mut buf);
            up = buf.starts_with("HTTP/1.1 200");
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    terminate(child.id());
    let out = child.wait_with_output().unwrap();
    assert!(up, "healthz answered");
    assert!(out.status.success(), "graceful exit on SIGTERM");
    let log = text(&out.stderr);
    assert!(
        log.contains("no user yet") && log.contains("user add NAME --role admin"),
        "{log}"
    );
}

fn terminate(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
}
