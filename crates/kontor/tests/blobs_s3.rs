//! Files in an S3 bucket, end to end through the `kontor` binary against a real S3 endpoint
//! (s3s-fs, started by `scripts/s3s-fs.sh run …`; the `s3` tier of scripts/test.sh). Needs
//! KONTOR_TEST_S3_URL and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; skipped without them.
//!
//! `kontor serve --blob-store s3://…` archives an issued invoice's PDF in the bucket, the API
//! download gives the same bytes, an altered object gives a clear error (never the wrong
//! bytes), `kontor blobs check` names it, `kontor blobs move` takes files to the database and
//! back, and a backup holds the files so that the restored installation is complete without
//! the bucket. Also: `kontor check` reports an unreachable blob store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::path::Path;
use std::time::Duration;

use kontor_storage::Store;
use kontor_storage::blobstore::{BlobStore, BlobStoreSpec};
use kontor_testkit::{Api, Binary, Kontor, PASSWORD, Run, free_port};
use reqwest::Method;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The binary on the data folder `data`, with `KONTOR_BLOB_STORE` when given.
fn kontor(data: &Path, blob_store: Option<&str>) -> Kontor {
    let kontor = Kontor::new(env!("CARGO_BIN_EXE_kontor")).data_dir(data);
    match blob_store {
        Some(url) => kontor.env("KONTOR_BLOB_STORE", url),
        None => kontor,
    }
}

/// A subcommand with the password on stdin (for `user add`).
fn run(data: &Path, blob_store: Option<&str>, args: &[&str]) -> Run {
    kontor(data, blob_store).run(args, &format!("{PASSWORD}\n"))
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

/// `kontor serve` with the blob store, started once `/healthz` answers (a dead blob store
/// keeps it from being ready), its log in `log`.
async fn serve(data: &Path, blob_store: &str, log: &Path) -> Binary {
    kontor(data, Some(blob_store))
        .server(&[])
        .ready_at("/healthz")
        .log(log)
        .within(Duration::from_secs(15))
        .start()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoices_archive_their_files_in_s3() {
    let Some((url, prefix)) = blob_url() else {
        eprintln!("skipped: KONTOR_TEST_S3_URL is not set");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    run(
        &data,
        Some(&url),
        &["user", "add", "anna", "--role", "admin"],
    )
    .ok();
    let token = run(&data, Some(&url), &["token", "create", "t"])
        .ok()
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
    let api = Api::new(&server.base, &token);
    api.setup_company().await;
    let contact = api.customer().await;
    let id = kontor_testkit::id(&api.issued("invoice", contact, "100").await);
    let download = || async {
        api.request(Method::GET, &format!("/api/v1/documents/{id}/pdf"))
            .send()
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
    let out = run(&data, Some(&url), &["blobs", "check"]);
    assert_eq!(out.code(), Some(2), "{}", out.stdout);
    assert!(
        out.stdout.contains(&key),
        "names the object: {}",
        out.stdout
    );
    // A missing one, too.
    bucket.delete(&key).await.unwrap();
    let r = download().await;
    assert_eq!(r.status(), 500);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "file_damaged");
    bucket.put(&key, &pdf).await.unwrap();
    assert_eq!(download().await.bytes().await.unwrap().to_vec(), pdf);
    run(&data, Some(&url), &["blobs", "check"]).ok();
    drop(server);

    // A backup holds the files kept in the bucket; the restore is complete without it.
    let identity = dir.path().join("identity.key");
    let signing = dir.path().join("signing.key");
    let recipient = run(
        &data,
        None,
        &[
            "backup",
            "keygen",
            "--out",
            identity.to_str().unwrap(),
            "--signing-key-out",
            signing.to_str().unwrap(),
        ],
    )
    .ok()
    .trim()
    .to_string();
    let target = dir.path().join("backups");
    std::fs::create_dir_all(&target).unwrap();
    let target_s = target.to_str().unwrap();
    let out = run(
        &data,
        Some(&url),
        &[
            "backup",
            "run",
            "--backup-target",
            target_s,
            "--backup-recipient",
            &recipient,
            "--backup-signing-key",
            signing.to_str().unwrap(),
        ],
    )
    .ok()
    .to_string();
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
    let verify = run(
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
    verify.ok();
    let restored_dir = dir.path().join("restored");
    run(
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
    )
    .ok();
    // No blob store configured: every file comes from the restored database.
    let restored = Store::open_dir(&restored_dir).await.unwrap();
    assert_eq!(restored.blob_counts().await.unwrap().external, 0);
    assert_eq!(files(&restored).await, expected_files);
    assert_eq!(documents(&restored).await, expected_docs);
    assert!(restored.check_blobs().await.unwrap().problems.is_empty());
    restored.close().await;

    // Every file into the database, then into the bucket again (no KONTOR_BLOB_STORE needed
    // for the way there).
    let out = run(&data, Some(&url), &["blobs", "move", "--to", "database"])
        .ok()
        .to_string();
    assert!(out.contains("moved"), "{out}");
    let store = Store::open_dir(&data).await.unwrap();
    let counts = store.blob_counts().await.unwrap();
    assert_eq!(counts.external, 0);
    assert_eq!(files(&store).await, expected_files);
    store.close().await;
    let out = run(&data, None, &["blobs", "move", "--to", &url])
        .ok()
        .to_string();
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
    let out = run(&data, Some(&url), &["blobs", "check"]).ok().to_string();
    assert!(out.starts_with("OK"), "{out}");
    // Without the store, the files are named as unreadable.
    let out = run(&data, None, &["blobs", "check"]);
    assert_eq!(out.code(), Some(2), "{}", out.stdout);

    // An unreachable store: `kontor check` says so and exits 2.
    let dead_port = free_port();
    let dead_url = format!("s3://kontor-test?endpoint=http://127.0.0.1:{dead_port}");
    let out = run(&data, Some(&dead_url), &["check"]);
    let stdout = &out.stdout;
    assert_eq!(out.code(), Some(2), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.starts_with("PROBLEM\tblob_store")),
        "{stdout}"
    );
    // … and a serving instance stops being ready (its watchdog probes at once).
    let server = serve(&data, &dead_url, &dir.path().join("dead.log")).await;
    let mut answer = (0, String::new());
    for _ in 0..60 {
        let r = client.get(server.url("/readyz")).send().await.unwrap();
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
    let out = run(&data, Some("s3://x?secret=1"), &["blobs", "check"]);
    assert!(!out.success());
    assert!(out.stderr.contains("blob_store"), "{}", out.stderr);
    for key in bucket.list_keys().await.unwrap() {
        bucket.delete(&key).await.unwrap();
    }
}
