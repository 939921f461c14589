//! `kontor backup …` and `kontor restore` on a SQLite data folder: keygen, run to two
//! targets (one broken), list, verify (and a corrupted copy named), restore into a new folder,
//! refusal to restore over data; and `kontor serve` backing up on its own schedule.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::path::Path;

use kontor_testkit::{Browser, Kontor, PASSWORD, csrf_of};

/// The binary on the data folder `data`.
fn kontor(data: &Path) -> Kontor {
    Kontor::new(env!("CARGO_BIN_EXE_kontor")).data_dir(data)
}

#[test]
fn backup_list_verify_and_restore_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (t1, t2) = (dir.path().join("t1"), dir.path().join("t2"));
    std::fs::create_dir_all(&t1).unwrap();
    std::fs::create_dir_all(&t2).unwrap();
    let broken = dir.path().join("broken");
    std::fs::write(&broken, b"a file, not a folder").unwrap();
    let identity = dir.path().join("identity.key");
    let identity_s = identity.to_str().unwrap();
    let signing = dir.path().join("signing.key");
    let signing_s = signing.to_str().unwrap();

    let out = kontor(&data).run(
        &[
            "backup",
            "keygen",
            "--out",
            identity_s,
            "--signing-key-out",
            signing_s,
        ],
        "",
    );
    assert!(out.success(), "{}", out.stderr);
    let recipient = out.stdout.trim().to_string();
    assert!(recipient.starts_with("age1"), "{recipient}");
    let key = std::fs::read_to_string(&identity).unwrap();
    assert!(key.contains("AGE-SECRET-KEY-1"));
    // The identity holds the verify key of the signing key, which holds no age key.
    let signing_text = std::fs::read_to_string(&signing).unwrap();
    assert!(key.contains("kontor-backup-verify-key-"), "{key}");
    assert!(signing_text.contains("KONTOR-BACKUP-SIGNING-KEY-"));
    assert!(!signing_text.contains("AGE-SECRET-KEY"));
    use std::os::unix::fs::PermissionsExt;
    for secret in [&identity, &signing] {
        assert_eq!(
            std::fs::metadata(secret).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Never overwrites an identity or a signing key.
    let other = dir.path().join("other.key");
    for (out, signing_out) in [
        (identity_s, other.to_str().unwrap()),
        (other.to_str().unwrap(), signing_s),
    ] {
        assert!(
            !kontor(&data)
                .run(
                    &[
                        "backup",
                        "keygen",
                        "--out",
                        out,
                        "--signing-key-out",
                        signing_out
                    ],
                    ""
                )
                .status
                .success()
        );
    }
    assert!(!other.exists());

    // Some data: a user.
    let out = kontor(&data).run(&["user", "add", "anna"], &format!("{PASSWORD}\n"));
    assert!(out.success());

    // A secret key in place of the recipient is refused, naming the setting.
    let secret_line = key
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY"))
        .unwrap();
    let targets = [
        "--backup-target",
        t1.to_str().unwrap(),
        "--backup-target",
        t2.to_str().unwrap(),
        "--backup-signing-key",
        signing_s,
    ];
    let mut args = vec!["backup", "run", "--backup-recipient", secret_line];
    args.extend(targets);
    let out = kontor(&data).run(&args, "");
    assert!(!out.success());
    assert!(out.stderr.contains("backup_recipient"), "{}", out.stderr);

    // Without a signing key nothing is backed up.
    let out = kontor(&data).run(
        &[
            "backup",
            "run",
            "--backup-recipient",
            &recipient,
            "--backup-target",
            t1.to_str().unwrap(),
        ],
        "",
    );
    assert!(!out.success());
    assert!(
        out.stderr.contains("--backup-signing-key"),
        "{}",
        out.stderr
    );

    // Two good targets and a broken one: exit 2 (partial), the broken one named.
    let mut args = vec!["backup", "run", "--backup-recipient", &recipient];
    args.extend(targets);
    args.extend(["--backup-target", broken.to_str().unwrap()]);
    let out = kontor(&data).run(&args, "");
    assert_eq!(out.code(), Some(2), "{} {}", out.stdout, out.stderr);
    let stdout = &out.stdout;
    assert!(stdout.contains("partial"), "{stdout}");
    assert!(
        stdout.contains(&format!("FAILED\t{}", broken.display())),
        "{stdout}"
    );
    let id = stdout.split('\t').next().unwrap().to_string();

    let mut args = vec!["backup", "list"];
    args.extend(targets);
    let out = kontor(&data).run(&args, "");
    assert!(out.success(), "{}", out.stderr);
    assert!(
        out.stdout.contains(&format!("{id}\tsqlite\t")),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("2/2 targets complete"));

    let mut args = vec!["backup", "verify", &id, "--identity", identity_s];
    args.extend(targets);
    let out = kontor(&data).run(&args, "");
    assert!(out.success(), "{} {}", out.stdout, out.stderr);
    assert_eq!(out.stdout.matches("ok\t").count(), 2);

    // Corrupt the copy on t1: verify names it and exits 2.
    let file = t1
        .join("kontor-backups")
        .join(&id)
        .join("kontor.db.zst.age");
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&file, &bytes).unwrap();
    let out = kontor(&data).run(&args, "");
    assert_eq!(out.code(), Some(2));
    let stdout = &out.stdout;
    assert!(
        stdout.contains("BAD") && stdout.contains("kontor.db.zst.age is corrupt"),
        "{stdout}"
    );

    // Restore into a new folder (from t2, the good copy), then into a used one (refused).
    let restored = dir.path().join("restored");
    let mut args = vec![
        "restore",
        &id,
        "--identity",
        identity_s,
        "--to",
        restored.to_str().unwrap(),
    ];
    args.extend(targets);
    let out = kontor(&data).run(&args, "");
    assert!(out.success(), "{}", out.stderr);
    assert!(out.stderr.contains("skipped a bad copy"), "{}", out.stderr);
    let out = kontor(&restored).run(&["user", "list"], "");
    assert!(out.stdout.contains("anna"), "{}", out.stdout);
    let mut args = vec![
        "restore",
        &id,
        "--identity",
        identity_s,
        "--to",
        data.to_str().unwrap(),
    ];
    args.extend(targets);
    let out = kontor(&data).run(&args, "");
    assert!(!out.success());
    assert!(out.stderr.contains("not empty"), "{}", out.stderr);

    let out = kontor(&data).run(&["backup", "runs"], "");
    assert!(out.stdout.contains(&format!("{id}\t")), "{}", out.stdout);
    // Per target: the failed one with its error.
    assert!(
        out.stdout
            .contains(&format!("{}=failed (", broken.display())),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!("{}=ok", t1.display())),
        "{}",
        out.stdout
    );
}

#[tokio::test]
async fn serve_backs_up_on_its_own_and_records_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let target = dir.path().join("t");
    std::fs::create_dir_all(&target).unwrap();
    let (_, recipient) = kontor_ops::backup::generate_identity(chrono::Utc::now(), None);
    let signing = signing_key_file(dir.path());
    let _server = kontor(&data)
        .env("KONTOR_BACKUP_TARGETS", target.to_str().unwrap())
        .env("KONTOR_BACKUP_RECIPIENT", recipient.to_string())
        .env("KONTOR_BACKUP_SIGNING_KEY_FILE", signing.to_str().unwrap())
        .serve(&[])
        .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let backups = target.join("kontor-backups");
    loop {
        let complete = std::fs::read_dir(&backups)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .any(|e| e.path().join("manifest.json").exists())
            })
            .unwrap_or(false);
        if complete {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no scheduled backup within 60 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

/// A new signing key in `dir`/signing.key.
fn signing_key_file(dir: &Path) -> std::path::PathBuf {
    let (text, _) = kontor_ops::backup::generate_signing_key(chrono::Utc::now());
    let path = dir.join("signing.key");
    std::fs::write(&path, text).unwrap();
    path
}

/// `kontor user add NAME --role ROLE` with the password on stdin.
fn add_user(data: &Path, name: &str, role: &str) {
    kontor(data)
        .run(
            &["user", "add", name, "--role", role],
            &format!("{PASSWORD}\n"),
        )
        .ok();
}

/// The settings page and `/api/v1/backups` show the schedule, the targets and the runs
/// `kontor serve` made, and start one more; only admins may.
#[tokio::test]
async fn the_backup_page_and_api_show_the_runs_and_start_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let target = dir.path().join("second-disk");
    std::fs::create_dir_all(&target).unwrap();
    add_user(&data, "anna", "admin");
    add_user(&data, "bert", "accountant");
    let token = |user: &str| {
        let out = kontor(&data).run(&["token", "create", "t", "--user", user], "");
        assert!(out.success(), "{}", out.stderr);
        out.stdout.trim().to_string()
    };
    let (admin, accountant) = (token("anna"), token("bert"));
    let (_, recipient) = kontor_ops::backup::generate_identity(chrono::Utc::now(), None);
    let signing = signing_key_file(dir.path());
    let server = kontor(&data)
        .serve(&[
            "--backup-target",
            target.to_str().unwrap(),
            "--backup-recipient",
            &recipient.to_string(),
            "--backup-signing-key",
            signing.to_str().unwrap(),
            "--backup-keep-days",
            "30",
        ])
        .await;
    let base = server.base.clone();
    let http = reqwest::Client::new();
    let api = |token: &str| {
        http.get(format!("{base}/api/v1/backups"))
            .bearer_auth(token.to_string())
    };
    // Waits until `n` complete runs are listed; returns the overview.
    let complete_runs = |n: usize| {
        let api = &api;
        let admin = admin.clone();
        async move {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            loop {
                if let Ok(r) = api(&admin).send().await
                    && r.status() == 200
                {
                    let v: serde_json::Value = r.json().await.unwrap();
                    let ok = v["runs"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|r| r["result"] == "ok")
                        .count();
                    if ok >= n {
                        return v;
                    }
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "fewer than {n} complete backups within 60 s"
                );
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
    };

    // The schedule's first run, through the API.
    let v = complete_runs(1).await;
    assert_eq!(v["every"], "6h");
    assert_eq!(v["keep_days"], 30);
    let target_name = target.display().to_string();
    assert_eq!(v["targets"], serde_json::json!([target_name]));
    let run = &v["runs"][0];
    assert_eq!(run["targets"][0]["target"], target_name.as_str());
    assert_eq!(run["targets"][0]["ok"], true);
    assert!(run["size_bytes"].as_u64().unwrap() > 0);
    // Admins only.
    assert_eq!(api(&accountant).send().await.unwrap().status(), 403);
    let r = http
        .post(format!("{base}/api/v1/backups"))
        .bearer_auth(&accountant)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Started through the API.
    let r = http
        .post(format!("{base}/api/v1/backups"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let started: serde_json::Value = r.json().await.unwrap();
    assert!(started["id"].as_str().is_some_and(|id| !id.is_empty()));
    complete_runs(2).await;
    // While a run is going (here one another instance holds, with a fresh heartbeat), a new
    // request starts nothing and names that run.
    let store = kontor_storage::Store::connect(
        &kontor_storage::db::sqlite_url_for_dir(&data),
        kontor_storage::ConnectOptions {
            schema: None,
            max_connections: 1,
        },
    )
    .await
    .unwrap();
    let now = chrono::Utc::now().to_rfc3339();
    sqlx::query(
        "INSERT INTO backup_runs (id, started_at, heartbeat_at, result, host) \
         VALUES ('20990101T000000Z-other', $1, $1, 'running', 'other-host')",
    )
    .bind(&now)
    .execute(store.pool())
    .await
    .unwrap();
    let r = http
        .post(format!("{base}/api/v1/backups"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let refused: serde_json::Value = r.json().await.unwrap();
    assert_eq!(refused["code"], "backup_running");
    assert!(
        refused["error"]
            .as_str()
            .is_some_and(|m| m.contains("20990101T000000Z-other")),
        "{refused}"
    );
    sqlx::query("DELETE FROM backup_runs WHERE id = '20990101T000000Z-other'")
        .execute(store.pool())
        .await
        .unwrap();
    store.close().await;

    // The page, logged in as the admin.
    let browser = Browser::new(&base);
    let r = browser.login("anna", PASSWORD).await;
    assert_eq!(r.status(), 303);
    let page = browser
        .get(format!("{base}/settings/backups"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Datensicherung"), "{page}");
    assert!(
        page.contains(&target_name) && page.contains("vollständig"),
        "{page}"
    );
    assert_eq!(page.matches("class=\"result-ok\"").count(), 2, "{page}");
    let csrf = csrf_of(&page);
    // Without the CSRF token nothing starts.
    let r = browser
        .post(format!("{base}/settings/backups/run"))
        .form(&[("_csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_ne!(r.status(), 303);
    let r = browser
        .post(format!("{base}/settings/backups/run"))
        .header("origin", base.as_str())
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let page = browser
        .get(format!("{base}/settings/backups?started=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Die Sicherung läuft"), "{page}");
    let v = complete_runs(3).await;
    assert_eq!(
        v["runs"].as_array().unwrap().len(),
        3,
        "the forged form started nothing: {v}"
    );
    // An accountant's browser gets no page.
    let other = Browser::new(&base);
    other.login("bert", PASSWORD).await;
    let r = other
        .get(format!("{base}/settings/backups"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
