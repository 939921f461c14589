//! Files in an S3 bucket, end to end through the `kontor` binary against a real S3 endpoint
//! (s3s-fs, started by `scripts/s3s-fs.sh run …`; the `s3` tier of scripts/test.sh). Needs
//! KONTOR_TEST_S3_URL and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; skipped without them.
//!
//! `kontor serve --blob-store s3://…` archives an issued invoice's PDF in the bucket, the API
//! download gives the same bytes, an altered object gives a clear error (never the wrong
//! bytes), `kontor blobs check` names it, `kontor blobs move` takes files to the database and
//! back, and a backup holds the files so that the restored installation is complete without
//! the bucket. Also: `kontor check` reports an unreachable blob store.

use std::path::Path;
use std::process::{Command, Output, Stdio};

use kontor_storage::Store;
use kontor_storage::blobstore::{BlobStore, BlobStoreSpec};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "a long enough password 123";

fn kontor(data: &Path, blob_store: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kontor"));
    cmd.env_remove("KONTOR_DATABASE_URL")
        .env_remove("KONTOR_BLOB_STORE")
        .env_remove("KONTOR_BACKUP_TARGETS")
        .env_remove("KONTOR_BACKUP_RECIPIENT")
        .env("KONTOR_LOG", "warn")
        .args(["--data-dir", data.to_str().unwrap()])
        .args(args)
        .stdin(Stdio::piped());
    if let Some(url) = blob_store {
        cmd.env("KONTOR_BLOB_STORE", url);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        let _ = writeln!(stdin, "{PASSWORD}");
    }
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).to_string()
}

#[track_caller]
fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\nstdout: {}\nstderr: {}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The test endpoint with a prefix of this run's own.
fn blob_url() -> Option<(String, String)> {
    let base = std::env::var("KONTOR_TEST_S3_URL").ok()?;
    let prefix = format!(
        "files-{}",
        kontor_storage::testing::unique_schema()[2..].replace('_', "-")
    );
    let sep = if base.contains('?') { '&' } else { '?' };
    Some((format!("{base}{sep}prefix={prefix}"), prefix))
}

async fn open_bucket(url: &str) -> BlobStore {
    BlobStoreSpec::parse(url).unwrap().open().unwrap()
}

/// Every file of a store: (sha256, content type, size, SHA-256 of the bytes it reads).
async fn files(store: &Store) -> Vec<(String, String, i64, String)> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT sha256, content_type, size FROM blobs ORDER BY sha256")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let mut out = Vec::new();
    for r in rows {
        let sha: String = r.try_get("sha256").unwrap();
        let blob = store.blob(&sha).await.unwrap();
        out.push((
            sha,
            r.try_get("content_type").unwrap(),
            r.try_get("size").unwrap(),
            hex::encode(Sha256::digest(&blob.data)),
        ));
    }
    out
}

/// The documents and their archived files, as text (what a restore must bring back).
async fn documents(store: &Store) -> Vec<String> {
    use sqlx::Row;
    sqlx::query(
        "SELECT d.number, d.status, f.kind, f.sha256 FROM documents d \
         LEFT JOIN document_files f ON f.document_id = d.id ORDER BY d.id, f.kind",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        format!(
            "{:?} {:?} {:?} {:?}",
            r.try_get::<Option<String>, _>("number").unwrap(),
            r.try_get::<String, _>("status").unwrap(),
            r.try_get::<Option<String>, _>("kind").unwrap(),
            r.try_get::<Option<String>, _>("sha256").unwrap()
        )
    })
    .collect()
}

struct Server {
    child: std::process::Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

async fn serve(data: &Path, blob_store: &str, log: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_kontor"))
        .env_remove("KONTOR_DATABASE_URL")
        .env("KONTOR_LOG", "warn")
        .env("KONTOR_BLOB_STORE", blob_store)
        .args(["--data-dir", data.to_str().unwrap(), "serve", "--listen"])
        .arg(&listen)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        base: format!("http://{listen}"),
    };
    let client = reqwest::Client::new();
    for _ in 0..150 {
        if let Ok(r) = client.get(format!("{}/healthz", server.base)).send().await
            && r.status() == 200
        {
            return server;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "kontor serve did not start: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_archive_their_files_in_s3() {
    let Some((url, prefix)) = blob_url() else {
        eprintln!("skipped: KONTOR_TEST_S3_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    ok(&kontor(
        &data,
        Some(&url),
        &["user", "add", "anna", "--role", "admin"],
    ));
    let token = ok(&kontor(&data, Some(&url), &["token", "create", "t"]))
        .trim()
        .to_string();
    // A logo written before the blob store is configured stays in the database.
    {
        let store = Store::open_dir(&data).await.unwrap();
        store.put_blob("image/png", b"old logo").await.unwrap();
        store.close().await;
    }

    let log = dir.path().join("serve.log");
    let server = serve(&data, &url, &log).await;
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: &str, body: Option<Value>| {
        let mut r = client
            .request(method, format!("{}/api/v1{path}", server.base))
            .bearer_auth(&token);
        if let Some(b) = body {
            r = r.json(&b);
        }
        r.send()
    };
    let company = json!({
        "name": "Muster GmbH", "street": "Hauptstr. 1", "postal_code": "10115", "city": "Berlin",
        "country": "DE", "vat_id": "DE123456789", "iban": "DE89 3704 0044 0532 0130 00",
        "contact_email": "info@muster.de", "default_payment_terms_days": 14
    });
    let r = call(reqwest::Method::PUT, "/company", Some(company))
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let contact: Value = call(
        reqwest::Method::POST,
        "/contacts",
        Some(json!({"name": "Kunde AG", "street": "Weg 2", "postal_code": "80331", "city": "München"})),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let draft: Value = call(
        reqwest::Method::POST,
        "/documents",
        Some(json!({
            "type": "invoice", "contact_id": contact["id"], "date": today, "delivery_date": today,
            "lines": [{"description": "Beratung", "quantity": "1", "unit": "HUR", "unit_price": "100", "vat_rate": "19"}]
        })),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = draft["id"].as_i64().expect("draft id");
    let r = call(
        reqwest::Method::POST,
        &format!("/documents/{id}/issue"),
        Some(json!({})),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let download = || async {
        call(reqwest::Method::GET, &format!("/documents/{id}/pdf"), None)
            .await
            .unwrap()
    };
    let r = download().await;
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF"));

    // The archived PDF is an object in the bucket, under this installation's prefix.
    let bucket = open_bucket(&url).await.scoped("kontor").unwrap();
    let sha = hex::encode(Sha256::digest(&pdf));
    let key = bucket.key_for(&sha);
    assert!(key.starts_with(&format!("{prefix}/kontor/")), "{key}");
    let keys = bucket.list_keys().await.unwrap();
    assert!(keys.contains(&key), "{key} not in {keys:?}");
    assert_eq!(bucket.get(&key).await.unwrap(), pdf, "identical bytes");
    // … with an empty row in the database.
    {
        let store = Store::open_dir(&data).await.unwrap();
        let counts = store.blob_counts().await.unwrap();
        assert_eq!(counts.in_database, 1, "the old logo");
        assert!(counts.external >= 1, "the archived PDF: {counts:?}");
        store.close().await;
    }
    let ready = client
        .get(format!("{}/readyz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ready.status(), 200, "{}", ready.text().await.unwrap());

    // An altered object: the download fails with a clear error, never the altered bytes.
    bucket.put(&key, b"%PDF-1.7 forged").await.unwrap();
    let r = download().await;
    assert_eq!(r.status(), 500);
    let body = r.text().await.unwrap();
    assert!(!body.contains("forged"), "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["code"], "file_damaged", "{body}");
    let out = kontor(&data, Some(&url), &["blobs", "check"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains(&key),
        "names the object: {}",
        text(&out.stdout)
    );
    // A missing one, too.
    bucket.delete(&key).await.unwrap();
    let r = download().await;
    assert_eq!(r.status(), 500);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "file_damaged");
    bucket.put(&key, &pdf).await.unwrap();
    assert_eq!(download().await.bytes().await.unwrap().to_vec(), pdf);
    ok(&kontor(&data, Some(&url), &["blobs", "check"]));
    drop(server);

    // A backup holds the files kept in the bucket; the restore is complete without it.
    let identity = dir.path().join("identity.key");
    let recipient = ok(&kontor(
        &data,
        None,
        &["backup", "keygen", "--out", identity.to_str().unwrap()],
    ))
    .trim()
    .to_string();
    let target = dir.path().join("backups");
    std::fs::create_dir_all(&target).unwrap();
    let target_s = target.to_str().unwrap();
    let out = ok(&kontor(
        &data,
        Some(&url),
        &[
            "backup",
            "run",
            "--backup-target",
            target_s,
            "--backup-recipient",
            &recipient,
        ],
    ));
    let backup_id = out.split('\t').next().unwrap().trim().to_string();
    assert!(
        target
            .join("kontor-backups")
            .join(&backup_id)
            .join("files.bin.zst.age")
            .is_file(),
        "{out}"
    );
    let original = Store::open_dir(&data)
        .await
        .unwrap()
        .with_blob_store(Some(bucket.clone()));
    let (expected_files, expected_docs) = (files(&original).await, documents(&original).await);
    original.close().await;
    let verify = kontor(
        &data,
        None,
        &[
            "backup",
            "verify",
            &backup_id,
            "--identity",
            identity.to_str().unwrap(),
            "--backup-target",
            target_s,
        ],
    );
    ok(&verify);
    let restored_dir = dir.path().join("restored");
    ok(&kontor(
        &data,
        None,
        &[
            "restore",
            &backup_id,
            "--identity",
            identity.to_str().unwrap(),
            "--to",
            restored_dir.to_str().unwrap(),
            "--backup-target",
            target_s,
        ],
    ));
    // No blob store configured: every file comes from the restored database.
    let restored = Store::open_dir(&restored_dir).await.unwrap();
    assert_eq!(restored.blob_counts().await.unwrap().external, 0);
    assert_eq!(files(&restored).await, expected_files);
    assert_eq!(documents(&restored).await, expected_docs);
    assert!(restored.check_blobs().await.unwrap().problems.is_empty());
    restored.close().await;

    // Every file into the database, then into the bucket again (no KONTOR_BLOB_STORE needed
    // for the way there).
    let out = ok(&kontor(
        &data,
        Some(&url),
        &["blobs", "move", "--to", "database"],
    ));
    assert!(out.contains("moved"), "{out}");
    let store = Store::open_dir(&data).await.unwrap();
    let counts = store.blob_counts().await.unwrap();
    assert_eq!(counts.external, 0);
    assert_eq!(files(&store).await, expected_files);
    store.close().await;
    let out = ok(&kontor(&data, None, &["blobs", "move", "--to", &url]));
    assert!(
        out.contains(&format!("moved {} file(s)", counts.in_database)),
        "{out}"
    );
    let store = Store::open_dir(&data)
        .await
        .unwrap()
        .with_blob_store(Some(bucket.clone()));
    assert_eq!(store.blob_counts().await.unwrap().in_database, 0);
    assert_eq!(files(&store).await, expected_files);
    store.close().await;
    let out = ok(&kontor(&data, Some(&url), &["blobs", "check"]));
    assert!(out.starts_with("OK"), "{out}");
    // Without the store, the files are named as unreadable.
    let out = kontor(&data, None, &["blobs", "check"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));

    // An unreachable store: `kontor check` says so and exits 2.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let dead_url = format!("s3://kontor-test?endpoint=http://127.0.0.1:{dead_port}");
    let out = kontor(&data, Some(&dead_url), &["check"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with("PROBLEM\tblob_store")),
        "{stdout}"
    );
    // … and a serving instance stops being ready (its watchdog probes at once).
    let server = serve(&data, &dead_url, &dir.path().join("dead.log")).await;
    let mut answer = (0, String::new());
    for _ in 0..60 {
        let r = client
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .unwrap();
        answer = (r.status().as_u16(), r.text().await.unwrap());
        if answer.0 == 503 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    assert_eq!(answer.0, 503, "{answer:?}");
    assert!(answer.1.contains("file store"), "{answer:?}");
    drop(server);
    // A bad URL names the setting.
    let out = kontor(&data, Some("s3://x?secret=1"), &["blobs", "check"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("blob_store"),
        "{}",
        text(&out.stderr)
    );
    for key in bucket.list_keys().await.unwrap() {
        bucket.delete(&key).await.unwrap();
    }
}
