//! The list queries against a real database (SQLite, or PostgreSQL when
//! `KONTOR_TEST_DATABASE_URL` is set): every sortable column in both directions, page by page
//! and stable; the payment-status filters agree with the status each row shows; the search
//! finds a document by its gross amount however it is typed; a selection names only this
//! business's documents.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

use std::cmp::Ordering;

use chrono::NaiveDate;
use kontor_domain::document::DocumentType;
use kontor_domain::{ContactData, UnitCode, VatRate};
use kontor_storage::*;
use kontor_testkit::TestStore;
use kontor_testkit::fixtures::{company_profile, day, draft, german_b2b, item};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

const TODAY: &str = "2026-12-10";

fn contact(name: &str, city: &str, email: &str) -> ContactData {
    ContactData {
        name: name.into(),
        city: city.into(),
        email: email.into(),
        ..german_b2b()
    }
}

fn pay(amount: Decimal) -> PaymentInput {
    PaymentInput {
        date: day("2026-12-01"),
        amount,
        method: "bank_transfer".into(),
        note: String::new(),
    }
}

/// A business with documents in every status, some sharing dates, due dates and amounts so
/// that ties must be broken by id.
async fn business() -> TestStore {
    let t = TestStore::new().await.expect("test store");
    let s = &t.store;
    let a = Actor::cli();
    s.update_company(&a, &company_profile()).await.unwrap();
    let mut contacts = Vec::new();
    for (name, city) in [
        ("beta Bau", "Köln"),
        ("Alpha AG", "Berlin"),
        ("Gamma GmbH", "Aachen"),
    ] {
        contacts.push(
            s.create_contact(&a, &contact(name, city, ""))
                .await
                .unwrap()
                .id,
        );
    }
    // (contact, type, date, due date, price, what happens to it)
    type Planned<'a> = (
        usize,
        DocumentType,
        &'a str,
        Option<&'a str>,
        Decimal,
        &'a str,
    );
    let plan: &[Planned] = &[
        (
            0,
            DocumentType::Invoice,
            "2026-11-01",
            Some("2026-11-15"),
            dec!(100),
            "overdue",
        ),
        (
            1,
            DocumentType::Invoice,
            "2026-11-01",
            Some("2026-12-20"),
            dec!(100),
            "open",
        ),
        (
            2,
            DocumentType::Invoice,
            "2026-11-05",
            Some("2026-12-20"),
            dec!(250),
            "partly",
        ),
        (
            0,
            DocumentType::Invoice,
            "2026-10-01",
            Some("2026-10-15"),
            dec!(250),
            "paid",
        ),
        (
            1,
            DocumentType::Invoice,
            "2026-10-20",
            Some("2026-11-01"),
            dec!(80),
            "overdue-partly",
        ),
        (
            2,
            DocumentType::Quote,
            "2026-11-05",
            None,
            dec!(1000),
            "issue",
        ),
        (
            0,
            DocumentType::Invoice,
            "2026-12-01",
            None,
            dec!(42),
            "draft",
        ),
        (
            1,
            DocumentType::Invoice,
            "2026-09-01",
            Some("2026-09-15"),
            dec!(60),
            "cancel",
        ),
        (
            2,
            DocumentType::DownPaymentInvoice,
            "2026-11-05",
            Some("2026-12-20"),
            dec!(100),
            "paid",
        ),
    ];
    for (c, doc_type, date, due, price, what) in plan {
        let mut input = draft(
            *doc_type,
            contacts[*c],
            vec![item("Arbeit", dec!(1), *price, dec!(19))],
        );
        input.date = day(date);
        input.delivery_date = Some(day(date));
        input.due_date = due.map(day);
        let doc = s.create_document(&a, &input).await.unwrap();
        if *what == "draft" {
            continue;
        }
        let doc = s.issue_document(&a, doc.id).await.unwrap();
        let gross = doc.totals.gross;
        match *what {
            "paid" => {
                s.add_payment(&a, doc.id, &pay(gross)).await.unwrap();
            }
            "partly" | "overdue-partly" => {
                s.add_payment(&a, doc.id, &pay(dec!(10))).await.unwrap();
            }
            "cancel" => {
                s.cancel_document(&a, doc.id, day("2026-09-20"), None)
                    .await
                    .unwrap();
            }
            _ => {}
        }
    }
    t
}

/// Every document, newest first, in one page.
async fn everything(s: &Store, today: NaiveDate) -> Vec<DocumentSummary> {
    let page = s
        .list_documents(
            &DocumentQuery {
                page: PageRequest::new(Some(1), Some(200)),
                ..Default::default()
            },
            today,
        )
        .await
        .unwrap();
    assert!(!page.has_more);
    page.items
}

/// The order a person expects from the list's columns, computed here from the rows as shown.
fn expected_order(
    rows: &[DocumentSummary],
    sort: Sort<DocumentSort>,
    today: NaiveDate,
) -> Vec<i64> {
    let status_rank = |d: &DocumentSummary| match d.status(today) {
        "draft" => 0,
        "open" => 1,
        "partially_paid" => 2,
        "overdue" => 3,
        "paid" => 4,
        "issued" => 5,
        _ => 6,
    };
    let shown = |d: &DocumentSummary| {
        if d.doc_type.is_correction() {
            -d.gross
        } else {
            d.gross
        }
    };
    // Rows without a number or due date come last in both directions.
    let empties_last = |a: bool, b: bool| a.cmp(&b);
    let dir = |o: Ordering| if sort.descending { o.reverse() } else { o };
    let mut sorted: Vec<&DocumentSummary> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        let key = match sort.key {
            DocumentSort::Number => empties_last(a.number.is_none(), b.number.is_none())
                .then_with(|| dir(a.number.cmp(&b.number))),
            DocumentSort::Date => dir(a.date.cmp(&b.date)),
            DocumentSort::Contact => dir(a
                .contact_name
                .to_lowercase()
                .cmp(&b.contact_name.to_lowercase())),
            DocumentSort::DueDate => empties_last(a.due_date.is_none(), b.due_date.is_none())
                .then_with(|| dir(a.due_date.cmp(&b.due_date))),
            DocumentSort::Amount => dir(shown(a).cmp(&shown(b))),
            DocumentSort::Status => dir(status_rank(a).cmp(&status_rank(b))),
        };
        key.then_with(|| dir(a.id.cmp(&b.id)))
    });
    sorted.iter().map(|d| d.id).collect()
}

#[tokio::test]
async fn documents_sort_by_every_column_both_ways_page_by_page() {
    let t = business().await;
    let s = &t.store;
    let today = day(TODAY);
    let all = everything(s, today).await;
    assert_eq!(all.len(), 10, "nine documents and one cancellation");
    for &key in DocumentSort::ALL {
        for descending in [false, true] {
            let sort = Sort { key, descending };
            // Pages of three: ties (same date, same amount, same contact) cross page borders.
            let mut ids = Vec::new();
            for page in 1.. {
                let p = s
                    .list_documents(
                        &DocumentQuery {
                            sort: Some(sort),
                            page: PageRequest::new(Some(page), Some(3)),
                            ..Default::default()
                        },
                        today,
                    )
                    .await
                    .unwrap();
                ids.extend(p.items.iter().map(|d| d.id));
                if !p.has_more {
                    break;
                }
            }
            assert_eq!(
                ids,
                expected_order(&all, sort, today),
                "sort {}",
                sort.param()
            );
        }
    }
}

#[tokio::test]
async fn payment_status_filters_find_what_the_list_shows() {
    let t = business().await;
    let s = &t.store;
    let today = day(TODAY);
    let all = everything(s, today).await;
    for filter in StatusFilter::ALL {
        let (state, open_only, payment) = filter.parts();
        let found = s
            .list_documents(
                &DocumentQuery {
                    state,
                    open_only,
                    payment,
                    sort: Some(Sort {
                        key: DocumentSort::Date,
                        descending: false,
                    }),
                    ..Default::default()
                },
                today,
            )
            .await
            .unwrap();
        let mut got: Vec<i64> = found.items.iter().map(|d| d.id).collect();
        got.sort_unstable();
        let mut want: Vec<i64> = all
            .iter()
            .filter(|d| match filter {
                StatusFilter::Draft => d.state == DocState::Draft,
                StatusFilter::Issued => d.state == DocState::Issued,
                StatusFilter::Cancelled => d.state == DocState::Cancelled,
                StatusFilter::Open => {
                    d.state == DocState::Issued && d.doc_type.is_receivable() && d.paid < d.due
                }
                other => d.status(today) == other.as_str(),
            })
            .map(|d| d.id)
            .collect();
        want.sort_unstable();
        assert!(
            !want.is_empty(),
            "the business has a {} document",
            filter.as_str()
        );
        assert_eq!(got, want, "status {}", filter.as_str());
        assert_eq!(
            found.total,
            want.len() as i64,
            "count of {}",
            filter.as_str()
        );
    }
}

/// An amount in German notation with thousands points ("1.271,64").
fn german(amount: Decimal) -> String {
    let plain = format!("{:.2}", amount);
    let (int, frac) = plain.split_once('.').unwrap();
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{grouped},{frac}")
}

#[tokio::test]
async fn the_search_finds_a_document_by_its_gross_amount_however_typed() {
    let t = TestStore::new().await.unwrap();
    let s = &t.store;
    let a = Actor::cli();
    s.update_company(&a, &company_profile()).await.unwrap();
    let c = s
        .create_contact(&a, &contact("Holzwerk Sommer", "Ulm", ""))
        .await
        .unwrap();
    let make = |price: Decimal| {
        draft(
            DocumentType::Invoice,
            c.id,
            vec![item("Holz", dec!(1), price, dec!(19))],
        )
    };
    let wanted = s.create_document(&a, &make(dec!(1068.60))).await.unwrap();
    let wanted = s.issue_document(&a, wanted.id).await.unwrap();
    let other = s.create_document(&a, &make(dec!(1068.61))).await.unwrap();
    let gross = wanted.totals.gross;
    assert_ne!(gross, other.totals.gross);
    let today = day(TODAY);
    let search = |text: String| DocumentQuery {
        search: Some(text),
        ..Default::default()
    };
    for text in [
        german(gross),
        german(gross).replace('.', ""),
        format!("{gross:.2}"),
        format!("{} €", german(gross)),
    ] {
        let found = s
            .list_documents(&search(text.clone()), today)
            .await
            .unwrap();
        let ids: Vec<i64> = found.items.iter().map(|d| d.id).collect();
        assert_eq!(ids, vec![wanted.id], "search {text:?}");
    }
    // The cancellation of the same amount (shown negative) is found too.
    let cancellation = s
        .cancel_document(&a, wanted.id, day("2026-12-01"), None)
        .await
        .unwrap();
    let found = s
        .list_documents(&search(format!("-{}", german(gross))), today)
        .await
        .unwrap();
    let mut ids: Vec<i64> = found.items.iter().map(|d| d.id).collect();
    ids.sort_unstable();
    assert_eq!(ids, vec![wanted.id, cancellation.id]);
    // The exact amount filter, and text still searched as text.
    let found = s
        .list_documents(
            &DocumentQuery {
                amount: Some(other.totals.gross),
                ..Default::default()
            },
            today,
        )
        .await
        .unwrap();
    assert_eq!(
        found.items.iter().map(|d| d.id).collect::<Vec<_>>(),
        vec![other.id]
    );
    let found = s
        .list_documents(&search("sommer".into()), today)
        .await
        .unwrap();
    assert_eq!(found.items.len(), 3);
}

#[tokio::test]
async fn contacts_and_articles_sort_by_their_columns() {
    let t = TestStore::new().await.unwrap();
    let s = &t.store;
    let a = Actor::cli();
    for (name, city, email) in [
        ("delta", "Bonn", "z@delta.example"),
        ("Alpha", "Köln", "a@alpha.example"),
        ("charlie", "Aachen", "m@charlie.example"),
        ("Bravo", "Bonn", "b@bravo.example"),
    ] {
        s.create_contact(&a, &contact(name, city, email))
            .await
            .unwrap();
    }
    let contacts = |sort| async move {
        s.list_contacts(&ContactQuery {
            sort: Some(sort),
            page: PageRequest::new(Some(1), Some(50)),
            ..Default::default()
        })
        .await
        .unwrap()
        .items
    };
    for &key in ContactSort::ALL {
        for descending in [false, true] {
            let got = contacts(Sort { key, descending }).await;
            let mut want = got.clone();
            want.sort_by(|x, y| {
                let field = |c: &Contact| match key {
                    ContactSort::Number => c.number.clone(),
                    ContactSort::Name => c.data.name.to_lowercase(),
                    ContactSort::City => c.data.city.to_lowercase(),
                    ContactSort::Email => c.data.email.to_lowercase(),
                };
                let o = field(x).cmp(&field(y)).then(x.id.cmp(&y.id));
                if descending { o.reverse() } else { o }
            });
            let ids = |v: &[Contact]| v.iter().map(|c| c.id).collect::<Vec<_>>();
            assert_eq!(
                ids(&got),
                ids(&want),
                "contacts by {key:?} desc={descending}"
            );
        }
    }
    let today = day(TODAY);
    for (name, unit, price, rate) in [
        ("Schrauben", "C62", dec!(9.5), dec!(19)),
        ("Beratung", "HUR", dec!(120), dec!(19)),
        ("Fachbuch", "C62", dec!(10), dec!(7)),
        ("Anfahrt", "KMT", dec!(0.35), dec!(19)),
    ] {
        let data = ArticleData {
            name: name.into(),
            description: String::new(),
            unit: UnitCode::parse(unit).unwrap(),
            unit_price: price,
            vat_rate: VatRate::new(rate).unwrap(),
            active: true,
        };
        s.create_article(&a, None, &data, today).await.unwrap();
    }
    for &key in ArticleSort::ALL {
        for descending in [false, true] {
            let got = s
                .list_articles(&ArticleQuery {
                    sort: Some(Sort { key, descending }),
                    ..Default::default()
                })
                .await
                .unwrap()
                .items;
            let mut want = got.clone();
            want.sort_by(|x, y| {
                let o = match key {
                    ArticleSort::Number => x.number.cmp(&y.number),
                    ArticleSort::Name => {
                        x.data.name.to_lowercase().cmp(&y.data.name.to_lowercase())
                    }
                    ArticleSort::Unit => x.data.unit.as_str().cmp(y.data.unit.as_str()),
                    // As numbers: 9.50 before 10 before 120.
                    ArticleSort::UnitPrice => x.data.unit_price.cmp(&y.data.unit_price),
                    ArticleSort::VatRate => {
                        x.data.vat_rate.percent().cmp(&y.data.vat_rate.percent())
                    }
                }
                .then(x.id.cmp(&y.id));
                if descending { o.reverse() } else { o }
            });
            let ids = |v: &[Article]| v.iter().map(|c| c.id).collect::<Vec<_>>();
            assert_eq!(
                ids(&got),
                ids(&want),
                "articles by {key:?} desc={descending}"
            );
        }
    }
}

#[tokio::test]
async fn a_selection_names_only_this_business_documents() {
    let t = business().await;
    let other = business().await;
    let mine = everything(&t.store, day(TODAY)).await;
    let ids: Vec<i64> = mine.iter().map(|d| d.id).rev().collect();
    let got = t.store.document_summaries(&ids).await.unwrap();
    assert_eq!(
        got.iter().map(|d| d.id).collect::<Vec<_>>(),
        ids,
        "in the order asked"
    );
    // Another business (another SQLite file or PostgreSQL schema) has none of them beyond
    // its own; an id it does not have is refused, not skipped.
    let beyond = ids.iter().max().unwrap() + 1000;
    let err = other
        .store
        .document_summaries(&[ids[0], beyond])
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { ref id, .. } if id == &beyond.to_string()),
        "{err:?}"
    );
}
