//! `kontor tenant …` against PostgreSQL (cloud mode): create, list, suspend, resume, export,
//! delete, migrate, and the errors an operator sees. Runs when KONTOR_TEST_DATABASE_URL names a
//! PostgreSQL server (the postgres tier of scripts/test.sh).

use std::io::{Read, Write};
use std::process::{Command, Output, Stdio};

struct Cloud {
    url: String,
    installation: String,
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
            installation: format!("k{}", kontor_storage::testing::unique_schema()),
            secret_file,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kontor"))
            .env_remove("KONTOR_DATABASE_URL")
            .env_remove("KONTOR_MASTER_SECRET")
            .env("KONTOR_LOG", "warn")
            .args([
                "--database",
                &self.url,
                "--installation",
                &self.installation,
            ])
            .arg("--master-secret-file")
            .arg(self.secret_file.path())
            .args(args)
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
