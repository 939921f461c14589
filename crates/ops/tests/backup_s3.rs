//! The S3 path against a real S3 endpoint (scripts/s3s-fs.sh starts one): needs
//! KONTOR_TEST_S3_URL (e.g. s3://kontor-test?endpoint=http://127.0.0.1:PORT) and
//! AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; skipped without them.

mod backup_support;

use backup_support::*;
use chrono::{Duration, Utc};
use kontor_ops::backup::{self, BackupConfig, RunResult, Source, TargetSpec};
use kontor_storage::Store;

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
        kontor_storage::testing::unique_schema()[2..].replace('_', "-")
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

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let store = Store::open_dir(&data).await.unwrap();
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
    let config = BackupConfig::from_settings(
        &[url.clone(), local.display().to_string()],
        &keys.recipient,
        "6h",
        30,
    )
    .unwrap();
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
