//! Seeds a data folder for bench/backup.sh (ignored in normal runs): KONTOR_BENCH_INVOICES
//! issued invoices (default 10,000) with their archived PDF and XML files, in the SQLite
//! database of KONTOR_BENCH_DATA_DIR. The cloud variants seed and check a PostgreSQL
//! installation for `bench/backup.sh --cloud`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

mod backup_support;

use backup_support::BenchContact;
use kontor_storage::tenants::{Installation, MasterSecret, Provisioner};
use kontor_storage::{Actor, Store};
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "bench data for bench/backup.sh"]
async fn seed_issued_invoices_with_archived_pdfs() {
    let dir = std::env::var("KONTOR_BENCH_DATA_DIR").expect("KONTOR_BENCH_DATA_DIR");
    let wanted: usize = std::env::var("KONTOR_BENCH_INVOICES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let store = Store::open_dir(std::path::Path::new(&dir)).await.unwrap();
    let (issued, archived, seeded, archiving) = fill(&store, wanted).await;
    println!(
        "seeded {issued} issued documents in {seeded:.1} s; archived the files of {archived} more in {archiving:.1} s"
    );
    store.close().await;
}

/// The cloud bench's settings: the admin URL, the installation and the master secret file.
fn cloud_settings() -> (String, Installation, MasterSecret) {
    let url = std::env::var("KONTOR_BENCH_DATABASE_URL").expect("KONTOR_BENCH_DATABASE_URL");
    let installation = Installation::new(
        &std::env::var("KONTOR_BENCH_INSTALLATION").expect("KONTOR_BENCH_INSTALLATION"),
    )
    .unwrap();
    let secret = MasterSecret::from_file(std::path::Path::new(
        &std::env::var("KONTOR_BENCH_MASTER_SECRET_FILE").expect("KONTOR_BENCH_MASTER_SECRET_FILE"),
    ))
    .unwrap();
    (url, installation, secret)
}

/// Issues invoices in `store` until it holds `wanted` issued documents, then archives the
/// files of every one that lacks them. Returns (issued, archived, seconds issuing, seconds
/// archiving).
async fn fill(store: &Store, wanted: usize) -> (usize, usize, f64, f64) {
    let started = Instant::now();
    // The business with its first few invoices (and their files), then the rest.
    backup_support::make_business(store, 2).await;
    let contact = store.list_contacts_for_bench().await;
    let mut issued = 2 + 1; // two invoices and one cancellation
    while issued < wanted {
        let d = store
            .create_document(
                &Actor::cli(),
                &backup_support::invoice_draft(contact, issued),
            )
            .await
            .unwrap();
        store.issue_document(&Actor::cli(), d.id).await.unwrap();
        issued += 1;
    }
    let seeded = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let archived =
        kontor_app::documents::archive_missing(&kontor_app::App::new(store.clone()), "pdf")
            .await
            .unwrap();
    (issued, archived, seeded, started.elapsed().as_secs_f64())
}

/// Cloud variant for `bench/backup.sh --cloud`: tenant `acme` with KONTOR_BENCH_INVOICES
/// issued invoices and a small tenant `beta` (20), each seeded through its own role's pool,
/// in installation KONTOR_BENCH_INSTALLATION of the PostgreSQL at KONTOR_BENCH_DATABASE_URL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "bench data for bench/backup.sh --cloud"]
async fn seed_cloud_tenants_with_archived_pdfs() {
    let (url, installation, secret) = cloud_settings();
    let wanted: usize = std::env::var("KONTOR_BENCH_INVOICES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10_000);
    let provisioner = Provisioner::connect(&url, installation, secret)
        .await
        .unwrap();
    for (slug, name, invoices) in [("acme", "Acme GmbH", wanted), ("beta", "Beta AG", 20)] {
        let tenant = provisioner.create(slug, name).await.unwrap();
        let store = provisioner.open_tenant(&tenant).await.unwrap();
        let (issued, archived, seeded, archiving) = fill(&store, invoices).await;
        println!(
            "seeded tenant {slug}: {issued} issued documents in {seeded:.1} s; archived the files of {archived} more in {archiving:.1} s"
        );
        store.close().await;
    }
    provisioner.close().await;
}

/// Everything of a tenant but file contents: every row of every table as JSON (a `data`
/// column left out), sorted, keyed by table; `backup_runs` is left out.
async fn tenant_rows(store: &Store) -> BTreeMap<String, Vec<String>> {
    let tables: Vec<String> = sqlx::query(
        "SELECT CAST(tablename AS TEXT) AS t FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| r.try_get::<String, _>("t").unwrap())
    .filter(|t| t != "backup_runs")
    .collect();
    let mut all = BTreeMap::new();
    for table in tables {
        let mut rows: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CAST(to_jsonb(t) - 'data' AS TEXT) AS j FROM {table} t"
        )))
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>("j").unwrap())
        .collect();
        rows.sort();
        all.insert(table, rows);
    }
    all
}

/// The SHA-256 of every stored file, computed by the server from the bytes (so 10,000 PDFs
/// need not travel), each checked against the file's key.
async fn tenant_file_hashes(store: &Store) -> BTreeSet<String> {
    let rows = sqlx::query(
        "SELECT sha256, encode(sha256(data), 'hex') AS actual FROM blobs ORDER BY sha256",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| {
            let key: String = r.try_get("sha256").unwrap();
            let actual: String = r.try_get("actual").unwrap();
            assert_eq!(key, actual, "a stored file's content matches its key");
            key
        })
        .collect()
}

async fn issued_documents(store: &Store) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM documents WHERE number IS NOT NULL")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

/// For `bench/backup.sh --cloud` after the restore: tenant KONTOR_BENCH_RESTORED (restored
/// from KONTOR_BENCH_ORIGINAL's backup, with no writes to the original since) holds the same
/// documents, every row, the same files (hashes) and an intact audit chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "check for bench/backup.sh --cloud"]
async fn restored_cloud_tenant_matches_the_original() {
    let (url, installation, secret) = cloud_settings();
    let original = std::env::var("KONTOR_BENCH_ORIGINAL").expect("KONTOR_BENCH_ORIGINAL");
    let restored = std::env::var("KONTOR_BENCH_RESTORED").expect("KONTOR_BENCH_RESTORED");
    let provisioner = Provisioner::connect(&url, installation, secret)
        .await
        .unwrap();
    let a = provisioner
        .open_tenant(&provisioner.get(&original).await.unwrap())
        .await
        .unwrap();
    let b = provisioner
        .open_tenant(&provisioner.get(&restored).await.unwrap())
        .await
        .unwrap();
    let (docs_a, docs_b) = (issued_documents(&a).await, issued_documents(&b).await);
    assert_eq!(docs_a, docs_b, "issued documents");
    let (files_a, files_b) = (tenant_file_hashes(&a).await, tenant_file_hashes(&b).await);
    assert_eq!(files_a, files_b, "file hashes");
    let (rows_a, rows_b) = (tenant_rows(&a).await, tenant_rows(&b).await);
    backup_support::assert_same(&rows_a, &rows_b);
    let audit = b.audit_verify().await.unwrap();
    assert!(
        audit.ok(),
        "audit chain of {restored}: {:?}",
        audit.problems
    );
    let total: usize = rows_b.values().map(Vec::len).sum();
    println!(
        "{restored} matches {original}: {docs_b} issued documents, {} files with matching SHA-256, {total} rows in {} tables equal, audit chain verified ({} entries)",
        files_b.len(),
        rows_b.len(),
        audit.entries
    );
    a.close().await;
    b.close().await;
    provisioner.close().await;
}
