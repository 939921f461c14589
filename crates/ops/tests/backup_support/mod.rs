//! Shared by the backup tests: business data with issued invoices and archived PDFs, and a
//! full picture of a store (every row of every table, every file's hash) to compare.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};

use kontor_domain::ContactData;
use kontor_domain::document::DocumentType;
use kontor_ops::backup::{
    BackupConfig, Identity, SigningKey, TargetSpec, generate_identity, generate_signing_key,
};
use kontor_storage::*;
pub use kontor_testkit::fixtures::day;
use kontor_testkit::fixtures::{company_profile, german_b2b, item};
use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use sqlx::Row;

/// An invoice draft for the bench (a different amount each time).
pub fn invoice_draft(contact_id: i64, n: usize) -> DraftInput {
    draft(contact_id, &format!("Leistung {n}"), 50 + (n % 900) as i64)
}

/// The first customer's id.
pub trait BenchContact {
    fn list_contacts_for_bench(&self) -> impl std::future::Future<Output = i64>;
}

impl BenchContact for Store {
    async fn list_contacts_for_bench(&self) -> i64 {
        sqlx::query("SELECT MIN(id) AS id FROM contacts")
            .fetch_one(self.pool())
            .await
            .unwrap()
            .try_get("id")
            .unwrap()
    }
}

/// The kit's draft (dated 2026-11-26) with 3 hours of `desc` at `price` and 19 %.
fn draft(contact_id: i64, desc: &str, price: i64) -> DraftInput {
    let line = item(
        desc,
        Decimal::from(3),
        Decimal::from(price),
        Decimal::from(19),
    );
    kontor_testkit::fixtures::draft(DocumentType::Invoice, contact_id, vec![line])
}

/// Company, a logo, contacts, a user, issued invoices with their archived PDF and XML, a
/// payment, a cancellation (a reference to a later row) and a draft.
pub async fn make_business(store: &Store, invoices: usize) -> Vec<i64> {
    let a = Actor::cli();
    store.update_company(&a, &company_profile()).await.unwrap();
    store
        .put_blob("image/png", b"\x89PNG fake logo bytes")
        .await
        .unwrap();
    store
        .create_user(&a, "anna", kontor_testkit::PASSWORD, Role::Admin)
        .await
        .unwrap();
    let contact = store.create_contact(&a, &german_b2b()).await.unwrap();
    let mut issued = Vec::new();
    for n in 0..invoices {
        let d = store
            .create_document(
                &a,
                &draft(contact.id, &format!("Beratung {n}"), 100 + n as i64),
            )
            .await
            .unwrap();
        issued.push(store.issue_document(&a, d.id).await.unwrap().id);
    }
    store
        .add_payment(
            &a,
            issued[0],
            &PaymentInput {
                date: day("2026-11-27"),
                amount: Decimal::from(100),
                method: "bank_transfer".into(),
                note: "Teilzahlung".into(),
            },
        )
        .await
        .unwrap();
    if invoices > 1 {
        store
            .cancel_document(&a, issued[invoices - 1], day("2026-11-28"), None)
            .await
            .unwrap();
    }
    store
        .create_document(&a, &draft(contact.id, "Entwurf", 50))
        .await
        .unwrap();
    let archived =
        kontor_app::documents::archive_missing(&kontor_app::App::new(store.clone()), "pdf")
            .await
            .unwrap();
    assert!(archived >= invoices, "archived {archived} PDFs");
    issued
}

/// Changes and deletes data after the backup (as an accident or an attack would).
pub async fn damage(store: &Store) {
    let a = Actor::cli();
    let contact = store
        .create_contact(
            &a,
            &ContactData {
                name: "Neu GmbH".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    store
        .create_document(&a, &draft(contact.id, "nach dem Backup", 7))
        .await
        .unwrap();
    let pool = store.pool();
    sqlx::query("DELETE FROM document_files")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM blobs")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE documents SET subject = 'changed'")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM payments")
        .execute(pool)
        .await
        .unwrap();
}

async fn tables(store: &Store) -> Vec<String> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT name AS t FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(tablename AS TEXT) AS t FROM pg_catalog.pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        }
    };
    sqlx::query(sql)
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>("t").unwrap())
        .collect()
}

/// Every row of every table (as text, sorted), keyed by table. `backup_runs` is left out:
/// it records the backups themselves.
pub async fn rows(store: &Store) -> BTreeMap<String, Vec<String>> {
    let mut all = BTreeMap::new();
    for table in tables(store).await {
        if table == "backup_runs" {
            continue;
        }
        let sql = match store.backend() {
            Backend::Sqlite => {
                let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
                )))
                .fetch_all(store.pool())
                .await
                .unwrap()
                .iter()
                .map(|r| r.try_get::<String, _>("name").unwrap())
                .collect();
                let expr: Vec<String> = columns
                    .iter()
                    .map(|c| format!("'{c}=' || quote({c})"))
                    .collect();
                format!("SELECT {} AS j FROM {table}", expr.join(" || ',' || "))
            }
            Backend::Postgres => format!("SELECT CAST(to_jsonb(t) AS TEXT) AS j FROM {table} t"),
        };
        let mut rows: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(sql))
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

/// The SHA-256 of every stored file, checked against its key.
pub async fn blob_hashes(store: &Store) -> BTreeSet<String> {
    sqlx::query("SELECT sha256, data FROM blobs")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let key: String = r.try_get("sha256").unwrap();
            let data: Vec<u8> = r.try_get("data").unwrap();
            assert_eq!(
                hex::encode(Sha256::digest(&data)),
                key,
                "blob content matches its key"
            );
            key
        })
        .collect()
}

/// Asserts that two pictures are equal, naming the first table that differs.
pub fn assert_same(
    expected: &BTreeMap<String, Vec<String>>,
    actual: &BTreeMap<String, Vec<String>>,
) {
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        actual.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    for (table, rows) in expected {
        assert_eq!(rows.len(), actual[table].len(), "row count of {table}");
        assert_eq!(rows, &actual[table], "rows of {table}");
    }
}

/// The operator's identity (with the verify key) and the server's recipient and signing key,
/// as `kontor backup keygen` makes them.
pub struct Keys {
    pub identity: Identity,
    pub recipient: String,
    pub signing: SigningKey,
}

pub fn keys() -> Keys {
    let (signing, verify) = generate_signing_key(chrono::Utc::now());
    let (text, recipient) = generate_identity(chrono::Utc::now(), Some(&verify));
    Keys {
        identity: Identity::parse(&text, "test identity").unwrap(),
        recipient: recipient.to_string(),
        signing: SigningKey::parse(&signing, "test signing key").unwrap(),
    }
}

pub fn config(targets: &[&std::path::Path], keys: &Keys) -> BackupConfig {
    let targets: Vec<String> = targets.iter().map(|p| p.display().to_string()).collect();
    config_of(&targets, keys)
}

/// A configuration for targets given as text (folders or s3:// URLs).
pub fn config_of(targets: &[String], keys: &Keys) -> BackupConfig {
    BackupConfig::from_settings(targets, &keys.recipient, keys.signing.clone(), "6h", 30).unwrap()
}

pub fn specs(config: &BackupConfig) -> Vec<TargetSpec> {
    config.targets.clone()
}
