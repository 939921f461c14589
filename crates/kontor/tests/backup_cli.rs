//! `kontor backup …` and `kontor restore` on a SQLite data folder: keygen, run to two
//! targets (one broken), list, verify (and a corrupted copy named), restore into a new folder,
//! refusal to restore over data; and `kontor serve` backing up on its own schedule.

use std::path::Path;
use std::process::{Command, Output};

fn kontor(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kontor"))
        .env_remove("KONTOR_DATABASE_URL")
        .env_remove("KONTOR_BACKUP_TARGETS")
        .env_remove("KONTOR_BACKUP_RECIPIENT")
        .env("KONTOR_LOG", "warn")
        .args(["--data-dir", data.to_str().unwrap()])
        .args(args)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
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

    let out = kontor(&data, &["backup", "keygen", "--out", identity_s]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let recipient = text(&out.stdout).trim().to_string();
    assert!(recipient.starts_with("age1"), "{recipient}");
    let key = std::fs::read_to_string(&identity).unwrap();
    assert!(key.contains("AGE-SECRET-KEY-1"));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&identity).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // Never overwrites an identity.
    assert!(
        !kontor(&data, &["backup", "keygen", "--out", identity_s])
            .status
            .success()
    );

    // Some data: a user.
    let out = Command::new(env!("CARGO_BIN_EXE_kontor"))
        .env("KONTOR_LOG", "warn")
        .args(["--data-dir", data.to_str().unwrap(), "user", "add", "anna"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(b"a long enough password 123\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success());

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
    ];
    let mut args = vec!["backup", "run", "--backup-recipient", secret_line];
    args.extend(targets);
    let out = kontor(&data, &args);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("backup_recipient"),
        "{}",
        text(&out.stderr)
    );

    // Two good targets and a broken one: exit 2 (partial), the broken one named.
    let mut args = vec!["backup", "run", "--backup-recipient", &recipient];
    args.extend(targets);
    args.extend(["--backup-target", broken.to_str().unwrap()]);
    let out = kontor(&data, &args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{} {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let stdout = text(&out.stdout);
    assert!(stdout.contains("partial"), "{stdout}");
    assert!(
        stdout.contains(&format!("FAILED\t{}", broken.display())),
        "{stdout}"
    );
    let id = stdout.split('\t').next().unwrap().to_string();

    let mut args = vec!["backup", "list"];
    args.extend(targets);
    let out = kontor(&data, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(&format!("{id}\tsqlite\t")),
        "{}",
        text(&out.stdout)
    );
    assert!(text(&out.stdout).contains("2/2 targets complete"));

    let mut args = vec!["backup", "verify", &id, "--identity", identity_s];
    args.extend(targets);
    let out = kontor(&data, &args);
    assert!(
        out.status.success(),
        "{} {}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert_eq!(text(&out.stdout).matches("ok\t").count(), 2);

    // Corrupt the copy on t1: verify names it and exits 2.
    let file = t1
        .join("kontor-backups")
        .join(&id)
        .join("kontor.db.zst.age");
    let mut bytes = std::fs::read(&file).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&file, &bytes).unwrap();
    let out = kontor(&data, &args);
    assert_eq!(out.status.code(), Some(2));
    let stdout = text(&out.stdout);
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
    let out = kontor(&data, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("skipped a bad copy"),
        "{}",
        text(&out.stderr)
    );
    let out = kontor(&restored, &["user", "list"]);
    assert!(text(&out.stdout).contains("anna"), "{}", text(&out.stdout));
    let mut args = vec![
        "restore",
        &id,
        "--identity",
        identity_s,
        "--to",
        data.to_str().unwrap(),
    ];
    args.extend(targets);
    let out = kontor(&data, &args);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("not empty"),
        "{}",
        text(&out.stderr)
    );

    let out = kontor(&data, &["backup", "runs"]);
    assert!(
        text(&out.stdout).contains(&format!("{id}\t")),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn serve_backs_up_on_its_own_and_records_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let target = dir.path().join("t");
    std::fs::create_dir_all(&target).unwrap();
    let (_, recipient) = kontor_ops::backup::generate_identity(chrono::Utc::now());
    let child = Command::new(env!("CARGO_BIN_EXE_kontor"))
        .env("KONTOR_LOG", "warn")
        .env("KONTOR_BACKUP_TARGETS", target.to_str().unwrap())
        .env("KONTOR_BACKUP_RECIPIENT", recipient.to_string())
        .args([
            "--data-dir",
            data.to_str().unwrap(),
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _guard = Kill(child);
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
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}
