//! Backups are signed by the installation, and what the targets hold is what counts: a backup
//! signed with another key, an altered manifest and an unsigned one are refused by verify and
//! restore; the watchdog's check reads the age from the targets (a target whose backups were
//! deleted is a problem whatever the records say) and the daily verification names a corrupt
//! file and alerts.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

mod backup_support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use backup_support::*;
use chrono::Utc;
use kontor_ops::backup::{self, BackupCheck, BackupError, BackupId, Manifest, RunResult, Source};
use kontor_ops::monitor::alert::AlertError;
use kontor_ops::monitor::{
    Alert, AlertStatus, BoxFuture, Check, Notifier, Watchdog, WatchdogConfig,
};
use kontor_testkit::DataDir;

fn source(i: &DataDir) -> Source {
    Source::Sqlite {
        store: i.store.clone(),
        path: i.data.join("kontor.db"),
    }
}

fn manifest_path(target: &Path, id: &BackupId) -> PathBuf {
    target
        .join("kontor-backups")
        .join(id.as_str())
        .join("manifest.json")
}

fn read_manifest(path: &Path) -> Manifest {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Verify refuses the only copy with an error containing every one of `words`, and so does
/// a restore, which writes nothing.
async fn refused(
    specs: &[backup::TargetSpec],
    id: &BackupId,
    identity: &backup::Identity,
    to: &Path,
    words: &[&str],
) -> BackupError {
    let results = backup::verify(specs, id, identity).await.unwrap();
    assert_eq!(results.len(), 1);
    let err = results[0].1.as_ref().unwrap_err().to_string();
    for w in words {
        assert!(err.contains(w), "verify: {w:?} not in {err}");
    }
    let err = backup::restore_sqlite(specs, id, identity, to)
        .await
        .unwrap_err();
    for w in words {
        assert!(err.to_string().contains(w), "restore: {w:?} not in {err}");
    }
    assert!(!to.exists(), "nothing restored");
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_altered_and_unsigned_backups_are_refused_and_a_signed_one_restores() {
    let i = DataDir::open().await;
    make_business(&i.store, 1).await;
    let expected = rows(&i.store).await;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("t");
    std::fs::create_dir_all(&target).unwrap();
    let keys = keys();
    let config = config(&[&target], &keys);
    let specs = specs(&config);
    let record = backup::run_now(&source(&i), &config, Utc::now())
        .await
        .unwrap();
    assert_eq!(record.result, RunResult::Ok, "{record:?}");
    let path = manifest_path(&target, &record.id);
    let good = std::fs::read(&path).unwrap();
    let signature = read_manifest(&path).signature.unwrap();
    assert_eq!(
        signature.key,
        keys.identity.verify_keys()[0].to_string(),
        "signed with the server's key, whose verify key the identity holds"
    );

    // Someone who can write to the target makes a backup of a database of their own,
    // encrypted to the (public) recipient, signed with a key of their own.
    let forger = DataDir::open().await;
    make_business(&forger.store, 2).await;
    let forger_keys = keys_with_recipient(&keys.recipient);
    let forged = backup::run_now(
        &source(&forger),
        &config_of_keys(&target, &forger_keys),
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(forged.result, RunResult::Ok);
    let err = refused(
        &specs,
        &forged.id,
        &keys.identity,
        &dir.path().join("r-forged"),
        &["is refused", "not the verify key given", forged.id.as_str()],
    )
    .await;
    assert!(matches!(err, BackupError::BadSignature { .. }), "{err}");

    // The installation's own manifest with a file's size or SHA-256 changed.
    let mut altered = read_manifest(&path);
    altered.files[0].size += 1;
    std::fs::write(&path, serde_json::to_vec_pretty(&altered).unwrap()).unwrap();
    refused(
        &specs,
        &record.id,
        &keys.identity,
        &dir.path().join("r-size"),
        &["is refused", "changed after it was signed"],
    )
    .await;
    let mut altered = read_manifest(&path);
    altered.files[0].size -= 1;
    altered.files[0].sha256 = "0".repeat(64);
    std::fs::write(&path, serde_json::to_vec_pretty(&altered).unwrap()).unwrap();
    refused(
        &specs,
        &record.id,
        &keys.identity,
        &dir.path().join("r-sha"),
        &["is refused", "changed after it was signed"],
    )
    .await;

    // Unsigned (as backups made before Kontor signed them, or with the signature stripped):
    // refused, unless accepted on purpose; then the restore says it was unsigned.
    let mut unsigned: Manifest = serde_json::from_slice(&good).unwrap();
    unsigned.signature = None;
    std::fs::write(&path, serde_json::to_vec_pretty(&unsigned).unwrap()).unwrap();
    let err = refused(
        &specs,
        &record.id,
        &keys.identity,
        &dir.path().join("r-unsigned"),
        &["is not signed", "--accept-unsigned"],
    )
    .await;
    assert!(matches!(err, BackupError::Unsigned { .. }), "{err}");
    let accepting = keys.identity.clone().accepting_unsigned(true);
    let results = backup::verify(&specs, &record.id, &accepting)
        .await
        .unwrap();
    assert!(results[0].1.is_ok(), "{results:?}");
    let to = dir.path().join("r-accepted");
    let report = backup::restore_sqlite(&specs, &record.id, &accepting, &to)
        .await
        .unwrap();
    assert!(report.unsigned);
    // Accepting unsigned backups does not accept a wrong signature.
    let err = backup::restore_sqlite(
        &specs,
        &forged.id,
        &accepting,
        &dir.path().join("r-forged-2"),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, BackupError::BadSignature { .. }), "{err}");

    // A signed backup needs a verify key: an identity file without one cannot check it.
    std::fs::write(&path, &good).unwrap();
    let (text, _) = backup::generate_identity(Utc::now(), None);
    let bare = backup::Identity::parse(&text, "bare").unwrap();
    let results = backup::verify(&specs, &record.id, &bare).await.unwrap();
    let err = results[0].1.as_ref().unwrap_err().to_string();
    assert!(err.contains("no verify key"), "{err}");

    // The untouched, signed manifest: verified and restored as before.
    let results = backup::verify(&specs, &record.id, &keys.identity)
        .await
        .unwrap();
    assert!(results[0].1.is_ok(), "{results:?}");
    let to = dir.path().join("r-good");
    let report = backup::restore_sqlite(&specs, &record.id, &keys.identity, &to)
        .await
        .unwrap();
    assert!(!report.unsigned);
    let restored = kontor_storage::Store::open_dir(&to).await.unwrap();
    assert_same(&expected, &rows(&restored).await);
    restored.close().await;
}

/// Keys of someone else who knows the installation's recipient (it is in every manifest).
fn keys_with_recipient(recipient: &str) -> Keys {
    Keys {
        recipient: recipient.to_string(),
        ..keys()
    }
}

fn config_of_keys(target: &Path, keys: &Keys) -> backup::BackupConfig {
    config(&[target], keys)
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Alert>>>);

impl Notifier for Recorder {
    fn describe(&self) -> String {
        "recorder".into()
    }
    fn send<'a>(
        &'a self,
        _: &'a str,
        alerts: &'a [Alert],
    ) -> BoxFuture<'a, Result<(), AlertError>> {
        Box::pin(async move {
            self.0.lock().unwrap().extend_from_slice(alerts);
            Ok(())
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_check_reads_the_targets_and_the_daily_verification_alerts_on_a_corrupt_file() {
    let i = DataDir::open().await;
    make_business(&i.store, 1).await;
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let keys = keys();
    let config = config(&[&a, &b], &keys);
    let record = backup::run_now(&source(&i), &config, Utc::now())
        .await
        .unwrap();
    assert_eq!(record.result, RunResult::Ok, "{record:?}");
    let records = || backup::Records::for_store(&i.store);
    let finding = |findings: &[kontor_ops::monitor::Finding], key: &str, target: &Path| {
        let key = format!("{key}:{}", target.display());
        findings
            .iter()
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("no {key} in {findings:?}"))
            .clone()
    };

    let check = BackupCheck::new(records(), &config);
    let findings = check.run().await;
    for t in [&a, &b] {
        let age = finding(&findings, "backup_age", t);
        assert!(
            age.ok && age.message.contains(record.id.as_str()),
            "{age:?}"
        );
    }

    // b's backups are deleted: the records still say it got one minutes ago, the check names
    // b as a problem.
    std::fs::remove_dir_all(b.join("kontor-backups").join(record.id.as_str())).unwrap();
    let findings = check.run().await;
    let age = finding(&findings, "backup_age", &b);
    assert!(!age.ok, "{age:?}");
    assert!(
        age.message.contains(&b.display().to_string())
            && age.message.contains("no signed backup")
            && age.message.contains("records say"),
        "{age:?}"
    );
    assert!(finding(&findings, "backup_age", &a).ok);

    // A newer backup on a that the installation did not sign: a is a problem too.
    let forger = DataDir::open().await;
    let forger_keys = keys_with_recipient(&keys.recipient);
    let later = Utc::now() + chrono::Duration::seconds(5);
    let forged = backup::run_now(&source(&forger), &config_of_keys(&a, &forger_keys), later)
        .await
        .unwrap();
    let age = finding(&check.run().await, "backup_age", &a);
    assert!(
        !age.ok && age.message.contains("newer ones are refused"),
        "{age:?}"
    );
    std::fs::remove_dir_all(a.join("kontor-backups").join(forged.id.as_str())).unwrap();
    assert!(finding(&check.run().await, "backup_age", &a).ok);

    // The daily verification: a's newest backup is whole; b has nothing to verify.
    assert_eq!(check.verify_due().await, 1);
    let verified = finding(&check.run().await, "backup_verify", &a);
    assert!(
        verified.ok && verified.message.contains(record.id.as_str()),
        "{verified:?}"
    );
    assert_eq!(check.verify_due().await, 0, "not due again within a day");

    // A stored file is damaged: the next verification names it, and the watchdog alerts.
    let file = a
        .join("kontor-backups")
        .join(record.id.as_str())
        .join("kontor.db.zst.age");
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[100] ^= 0x01;
    std::fs::write(&file, &bytes).unwrap();
    let check = Arc::new(BackupCheck::new(records(), &config));
    let recorder = Recorder::default();
    let mut watchdog = Watchdog::new(WatchdogConfig::default());
    watchdog
        .add_shared_check(check.clone())
        .add_notifier(recorder.clone());
    watchdog.run_once().await;
    assert_eq!(check.verify_due().await, 1);
    watchdog.run_once().await;
    let alerts = recorder.0.lock().unwrap().clone();
    let key = format!("backup_verify:{}", a.display());
    let alert = alerts
        .iter()
        .find(|al| al.key == key)
        .unwrap_or_else(|| panic!("no alert for {key}: {alerts:?}"));
    assert_eq!(alert.status, AlertStatus::Firing);
    assert!(
        alert.message.contains("kontor.db.zst.age is corrupt")
            && alert.message.contains(record.id.as_str()),
        "{alert:?}"
    );
    // b's deleted backups were alerted about too.
    assert!(
        alerts
            .iter()
            .any(|al| al.key == format!("backup_age:{}", b.display())
                && al.status == AlertStatus::Firing),
        "{alerts:?}"
    );
}
