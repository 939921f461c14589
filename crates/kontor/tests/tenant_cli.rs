//! `kontor tenant …` against PostgreSQL (cloud mode): create, list, suspend, resume, export,
//! delete, migrate, and the errors an operator sees. Runs when KONTOR_TEST_DATABASE_URL names a
//! PostgreSQL server (the postgres tier of scripts/test.sh).

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
