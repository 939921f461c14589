//! The S3 path against a real S3 endpoint (scripts/s3s-fs.sh starts one): needs
//! KONTOR_TEST_S3_URL (e.g. s3://kontor-test?endpoint=http://127.0.0.1:PORT) and
//! AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; skipped without them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

mod backup_support;

use backup_support::*;
use chrono::{Duration, Utc};
use kontor_ops::backup::{self, RunResult, Source, TargetSpec};
use kontor_storage::Store;
use kontor_testkit::DataDir;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_verify_restore_and_retention_on_s3() {
    let Ok(base) = std::env::var("KONTOR_TEST_S3_URL") else {
        eprintln!("skipped: KONTOR_TEST_S3_URL is not set");
        return;
    };
    // A prefix of its own, so that runs do not see each other's backups.
    let (location, query) = base.split_once('?').unwrap_or((&base, ""));
    let url = format!(
        "{}/run-{}?{query}",
        location.trim_end_matches('/'),
        kontor_testkit::unique_schema()[2..].replace('_', "-")
    );
    let s3 = TargetSpec::parse(&url).unwrap();
    s3.open().unwrap().probe().await.unwrap();

    // A file larger than one upload part goes up in parts and comes back byte for byte.
    let dir = tempfile::tempdir().unwrap();
    let big: Vec<u8> = (0u32..300_000)
        .flat_map(|i| <sha2::Sha256 as sha2::Digest>::digest(i.to_le_bytes()))
        .collect();
    let (up, down) = (dir.path().join("up"), dir.path().join("down"));
    std::fs::write(&up, &big).unwrap();
    let target = s3.open().unwrap();
    let id = backup::BackupId::new(Utc::now() - Duration::days(400));
    target.put_file(&id, "big.bin", &up).await.unwrap();
    let digest = target.get_file(&id, "big.bin", &down).await.unwrap();
    assert_eq!(digest.size, big.len() as u64);
    assert_eq!(std::fs::read(&down).unwrap(), big);
    target.delete_backup(&id).await.unwrap();
    assert!(target.list().await.unwrap().is_empty());

    let DataDir { dir, data, store } = DataDir::open().await;
    make_business(&store, 3).await;
    // A large file among the stored ones.
    let big: Vec<u8> = (0..12_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    store
        .put_blob("application/octet-stream", &big)
        .await
        .unwrap();
    let expected = rows(&store).await;
    let files = blob_hashes(&store).await;

    let local = dir.path().join("local");
    std::fs::create_dir_all(&local).unwrap();
    let keys = keys();
    let config = config_of(&[url.clone(), local.display().to_string()], &keys);
    let source = Source::Sqlite {
        store: store.clone(),
        path: data.join("kontor.db"),
    };
    let t0 = Utc::now() - Duration::days(60);
    let first = backup::run_now(&source, &config, t0).await.unwrap();
    assert_eq!(first.result, RunResult::Ok, "{first:?}");

    let only_s3 = vec![s3.clone()];
    let results = backup::verify(&only_s3, &first.id, &keys.identity)
        .await
        .unwrap();
    assert_eq!(results.len(), 1);
    assert!(results[0].1.is_ok(), "{results:?}");

    damage(&store).await;
    let to = dir.path().join("restored");
    let report = backup::restore_sqlite(&only_s3, &first.id, &keys.identity, &to)
        .await
        .unwrap();
    assert_eq!(report.from, s3.name());
    let restored = Store::open_dir(&to).await.unwrap();
    assert_same(&expected, &rows(&restored).await);
    assert_eq!(blob_hashes(&restored).await, files);

    // Retention on S3: a backup 60 days old goes when a new one arrives.
    let second = backup::run_now(&source, &config, Utc::now()).await.unwrap();
    assert_eq!(second.result, RunResult::Ok);
    for t in &second.targets {
        assert_eq!(t.deleted, vec![first.id.to_string()], "{t:?}");
    }
    let listed = s3.open().unwrap().list().await.unwrap();
    assert_eq!(
        listed.iter().map(|l| l.id.clone()).collect::<Vec<_>>(),
        vec![second.id.clone()]
    );

    // A corrupted object on S3 is named.
    let target = s3.open().unwrap();
    target
        .put_bytes(
            &second.id,
            "kontor.db.zst.age",
            b"age-encryption.org/v1 garbage".to_vec(),
        )
        .await
        .unwrap();
    let results = backup::verify(&only_s3, &second.id, &keys.identity)
        .await
        .unwrap();
    let err = results[0].1.as_ref().unwrap_err().to_string();
    assert!(
        err.contains("kontor.db.zst.age") && err.contains(&s3.name()),
        "{err}"
    );
    target.delete_backup(&second.id).await.unwrap();
}

/// Cloud tenants with their files in S3 (needs KONTOR_TEST_S3_URL and
/// KONTOR_TEST_DATABASE_URL): each tenant's files lie under its own prefix, a tenant's store
/// cannot read another's objects, and the per-tenant backup holds the files so that a restored
/// tenant is complete in its own schema.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_tenants_keep_files_under_their_own_prefix() {
    use kontor_storage::blobstore::BlobStoreSpec;
    use kontor_storage::tenants::{Directory, Installation, MasterSecret, Provisioner};
    let (Ok(base), Some(pg)) = (
        std::env::var("KONTOR_TEST_S3_URL"),
        kontor_testkit::postgres_url(),
    ) else {
        eprintln!("skipped: needs KONTOR_TEST_S3_URL and KONTOR_TEST_DATABASE_URL");
        return;
    };
    let run = kontor_testkit::unique_schema()[2..].replace('_', "-");
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}prefix=cloud-{run}");
    let bucket = BlobStoreSpec::parse(&url).unwrap().open().unwrap();
    let secret = MasterSecret::new(vec![9u8; 32]).unwrap();
    let installation =
        Installation::new(&format!("s3{}", &kontor_testkit::unique_schema()[1..])).unwrap();
    let provisioner = Provisioner::connect(&pg, installation.clone(), secret.clone())
        .await
        .unwrap()
        .with_blob_store(Some(bucket.clone()));
    let acme_t = provisioner.create("acme", "Acme GmbH").await.unwrap();
    let beta_t = provisioner.create("beta", "Beta AG").await.unwrap();
    let acme = provisioner.open_tenant(&acme_t).await.unwrap();
    let beta = provisioner.open_tenant(&beta_t).await.unwrap();
    make_business(&acme, 2).await;
    make_business(&beta, 1).await;
    let acme_prefix = format!("cloud-{run}/{}/", installation.tenant_role(acme_t.id));
    let beta_prefix = format!("cloud-{run}/{}/", installation.tenant_role(beta_t.id));
    let keys_all = bucket.list_keys().await.unwrap();
    let acme_keys: Vec<_> = keys_all
        .iter()
        .filter(|k| k.starts_with(&acme_prefix))
        .collect();
    let beta_keys: Vec<_> = keys_all
        .iter()
        .filter(|k| k.starts_with(&beta_prefix))
        .collect();
    assert!(acme_keys.len() >= 3, "logo and two PDFs: {keys_all:?}");
    assert!(!beta_keys.is_empty(), "{keys_all:?}");
    assert_eq!(
        acme_keys.len() + beta_keys.len(),
        keys_all.len(),
        "nothing outside the tenants' prefixes: {keys_all:?}"
    );
    let acme_counts = acme.blob_counts().await.unwrap();
    assert_eq!(acme_counts.in_database, 0);
    // Beta's store, even if its row named acme's object, does not reach it.
    let acme_external = acme.external_blobs().await.unwrap();
    let beta_shas: Vec<String> = beta
        .external_blobs()
        .await
        .unwrap()
        .into_iter()
        .map(|(sha, _)| sha)
        .collect();
    let (sha, key) = acme_external
        .iter()
        .find(|(sha, _)| !beta_shas.contains(sha))
        .cloned()
        .expect("a file only acme has");
    sqlx::query(
        "INSERT INTO blobs (sha256, content_type, size, data, created_at, external_key) \
         VALUES ($1, 'application/pdf', 1, $2, '2026-01-01', $3)",
    )
    .bind(&sha)
    .bind(Vec::<u8>::new())
    .bind(&key)
    .execute(beta.pool())
    .await
    .unwrap();
    let err = beta.blob(&sha).await.unwrap_err();
    assert!(
        matches!(err, kontor_storage::StoreError::NoBlobStore { .. }),
        "{err}"
    );
    sqlx::query("DELETE FROM blobs WHERE sha256 = $1")
        .bind(&sha)
        .execute(beta.pool())
        .await
        .unwrap();
    let acme_files: Vec<(String, Vec<u8>)> = {
        let mut v = Vec::new();
        for (sha, _) in &acme_external {
            v.push((sha.clone(), acme.blob(sha).await.unwrap().data));
        }
        v
    };
    let acme_rows = rows(&acme).await;

    // The backup (through the control role and each tenant's role) holds the files.
    let dir = tempfile::tempdir().unwrap();
    let local = dir.path().join("t");
    std::fs::create_dir_all(&local).unwrap();
    let keys = keys();
    let config = config(&[&local], &keys);
    let directory = Directory::connect(&pg, installation.clone(), secret.clone())
        .await
        .unwrap()
        .with_blob_store(Some(bucket.clone()));
    let record = backup::run_now(
        &Source::Cloud {
            directory: directory.clone(),
        },
        &config,
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(record.result, RunResult::Ok, "{record:?}");
    let (listings, _) = backup::list(&config.targets).await;
    let manifest = listings[0].manifest.clone().unwrap();
    let names: Vec<&str> = manifest.files.iter().map(|f| f.name.as_str()).collect();
    assert!(names.contains(&"tenants/acme.files.zst.age"), "{names:?}");
    assert!(names.contains(&"tenants/beta.files.zst.age"), "{names:?}");
    let results = backup::verify(&config.targets, &record.id, &keys.identity)
        .await
        .unwrap();
    assert!(results.iter().all(|(_, r)| r.is_ok()), "{results:?}");

    // Deleting a tenant (after its export) deletes its prefix, and only its.
    beta.close().await;
    provisioner.record_export("beta").await.unwrap();
    provisioner.delete("beta", "beta").await.unwrap();
    let left = bucket.list_keys().await.unwrap();
    assert!(
        !left.iter().any(|k| k.starts_with(&beta_prefix)),
        "{left:?}"
    );
    assert_eq!(
        left.iter().filter(|k| k.starts_with(&acme_prefix)).count(),
        acme_keys.len()
    );

    // The objects go (as if the bucket were lost); the restored tenant has every file.
    for k in bucket.list_keys().await.unwrap() {
        bucket.delete(&k).await.unwrap();
    }
    let report = backup::restore_tenants(
        &provisioner,
        &config.targets,
        &record.id,
        &keys.identity,
        &[("acme".into(), "acme-restored".into())],
    )
    .await
    .unwrap();
    assert_eq!(report.to, vec!["acme -> acme-restored"]);
    let restored = provisioner
        .open_tenant(&provisioner.get("acme-restored").await.unwrap())
        .await
        .unwrap();
    let counts = restored.blob_counts().await.unwrap();
    assert_eq!(
        (counts.external, counts.in_database),
        (0, acme_external.len() as u64)
    );
    for (sha, data) in &acme_files {
        assert_eq!(&restored.blob(sha).await.unwrap().data, data);
    }
    // Every other row as it was (the blobs rows now hold their bytes themselves).
    let mut expected = acme_rows.clone();
    let mut actual = rows(&restored).await;
    expected.remove("blobs");
    actual.remove("blobs");
    assert_same(&expected, &actual);
    assert!(restored.check_blobs().await.unwrap().problems.is_empty());
    for s in [&acme, &restored] {
        s.close().await;
    }
}

/// The blobs rows as they must survive a restore: every column but where the bytes live,
/// plus the SHA-256 of the bytes the store reads (from the bucket or the database).
async fn blob_picture(store: &Store) -> Vec<String> {
    use sqlx::Row;
    let rows =
        sqlx::query("SELECT sha256, content_type, size, created_at FROM blobs ORDER BY sha256")
            .fetch_all(store.pool())
            .await
            .unwrap();
    let mut out = Vec::new();
    for r in rows {
        let sha: String = r.try_get("sha256").unwrap();
        let data = store.blob(&sha).await.unwrap().data;
        out.push(format!(
            "{sha} {} {} {} {}",
            r.try_get::<String, _>("content_type").unwrap(),
            r.try_get::<i64, _>("size").unwrap(),
            r.try_get::<String, _>("created_at").unwrap(),
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&data))
        ));
    }
    out
}

/// The restore drill on SQLite with files in S3: make data (new files in the bucket, one old
/// file in the database), back up, then change and delete data *and* every object, restore,
/// and compare every row and every file hash with the state at backup time.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_drill_with_files_in_s3() {
    use kontor_storage::blobstore::BlobStoreSpec;
    let Ok(base) = std::env::var("KONTOR_TEST_S3_URL") else {
        eprintln!("skipped: KONTOR_TEST_S3_URL is not set");
        return;
    };
    let run = kontor_testkit::unique_schema()[2..].replace('_', "-");
    let sep = if base.contains('?') { '&' } else { '?' };
    let bucket = BlobStoreSpec::parse(&format!("{base}{sep}prefix=drill-{run}"))
        .unwrap()
        .open()
        .unwrap()
        .scoped("kontor")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let plain = Store::open_dir(&data).await.unwrap();
    plain
        .put_blob("text/plain", b"written before the bucket")
        .await
        .unwrap();
    let store = plain.with_blob_store(Some(bucket.clone()));
    make_business(&store, 3).await;
    let counts = store.blob_counts().await.unwrap();
    assert_eq!(counts.in_database, 1);
    assert!(counts.external >= 4, "{counts:?}");
    let mut expected = rows(&store).await;
    let expected_files = blob_picture(&store).await;
    expected.remove("blobs");

    let target = dir.path().join("t");
    std::fs::create_dir_all(&target).unwrap();
    let keys = keys();
    let config = config(&[&target], &keys);
    let source = Source::Sqlite {
        store: store.clone(),
        path: data.join("kontor.db"),
    };
    let record = backup::run_now(&source, &config, Utc::now()).await.unwrap();
    assert_eq!(record.result, RunResult::Ok, "{record:?}");
    assert_eq!(record.files, 2, "database and files: {record:?}");

    damage(&store).await;
    for k in bucket.list_keys().await.unwrap() {
        bucket.delete(&k).await.unwrap();
    }
    let to = dir.path().join("restored");
    backup::restore_sqlite(&config.targets, &record.id, &keys.identity, &to)
        .await
        .unwrap();
    let restored = Store::open_dir(&to).await.unwrap();
    let mut actual = rows(&restored).await;
    actual.remove("blobs");
    assert_same(&expected, &actual);
    assert_eq!(blob_picture(&restored).await, expected_files);
    assert_eq!(restored.blob_counts().await.unwrap().external, 0);

    // A backup whose files file is damaged is named by verify and never half-restored.
    let files = target
        .join("kontor-backups")
        .join(record.id.as_str())
        .join("files.bin.zst.age");
    let mut bytes = std::fs::read(&files).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 0xff;
    std::fs::write(&files, &bytes).unwrap();
    let results = backup::verify(&config.targets, &record.id, &keys.identity)
        .await
        .unwrap();
    let err = results[0].1.as_ref().unwrap_err().to_string();
    assert!(err.contains("files.bin.zst.age"), "{err}");
    let again = dir.path().join("again");
    assert!(
        backup::restore_sqlite(&config.targets, &record.id, &keys.identity, &again)
            .await
            .is_err()
    );
    assert!(!again.join("kontor.db").exists());
}
