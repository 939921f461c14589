use super::*;

#[test]
fn writes_both_syntaxes_with_escaped_values() {
    let s = sample::invoice(10);
    let ubl = String::from_utf8(write(&s.invoice(), Syntax::Ubl).unwrap()).unwrap();
    let cii = String::from_utf8(write(&s.invoice(), Syntax::Cii).unwrap()).unwrap();
    for xml in [&ubl, &cii] {
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
        assert!(xml.contains(CUSTOMIZATION_ID));
        assert!(xml.contains("Muster &amp; Söhne GmbH"));
        assert!(xml.contains("Stadt Musterhausen &lt;Bauamt&gt;"));
        assert!(xml.contains("04011000-12345-03"));
    }
    assert!(ubl.contains("<cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>"));
    assert!(cii.contains("<ram:TypeCode>380</ram:TypeCode>"));
    assert!(ubl.contains("<cbc:PriceAmount currencyID=\"EUR\">85.1234</cbc:PriceAmount>"));
    assert!(ubl.contains(&format!(
        "<cbc:PayableAmount currencyID=\"EUR\">{}</cbc:PayableAmount>",
        s.totals.due
    )));
    assert!(!ubl.contains("></cbc:"), "no empty elements");
}

#[test]
fn refuses_without_buyer_reference() {
    let mut s = sample::invoice(1);
    s.buyer.buyer_reference.clear();
    match write(&s.invoice(), Syntax::Ubl) {
        Err(Error::Incomplete(p)) => assert_eq!(p[0].field, "contact.buyer_reference"),
        other => panic!("expected Incomplete, got {other:?}"),
    }
}

#[test]
fn credit_notes_reference_the_invoice() {
    let mut s = sample::invoice(2);
    s.content.doc_type = kontor_domain::DocumentType::Cancellation;
    let mut inv = s.invoice();
    assert!(matches!(
        write(&inv, Syntax::Ubl),
        Err(Error::Incomplete(_))
    ));
    inv.preceding_number = Some("RE-2026-0001");
    let ubl = String::from_utf8(write(&inv, Syntax::Ubl).unwrap()).unwrap();
    assert!(ubl.contains("<ubl:CreditNote"));
    assert!(ubl.contains("<cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>"));
    assert!(ubl.contains("<cac:InvoiceDocumentReference>"));
    let cii = String::from_utf8(write(&inv, Syntax::Cii).unwrap()).unwrap();
    assert!(cii.contains("<ram:IssuerAssignedID>RE-2026-0001</ram:IssuerAssignedID>"));
}

#[test]
fn facturx_uses_the_en16931_guideline_and_no_xrechnung_rules() {
    let mut s = sample::invoice(3);
    // No buyer reference, no seller contact: fine for EN 16931, not for XRechnung.
    s.buyer.buyer_reference.clear();
    s.seller.contact_phone.clear();
    assert!(matches!(
        write(&s.invoice(), Syntax::Cii),
        Err(Error::Incomplete(_))
    ));
    let xml = String::from_utf8(facturx_cii(&s.invoice()).unwrap()).unwrap();
    assert!(xml.contains(&format!("<ram:ID>{FACTURX_GUIDELINE}</ram:ID>")));
    assert!(!xml.contains("xrechnung"));
    assert!(!xml.contains("BusinessProcessSpecifiedDocumentContextParameter"));
    assert!(!xml.contains("<ram:BuyerReference>"));
}

#[test]
fn skonto_goes_to_bt20_in_the_xrechnung_form() {
    let mut s = sample::invoice(2);
    s.content.skonto = vec![
        kontor_domain::SkontoStep {
            days: 7,
            percent: rust_decimal_macros::dec!(3),
        },
        kontor_domain::SkontoStep {
            days: 10,
            percent: rust_decimal_macros::dec!(1.5),
        },
    ];
    for xml in [
        write(&s.invoice(), Syntax::Ubl).unwrap(),
        write(&s.invoice(), Syntax::Cii).unwrap(),
        facturx_cii(&s.invoice()).unwrap(),
    ] {
        let xml = String::from_utf8(xml).unwrap();
        assert!(
            xml.contains("ohne Abzug; bei Zahlung bis zum 03.12.2026 3.00 % Skonto"),
            "{xml}"
        );
        assert!(
            xml.contains("\n#SKONTO#TAGE=7#PROZENT=3.00#\n#SKONTO#TAGE=10#PROZENT=1.50#\n</"),
            "{xml}"
        );
    }
}

#[test]
fn direct_debit_writes_means_59_with_the_mandate() {
    let mut s = sample::invoice(1);
    s.content.payment_method = kontor_domain::PaymentMethod::DirectDebit;
    // Without creditor ID and mandate: refused, naming the fields.
    match write(&s.invoice(), Syntax::Ubl) {
        Err(Error::Incomplete(p)) => {
            let fields: Vec<&str> = p.iter().map(|p| p.field.as_str()).collect();
            assert_eq!(
                fields,
                vec![
                    "company.creditor_id",
                    "contact.sepa_mandate_reference",
                    "contact.sepa_debtor_iban"
                ]
            );
        }
        other => panic!("expected Incomplete, got {other:?}"),
    }
    s.seller.creditor_id = "DE98ZZZ09999999999".into();
    s.buyer.sepa_mandate_reference = "MANDAT-2026-17".into();
    s.buyer.sepa_debtor_iban = kontor_domain::Iban::parse("DE89370400440532013000").ok();
    let ubl = String::from_utf8(write(&s.invoice(), Syntax::Ubl).unwrap()).unwrap();
    assert!(ubl.contains("<cbc:PaymentMeansCode>59</cbc:PaymentMeansCode>"));
    assert!(ubl.contains("<cbc:ID schemeID=\"SEPA\">DE98ZZZ09999999999</cbc:ID>"));
    assert!(ubl.contains("<cbc:ID>MANDAT-2026-17</cbc:ID>"));
    assert!(!ubl.contains("PayeeFinancialAccount"));
    let cii = String::from_utf8(write(&s.invoice(), Syntax::Cii).unwrap()).unwrap();
    assert!(cii.contains("<ram:CreditorReferenceID>DE98ZZZ09999999999</ram:CreditorReferenceID>"));
    assert!(cii.contains("<ram:DirectDebitMandateID>MANDAT-2026-17</ram:DirectDebitMandateID>"));
    assert!(cii.contains("<ram:TypeCode>59</ram:TypeCode>"));
    assert!(cii.contains("<ram:IBANID>DE89370400440532013000</ram:IBANID>"));
}

#[test]
fn foreign_currency_states_the_vat_in_eur() {
    let mut s = sample::invoice(2);
    s.content.currency = kontor_domain::CurrencyCode::parse("USD").unwrap();
    assert!(matches!(
        write(&s.invoice(), Syntax::Ubl),
        Err(Error::Incomplete(_))
    ));
    s.content.exchange_rate = Some(rust_decimal_macros::dec!(1.0823));
    let eur = kontor_domain::round2(s.totals.vat / rust_decimal_macros::dec!(1.0823));
    let ubl = String::from_utf8(write(&s.invoice(), Syntax::Ubl).unwrap()).unwrap();
    assert!(ubl.contains("<cbc:TaxCurrencyCode>EUR</cbc:TaxCurrencyCode>"));
    assert!(ubl.contains(&format!(
        "<cbc:TaxAmount currencyID=\"EUR\">{eur:.2}</cbc:TaxAmount>"
    )));
    let cii = String::from_utf8(write(&s.invoice(), Syntax::Cii).unwrap()).unwrap();
    assert!(cii.contains("<ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode>"));
    assert!(cii.contains(&format!(
        "<ram:TaxTotalAmount currencyID=\"EUR\">{eur:.2}</ram:TaxTotalAmount>"
    )));
}

#[test]
fn an_issued_correction_is_written_from_its_own_snapshot() {
    use kontor_domain::{DocumentNumber, Issued, Preceding, Texts};
    let mut s = sample::invoice(2);
    s.content.doc_type = kontor_domain::DocumentType::Cancellation;
    let number = |n: &str| DocumentNumber::parse(n).unwrap();
    let issued = Issued {
        number: number("ST-2026-0001"),
        content: s.content.clone(),
        totals: s.totals.clone(),
        language: kontor_domain::Language::En,
        texts: Texts {
            subject: "Cancellation".into(),
            ..Default::default()
        },
        seller: s.seller.clone(),
        buyer: s.buyer.clone(),
        preceding: Some(Preceding {
            number: number("RE-2026-0001"),
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        }),
        issued_at: chrono::Utc::now(),
    };
    let inv = Invoice::from(&issued);
    assert_eq!(inv.number, "ST-2026-0001");
    let ubl = String::from_utf8(write(&inv, Syntax::Ubl).unwrap()).unwrap();
    assert!(ubl.contains("<cbc:ID>ST-2026-0001</cbc:ID>"));
    // The corrected invoice and its date (BG-3); the cancellation itself is of 2026-11-26.
    assert!(ubl.contains("<cbc:ID>RE-2026-0001</cbc:ID>"));
    assert!(ubl.contains("<cbc:IssueDate>2026-11-20</cbc:IssueDate>"));
    let cii = String::from_utf8(write(&inv, Syntax::Cii).unwrap()).unwrap();
    assert!(cii.contains("<ram:IssuerAssignedID>RE-2026-0001</ram:IssuerAssignedID>"));
    assert!(cii.contains(">20261120</qdt:DateTimeString>"));
}
