//! Backups of a SQLite installation: the restore drill, several targets with one failing,
//! retention with a fake clock, corrupted and truncated files, the lease, the check.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

mod backup_support;

use backup_support::*;
use chrono::{DateTime, Duration, Utc};
use kontor_ops::backup::{self, BackupCheck, BackupError, BackupId, Claim, RunResult, Source};
use kontor_ops::monitor::Check;
use kontor_storage::Store;
use kontor_testkit::DataDir;
use kontor_testkit::fixtures::company_profile;

fn source(i: &DataDir) -> Source {
    Source::Sqlite {
        store: i.store.clone(),
        path: i.data.join("kontor.db"),
    }
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_drill_gives_back_every_row_and_file_as_at_backup_time() {
    let i = DataDir::open().await;
    make_business(&i.store, 4).await;
    let expected_rows = rows(&i.store).await;
    let expected_files = blob_hashes(&i.store).await;
    assert!(
        expected_files.len() > 4,
        "logo, PDFs and XML: {}",
        expected_files.len()
    );

    let targets = tempfile::tempdir().unwrap();
    let (a, b) = (targets.path().join("a"), targets.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let keys = keys();
    let config = config(&[&a, &b], &keys);
    let record = backup::run_now(&source(&i), &config, Utc::now())
        .await
        .unwrap();
    assert_eq!(record.result, RunResult::Ok, "{record:?}");
    assert_eq!(record.targets.len(), 2);
    assert!(record.targets.iter().all(|t| t.ok && t.bytes > 0));

    // Nothing readable in the backup: the files are encrypted.
    let stored = std::fs::read(
        a.join("kontor-backups")
            .join(record.id.as_str())
            .join("kontor.db.zst.age"),
    )
    .unwrap();
    assert!(stored.starts_with(b"age-encryption.org/v1"));
    let name = company_profile().name;
    assert!(!stored.windows(name.len()).any(|w| w == name.as_bytes()));

    damage(&i.store).await;
    assert_ne!(rows(&i.store).await, expected_rows);

    let to = targets.path().join("restored");
    let report = backup::restore_sqlite(&specs(&config), &record.id, &keys.identity, &to)
        .await
        .unwrap();
    assert_eq!(report.from, a.display().to_string());
    let restored = Store::open_dir(&to).await.unwrap();
    assert_same(&expected_rows, &rows(&restored).await);
    assert_eq!(blob_hashes(&restored).await, expected_files);
    assert!(restored.audit_verify().await.unwrap().ok());
    // The archived PDF reads back byte for byte.
    let issued = restored
        .documents_missing_artefact("pdf", 10)
        .await
        .unwrap();
    assert!(
        issued.is_empty(),
        "every issued document has its PDF: {issued:?}"
    );
    // The run's own row was copied while it ran; the restore closes it as the completed
    // backup it is, so the restored installation backs up at once.
    let records = backup::Records::for_store(&restored);
    let runs = records.recent(10).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(
        (runs[0].id.clone(), runs[0].result),
        (record.id.clone(), RunResult::Ok)
    );
    assert!(runs[0].finished_at.is_some() && runs[0].size_bytes > 0);
    let now = chrono::Utc::now();
    let next = backup::BackupId::new(now);
    assert!(matches!(
        records
            .claim(&next, now, None, "restored-host")
            .await
            .unwrap(),
        backup::Claim::Claimed
    ));
    restored.close().await;

    // Never over existing data.
    let err = backup::restore_sqlite(&specs(&config), &record.id, &keys.identity, &i.data)
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::Destination { .. }), "{err}");
    assert!(err.to_string().contains("not empty"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_target_does_not_stop_the_others_and_is_named() {
    let i = DataDir::open().await;
    make_business(&i.store, 1).await;
    let targets = tempfile::tempdir().unwrap();
    let good = targets.path().join("good");
    std::fs::create_dir_all(&good).unwrap();
    // Before the first backup finished: no alert in the first 30 minutes, one after them.
    let first_check = |clock: fn() -> DateTime<Utc>| {
        let config = config(&[&good], &keys());
        let age_key = format!("backup_age:{}", good.display());
        let check =
            BackupCheck::new(backup::Records::for_store(&i.store), &config).with_clock(clock);
        async move {
            let findings = check.run().await;
            findings.into_iter().find(|f| f.key == age_key).unwrap()
        }
    };
    fn in_a_minute() -> DateTime<Utc> {
        Utc::now() + Duration::minutes(1)
    }
    fn in_an_hour() -> DateTime<Utc> {
        Utc::now() + Duration::hours(1)
    }
    let early = first_check(in_a_minute).await;
    assert!(
        early.ok && early.message.contains("first one is under way"),
        "{early:?}"
    );
    let late = first_check(in_an_hour).await;
    assert!(
        !late.ok && late.message.contains("no signed backup"),
        "{late:?}"
    );
    // A "folder" that is a file: writing below it fails (even for root, unlike chmod).
    let broken = targets.path().join("broken");
    std::fs::write(&broken, b"not a folder").unwrap();
    let missing = targets.path().join("unmounted");
    let keys = keys();
    let config = config(&[&broken, &good, &missing], &keys);
    let record = backup::run_now(&source(&i), &config, Utc::now())
        .await
        .unwrap();
    assert_eq!(record.result, RunResult::Partial);
    let by_name = |p: &std::path::Path| {
        record
            .targets
            .iter()
            .find(|t| t.target == p.display().to_string())
            .unwrap()
            .clone()
    };
    assert!(by_name(&good).ok);
    for bad in [&broken, &missing] {
        let outcome = by_name(bad);
        assert!(!outcome.ok);
        assert!(outcome.error.unwrap().contains(&bad.display().to_string()));
    }
    assert!(!missing.exists(), "an unmounted target is not created");
    // Recorded as partial, with the failing targets named.
    let runs = backup::Records::for_store(&i.store)
        .recent(5)
        .await
        .unwrap();
    assert_eq!(runs[0].result, RunResult::Partial);
    assert_eq!(runs[0].targets.iter().filter(|t| !t.ok).count(), 2);
    // The good copy is complete and verifies; the broken targets are reported as such.
    let results = backup::verify(&specs(&config), &record.id, &keys.identity)
        .await
        .unwrap();
    assert_eq!(results.len(), 3, "{results:?}");
    for (target, result) in &results {
        assert_eq!(
            result.is_ok(),
            target == &good.display().to_string(),
            "{target}: {result:?}"
        );
    }

    // The watchdog's check sees the same: good is fine, the others are problems.
    let check = BackupCheck::new(backup::Records::for_store(&i.store), &config);
    let findings = check.run().await;
    let finding = |key: String| findings.iter().find(|f| f.key == key).unwrap().clone();
    assert!(finding(format!("backup_age:{}", good.display())).ok);
    assert!(finding(format!("backup_target:{}", good.display())).ok);
    assert!(!finding(format!("backup_age:{}", broken.display())).ok);
    assert!(!finding(format!("backup_target:{}", broken.display())).ok);
    assert!(!finding(format!("backup_target:{}", missing.display())).ok);

    // Later, past the schedule and the grace: the age finding turns into a problem.
    fn much_later() -> DateTime<Utc> {
        Utc::now() + Duration::hours(7)
    }
    let late = BackupCheck::new(backup::Records::for_store(&i.store), &config)
        .with_clock(much_later)
        .run()
        .await;
    let age = late
        .iter()
        .find(|f| f.key == format!("backup_age:{}", good.display()))
        .unwrap();
    assert!(!age.ok, "{age:?}");
    assert!(
        age.message.contains("allowed: 6 h 30 min"),
        "{}",
        age.message
    );

    // The disk behind `good` is unmounted and its empty mount point is left: the next run and
    // the check name it instead of filling the disk underneath.
    std::fs::rename(
        good.join("kontor-backups"),
        targets.path().join("elsewhere"),
    )
    .unwrap();
    let good_only = config_of(&[good.display().to_string()], &keys);
    let record = backup::run_now(&source(&i), &good_only, Utc::now())
        .await
        .unwrap();
    assert_eq!(record.result, RunResult::Failed);
    let error = record.targets[0].error.clone().unwrap();
    assert!(error.contains("is the disk mounted?"), "{error}");
    assert!(
        !good.join("kontor-backups").exists(),
        "nothing written on the mount point"
    );
    let findings = BackupCheck::new(backup::Records::for_store(&i.store), &good_only)
        .run()
        .await;
    let target = findings
        .iter()
        .find(|f| f.key == format!("backup_target:{}", good.display()))
        .unwrap();
    assert!(
        !target.ok && target.message.contains("is the disk mounted?"),
        "{target:?}"
    );
    assert!(
        !good.join("kontor-backups").exists(),
        "the probe wrote nothing there either"
    );
    // Mounted again: fine.
    std::fs::rename(
        targets.path().join("elsewhere"),
        good.join("kontor-backups"),
    )
    .unwrap();
    let record = backup::run_now(&source(&i), &good_only, Utc::now())
        .await
        .unwrap();
    assert_eq!(record.result, RunResult::Ok, "{record:?}");

    // Every target failing: the run is failed.
    let all_bad = config_of(&[broken.display().to_string()], &keys);
    let record = backup::run_now(&source(&i), &all_bad, Utc::now())
        .await
        .unwrap();
    assert_eq!(record.result, RunResult::Failed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_deletes_old_backups_but_never_the_newest_complete_one() {
    let i = DataDir::open().await;
    make_business(&i.store, 1).await;
    let targets = tempfile::tempdir().unwrap();
    let (a, b) = (targets.path().join("a"), targets.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let keys = keys();
    let config = config(&[&a, &b], &keys);
    let t0 = at("2026-01-01T03:00:00Z");
    let mut ids = Vec::new();
    for days in [0, 11, 20, 29] {
        let r = backup::run_now(&source(&i), &config, t0 + Duration::days(days))
            .await
            .unwrap();
        assert_eq!(r.result, RunResult::Ok);
        assert!(
            r.targets.iter().all(|t| t.deleted.is_empty()),
            "nothing is 30 days old yet"
        );
        ids.push(r.id);
    }
    // Day 40: the backup of day 0 is older than 30 days, day 11's is 29 days old.
    let r = backup::run_now(&source(&i), &config, t0 + Duration::days(40))
        .await
        .unwrap();
    ids.push(r.id.clone());
    for t in &r.targets {
        assert_eq!(t.deleted, vec![ids[0].to_string()], "{t:?}");
    }
    let on = |dir: &std::path::Path| {
        let spec = backup::TargetSpec::Local(dir.to_path_buf());
        async move {
            spec.open()
                .unwrap()
                .list()
                .await
                .unwrap()
                .into_iter()
                .map(|l| l.id)
                .collect::<Vec<BackupId>>()
        }
    };
    assert_eq!(on(&a).await, ids[1..].to_vec());
    assert_eq!(on(&b).await, ids[1..].to_vec());
    // No empty folder is left where the deleted backup was.
    for dir in [&a, &b] {
        let folder = dir.join("kontor-backups").join(ids[0].as_str());
        assert!(!folder.exists(), "{} left behind", folder.display());
        assert!(dir.join("kontor-backups").join(ids[1].as_str()).is_dir());
    }

    // An interrupted run (no manifest) on target a, then a year without backups.
    let stray = BackupId::new(t0 + Duration::days(41));
    std::fs::create_dir_all(a.join("kontor-backups").join(stray.as_str())).unwrap();
    std::fs::write(
        a.join("kontor-backups")
            .join(stray.as_str())
            .join("kontor.db.zst.age"),
        b"partial",
    )
    .unwrap();
    let listed = backup::TargetSpec::Local(a.clone())
        .open()
        .unwrap()
        .list()
        .await
        .unwrap();
    assert!(!listed.last().unwrap().complete);
    // Only the retention plan at that time: the newest complete backup (day 40) stays even
    // though it is a year old; the incomplete one is not "the newest complete".
    let plan = backup::retention_plan(&listed, t0 + Duration::days(400), Duration::days(30));
    assert!(!plan.contains(&ids[4]));
    assert!(plan.contains(&stray));
    assert_eq!(plan.len(), listed.len() - 1);

    // The lease: a running run blocks another; the schedule only runs when due.
    let records = backup::Records::for_store(&i.store);
    let now = t0 + Duration::days(41);
    let running = BackupId::new(now);
    assert_eq!(
        records.claim(&running, now, None, "test").await.unwrap(),
        Claim::Claimed
    );
    let err = backup::run_now(&source(&i), &config, now)
        .await
        .unwrap_err();
    assert!(matches!(err, BackupError::Busy { .. }), "{err}");
    let soon = now + Duration::minutes(10);
    assert!(matches!(
        records
            .claim(&BackupId::new(soon), soon, Some(Duration::hours(6)), "test")
            .await
            .unwrap(),
        Claim::Busy { .. }
    ));
    // A run silent for longer than the heartbeat allows is taken as interrupted, and a
    // failed last run makes the next one due.
    let r = backup::run_if_due(&source(&i), &config, now + Duration::hours(7))
        .await
        .unwrap();
    assert_eq!(r.map(|r| r.result), Some(RunResult::Ok));
    assert!(
        backup::run_if_due(&source(&i), &config, now + Duration::hours(8))
            .await
            .unwrap()
            .is_none()
    );
    let at9 = now + Duration::hours(9);
    assert_eq!(
        records
            .claim(&BackupId::new(at9), at9, Some(Duration::hours(6)), "test")
            .await
            .unwrap(),
        Claim::NotDue {
            next: now + Duration::hours(13)
        }
    );
    let interrupted = records
        .recent(20)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.id == running)
        .unwrap();
    assert_eq!(interrupted.result, RunResult::Failed);
    assert!(interrupted.error.unwrap().contains("interrupted"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupted_and_truncated_files_are_named_and_never_restored() {
    let i = DataDir::open().await;
    make_business(&i.store, 2).await;
    let targets = tempfile::tempdir().unwrap();
    let (a, b) = (targets.path().join("a"), targets.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let keys = keys();
    let config = config(&[&a, &b], &keys);
    let record = backup::run_now(&source(&i), &config, Utc::now())
        .await
        .unwrap();
    let file = |dir: &std::path::Path| {
        dir.join("kontor-backups")
            .join(record.id.as_str())
            .join("kontor.db.zst.age")
    };

    // One flipped byte on a.
    let mut bytes = std::fs::read(file(&a)).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(file(&a), &bytes).unwrap();
    let results = backup::verify(&specs(&config), &record.id, &keys.identity)
        .await
        .unwrap();
    assert_eq!(results.len(), 2);
    let err = results[0].1.as_ref().unwrap_err();
    assert!(matches!(err, BackupError::Corrupt { .. }), "{err}");
    assert!(
        err.to_string().contains("kontor.db.zst.age")
            && err.to_string().contains(&a.display().to_string()),
        "{err}"
    );
    assert!(results[1].1.is_ok());

    // The restore skips the bad copy and uses the good one, saying so.
    let to = targets.path().join("r1");
    let report = backup::restore_sqlite(&specs(&config), &record.id, &keys.identity, &to)
        .await
        .unwrap();
    assert_eq!(report.from, b.display().to_string());
    assert_eq!(report.skipped_copies.len(), 1);

    // b truncated too: nothing restorable; both named; nothing written.
    let good = std::fs::read(file(&b)).unwrap();
    std::fs::write(file(&b), &good[..good.len() - 1000]).unwrap();
    let to = targets.path().join("r2");
    let err = backup::restore_sqlite(&specs(&config), &record.id, &keys.identity, &to)
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("corrupt") && text.contains("truncated"),
        "{text}"
    );
    assert!(!to.exists(), "nothing half-restored");
    let leftovers: Vec<_> = std::fs::read_dir(targets.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 3, "no staging left behind: {leftovers:?}");

    // A file whose stored bytes match the manifest but whose encryption is damaged (the
    // manifest rewritten to match and signed again, as only the server could) is caught when
    // decrypting.
    let manifest_path = b
        .join("kontor-backups")
        .join(record.id.as_str())
        .join("manifest.json");
    let mut manifest: backup::Manifest =
        serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    let mut cut = good.clone();
    cut.truncate(good.len() - 1000);
    manifest.files[0].size = cut.len() as u64;
    manifest.files[0].sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&cut));
    keys.signing.sign(&mut manifest).unwrap();
    std::fs::write(&manifest_path, serde_json::to_vec(&manifest).unwrap()).unwrap();
    let only_b = vec![backup::TargetSpec::Local(b.clone())];
    let results = backup::verify(&only_b, &record.id, &keys.identity)
        .await
        .unwrap();
    let err = results[0].1.as_ref().unwrap_err().to_string();
    assert!(
        err.contains("kontor.db.zst.age") && err.contains("damaged or incomplete"),
        "{err}"
    );

    // The wrong identity opens nothing, and is named as the wrong key, not as damage.
    std::fs::write(file(&b), &good).unwrap();
    let other = keys_other(&keys);
    let results = backup::verify(&specs(&config), &record.id, &other)
        .await
        .unwrap();
    for (target, result) in &results {
        let err = result.as_ref().unwrap_err().to_string();
        assert!(
            err.contains("is encrypted to") && err.contains(&keys.recipient.to_string()),
            "{target}: {err}"
        );
        assert!(!err.contains("damaged"), "{target}: {err}");
    }

    // A missing manifest (an interrupted run) is reported as incomplete.
    std::fs::remove_file(&manifest_path).unwrap();
    let (listings, _) = backup::list(&only_b).await;
    assert!(listings[0].manifest.is_none());
    let results = backup::verify(&only_b, &record.id, &keys.identity)
        .await
        .unwrap();
    assert!(
        results[0]
            .1
            .as_ref()
            .unwrap_err()
            .to_string()
            .contains("manifest"),
        "{results:?}"
    );
}

/// Another age identity, with the right verify key.
fn keys_other(ours: &Keys) -> kontor_ops::backup::Identity {
    keys()
        .identity
        .with_verify_key(ours.identity.verify_keys()[0])
}
