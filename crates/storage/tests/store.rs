//! The storage layer against a real database: SQLite by default, PostgreSQL when
//! `KONTOR_TEST_DATABASE_URL` is set (scripts/test.sh runs both).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use kontor_domain::document::{DocumentType, LineKind};
use kontor_domain::{ContactData, TaxMode};
use kontor_storage::*;
use kontor_testkit::TestStore;
use kontor_testkit::fixtures::{company_profile as company, day, draft, german_b2b, item};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::collections::HashSet;

/// The kit's German business customer under another name.
fn customer(name: &str) -> ContactData {
    ContactData {
        name: name.into(),
        ..german_b2b()
    }
}

async fn setup() -> (TestStore, i64) {
    let t = TestStore::new().await.expect("test store");
    t.store
        .update_company(&Actor::cli(), &company())
        .await
        .unwrap();
    let c = t
        .store
        .create_contact(&Actor::cli(), &customer("Kunde AG"))
        .await
        .unwrap();
    (t, c.id)
}

#[tokio::test]
async fn issue_assigns_number_snapshots_and_locks() {
    let (t, cid) = setup().await;
    let s = &t.store;
    let actor = Actor::user("anna");
    let d = s
        .create_document(
            &actor,
            &draft(
                DocumentType::Invoice,
                cid,
                vec![
                    item("Beratung", dec!(3), dec!(19.99), dec!(19)),
                    item("Buch", dec!(1), dec!(4.99), dec!(7)),
                ],
            ),
        )
        .await
        .unwrap();
    assert_eq!(d.state(), DocState::Draft);
    assert_eq!(d.number(), None);
    assert_eq!(d.totals.gross, dec!(76.70));
    assert_eq!(
        d.content.due_date,
        Some(day("2026-12-10")),
        "due date from the company's 14 days"
    );

    let issued = s.issue_document(&actor, d.id).await.unwrap();
    assert_eq!(issued.number(), Some("RE-2026-0001"));
    assert_eq!(issued.state(), DocState::Issued);
    assert_eq!(issued.buyer().unwrap().name, "Kunde AG");
    assert_eq!(issued.seller().unwrap().name, company().name);

    // GoBD: no change, no delete, no second issue.
    let err = s
        .update_document(
            &actor,
            d.id,
            &draft(DocumentType::Invoice, cid, vec![]),
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Conflict {
                code: kontor_domain::ErrorCode::DocumentLocked,
                ..
            }
        ),
        "{err:?}"
    );
    let err = s.delete_document(&actor, d.id).await.unwrap_err();
    assert!(matches!(
        err,
        StoreError::Conflict {
            code: kontor_domain::ErrorCode::DocumentLocked,
            ..
        }
    ));
    assert!(s.issue_document(&actor, d.id).await.is_err());

    // A later change of master data does not alter the issued document.
    let mut changed = customer("Kunde AG (neu)");
    changed.city = "Hamburg".into();
    s.update_contact(&actor, cid, &changed, None).await.unwrap();
    let again = s.document(d.id).await.unwrap();
    assert_eq!(again.buyer().unwrap().city, "München");
    assert_eq!(again.number(), issued.number());

    let second = s
        .create_document(
            &actor,
            &draft(
                DocumentType::Invoice,
                cid,
                vec![item("X", dec!(1), dec!(1), dec!(19))],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        s.issue_document(&actor, second.id).await.unwrap().number(),
        Some("RE-2026-0002")
    );
}

#[tokio::test]
async fn issue_refuses_naming_missing_fields_and_writes_nothing() {
    let t = TestStore::new().await.unwrap();
    let s = &t.store;
    let mut incomplete = customer("Ohne Adresse");
    incomplete.street.clear();
    let c = s.create_contact(&Actor::cli(), &incomplete).await.unwrap();
    let mut d = draft(
        DocumentType::Invoice,
        c.id,
        vec![item("", dec!(1), dec!(10), dec!(19))],
    );
    d.delivery_date = None;
    let doc = s.create_document(&Actor::cli(), &d).await.unwrap();
    let err = s.issue_document(&Actor::cli(), doc.id).await.unwrap_err();
    let StoreError::NotIssuable(problems) = err else {
        panic!("expected NotIssuable, got {err:?}")
    };
    let fields: HashSet<String> = problems.iter().map(|p| p.field.clone()).collect();
    for f in [
        "company.name",
        "company.street",
        "company.tax_number",
        "contact.street",
        "lines[0].description",
        "delivery_date",
    ] {
        assert!(fields.contains(f), "{f} not named in {fields:?}");
    }
    let after = s.document(doc.id).await.unwrap();
    assert_eq!(after.state(), DocState::Draft);
    assert_eq!(after.number(), None);
    // The refused attempt consumed no number.
    s.update_company(&Actor::cli(), &company()).await.unwrap();
    let mut fixed = customer("Ohne Adresse");
    fixed.street = "Da 1".into();
    s.update_contact(&Actor::cli(), c.id, &fixed, None)
        .await
        .unwrap();
    let good = s
        .create_document(
            &Actor::cli(),
            &draft(
                DocumentType::Invoice,
                c.id,
                vec![item("Ok", dec!(1), dec!(10), dec!(19))],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        s.issue_document(&Actor::cli(), good.id)
            .await
            .unwrap()
            .number(),
        Some("RE-2026-0001")
    );
}

#[tokio::test]
async fn fifty_concurrent_issues_get_unique_consecutive_numbers() {
    let t = TestStore::with_connections(16).await.unwrap();
    let s = t.store.clone();
    s.update_company(&Actor::cli(), &company()).await.unwrap();
    let cid = s
        .create_contact(&Actor::cli(), &customer("Kunde AG"))
        .await
        .unwrap()
        .id;
    let mut ids = Vec::new();
    for i in 0..50 {
        let d = s
            .create_document(
                &Actor::cli(),
                &draft(
                    DocumentType::Invoice,
                    cid,
                    vec![item(&format!("Pos {i}"), dec!(1), dec!(10), dec!(19))],
                ),
            )
            .await
            .unwrap();
        ids.push(d.id);
    }
    let mut tasks = Vec::new();
    for id in ids {
        let s = s.clone();
        tasks.push(tokio::spawn(async move {
            s.issue_document(&Actor::cli(), id).await
        }));
    }
    let mut numbers = Vec::new();
    for task in tasks {
        numbers.push(
            task.await
                .unwrap()
                .expect("issue succeeds under concurrency")
                .number()
                .unwrap()
                .to_string(),
        );
    }
    let unique: HashSet<_> = numbers.iter().cloned().collect();
    assert_eq!(unique.len(), 50, "numbers are unique");
    let mut counters: Vec<i64> = numbers
        .iter()
        .map(|n| n.trim_start_matches("RE-2026-").parse().unwrap())
        .collect();
    counters.sort();
    assert_eq!(
        counters,
        (1..=50).collect::<Vec<_>>(),
        "numbers are consecutive without gaps"
    );
    let report = s.audit_verify().await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

#[tokio::test]
async fn derive_chain_down_payment_and_final_invoice() {
    let (t, cid) = setup().await;
    let s = &t.store;
    let a = Actor::cli();
    let mut optional = item("Option", dec!(1), dec!(500), dec!(19));
    optional.kind = LineKind::Optional;
    let quote = s
        .create_document(
            &a,
            &draft(
                DocumentType::Quote,
                cid,
                vec![item("Projekt", dec!(10), dec!(100), dec!(19)), optional],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        quote.totals.net,
        dec!(1000),
        "optional positions are not in the totals"
    );
    let quote = s.issue_document(&a, quote.id).await.unwrap();
    assert_eq!(quote.number(), Some("AN-2026-0001"));
    assert!(
        s.derive_document(
            &a,
            quote.id,
            DocumentType::CreditNote,
            day("2026-11-26"),
            None
        )
        .await
        .is_err()
    );

    let oc = s
        .derive_document(
            &a,
            quote.id,
            DocumentType::OrderConfirmation,
            day("2026-11-27"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(oc.source_id, Some(quote.id));
    assert_eq!(
        oc.content.lines.len(),
        1,
        "the optional line is not taken over"
    );
    let oc = s.issue_document(&a, oc.id).await.unwrap();

    let mut dp = s
        .derive_document(
            &a,
            oc.id,
            DocumentType::DownPaymentInvoice,
            day("2026-11-28"),
            None,
        )
        .await
        .unwrap();
    dp.content.lines = vec![item("Anzahlung 30 %", dec!(1), dec!(300), dec!(19))];
    let dp_input = DraftInput {
        lines: dp.content.lines.clone(),
        date: day("2026-11-28"),
        delivery_date: None,
        ..draft(DocumentType::DownPaymentInvoice, cid, vec![])
    };
    let dp = s
        .update_document(&a, dp.id, &dp_input, Some(dp.version))
        .await
        .unwrap();
    let dp = s.issue_document(&a, dp.id).await.unwrap();
    assert_eq!(dp.totals.gross, dec!(357.00));

    let dn = s
        .derive_document(
            &a,
            oc.id,
            DocumentType::DeliveryNote,
            day("2026-12-01"),
            None,
        )
        .await
        .unwrap();
    let dn = s.issue_document(&a, dn.id).await.unwrap();
    let inv = s
        .derive_document(&a, dn.id, DocumentType::Invoice, day("2026-12-02"), None)
        .await
        .unwrap();
    assert_eq!(inv.content.prepaid_amount, dec!(0));
    assert_eq!(
        inv.content.down_payments.len(),
        1,
        "the final invoice deducts the down payment"
    );
    assert_eq!(inv.content.down_payments[0].number.as_str(), "AR-2026-0001");
    assert_eq!(inv.totals.down_payments, dec!(357.00));
    assert_eq!(inv.totals.gross, dec!(1190.00));
    assert_eq!(inv.totals.due, dec!(833.00));
    let inv = s.issue_document(&a, inv.id).await.unwrap();
    assert_eq!(inv.number(), Some("RE-2026-0001"));
}

/// Quote → two down-payment invoices (one at 19 %, one at 19 % and 7 %) → final invoice:
/// each down payment is deducted with its number, date, net and VAT per rate, paid or not; a
/// payment or cancellation after the draft was made counts when it is issued; an issued final
/// invoice's down payments are not deducted a second time.
#[tokio::test]
async fn final_invoice_deducts_each_down_payment_with_its_vat_per_rate() {
    let (t, cid) = setup().await;
    let s = &t.store;
    let a = Actor::cli();
    let quote = s
        .create_document(
            &a,
            &draft(
                DocumentType::Quote,
                cid,
                vec![
                    item("Umbau", dec!(100), dec!(100), dec!(19)),
                    item("Fachbuch", dec!(40), dec!(50), dec!(7)),
                ],
            ),
        )
        .await
        .unwrap();
    let quote = s.issue_document(&a, quote.id).await.unwrap();
    let down_payment = |date: &'static str, lines: Vec<kontor_domain::Line>| {
        let quote_id = quote.id;
        let a = a.clone();
        async move {
            let dp = s
                .derive_document(
                    &a,
                    quote_id,
                    DocumentType::DownPaymentInvoice,
                    day(date),
                    None,
                )
                .await
                .unwrap();
            let input = DraftInput {
                lines,
                date: day(date),
                delivery_date: None,
                ..draft(DocumentType::DownPaymentInvoice, cid, vec![])
            };
            let dp = s
                .update_document(&a, dp.id, &input, Some(dp.version))
                .await
                .unwrap();
            s.issue_document(&a, dp.id).await.unwrap()
        }
    };
    let ar1 = down_payment(
        "2026-11-27",
        vec![item("Abschlag 1", dec!(1), dec!(3000), dec!(19))],
    )
    .await;
    let ar2 = down_payment(
        "2026-11-28",
        vec![
            item("Abschlag 2", dec!(1), dec!(1000), dec!(19)),
            item("Abschlag 2", dec!(1), dec!(500), dec!(7)),
        ],
    )
    .await;
    let pay = |amount: Decimal| PaymentInput {
        date: day("2026-11-29"),
        amount,
        method: "bank_transfer".into(),
        note: String::new(),
    };
    s.add_payment(&a, ar1.id, &pay(dec!(3570))).await.unwrap();

    let fin = s
        .derive_document(&a, quote.id, DocumentType::Invoice, day("2026-12-02"), None)
        .await
        .unwrap();
    let d = &fin.content.down_payments;
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0].number.as_str(), ar1.number().unwrap());
    assert_eq!(d[0].date, day("2026-11-27"));
    assert_eq!(d[0].groups.len(), 1);
    assert_eq!(
        (d[0].groups[0].rate, d[0].groups[0].net, d[0].groups[0].vat),
        (dec!(19), dec!(3000), dec!(570))
    );
    assert!(d[0].is_paid());
    assert_eq!(d[1].number.as_str(), ar2.number().unwrap());
    assert_eq!(d[1].groups.len(), 2);
    assert_eq!(
        (d[1].groups[0].rate, d[1].groups[0].net, d[1].groups[0].vat),
        (dec!(19), dec!(1000), dec!(190))
    );
    assert_eq!(
        (d[1].groups[1].rate, d[1].groups[1].net, d[1].groups[1].vat),
        (dec!(7), dec!(500), dec!(35))
    );
    assert_eq!(
        d[1].open,
        dec!(1725),
        "the unpaid one is deducted and marked open"
    );
    assert_eq!(fin.content.prepaid_amount, dec!(0));
    assert_eq!(fin.totals.gross, dec!(14040));
    assert_eq!(fin.totals.down_payments, dec!(5295));
    assert_eq!(fin.totals.due, dec!(8745));

    // Saving the draft keeps the deductions: they are not part of what the editor sends.
    let input = DraftInput {
        lines: fin.content.lines.clone(),
        date: day("2026-12-02"),
        ..draft(DocumentType::Invoice, cid, vec![])
    };
    let fin = s
        .update_document(&a, fin.id, &input, Some(fin.version))
        .await
        .unwrap();
    assert_eq!(fin.content.down_payments.len(), 2);
    assert_eq!(fin.totals.due, dec!(8745));

    // Paid in part before the final invoice is issued: issuing takes the state of then.
    s.add_payment(&a, ar2.id, &pay(dec!(1000))).await.unwrap();
    let fin = s.issue_document(&a, fin.id).await.unwrap();
    assert_eq!(fin.content.down_payments[1].open, dec!(725));
    assert_eq!(fin.totals.due, dec!(8745));
    let again = s.document(fin.id).await.unwrap();
    assert_eq!(
        again.content.down_payments, fin.content.down_payments,
        "stored as issued"
    );

    // A second final invoice of the same order deducts nothing twice.
    let second = s
        .derive_document(&a, quote.id, DocumentType::Invoice, day("2026-12-03"), None)
        .await
        .unwrap();
    assert!(second.content.down_payments.is_empty());
    s.delete_document(&a, second.id).await.unwrap();

    // Once the final invoice is cancelled, a new one deducts them again.
    let cancellation = s
        .cancel_document(&a, fin.id, day("2026-12-04"), None)
        .await
        .unwrap();
    assert_eq!(
        cancellation.content.down_payments, fin.content.down_payments,
        "the cancellation reverses the final invoice as issued"
    );
    let third = s
        .derive_document(&a, quote.id, DocumentType::Invoice, day("2026-12-05"), None)
        .await
        .unwrap();
    assert_eq!(third.content.down_payments.len(), 2);
}

/// A down-payment invoice cancelled after the final invoice's draft was made is not deducted
/// when the final invoice is issued.
#[tokio::test]
async fn a_cancelled_down_payment_is_not_deducted() {
    let (t, cid) = setup().await;
    let s = &t.store;
    let a = Actor::cli();
    let quote = s
        .create_document(
            &a,
            &draft(
                DocumentType::Quote,
                cid,
                vec![item("Umbau", dec!(10), dec!(100), dec!(19))],
            ),
        )
        .await
        .unwrap();
    let quote = s.issue_document(&a, quote.id).await.unwrap();
    let dp = s
        .derive_document(
            &a,
            quote.id,
            DocumentType::DownPaymentInvoice,
            day("2026-11-27"),
            None,
        )
        .await
        .unwrap();
    let dp = s.issue_document(&a, dp.id).await.unwrap();
    let fin = s
        .derive_document(&a, quote.id, DocumentType::Invoice, day("2026-12-02"), None)
        .await
        .unwrap();
    assert_eq!(fin.content.down_payments.len(), 1);
    s.cancel_document(&a, dp.id, day("2026-11-30"), None)
        .await
        .unwrap();
    assert!(s.issue_check(fin.id).await.unwrap().is_empty());
    let fin = s.issue_document(&a, fin.id).await.unwrap();
    assert!(fin.content.down_payments.is_empty());
    assert_eq!(fin.totals.due, fin.totals.gross);
}

#[tokio::test]
async fn cancel_payments_and_open_items() {
    let (t, cid) = setup().await;
    let s = &t.store;
    let a = Actor::cli();
    let inv = s
        .create_document(
            &a,
            &draft(
                DocumentType::Invoice,
                cid,
                vec![item("Leistung", dec!(1), dec!(100), dec!(19))],
            ),
        )
        .await
        .unwrap();
    let inv = s.issue_document(&a, inv.id).await.unwrap();
    let today = day("2026-11-26");
    assert_eq!(inv.status(today), "open");

    let pay = |amount: Decimal| PaymentInput {
        date: today,
        amount,
        method: "bank_transfer".into(),
        note: String::new(),
    };
    s.add_payment(&a, inv.id, &pay(dec!(50))).await.unwrap();
    assert_eq!(
        s.document(inv.id).await.unwrap().status(today),
        "partially_paid"
    );
    assert_eq!(
        s.document(inv.id).await.unwrap().status(day("2027-01-01")),
        "overdue"
    );
    let err = s
        .add_payment(&a, inv.id, &pay(dec!(69.01)))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Invalid { ref field, .. } if field == "amount"),
        "{err:?}"
    );
    let open = s
        .list_documents(
            &DocumentQuery {
                open_only: true,
                ..Default::default()
            },
            today,
        )
        .await
        .unwrap();
    assert_eq!(open.total, 1);
    s.add_payment(&a, inv.id, &pay(dec!(69))).await.unwrap();
    let paid = s.document(inv.id).await.unwrap();
    assert_eq!(paid.status(today), "paid");
    assert_eq!(s.payments(inv.id).await.unwrap().len(), 2);
    let open = s
        .list_documents(
            &DocumentQuery {
                open_only: true,
                ..Default::default()
            },
            today,
        )
        .await
        .unwrap();
    assert_eq!(open.total, 0);
    assert!(
        s.cancel_document(&a, inv.id, today, None).await.is_err(),
        "a paid invoice is corrected by credit note"
    );

    let inv2 = s
        .create_document(
            &a,
            &draft(
                DocumentType::Invoice,
                cid,
                vec![item("Falsch", dec!(2), dec!(50), dec!(7))],
            ),
        )
        .await
        .unwrap();
    let inv2 = s.issue_document(&a, inv2.id).await.unwrap();
    let cancellation = s.cancel_document(&a, inv2.id, today, None).await.unwrap();
    assert_eq!(cancellation.content.doc_type, DocumentType::Cancellation);
    assert_eq!(cancellation.number(), Some("ST-2026-0001"));
    assert_eq!(cancellation.corrects_id, Some(inv2.id));
    assert_eq!(cancellation.totals.gross, inv2.totals.gross);
    assert_eq!(cancellation.state(), DocState::Issued);
    let original = s.document(inv2.id).await.unwrap();
    assert_eq!(original.state(), DocState::Cancelled);
    assert_eq!(original.cancelled_by_id, Some(cancellation.id));
    assert!(s.cancel_document(&a, inv2.id, today, None).await.is_err());
    assert!(s.add_payment(&a, inv2.id, &pay(dec!(1))).await.is_err());
}

#[tokio::test]
async fn tax_modes_and_small_business() {
    let (t, cid) = setup().await;
    let s = &t.store;
    let a = Actor::cli();
    let mut d = draft(
        DocumentType::Invoice,
        cid,
        vec![item("Export", dec!(1), dec!(100), dec!(19))],
    );
    d.tax_mode = Some(TaxMode::Export);
    let doc = s.create_document(&a, &d).await.unwrap();
    assert_eq!(doc.totals.vat, dec!(0));
    let StoreError::NotIssuable(p) = s.issue_document(&a, doc.id).await.unwrap_err() else {
        panic!()
    };
    assert_eq!(p[0].field, "contact.country");

    let mut small = company();
    small.small_business = true;
    s.update_company(&a, &small).await.unwrap();
    let doc = s
        .create_document(
            &a,
            &draft(
                DocumentType::Invoice,
                cid,
                vec![item("Klein", dec!(1), dec!(100), dec!(19))],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        doc.content.tax_mode,
        TaxMode::SmallBusiness,
        "small businesses default to § 19"
    );
    assert_eq!(doc.totals.gross, dec!(100));
    s.issue_document(&a, doc.id).await.unwrap();
}

#[tokio::test]
async fn contacts_search_archive_and_numbers() {
    let t = TestStore::new().await.unwrap();
    let s = &t.store;
    let a = Actor::cli();
    let k1 = s
        .create_contact(&a, &customer("Bäckerei Müller"))
        .await
        .unwrap();
    let k2 = s
        .create_contact(&a, &customer("Zimmerei 100%_Holz"))
        .await
        .unwrap();
    let mut supplier = customer("Lieferant GmbH");
    supplier.is_customer = false;
    supplier.is_supplier = true;
    let l1 = s.create_contact(&a, &supplier).await.unwrap();
    assert_eq!(k1.number, "K10001");
    assert_eq!(k2.number, "K10002");
    assert_eq!(l1.number, "L70001");
    let found = s
        .list_contacts(&ContactQuery {
            search: Some("müller".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    let found = s
        .list_contacts(&ContactQuery {
            search: Some("100%_".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.items.len(), 1, "LIKE wildcards are literal");
    let found = s
        .list_contacts(&ContactQuery {
            search: Some("%".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.total, 1);
    let found = s
        .list_contacts(&ContactQuery {
            search: Some("k1000".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.total, 2);

    s.create_document(&a, &draft(DocumentType::Quote, k1.id, vec![]))
        .await
        .unwrap();
    assert!(matches!(
        s.delete_contact(&a, k1.id).await.unwrap_err(),
        StoreError::Conflict {
            code: kontor_domain::ErrorCode::ContactInUse,
            ..
        }
    ));
    s.update_contact(&a, k1.id, &k1.data, Some(true))
        .await
        .unwrap();
    let listed = s.list_contacts(&ContactQuery::default()).await.unwrap();
    assert_eq!(listed.total, 2, "archived contacts are hidden by default");
    s.delete_contact(&a, k2.id).await.unwrap();
    assert!(matches!(
        s.contact(k2.id).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));

    let page = s
        .list_contacts(&ContactQuery {
            include_archived: true,
            page: PageRequest::new(Some(2), Some(1)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.total, 2);
}

#[tokio::test]
async fn number_ranges_are_configurable() {
    let (t, cid) = setup().await;
    let s = &t.store;
    let a = Actor::cli();
    let today = day("2026-11-26");
    assert!(
        s.update_number_range(
            &a,
            "invoice",
            "R-{N:3}",
            kontor_domain::numbering::ResetRule::Yearly,
            1,
            today
        )
        .await
        .is_err()
    );
    let r = s
        .update_number_range(
            &a,
            "invoice",
            "{YYYY}{MM}-{CUST}-{N:3}",
            kontor_domain::numbering::ResetRule::Monthly,
            5,
            today,
        )
        .await
        .unwrap();
    assert_eq!(r.next_preview, "202611-K10001-005");
    let d = s
        .create_document(
            &a,
            &draft(
                DocumentType::Invoice,
                cid,
                vec![item("A", dec!(1), dec!(1), dec!(19))],
            ),
        )
        .await
        .unwrap();
    assert_eq!(
        s.issue_document(&a, d.id).await.unwrap().number(),
        Some("202611-K10001-005")
    );
    let ranges = s.number_ranges(today).await.unwrap();
    assert_eq!(
        ranges
            .iter()
            .find(|r| r.key == "invoice")
            .unwrap()
            .next_preview,
        "202611-K10001-006"
    );
}

#[tokio::test]
async fn audit_chain_detects_edits_and_deletions() {
    let (t, cid) = setup().await;
    let s = &t.store;
    let d = s
        .create_document(
            &Actor::user("anna"),
            &draft(
                DocumentType::Invoice,
                cid,
                vec![item("A", dec!(1), dec!(1), dec!(19))],
            ),
        )
        .await
        .unwrap();
    s.issue_document(&Actor::user("anna"), d.id).await.unwrap();
    let report = s.audit_verify().await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(report.entries, 4, "company, contact, create, issue");
    let entries = s
        .audit_entries("document", &d.id.to_string(), 10)
        .await
        .unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| e.action.as_str())
            .collect::<Vec<_>>(),
        vec!["issue", "create"]
    );
    assert_eq!(entries[0].actor, "user:anna");

    // An edit is detected.
    sqlx::query("UPDATE audit_log SET actor = 'user:mallory' WHERE seq = 3")
        .execute(s.pool())
        .await
        .unwrap();
    let report = s.audit_verify().await.unwrap();
    assert!(!report.ok());
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.contains("entry 3 was altered")),
        "{:?}",
        report.problems
    );
    sqlx::query("UPDATE audit_log SET actor = 'user:anna' WHERE seq = 3")
        .execute(s.pool())
        .await
        .unwrap();
    assert!(s.audit_verify().await.unwrap().ok());

    // A deletion in the middle and at the end is detected.
    sqlx::query("DELETE FROM audit_log WHERE seq = 4")
        .execute(s.pool())
        .await
        .unwrap();
    assert!(!s.audit_verify().await.unwrap().ok());
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(s.pool())
        .await
        .unwrap();
    let report = s.audit_verify().await.unwrap();
    assert!(
        report.problems.iter().any(|p| p.contains("missing")),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn users_and_tokens() {
    let t = TestStore::new().await.unwrap();
    let s = &t.store;
    assert_eq!(
        s.user_count().await.unwrap(),
        0,
        "no default account exists"
    );
    assert!(
        s.create_user(&Actor::cli(), "anna", "short", Role::Admin)
            .await
            .is_err()
    );
    let u = s
        .create_user(
            &Actor::cli(),
            "anna",
            "a long passphrase here",
            Role::Accountant,
        )
        .await
        .unwrap();
    assert!(
        s.create_user(
            &Actor::cli(),
            "anna",
            "another long passphrase",
            Role::Admin
        )
        .await
        .is_err()
    );
    assert!(
        s.verify_login("anna", "a long passphrase here")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        s.verify_login("anna", "wrong passphrase!!")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.verify_login("nobody", "a long passphrase here")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.create_token(&Actor::cli(), u.id, "ci", Some(Role::Admin))
            .await
            .is_err(),
        "no escalation"
    );
    let (rec, secret) = s
        .create_token(&Actor::cli(), u.id, "ci", None)
        .await
        .unwrap();
    assert_eq!(rec.role, Role::Accountant);
    let (user, tok) = s.authenticate_token(&secret).await.unwrap().unwrap();
    assert_eq!(user.username, "anna");
    assert_eq!(tok.name, "ci");
    assert!(s.authenticate_token("kontor_00").await.unwrap().is_none());
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_ne!(stored, secret, "only the hash is stored");
}

#[tokio::test]
async fn migrations_are_idempotent_and_data_survives_reopen() {
    let (t, cid) = setup().await;
    let d = t
        .store
        .create_document(
            &Actor::cli(),
            &draft(
                DocumentType::Invoice,
                cid,
                vec![item("A", dec!(1), dec!(1), dec!(19))],
            ),
        )
        .await
        .unwrap();
    t.store.issue_document(&Actor::cli(), d.id).await.unwrap();
    let reopened = Store::connect(&t.url, t.options()).await.unwrap();
    assert!(reopened.ready().await.unwrap());
    assert_eq!(
        reopened.document(d.id).await.unwrap().number(),
        Some("RE-2026-0001")
    );
}

#[tokio::test]
async fn sessions_expire_and_end() {
    use kontor_storage::sessions::SessionPolicy;
    let t = TestStore::new().await.unwrap();
    let s = &t.store;
    let u = s
        .create_user(&Actor::cli(), "bert", "a long passphrase here", Role::Sales)
        .await
        .unwrap();
    let policy = SessionPolicy::default();
    let secret = s.create_session(u.id, "test-agent", policy).await.unwrap();
    let live = s
        .session(&secret, policy)
        .await
        .unwrap()
        .expect("live session");
    assert_eq!(live.user.username, "bert");
    assert_eq!(live.csrf_token.len(), 64);
    assert!(s.session("not-a-session", policy).await.unwrap().is_none());
    let stored: String = sqlx::query_scalar("SELECT id_hash FROM sessions")
        .fetch_one(s.pool())
        .await
        .unwrap();
    assert_ne!(stored, secret, "only the hash is stored");
    // Idle timeout: a policy with no idle time expires it at once.
    let strict = SessionPolicy {
        idle: chrono::Duration::zero(),
        absolute: chrono::Duration::hours(1),
    };
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(s.session(&secret, strict).await.unwrap().is_none());
    assert!(
        s.session(&secret, policy).await.unwrap().is_none(),
        "an expired session is deleted"
    );
    let again = s.create_session(u.id, "x", policy).await.unwrap();
    assert_eq!(s.delete_user_sessions(u.id).await.unwrap(), 1);
    assert!(s.session(&again, policy).await.unwrap().is_none());
    s.set_setting(
        &Actor::cli(),
        "text_blocks",
        &serde_json::json!({"invoice": {"intro": "Hallo {name}"}}),
    )
    .await
    .unwrap();
    assert_eq!(
        s.setting("text_blocks").await.unwrap().unwrap()["invoice"]["intro"],
        "Hallo {name}"
    );
    assert!(s.audit_verify().await.unwrap().ok());
}

#[tokio::test]
async fn settings_that_hold_secrets_runs_and_leases_keep_out_of_the_audit_log() {
    let t = TestStore::new().await.unwrap();
    let s = &t.store;
    let before = s
        .audit_entries("setting", "mailbox", 10)
        .await
        .unwrap()
        .len();
    let hide = |v: &serde_json::Value| {
        let mut v = v.clone();
        v["password"] = "(set)".into();
        v
    };
    for password in ["erstes", "zweites"] {
        s.set_setting_redacted(
            &Actor::cli(),
            "mailbox",
            &serde_json::json!({"host": "imap.example.com", "password": password}),
            hide,
        )
        .await
        .unwrap();
    }
    assert_eq!(
        s.setting("mailbox").await.unwrap().unwrap()["password"],
        "zweites"
    );
    let entries = s.audit_entries("setting", "mailbox", 10).await.unwrap();
    assert_eq!(entries.len(), before + 2);
    for e in &entries {
        let text = format!("{:?} {:?}", e.old_value, e.new_value);
        assert!(
            !text.contains("erstes") && !text.contains("zweites"),
            "{text}"
        );
    }
    // A run's report: stored, not audited.
    s.record_setting("mailbox_report", &serde_json::json!({"imported": 2}))
        .await
        .unwrap();
    assert_eq!(
        s.setting("mailbox_report").await.unwrap().unwrap()["imported"],
        2
    );
    assert!(
        s.audit_entries("setting", "mailbox_report", 10)
            .await
            .unwrap()
            .is_empty()
    );
    // A lease of ten minutes: claimed once per period, whoever asks (`since` = now - 10 min).
    let claim = |now: &str, since: &str| {
        let (now, since) = (
            format!("2026-12-07T{now}:00.000Z"),
            format!("2026-12-07T{since}:00.000Z"),
        );
        async move { s.claim_setting("lease", &now, &since).await.unwrap() }
    };
    assert!(claim("10:00", "09:50").await);
    assert!(!claim("10:05", "09:55").await, "claimed at 10:00 already");
    assert!(claim("10:10", "10:00").await, "the period is over");
    assert!(!claim("10:11", "10:01").await);
    assert!(s.audit_verify().await.unwrap().ok());
}

#[tokio::test]
async fn dashboard_sums() {
    let (t, cid) = setup().await;
    let s = &t.store;
    let a = Actor::cli();
    let mut ids = Vec::new();
    for price in [dec!(100), dec!(200), dec!(50)] {
        let d = s
            .create_document(
                &a,
                &draft(
                    DocumentType::Invoice,
                    cid,
                    vec![item("A", dec!(1), price, dec!(19))],
                ),
            )
            .await
            .unwrap();
        ids.push(s.issue_document(&a, d.id).await.unwrap());
    }
    s.add_payment(
        &a,
        ids[0].id,
        &PaymentInput {
            date: day("2026-11-26"),
            amount: dec!(19),
            method: "cash".into(),
            note: String::new(),
        },
    )
    .await
    .unwrap();
    s.cancel_document(&a, ids[2].id, day("2026-11-26"), None)
        .await
        .unwrap();
    let dash = s.dashboard(day("2026-11-30")).await.unwrap();
    assert_eq!(dash.open_count, 2);
    assert_eq!(
        dash.open_sum,
        dec!(338.00),
        "100 + 200 gross 357, less 19 paid"
    );
    assert_eq!(
        dash.revenue_month,
        dec!(300.00),
        "the cancelled invoice nets out"
    );
    assert_eq!(dash.revenue_year, dec!(300.00));
    assert_eq!(dash.monthly.len(), 12);
    assert_eq!(
        dash.monthly.last().unwrap(),
        &("2026-11".to_string(), dec!(300.00))
    );
    let later = s.dashboard(day("2027-01-15")).await.unwrap();
    assert_eq!(later.overdue_count, 2);
    assert_eq!(later.revenue_year, dec!(0));
}

#[tokio::test]
async fn blobs_are_content_addressed_and_checked() {
    let t = TestStore::new().await.unwrap();
    let s = &t.store;
    let bytes = b"\x89PNG\r\n\x1a\n fake image".to_vec();
    let key = s.put_blob("image/png", &bytes).await.unwrap();
    assert_eq!(key.len(), 64);
    assert_eq!(
        s.put_blob("image/png", &bytes).await.unwrap(),
        key,
        "stored once"
    );
    let blob = s.blob(&key).await.unwrap();
    assert_eq!(blob.data, bytes);
    assert_eq!(blob.content_type, "image/png");
    assert!(matches!(
        s.blob("00").await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
}

#[tokio::test]
async fn commits_are_durable() {
    let t = TestStore::new().await.unwrap();
    let pool = t.store.pool();
    match t.store.backend() {
        Backend::Sqlite => {
            // Every connection of the pool runs in WAL mode with synchronous=FULL (2).
            for _ in 0..3 {
                let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                    .fetch_one(pool)
                    .await
                    .unwrap();
                let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                    .fetch_one(pool)
                    .await
                    .unwrap();
                assert_eq!((mode.as_str(), sync), ("wal", 2));
            }
        }
        Backend::Postgres => {
            let sync: String = sqlx::query_scalar("SHOW synchronous_commit")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(sync, "on");
            let fsync: String = sqlx::query_scalar("SHOW fsync")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(fsync, "on");
        }
    }
}

#[tokio::test]
async fn archived_files_are_written_once() {
    use kontor_storage::blobs::Artefact;
    let (t, cid) = setup().await;
    let s = &t.store;
    let d = s
        .create_document(
            &Actor::cli(),
            &draft(
                DocumentType::Invoice,
                cid,
                vec![item("A", dec!(1), dec!(1), dec!(19))],
            ),
        )
        .await
        .unwrap();
    let pdf = |bytes: &[u8]| {
        vec![Artefact {
            kind: "pdf".into(),
            content_type: "application/pdf".into(),
            data: bytes.to_vec(),
        }]
    };
    assert!(
        s.archive_artefacts(d.id, &pdf(b"draft")).await.is_err(),
        "drafts are not archived"
    );
    s.issue_document(&Actor::cli(), d.id).await.unwrap();
    assert_eq!(
        s.documents_missing_artefact("pdf", 10).await.unwrap(),
        vec![d.id]
    );
    assert_eq!(
        s.archive_artefacts(d.id, &pdf(b"%PDF-original"))
            .await
            .unwrap(),
        vec!["pdf"]
    );
    assert!(
        s.archive_artefacts(d.id, &pdf(b"%PDF-changed"))
            .await
            .unwrap()
            .is_empty(),
        "never replaced"
    );
    assert_eq!(
        s.archived_artefact(d.id, "pdf")
            .await
            .unwrap()
            .unwrap()
            .data,
        b"%PDF-original"
    );
    assert!(
        s.archived_artefact(d.id, "xrechnung-ubl")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.documents_missing_artefact("pdf", 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Files in a blob store (here a local folder through the same `object_store` interface as
/// S3; the S3 tier runs the same paths against s3s-fs): new files go to the store, old rows
/// stay in the database, a damaged or missing object is a typed error naming its key, and
/// files move to the store and back.
#[tokio::test]
async fn files_in_a_blob_store() {
    use kontor_storage::blobs::Artefact;
    use kontor_storage::blobstore::BlobStoreSpec;
    let (t, cid) = setup().await;
    let folder = tempfile::tempdir().unwrap();
    let bucket = BlobStoreSpec::parse(&format!("file://{}", folder.path().display()))
        .unwrap()
        .open()
        .unwrap();
    let scoped = bucket.scoped("kontor").unwrap();
    // A file written before the store was configured stays in the database.
    let old = t.store.put_blob("image/png", b"old logo").await.unwrap();
    let s = t.store.clone().with_blob_store(Some(scoped.clone()));
    let d = s
        .create_document(
            &Actor::cli(),
            &draft(
                DocumentType::Invoice,
                cid,
                vec![item("A", dec!(1), dec!(1), dec!(19))],
            ),
        )
        .await
        .unwrap();
    let pdf = b"%PDF-1.7 archived".to_vec();
    let artefact = |data: &[u8]| Artefact {
        kind: "pdf".into(),
        content_type: "application/pdf".into(),
        data: data.to_vec(),
    };
    assert!(s.archive_artefacts(d.id, &[artefact(&pdf)]).await.is_err());
    assert!(
        scoped.list_keys().await.unwrap().is_empty(),
        "nothing uploaded for a draft"
    );
    s.issue_document(&Actor::cli(), d.id).await.unwrap();
    s.archive_artefacts(
        d.id,
        &[Artefact {
            kind: "pdf".into(),
            content_type: "application/pdf".into(),
            data: pdf.clone(),
        }],
    )
    .await
    .unwrap();
    let new = s.put_blob("image/png", b"new logo").await.unwrap();
    let counts = s.blob_counts().await.unwrap();
    assert_eq!((counts.in_database, counts.external), (1, 2));
    let keys = scoped.list_keys().await.unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    assert!(keys.contains(&scoped.key_for(&new)));
    assert_eq!(
        s.archived_artefact(d.id, "pdf")
            .await
            .unwrap()
            .unwrap()
            .data,
        pdf
    );
    assert_eq!(s.blob(&old).await.unwrap().data, b"old logo");
    // The row holds no bytes of its own.
    let size: i64 =
        sqlx::query_scalar("SELECT CAST(LENGTH(data) AS BIGINT) FROM blobs WHERE sha256 = $1")
            .bind(&new)
            .fetch_one(s.pool())
            .await
            .unwrap();
    assert_eq!(size, 0);
    // Without the store configured, such a file cannot be read, and says why.
    let err = t.store.blob(&new).await.unwrap_err();
    assert!(matches!(err, StoreError::NoBlobStore { .. }), "{err}");
    // Another tenant's prefix does not reach it.
    let other = s
        .clone()
        .with_blob_store(Some(bucket.scoped("other").unwrap()));
    assert!(matches!(
        other.blob(&new).await.unwrap_err(),
        StoreError::NoBlobStore { .. }
    ));
    // An altered object: a typed error naming the key, never the wrong bytes.
    let key = scoped.key_for(&new);
    scoped.put(&key, b"new logo, altered").await.unwrap();
    let err = s.blob(&new).await.unwrap_err();
    assert!(matches!(err, StoreError::BlobCorrupt { .. }), "{err}");
    assert!(err.to_string().contains(&key), "{err}");
    let check = s.check_blobs().await.unwrap();
    assert_eq!((check.checked, check.external), (3, 2));
    assert_eq!(check.problems.len(), 1, "{:?}", check.problems);
    assert!(check.problems[0].contains(&key));
    // A missing object likewise.
    scoped.delete(&key).await.unwrap();
    let err = s.blob(&new).await.unwrap_err();
    assert!(matches!(err, StoreError::BlobMissing { .. }), "{err}");
    scoped.put(&key, b"new logo").await.unwrap();
    assert!(s.check_blobs().await.unwrap().problems.is_empty());
    // A damaged file in the database stays there, named; a move skips it.
    let set_old = |bytes: &'static [u8]| {
        sqlx::query("UPDATE blobs SET data = $1 WHERE sha256 = $2")
            .bind(bytes.to_vec())
            .bind(old.clone())
            .execute(s.pool())
    };
    set_old(b"tampered").await.unwrap();
    let moved = s.move_blobs_to_store(&scoped).await.unwrap();
    assert_eq!(moved.moved, 0);
    assert_eq!(moved.problems.len(), 1, "{:?}", moved.problems);
    assert!(moved.problems[0].contains(&old));
    set_old(b"old logo").await.unwrap();
    // Everything into the store (resumable: a second run has nothing left) …
    let moved = s.move_blobs_to_store(&scoped).await.unwrap();
    assert_eq!(moved.moved, 1);
    assert_eq!(s.move_blobs_to_store(&scoped).await.unwrap().moved, 0);
    assert_eq!(s.blob_counts().await.unwrap().external, 3);
    assert_eq!(s.blob(&old).await.unwrap().data, b"old logo");
    // … and back into the database; then the store is not needed any more.
    assert_eq!(s.move_blobs_to_database().await.unwrap().moved, 3);
    let counts = t.store.blob_counts().await.unwrap();
    assert_eq!((counts.in_database, counts.external), (3, 0));
    assert_eq!(t.store.blob(&new).await.unwrap().data, b"new logo");
    assert_eq!(
        t.store
            .archived_artefact(d.id, "pdf")
            .await
            .unwrap()
            .unwrap()
            .data,
        pdf
    );
    assert!(t.store.check_blobs().await.unwrap().problems.is_empty());
}

#[tokio::test]
async fn an_issued_row_carries_its_facts_and_a_cancellation_its_preceding_invoice() {
    let (t, cid) = setup().await;
    let (s, a) = (&t.store, Actor::cli());
    let lines = vec![item("Beratung", dec!(2), dec!(100), dec!(19))];
    let d = s
        .create_document(&a, &draft(DocumentType::Invoice, cid, lines))
        .await
        .unwrap();
    assert!(d.to_issued().is_none(), "a draft is no issued document");
    assert!(matches!(d.to_domain(), Staged::Draft(_)));
    let inv = s.issue_document(&a, d.id).await.unwrap();
    assert!(inv.to_draft().is_none(), "an issued document is no draft");
    let issued = inv.to_issued().expect("issued");
    assert_eq!(issued.number.as_str(), "RE-2026-0001");
    assert_eq!(issued.buyer.name, "Kunde AG");
    assert_eq!(issued.seller.name, company().name);
    assert_eq!(issued.totals, inv.totals);
    assert_eq!(inv.issued_at().as_deref().map(str::len), Some(27));
    assert!(issued.preceding.is_none());

    let cancellation = s
        .cancel_document(&a, inv.id, inv.content.date, None)
        .await
        .unwrap();
    let cancelled = s.document(inv.id).await.unwrap();
    assert!(matches!(cancelled.stage, Stage::Cancelled(_)));
    assert_eq!(
        cancelled.to_issued().map(|i| i.number),
        Some(issued.number.clone()),
        "a cancelled document keeps what it was issued with"
    );
    let preceding = cancellation
        .to_issued()
        .and_then(|c| c.preceding)
        .expect("the cancellation names the invoice it cancels");
    assert_eq!(preceding.number, issued.number);
    assert_eq!(preceding.date, issued.content.date);
}

#[tokio::test]
async fn an_issued_row_without_a_readable_snapshot_is_corrupt_not_a_panic() {
    let (t, cid) = setup().await;
    let (s, a) = (&t.store, Actor::cli());
    let lines = vec![item("Beratung", dec!(1), dec!(100), dec!(19))];
    let d = s
        .create_document(&a, &draft(DocumentType::Invoice, cid, lines))
        .await
        .unwrap();
    let d = s.issue_document(&a, d.id).await.unwrap();
    for (column, value) in [
        ("buyer_snapshot", None),
        ("seller_snapshot", Some("{not json")),
        ("issued_at", Some("yesterday")),
        ("number", Some("   ")),
    ] {
        let sql = format!("UPDATE documents SET {column} = $1 WHERE id = $2");
        // Each case breaks one column of a fresh copy of the issued row.
        let copy: i64 = sqlx::query_scalar::<_, i64>(
            "INSERT INTO documents (doc_type, status, number, contact_id, doc_date, delivery_date, due_date, tax_mode, currency, language, \
             discount_percent, prepaid_amount, subject, intro_text, closing_text, lines, net_cents, vat_cents, gross_cents, due_cents, \
             paid_cents, search, created_at, updated_at, version, skonto, payment_method, seller_snapshot, buyer_snapshot, issued_at) \
             SELECT doc_type, status, number || '-' || $1, contact_id, doc_date, delivery_date, due_date, tax_mode, currency, language, \
             discount_percent, prepaid_amount, subject, intro_text, closing_text, lines, net_cents, vat_cents, gross_cents, due_cents, \
             paid_cents, search, created_at, updated_at, version, skonto, payment_method, seller_snapshot, buyer_snapshot, issued_at \
             FROM documents WHERE id = $2 RETURNING id",
        )
        .bind(column)
        .bind(d.id)
        .fetch_one(s.pool())
        .await
        .unwrap();
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(value)
            .bind(copy)
            .execute(s.pool())
            .await
            .unwrap();
        match s.document(copy).await {
            Err(StoreError::Corrupt(why)) => assert!(why.contains(&copy.to_string()), "{why}"),
            other => panic!("{column}: expected Corrupt, got {other:?}"),
        }
    }
    assert!(
        s.document(d.id).await.is_ok(),
        "the original stays readable"
    );
}
