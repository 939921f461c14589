//! Seeds a data folder for bench/backup.sh (ignored in normal runs): KONTOR_BENCH_INVOICES
//! issued invoices (default 10,000) with their archived PDF and XML files, in the SQLite
//! database of KONTOR_BENCH_DATA_DIR.

mod backup_support;

use backup_support::BenchContact;
use kontor_storage::{Actor, Store};
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
    let started = Instant::now();
    // The business with its first few invoices (and their files), then the rest.
    backup_support::make_business(&store, 2).await;
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
    let seeded = started.elapsed();
    let started = Instant::now();
    let archived = kontor_web::archive::archive_missing(&store, "pdf")
        .await
        .unwrap();
    println!(
        "seeded {issued} issued documents in {:.1} s; archived the files of {archived} more in {:.1} s",
        seeded.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    store.close().await;
}
