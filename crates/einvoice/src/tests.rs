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
