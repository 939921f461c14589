//! The `kontor` command line against a real database: SQLite in a temporary data folder, or a
//! fresh PostgreSQL schema when KONTOR_TEST_DATABASE_URL is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use kontor_testkit::Kontor;

/// The binary on a fresh database in `dir` (or a fresh PostgreSQL schema), and that schema.
fn kontor(dir: &tempfile::TempDir) -> (Kontor, Option<(String, String)>) {
    Kontor::new(env!("CARGO_BIN_EXE_kontor")).fresh_database(dir.path())
}

#[test]
fn users_tokens_and_audit_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (env, _) = kontor(&dir);
    let out = env.run(&["user", "add", "anna", "--role", "admin"], "short\n");
    assert!(!out.success());
    assert!(
        out.stderr
            .contains("password must be at least 12 characters"),
        "{}",
        out.stderr
    );

    let out = env.run(
        &["user", "add", "anna", "--role", "admin"],
        "a long enough passphrase\n",
    );
    assert!(out.success(), "{}", out.stderr);
    let out = env.run(
        &["user", "add", "bob", "--role", "boss"],
        "a long enough passphrase\n",
    );
    assert!(!out.success());
    assert!(out.stderr.contains("unknown role"));

    let out = env.run(&["token", "create", "script"], "");
    assert!(out.success(), "{}", out.stderr);
    let token = out.stdout;
    assert!(
        token.starts_with("kontor_") && token.trim().len() == 71 && token.lines().count() == 1,
        "only the token: {token:?}"
    );

    let out = env.run(&["user", "list"], "");
    assert!(out.stdout.contains("anna\tadmin\tactive"));

    let out = env.run(&["audit", "verify"], "");
    assert!(out.success());
    assert!(out.stdout.contains("2 entries"), "{}", out.stdout);

    let out = env.run(&["--help"], "");
    for sub in ["serve", "user", "token", "audit", "migrate"] {
        assert!(out.stdout.contains(sub), "--help lists {sub}");
    }
}

#[tokio::test]
async fn audit_verify_fails_on_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let (env, pg) = kontor(&dir);
    assert!(
        env.run(&["user", "add", "anna"], "a long enough passphrase\n")
            .status
            .success()
    );
    assert!(env.run(&["token", "create", "t1"], "").success());
    // Tamper directly in the database, as someone with file access might.
    let (url, schema) = match pg {
        Some((u, s)) => (u, Some(s)),
        None => (kontor_storage::db::sqlite_url_for_dir(dir.path()), None),
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
    assert_eq!(out.code(), Some(2));
    assert!(out.stdout.contains("entry 1 was altered"), "{}", out.stdout);
}

#[tokio::test]
async fn serve_starts_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let (env, _) = kontor(&dir);
    let mut server = env.serve(&[]).await;
    let up = reqwest::get(server.url("/healthz"))
        .await
        .is_ok_and(|r| r.status() == 200);
    let status = server.stop();
    assert!(up, "healthz answered");
    assert!(status.success(), "graceful exit on SIGTERM");
    let log = server.log();
    assert!(
        log.contains("no user yet") && log.contains("user add NAME --role admin"),
        "{log}"
    );
    // The setup code is printed for whoever started Kontor, and shown again on request.
    let code = log
        .split("setup code: ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a setup code in the output");
    assert_eq!(code.len(), 14, "{code}");
    let again = env.run(&["user", "setup-code"], "");
    assert!(again.success());
    assert_eq!(again.stdout.trim(), code);
    // Once a user exists there is no code any more.
    assert!(
        env.run(&["user", "add", "anna"], "a long enough passphrase\n")
            .status
            .success()
    );
    assert!(!env.run(&["user", "setup-code"], "").success());
}
