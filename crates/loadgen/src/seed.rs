//! Bulk seeding of issued invoices straight into the database (HTTP would take hours for
//! 100,000), and a storage-level probe of the document list for comparison with the API.
//!
//! Seeded rows look like issued invoices to every reader: `status = 'issued'`, a unique
//! number `SEED-000001`…, lines as serde writes `Vec<Line>`, cents columns from
//! `kontor_domain::totals::compute`, seller and buyer snapshots. They are not in the audit
//! log (the chain stays intact; it just does not know them).

use anyhow::{Context, Result};
use chrono::{Days, Local, NaiveDate, SecondsFormat, Utc};
use kontor_domain::ContactData;
use kontor_domain::document::DocumentType;
use kontor_domain::money::to_cents;
use kontor_domain::totals;
use kontor_domain::{Line, TaxMode};
use kontor_storage::{Actor, DocState, DocumentQuery, PageRequest, Store};
use rust_decimal::Decimal;
use sqlx::Row;
use std::time::{Duration, Instant};

use crate::invoice;
use crate::stats::Samples;

/// Columns written per seeded row, in the order of [`row_values`].
const COLUMNS: &str = "doc_type, status, number, contact_id, doc_date, delivery_date, due_date, tax_mode, currency, language, \
    discount_percent, prepaid_amount, subject, intro_text, closing_text, lines, net_cents, vat_cents, gross_cents, due_cents, \
    paid_cents, seller_snapshot, buyer_snapshot, search, issued_at, created_at, updated_at, version";

/// Values bound per row (the other columns are constants in the SQL).
const BINDS_PER_ROW: usize = 18;

/// One row's `VALUES (...)` tuple with placeholders starting after `base` earlier ones.
fn row_values(base: usize) -> String {
    let p = |i: usize| format!("${}", base + i);
    format!(
        "('invoice', 'issued', {}, {}, {}, {}, {}, 'standard', 'EUR', {}, '0', '0', {}, '', '', {}, {}, {}, {}, {}, 0, {}, {}, {}, {}, {}, {}, 2)",
        p(1),
        p(2),
        p(3),
        p(4),
        p(5),
        p(6),
        p(7),
        p(8),
        p(9),
        p(10),
        p(11),
        p(12),
        p(13),
        p(14),
        p(15),
        p(16),
        p(17),
        p(18)
    )
}

/// A multi-row INSERT for `rows` rows.
pub fn insert_sql(rows: usize) -> String {
    let values: Vec<String> = (0..rows).map(|r| row_values(r * BINDS_PER_ROW)).collect();
    format!(
        "INSERT INTO documents ({COLUMNS}) VALUES {}",
        values.join(", ")
    )
}

#[derive(Debug, Clone)]
pub struct SeedOptions {
    /// Issued invoices wanted in total (existing ones count).
    pub target: u64,
    /// Rows per transaction.
    pub batch: u64,
    /// Rows per INSERT statement.
    pub rows_per_insert: usize,
    /// Lines per invoice.
    pub lines: usize,
}

#[derive(Debug, Clone)]
pub struct SeedOutcome {
    pub before: i64,
    pub inserted: u64,
    pub after: i64,
    pub contact_id: Option<i64>,
    pub elapsed: Duration,
}

/// One seeded invoice, computed before it is bound.
struct SeedRow {
    number: String,
    date: NaiveDate,
    due: NaiveDate,
    subject: String,
    lines_json: String,
    net: i64,
    vat: i64,
    gross: i64,
    search: String,
}

fn seed_row(k: u64, today: NaiveDate, lines: usize, contact_name: &str) -> Result<SeedRow> {
    let number = format!("SEED-{k:06}");
    let date = today.checked_sub_days(Days::new(k % 365)).unwrap_or(today);
    let due = date.checked_add_days(Days::new(14)).unwrap_or(date);
    let lines: Vec<Line> = invoice::lines(k, lines);
    let t = totals::compute_parts(TaxMode::Standard, &lines, Decimal::ZERO, Decimal::ZERO);
    let subject = format!("Leistungen Projekt {}", k % 97);
    let search = [number.as_str(), contact_name, subject.as_str()]
        .iter()
        .map(|p| p.trim().to_lowercase())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(SeedRow {
        lines_json: serde_json::to_string(&lines)?,
        net: to_cents(t.net),
        vat: to_cents(t.vat),
        gross: to_cents(t.gross),
        number,
        date,
        due,
        subject,
        search,
    })
}

async fn count(store: &Store, sql: &'static str) -> Result<i64> {
    Ok(sqlx::query(sql)
        .fetch_one(store.pool())
        .await?
        .try_get("n")?)
}

/// Issued invoices in the database.
pub async fn issued_invoices(store: &Store) -> Result<i64> {
    count(
        store,
        "SELECT COUNT(*) AS n FROM documents WHERE doc_type = 'invoice' AND status = 'issued'",
    )
    .await
}

/// Inserts issued invoices until there are `target`; calls `progress(inserted)` after each batch.
pub async fn seed(
    store: &Store,
    opts: &SeedOptions,
    mut progress: impl FnMut(u64),
) -> Result<SeedOutcome> {
    let start = Instant::now();
    let before = issued_invoices(store).await?;
    let missing = (opts.target as i64 - before).max(0) as u64;
    if missing == 0 {
        return Ok(SeedOutcome {
            before,
            inserted: 0,
            after: before,
            contact_id: None,
            elapsed: start.elapsed(),
        });
    }
    let already_seeded = count(
        store,
        "SELECT COUNT(*) AS n FROM documents WHERE number LIKE 'SEED-%'",
    )
    .await? as u64;
    let contact = store
        .create_contact(
            &Actor("loadgen:seed".into()),
            &ContactData {
                name: "Seed Kunde GmbH".into(),
                street: "Seeweg 12".into(),
                postal_code: "20095".into(),
                city: "Hamburg".into(),
                country: "DE".into(),
                email: "rechnung@seed.example".into(),
                is_customer: true,
                ..Default::default()
            },
        )
        .await
        .context("cannot create the seed contact")?;
    let seller = serde_json::to_string(&store.company().await?)?;
    let buyer = serde_json::to_string(&contact.data)?;
    let language = contact.data.language.as_str();
    let today = Local::now().date_naive();
    let rows_per_insert = opts.rows_per_insert.clamp(1, 500);
    let batch = opts.batch.max(1);

    let mut inserted = 0u64;
    while inserted < missing {
        let in_batch = batch.min(missing - inserted);
        let at = Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true);
        let mut tx = store
            .pool()
            .begin_with(store.backend().begin_write())
            .await?;
        let mut done = 0u64;
        while done < in_batch {
            let n = (rows_per_insert as u64).min(in_batch - done) as usize;
            let rows: Vec<SeedRow> = (0..n as u64)
                .map(|i| {
                    seed_row(
                        already_seeded + inserted + done + i + 1,
                        today,
                        opts.lines,
                        &contact.data.name,
                    )
                })
                .collect::<Result<_>>()?;
            let sql = insert_sql(n);
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for r in &rows {
                q = q
                    .bind(r.number.clone())
                    .bind(contact.id)
                    .bind(r.date.to_string())
                    .bind(r.date.to_string())
                    .bind(r.due.to_string())
                    .bind(language)
                    .bind(r.subject.clone())
                    .bind(r.lines_json.clone())
                    .bind(r.net)
                    .bind(r.vat)
                    .bind(r.gross)
                    .bind(r.gross)
                    .bind(seller.clone())
                    .bind(buyer.clone())
                    .bind(r.search.clone())
                    .bind(at.clone())
                    .bind(at.clone())
                    .bind(at.clone());
            }
            q.execute(&mut *tx).await?;
            done += n as u64;
        }
        tx.commit().await?;
        inserted += in_batch;
        progress(inserted);
    }
    let after = issued_invoices(store).await?;
    Ok(SeedOutcome {
        before,
        inserted,
        after,
        contact_id: Some(contact.id),
        elapsed: start.elapsed(),
    })
}

/// Storage-level timing of one list page (no HTTP): `repeat` calls of `Store::list_documents`.
pub async fn probe_list(
    store: &Store,
    page: i64,
    per_page: i64,
    repeat: usize,
) -> Result<(Samples, i64)> {
    let q = DocumentQuery {
        doc_type: Some(DocumentType::Invoice),
        page: PageRequest::new(Some(page), Some(per_page)),
        ..Default::default()
    };
    let today = Local::now().date_naive();
    let mut samples = Samples::with_capacity(repeat);
    let mut total = 0;
    for _ in 0..repeat.max(1) {
        let t0 = Instant::now();
        let p = store.list_documents(&q, today).await?;
        samples.record(t0.elapsed());
        total = p.total;
    }
    Ok((samples, total))
}

/// Checks that a seeded invoice reads back as an issued invoice with consistent totals.
pub async fn verify_sample(store: &Store) -> Result<()> {
    let row = sqlx::query(
        "SELECT id, gross_cents FROM documents WHERE number LIKE 'SEED-%' ORDER BY id LIMIT 1",
    )
    .fetch_optional(store.pool())
    .await?
    .context("no seeded invoice found")?;
    let id: i64 = row.try_get("id")?;
    let gross: i64 = row.try_get("gross_cents")?;
    let doc = store.document(id).await?;
    anyhow::ensure!(
        doc.state() == DocState::Issued,
        "seeded document {id} is not issued"
    );
    anyhow::ensure!(
        to_cents(doc.totals.gross) == gross,
        "seeded document {id}: gross {} ≠ stored {gross} cents",
        doc.totals.gross
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use kontor_storage::testing::TestStore;

    #[test]
    fn placeholders_are_numbered_per_row() {
        let sql = insert_sql(2);
        assert!(sql.contains("$1, $2, $3"));
        assert!(sql.contains("$18, 2), ('invoice'"));
        assert!(sql.contains("$36, 2)"));
        assert!(!sql.contains("$37"));
        assert_eq!(COLUMNS.split(',').count(), 28);
        // Every column has a value: 18 placeholders and 10 constants.
        let first = row_values(0);
        assert_eq!(first.matches('$').count(), BINDS_PER_ROW);
        assert_eq!(
            first
                .trim_matches(|c| c == '(' || c == ')')
                .split(", ")
                .count(),
            28
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn seeds_issued_invoices_that_storage_reads_back() {
        let t = TestStore::new().await.unwrap();
        let store = &t.store;
        let opts = SeedOptions {
            target: 230,
            batch: 100,
            rows_per_insert: 40,
            lines: 10,
        };
        let mut calls = Vec::new();
        let out = seed(store, &opts, |n| calls.push(n)).await.unwrap();
        assert_eq!((out.before, out.inserted, out.after), (0, 230, 230));
        assert_eq!(calls, vec![100, 200, 230]);
        verify_sample(store).await.unwrap();

        // The list sees them, newest first, with the stored totals matching the recomputed ones.
        let (mut samples, total) = probe_list(store, 2, 50, 3).await.unwrap();
        assert_eq!(total, 230);
        assert_eq!(samples.len(), 3);
        assert!(samples.percentile(50.0).is_some());
        let today = Local::now().date_naive();
        let q = DocumentQuery {
            doc_type: Some(DocumentType::Invoice),
            ..Default::default()
        };
        let page = store.list_documents(&q, today).await.unwrap();
        assert_eq!(page.items.len(), 50);
        assert_eq!(page.items[0].number.as_deref(), Some("SEED-000230"));
        for s in &page.items[..5] {
            let doc = store.document(s.id).await.unwrap();
            assert_eq!(doc.state(), DocState::Issued);
            assert_eq!(doc.totals.gross, s.gross);
            assert_eq!(doc.totals.due, s.due);
            assert_eq!(doc.content.lines.len(), 10);
            assert!(doc.seller().is_some() && doc.buyer().is_some());
        }

        // Seeding again to a higher target continues the numbering; to a reached target does nothing.
        let out = seed(
            store,
            &SeedOptions {
                target: 250,
                ..opts.clone()
            },
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!((out.before, out.inserted, out.after), (230, 20, 250));
        let out = seed(
            store,
            &SeedOptions {
                target: 100,
                ..opts
            },
            |_| {},
        )
        .await
        .unwrap();
        assert_eq!(out.inserted, 0);
        let n = count(
            store,
            "SELECT COUNT(*) AS n FROM documents WHERE number = 'SEED-000250'",
        )
        .await
        .unwrap();
        assert_eq!(n, 1);
    }
}
