//! Backups on PostgreSQL (needs KONTOR_TEST_DATABASE_URL; skipped without it): the cloud
//! restore drill (one tenant alone, and every tenant into a new installation) and a single
//! installation's schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

mod backup_support;

use backup_support::*;
use chrono::Utc;
use kontor_ops::backup::{self, Records, RunResult, Source};
use kontor_storage::tenants::{Directory, Installation, MasterSecret, Provisioner};
use kontor_storage::{ConnectOptions, Store};
use kontor_testkit::{TestStore, postgres_url, unique_schema};

fn installation_name() -> String {
    format!("bk{}", &unique_schema()[1..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_restore_drill_per_tenant_and_whole() {
    let Some(url) = postgres_url() else {
        eprintln!("skipped: KONTOR_TEST_DATABASE_URL is not set");
        return;
    };
    let secret = MasterSecret::new(vec![7u8; 32]).unwrap();
    let installation = Installation::new(&installation_name()).unwrap();
    let provisioner = Provisioner::connect(&url, installation.clone(), secret.clone())
        .await
        .unwrap();
    provisioner.create("acme", "Acme GmbH").await.unwrap();
    provisioner.create("beta", "Beta AG").await.unwrap();
    provisioner.create("gone", "Gone KG").await.unwrap();
    let acme = provisioner
        .open_tenant(&provisioner.get("acme").await.unwrap())
        .await
        .unwrap();
    let beta = provisioner
        .open_tenant(&provisioner.get("beta").await.unwrap())
        .await
        .unwrap();
    make_business(&acme, 3).await;
    make_business(&beta, 1).await;
    provisioner.suspend("gone").await.unwrap();
    let acme_rows = rows(&acme).await;
    let acme_files = blob_hashes(&acme).await;
    let beta_rows = rows(&beta).await;
    assert!(acme_rows["documents"].len() >= 5);

    let targets = tempfile::tempdir().unwrap();
    let (a, b) = (targets.path().join("a"), targets.path().join("b"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    let keys = keys();
    let config = config(&[&a, &b], &keys);
    // Serving instances hold no admin credentials: the backup runs through the control role
    // and each tenant's own role.
    let directory = Directory::connect(&url, installation.clone(), secret.clone())
        .await
        .unwrap();
    let source = Source::Cloud {
        directory: directory.clone(),
    };
    let record = backup::run_now(&source, &config, Utc::now()).await.unwrap();
    assert_eq!(record.result, RunResult::Ok, "{record:?}");
    let (listings, errors) = backup::list(&specs(&config)).await;
    assert!(errors.is_empty(), "{errors:?}");
    let manifest = listings[0].manifest.clone().unwrap();
    let tenants: Vec<_> = manifest
        .files
        .iter()
        .filter_map(|f| f.tenant.clone())
        .collect();
    assert_eq!(tenants, vec!["acme".to_string(), "beta".to_string()]);
    assert_eq!(
        manifest.skipped.len(),
        1,
        "the suspended tenant is named: {manifest:?}"
    );
    assert_eq!(manifest.skipped[0].tenant, "gone");
    let runs = Records::for_control(
        directory.control_pool().clone(),
        &installation.control_schema(),
    )
    .unwrap()
    .recent(5)
    .await
    .unwrap();
    assert_eq!(runs[0].id, record.id);
    for (target, result) in backup::verify(&specs(&config), &record.id, &keys.identity)
        .await
        .unwrap()
    {
        assert!(result.is_ok(), "{target}: {result:?}");
    }

    // A tenant's file size changed in the manifest, or the signature removed, on every
    // target: no tenant is restored, and the refusal says why.
    let manifests: Vec<std::path::PathBuf> = [&a, &b]
        .iter()
        .map(|t| {
            t.join("kontor-backups")
                .join(record.id.as_str())
                .join("manifest.json")
        })
        .collect();
    let original: Vec<Vec<u8>> = manifests
        .iter()
        .map(|m| std::fs::read(m).unwrap())
        .collect();
    let rewrite = |change: &dyn Fn(&mut backup::Manifest)| {
        for (path, bytes) in manifests.iter().zip(&original) {
            let mut m: backup::Manifest = serde_json::from_slice(bytes).unwrap();
            change(&mut m);
            std::fs::write(path, serde_json::to_vec_pretty(&m).unwrap()).unwrap();
        }
    };
    let tenant_file = |m: &mut backup::Manifest| {
        let f = m
            .files
            .iter_mut()
            .find(|f| f.tenant.as_deref() == Some("acme"))
            .unwrap();
        f.size += 1;
    };
    for (change, expected) in [
        (
            &tenant_file as &dyn Fn(&mut backup::Manifest),
            "changed after it was signed",
        ),
        (
            &|m: &mut backup::Manifest| m.signature = None,
            "is not signed",
        ),
    ] {
        rewrite(change);
        let err = backup::restore_tenants(
            &provisioner,
            &specs(&config),
            &record.id,
            &keys.identity,
            &[("acme".into(), "acme-forged".into())],
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
        assert!(provisioner.find("acme-forged").await.unwrap().is_none());
    }
    for (path, bytes) in manifests.iter().zip(&original) {
        std::fs::write(path, bytes).unwrap();
    }

    damage(&acme).await;
    assert_ne!(rows(&acme).await, acme_rows);

    // One tenant alone, into a new tenant; the others are not touched.
    let beta_before = rows(&beta).await;
    let report = backup::restore_tenants(
        &provisioner,
        &specs(&config),
        &record.id,
        &keys.identity,
        &[("acme".into(), "acme-restored".into())],
    )
    .await
    .unwrap();
    assert_eq!(report.to, vec!["acme -> acme-restored".to_string()]);
    let restored = provisioner
        .open_tenant(&provisioner.get("acme-restored").await.unwrap())
        .await
        .unwrap();
    assert_same(&acme_rows, &rows(&restored).await);
    assert_eq!(blob_hashes(&restored).await, acme_files);
    assert!(restored.audit_verify().await.unwrap().ok());
    assert_eq!(rows(&beta).await, beta_before);
    // New rows continue after the restored ids.
    restored
        .create_contact(
            &kontor_storage::Actor::cli(),
            &kontor_domain::ContactData {
                name: "Danach".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Refused: an existing tenant name.
    let err = backup::restore_tenants(
        &provisioner,
        &specs(&config),
        &record.id,
        &keys.identity,
        &[("acme".into(), "beta".into())],
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("exists already"), "{err}");

    // Everything into a new installation (new control schema and roles).
    let other = Installation::new(&installation_name()).unwrap();
    let provisioner2 = Provisioner::connect(&url, other, secret.clone())
        .await
        .unwrap();
    backup::restore_tenants(
        &provisioner2,
        &specs(&config),
        &record.id,
        &keys.identity,
        &[],
    )
    .await
    .unwrap();
    let acme2 = provisioner2
        .open_tenant(&provisioner2.get("acme").await.unwrap())
        .await
        .unwrap();
    let beta2 = provisioner2
        .open_tenant(&provisioner2.get("beta").await.unwrap())
        .await
        .unwrap();
    assert_same(&acme_rows, &rows(&acme2).await);
    assert_same(&beta_rows, &rows(&beta2).await);
    for s in [acme, beta, restored, acme2, beta2] {
        s.close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_postgres_schema_restore_drill() {
    let Some(url) = postgres_url() else {
        eprintln!("skipped: KONTOR_TEST_DATABASE_URL is not set");
        return;
    };
    let t = TestStore::new().await.unwrap();
    make_business(&t.store, 2).await;
    let expected = rows(&t.store).await;
    let files = blob_hashes(&t.store).await;
    let targets = tempfile::tempdir().unwrap();
    let keys = keys();
    let config = config(&[targets.path()], &keys);
    let record = backup::run_now(
        &Source::Postgres {
            store: t.store.clone(),
        },
        &config,
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(record.result, RunResult::Ok);
    damage(&t.store).await;
    let schema = unique_schema();
    backup::restore_postgres(&specs(&config), &record.id, &keys.identity, &url, &schema)
        .await
        .unwrap();
    let restored = Store::connect(
        &url,
        ConnectOptions {
            schema: Some(schema.clone()),
            max_connections: 2,
        },
    )
    .await
    .unwrap();
    assert_same(&expected, &rows(&restored).await);
    assert_eq!(blob_hashes(&restored).await, files);
    // Not over an existing schema.
    let err = backup::restore_postgres(&specs(&config), &record.id, &keys.identity, &url, &schema)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("exists already"), "{err}");
}

/// A backup made by an older Kontor (schema version 9, before `blobs.external_key`) restores
/// with this one: loaded at its own version, then migrated like an upgrade, on a single
/// installation's schema and as a cloud tenant.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_of_an_older_schema_version_restores_and_is_migrated() {
    let Some(url) = postgres_url() else {
        eprintln!("skipped: KONTOR_TEST_DATABASE_URL is not set");
        return;
    };
    let latest = kontor_storage::migrate::latest_version();
    let old = kontor_storage::migrate::EXTERNAL_BLOBS - 1;
    let without_migrations = |mut rows: std::collections::BTreeMap<String, Vec<String>>| {
        rows.remove("kontor_migrations");
        rows
    };
    // Takes a store at the latest version back to version 9 (migration 10 only adds a column).
    async fn downgrade(store: &Store, to: i64) {
        // Undo every migration after `to` (10 external_blobs and the ones after it), newest
        // first; keep in step with crates/storage/src/migrations/.
        for undo in [
            "DROP TABLE incoming_payments",
            "DROP TABLE incoming_invoices",
            "ALTER TABLE documents DROP COLUMN down_payments",
            "DROP INDEX payments_reverses",
            "ALTER TABLE payments DROP COLUMN reverses_id",
            "ALTER TABLE documents DROP COLUMN outcome_at",
            "ALTER TABLE documents DROP COLUMN outcome",
            "ALTER TABLE blobs DROP COLUMN external_key",
        ] {
            sqlx::raw_sql(undo).execute(store.pool()).await.unwrap();
        }
        sqlx::query("DELETE FROM kontor_migrations WHERE version > $1")
            .bind(to)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(
            kontor_storage::migrate::current_version(store.pool())
                .await
                .unwrap(),
            to
        );
    }

    // A single installation's schema.
    let t = TestStore::new().await.unwrap();
    make_business(&t.store, 2).await;
    let expected = without_migrations(rows(&t.store).await);
    let files = blob_hashes(&t.store).await;
    downgrade(&t.store, old).await;
    let targets = tempfile::tempdir().unwrap();
    let keys = keys();
    let single = config(&[targets.path()], &keys);
    let record = backup::run_now(
        &Source::Postgres {
            store: t.store.clone(),
        },
        &single,
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(record.result, RunResult::Ok, "{record:?}");
    let schema = unique_schema();
    backup::restore_postgres(&specs(&single), &record.id, &keys.identity, &url, &schema)
        .await
        .unwrap();
    let restored = Store::connect_unmigrated(
        &url,
        ConnectOptions {
            schema: Some(schema.clone()),
            max_connections: 2,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        kontor_storage::migrate::current_version(restored.pool())
            .await
            .unwrap(),
        latest,
        "migrated after loading"
    );
    assert_same(&expected, &without_migrations(rows(&restored).await));
    assert_eq!(blob_hashes(&restored).await, files);
    restored.close().await;

    // A cloud tenant.
    let installation = Installation::new(&installation_name()).unwrap();
    let secret = MasterSecret::new(b"a master secret for the version test".to_vec()).unwrap();
    let provisioner = Provisioner::connect(&url, installation.clone(), secret.clone())
        .await
        .unwrap();
    let tenant = provisioner.create("alt", "Alt GmbH").await.unwrap();
    let store = provisioner.open_tenant(&tenant).await.unwrap();
    make_business(&store, 2).await;
    let expected = without_migrations(rows(&store).await);
    let files = blob_hashes(&store).await;
    downgrade(&store, old).await;
    store.close().await;
    let targets = tempfile::tempdir().unwrap();
    let cloud = config(&[targets.path()], &keys);
    let directory = Directory::connect(&url, installation.clone(), secret.clone())
        .await
        .unwrap();
    let record = backup::run_now(
        &Source::Cloud {
            directory: directory.clone(),
        },
        &cloud,
        Utc::now(),
    )
    .await
    .unwrap();
    assert_eq!(record.result, RunResult::Ok, "{record:?}");
    backup::restore_tenants(
        &provisioner,
        &specs(&cloud),
        &record.id,
        &keys.identity,
        &[("alt".to_string(), "neu".to_string())],
    )
    .await
    .unwrap();
    let neu = provisioner.get("neu").await.unwrap();
    assert_eq!(
        neu.schema_version, latest,
        "the control row records the migration"
    );
    let restored = provisioner.open_tenant(&neu).await.unwrap();
    assert_same(&expected, &without_migrations(rows(&restored).await));
    assert_eq!(blob_hashes(&restored).await, files);
    restored.close().await;
}
