//! The readers: business terms read from official examples, the same invoice in UBL and CII
//! giving the same model, and files that are not (valid) e-invoices.

// Test helpers outside #[test] functions stop loudly too (see clippy.toml).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::einvoice_dir;
use kontor_einvoice_in::model::Invoice;
use kontor_einvoice_in::{Format, ReadError, Severity, check_bytes};
use rust_decimal_macros::dec;

const STD: &str = "examples/xrechnung-testsuite-2026-01-31/business-cases/standard";
const CIUS: &str = "examples/xrechnung-testsuite-2026-01-31/technical-cases/cius";

fn read(path: &str) -> Invoice {
    let bytes = std::fs::read(einvoice_dir().join(path)).unwrap();
    check_bytes(&bytes).unwrap().invoice.unwrap()
}

#[test]
fn comprehensive_ubl_and_cii_read_the_same_terms() {
    let u = read(&format!("{CIUS}/01.01_comprehensive_test_ubl.xml"));
    let c = read(&format!("{CIUS}/01.01_comprehensive_test_uncefact.xml"));
    for inv in [&u, &c] {
        assert!(inv.number.is_some());
        assert!(inv.issue_date.is_some());
        assert_eq!(inv.seller.name.as_deref(), Some("[Seller name]"));
        assert_eq!(
            inv.seller.trading_name.as_deref(),
            Some("[Seller trading name]")
        );
        assert!(inv.seller.vat_id.is_some());
        assert!(
            inv.seller
                .contact
                .as_ref()
                .is_some_and(|c| c.email.is_some())
        );
        assert!(inv.payee.is_some());
        assert!(
            inv.tax_representative
                .as_ref()
                .is_some_and(|t| t.vat_id.is_some())
        );
        assert!(inv.delivery_address.is_some());
        assert!(!inv.lines.is_empty());
        assert!(!inv.vat_breakdown.is_empty());
        assert!(!inv.allowances_charges.is_empty());
        assert!(inv.totals.due.is_some());
        assert_eq!(
            inv.payment_means.first().and_then(|p| p.iban.as_deref()),
            Some("DE75512108001245126199")
        );
        assert!(
            inv.notes.iter().all(|n| n.starts_with("AAC: ")),
            "{:?}",
            inv.notes
        );
    }
    assert_eq!(u.number, c.number);
    assert_eq!(u.issue_date, c.issue_date);
    assert_eq!(u.due_date, c.due_date);
    assert_eq!(u.totals.line_net, c.totals.line_net);
    assert_eq!(u.totals.net, c.totals.net);
    assert_eq!(u.totals.vat, c.totals.vat);
    assert_eq!(u.totals.gross, c.totals.gross);
    assert_eq!(u.totals.due, c.totals.due);
    assert_eq!(u.lines.len(), c.lines.len());
    for (a, b) in u.lines.iter().zip(&c.lines) {
        assert_eq!(a.net_amount, b.net_amount);
        assert_eq!(a.vat_category, b.vat_category);
        assert_eq!(a.name, b.name);
    }
    assert_eq!(u.vat_breakdown, c.vat_breakdown);
    // BG-24: embedded attachments are base64-decoded, not opened.
    let a = u
        .attachments
        .iter()
        .find(|a| a.content.is_some())
        .expect("embedded attachment");
    assert_eq!(a.mime.as_deref(), Some("application/pdf"));
    assert_eq!(a.size, a.content.as_ref().map(Vec::len));
    assert!(a.content.as_ref().is_some_and(|c| c.starts_with(b"%PDF")));
}

#[test]
fn skonto_lines_are_parsed() {
    for f in ["01.10a-INVOICE_ubl.xml", "01.10a-INVOICE_uncefact.xml"] {
        let inv = read(&format!("{STD}/{f}"));
        let days: Vec<u32> = inv.skonto.iter().map(|s| s.days).collect();
        assert_eq!(days, vec![7, 14, 30], "{f}");
        assert_eq!(inv.skonto[0].percent, dec!(2.00));
    }
}

#[test]
fn direct_debit_and_card() {
    for f in ["03.01a-INVOICE_ubl.xml", "03.01a-INVOICE_uncefact.xml"] {
        let inv = read(&format!("{STD}/{f}"));
        let dd = inv
            .payment_means
            .iter()
            .find(|p| p.code.as_deref() == Some("59"))
            .expect(f);
        assert_eq!(
            dd.mandate.as_deref(),
            Some("[Mandate reference identifier]"),
            "{f}"
        );
        assert_eq!(
            dd.creditor_id.as_deref(),
            Some("[Bank assigned creditor identifier]"),
            "{f}"
        );
        assert_eq!(
            dd.debited_iban.as_deref(),
            Some("DE75512108001245126199"),
            "{f}"
        );
    }
    for f in ["03.02a-INVOICE_ubl.xml", "03.02a-INVOICE_uncefact.xml"] {
        let inv = read(&format!("{STD}/{f}"));
        assert!(
            inv.payment_means
                .iter()
                .any(|p| p.has_card && p.card_number.is_some()),
            "{f}"
        );
    }
}

#[test]
fn credit_note_and_factur_x_profiles() {
    let cn = read("examples/en16931-1.3.15/ubl/ubl-tc434-creditnote1.xml");
    assert!(cn.credit_note);
    assert!(!cn.lines.is_empty());
    for (f, id) in [
        (
            "zugferd_2p3_MINIMUM_Rechnung.xml",
            "urn:factur-x.eu:1p0:minimum",
        ),
        (
            "zugferd_2p3_BASIC-WL_Einfach.xml",
            "urn:factur-x.eu:1p0:basicwl",
        ),
        (
            "zugferd_2p3_EXTENDED_Warenrechnung.xml",
            "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
        ),
    ] {
        let inv = read(&format!("examples/zugferd-2.3-ferd/{f}"));
        assert_eq!(inv.customization_id.as_deref(), Some(id));
        assert!(inv.totals.due.is_some(), "{f}");
    }
}

const MINI: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ubl:Invoice xmlns:ubl="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>1</cbc:ID></ubl:Invoice>"#;

#[test]
fn doctype_is_refused_without_expansion() {
    let xml = "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><ubl:Invoice xmlns:ubl=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">&b;</ubl:Invoice>";
    let c = check_bytes(xml.as_bytes()).unwrap();
    assert!(c.invoice.is_none());
    assert_eq!(c.findings.len(), 1);
    assert_eq!(c.findings[0].rule, "XML-DOCTYPE");
    assert_eq!(c.findings[0].severity, Severity::Fatal);
}

#[test]
fn not_well_formed_gives_a_fatal_finding() {
    let c = check_bytes(b"<ubl:Invoice xmlns:ubl=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\"><a></b></ubl:Invoice>").unwrap();
    assert!(c.invoice.is_none());
    assert!(!c.valid());
    assert_eq!(c.findings[0].rule, "XML-WELLFORMED");
}

#[test]
fn other_roots_are_not_invoices() {
    assert!(matches!(
        check_bytes(b"<html><body/></html>"),
        Err(ReadError::NotAnInvoice(_))
    ));
    assert!(matches!(
        check_bytes(b"hello"),
        Err(ReadError::UnknownFormat)
    ));
    assert!(matches!(check_bytes(b""), Err(ReadError::Empty)));
}

#[test]
fn zugferd_1_is_recognised() {
    let xml =
        br#"<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>"#;
    let c = check_bytes(xml).unwrap();
    assert!(c.invoice.is_some());
    assert_eq!(c.findings[0].rule, "SYNTAX");
    assert!(!c.valid());
}

#[test]
fn bom_and_format() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(MINI.as_bytes());
    let c = check_bytes(&bytes).unwrap();
    assert_eq!(c.format, Format::Ubl);
    assert_eq!(c.invoice.unwrap().number.as_deref(), Some("1"));
}

#[test]
fn deep_nesting_is_refused() {
    let mut xml = String::from(
        "<ubl:Invoice xmlns:ubl=\"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2\">",
    );
    xml.push_str(&"<a>".repeat(5000));
    xml.push_str(&"</a>".repeat(5000));
    xml.push_str("</ubl:Invoice>");
    let c = check_bytes(xml.as_bytes()).unwrap();
    assert!(c.invoice.is_none());
    assert_eq!(c.findings[0].rule, "XML-WELLFORMED");
}

/// Every prefix and some byte flips of real invoices: no panic, whatever comes out.
#[test]
fn damaged_files_never_panic() {
    for f in [
        format!("{STD}/01.01a-INVOICE_ubl.xml"),
        format!("{STD}/01.01a-INVOICE_uncefact.xml"),
        format!("{CIUS}/01.01_comprehensive_test_ubl.xml"),
    ] {
        let bytes = std::fs::read(einvoice_dir().join(&f)).unwrap();
        for cut in (0..bytes.len()).step_by(149) {
            let _ = check_bytes(&bytes[..cut]);
        }
        for pos in (0..bytes.len()).step_by(401) {
            let mut b = bytes.clone();
            b[pos] = b[pos].wrapping_add(17);
            let _ = check_bytes(&b);
        }
    }
}
