//! Code list rules BR-CL-01 … BR-CL-26 of EN 16931, with the lists taken from the official
//! artefacts (see [`data`]). They run on the DOM, at the same elements the Schematron
//! addresses, because a code can sit in places the model does not keep.

pub mod data;

use super::{Ctx, Out};
use crate::read::xml::{N, attr, is, path_of, text};

/// `true` when `code` is in the sorted list.
pub fn contains(list: &[&str], code: &str) -> bool {
    list.binary_search(&code).is_ok()
}

/// Every element `qname` below the root (document order).
fn each<'a>(root: N<'a>, qname: &'a str) -> impl Iterator<Item = N<'a>> + 'a {
    root.descendants().filter(move |n| is(*n, qname))
}

fn parent_is(n: N<'_>, qname: &str) -> bool {
    n.parent_element().is_some_and(|p| is(p, qname))
}

fn has_ancestor(n: N<'_>, qname: &str) -> bool {
    n.ancestors().any(|a| is(a, qname))
}

/// Reports a value not in a list.
fn bad(out: &mut Out, rule: &str, n: N<'_>, what_de: &str, what_en: &str, value: &str) {
    out.fatal(
        rule,
        &path_of(n),
        &format!("{what_de}: '{value}' ist kein gültiger Code."),
        &format!("{what_en}: '{value}' is not a valid code."),
    );
}

/// Checks the text of each element against a list.
fn text_in<'a>(
    out: &mut Out,
    nodes: impl Iterator<Item = N<'a>>,
    list: &[&str],
    rule: &str,
    de: &str,
    en: &str,
) {
    for n in nodes {
        let v = text(n).unwrap_or_default();
        if !contains(list, &v) {
            bad(out, rule, n, de, en, &v);
        }
    }
}

/// Checks the upper-cased text of each element against a list (BR-CL-22 does so).
fn upper_in<'a>(
    out: &mut Out,
    nodes: impl Iterator<Item = N<'a>>,
    list: &[&str],
    rule: &str,
    de: &str,
    en: &str,
) {
    for n in nodes {
        let v = text(n).unwrap_or_default();
        if !contains(list, &v.to_uppercase()) {
            bad(out, rule, n, de, en, &v);
        }
    }
}

/// Checks an attribute of each element (only where the attribute is present).
fn attr_in<'a>(
    out: &mut Out,
    nodes: impl Iterator<Item = N<'a>>,
    name: &str,
    list: &[&str],
    rule: &str,
    de: &str,
    en: &str,
) {
    for n in nodes {
        if n.attribute(name).is_none() {
            continue;
        }
        let v = attr(n, name).unwrap_or_default();
        if !contains(list, &v) {
            bad(out, rule, n, de, en, &v);
        }
    }
}

pub fn check(ctx: &Ctx<'_>, out: &mut Out) {
    if ctx.ubl() {
        ubl(ctx, out)
    } else {
        cii(ctx, out)
    }
}

fn ubl(ctx: &Ctx<'_>, out: &mut Out) {
    use data::*;
    let r = ctx.root;
    for n in each(r, "cbc:InvoiceTypeCode").chain(each(r, "cbc:CreditNoteTypeCode")) {
        let list = if is(n, "cbc:InvoiceTypeCode") {
            INVOICE_TYPE_UBL
        } else {
            CREDIT_NOTE_TYPE_UBL
        };
        let v = text(n).unwrap_or_default();
        if !contains(list, &v) {
            bad(
                out,
                "BR-CL-01",
                n,
                "Rechnungsart (BT-3)",
                "Invoice type code (BT-3)",
                &v,
            );
        }
    }
    let amounts = r
        .descendants()
        .filter(|n| n.is_element() && n.attribute("currencyID").is_some());
    attr_in(
        out,
        amounts,
        "currencyID",
        CURRENCY,
        "BR-CL-03",
        "Währung eines Betrags",
        "Currency of an amount",
    );
    text_in(
        out,
        each(r, "cbc:DocumentCurrencyCode"),
        CURRENCY,
        "BR-CL-04",
        "Rechnungswährung (BT-5)",
        "Invoice currency code (BT-5)",
    );
    text_in(
        out,
        each(r, "cbc:TaxCurrencyCode"),
        CURRENCY,
        "BR-CL-05",
        "Steuerwährung (BT-6)",
        "VAT accounting currency (BT-6)",
    );
    text_in(
        out,
        each(r, "cbc:DescriptionCode").filter(|n| parent_is(*n, "cac:InvoicePeriod")),
        PERIOD_CODE_UBL,
        "BR-CL-06",
        "Code des Steuerzeitpunkts (BT-8)",
        "Value added tax point date code (BT-8)",
    );
    for d in each(r, "cac:AdditionalDocumentReference") {
        let is130 = d
            .children()
            .any(|c| is(c, "cbc:DocumentTypeCode") && text(c).as_deref() == Some("130"));
        if is130 {
            let ids = d.children().filter(|c| is(*c, "cbc:ID"));
            attr_in(
                out,
                ids,
                "schemeID",
                UNCL1153,
                "BR-CL-07",
                "Schema der Objektkennung (BT-18)",
                "Invoiced object identifier scheme (BT-18)",
            );
        }
    }
    for n in r.children().filter(|c| is(*c, "cbc:Note")) {
        let v = text(n).unwrap_or_default();
        if v.contains('#') {
            // As the Schematron: only a 3-character code between the first two '#' is checked.
            let code = v.split('#').nth(1).unwrap_or("");
            let in_list = UNCL4451_UBL.iter().any(|c| c.contains(code));
            if code.chars().count() == 3 && !in_list {
                bad(
                    out,
                    "BR-CL-08",
                    n,
                    "Betreff-Code der Bemerkung (BT-21)",
                    "Invoice note subject code (BT-21)",
                    code,
                );
            }
        }
    }
    for n in each(r, "cbc:ID").filter(|n| parent_is(*n, "cac:PartyIdentification")) {
        if n.attribute("schemeID").is_none() {
            continue;
        }
        let v = attr(n, "schemeID").unwrap_or_default();
        let sepa_ok = v == "SEPA"
            && (has_ancestor(n, "cac:AccountingSupplierParty")
                || has_ancestor(n, "cac:PayeeParty"));
        if !contains(ICD, &v) && !sepa_ok {
            bad(
                out,
                "BR-CL-10",
                n,
                "Schema einer Kennung",
                "Identifier scheme",
                &v,
            );
        }
    }
    let legal = each(r, "cbc:CompanyID").filter(|n| parent_is(*n, "cac:PartyLegalEntity"));
    attr_in(
        out,
        legal,
        "schemeID",
        ICD,
        "BR-CL-11",
        "Schema der Registernummer",
        "Legal registration identifier scheme",
    );
    attr_in(
        out,
        each(r, "cbc:ItemClassificationCode"),
        "listID",
        UNCL7143,
        "BR-CL-13",
        "Schema der Artikelklassifizierung (BT-158)",
        "Item classification scheme (BT-158)",
    );
    text_in(
        out,
        each(r, "cbc:IdentificationCode").filter(|n| parent_is(*n, "cac:Country")),
        COUNTRY,
        "BR-CL-14",
        "Ländercode",
        "Country code",
    );
    text_in(
        out,
        each(r, "cbc:IdentificationCode").filter(|n| parent_is(*n, "cac:OriginCountry")),
        COUNTRY,
        "BR-CL-15",
        "Ursprungsland (BT-159)",
        "Item country of origin (BT-159)",
    );
    text_in(
        out,
        each(r, "cbc:PaymentMeansCode"),
        UNCL4461,
        "BR-CL-16",
        "Zahlungsart (BT-81)",
        "Payment means code (BT-81)",
    );
    text_in(
        out,
        each(r, "cbc:ID").filter(|n| parent_is(*n, "cac:TaxCategory")),
        UNCL5305,
        "BR-CL-17",
        "Umsatzsteuerkategorie",
        "VAT category code",
    );
    text_in(
        out,
        each(r, "cbc:ID").filter(|n| parent_is(*n, "cac:ClassifiedTaxCategory")),
        UNCL5305,
        "BR-CL-18",
        "Umsatzsteuerkategorie der Position (BT-151)",
        "Invoiced item VAT category code (BT-151)",
    );
    for ac in each(r, "cac:AllowanceCharge") {
        let charge = ac
            .children()
            .find(|c| is(*c, "cbc:ChargeIndicator"))
            .and_then(text);
        let codes = ac
            .children()
            .filter(|c| is(*c, "cbc:AllowanceChargeReasonCode"));
        match charge.as_deref() {
            Some("false") => text_in(
                out,
                codes,
                UNCL5189,
                "BR-CL-19",
                "Grund-Code des Nachlasses",
                "Allowance reason code",
            ),
            Some("true") => text_in(
                out,
                codes,
                UNCL7161,
                "BR-CL-20",
                "Grund-Code des Zuschlags",
                "Charge reason code",
            ),
            _ => {}
        }
    }
    let std_ids = each(r, "cbc:ID").filter(|n| parent_is(*n, "cac:StandardItemIdentification"));
    attr_in(
        out,
        std_ids,
        "schemeID",
        ICD,
        "BR-CL-21",
        "Schema der Artikelkennung (BT-157)",
        "Item standard identifier scheme (BT-157)",
    );
    upper_in(
        out,
        each(r, "cbc:TaxExemptionReasonCode"),
        VATEX,
        "BR-CL-22",
        "Befreiungsgrund-Code (BT-121)",
        "VAT exemption reason code (BT-121)",
    );
    let units = r.descendants().filter(|n| {
        is(*n, "cbc:InvoicedQuantity")
            || is(*n, "cbc:CreditedQuantity")
            || is(*n, "cbc:BaseQuantity")
    });
    attr_in(
        out,
        units,
        "unitCode",
        REC20,
        "BR-CL-23",
        "Mengeneinheit",
        "Unit of measure",
    );
    attr_in(
        out,
        each(r, "cbc:EmbeddedDocumentBinaryObject"),
        "mimeCode",
        MIME,
        "BR-CL-24",
        "MIME-Code des Anhangs",
        "Attachment MIME code",
    );
    attr_in(
        out,
        each(r, "cbc:EndpointID"),
        "schemeID",
        EAS,
        "BR-CL-25",
        "Schema der elektronischen Adresse",
        "Electronic address scheme",
    );
    let loc = each(r, "cbc:ID").filter(|n| parent_is(*n, "cac:DeliveryLocation"));
    attr_in(
        out,
        loc,
        "schemeID",
        ICD,
        "BR-CL-26",
        "Schema der Lieferortkennung (BT-71)",
        "Deliver to location identifier scheme (BT-71)",
    );
}

fn cii(ctx: &Ctx<'_>, out: &mut Out) {
    use data::*;
    let r = ctx.root;
    let doc_type = r
        .children()
        .filter(|c| is(*c, "rsm:ExchangedDocument"))
        .flat_map(|d| d.children().filter(|c| is(*c, "ram:TypeCode")));
    text_in(
        out,
        doc_type,
        DOCUMENT_TYPE_CII,
        "BR-CL-01",
        "Rechnungsart (BT-3)",
        "Invoice type code (BT-3)",
    );
    attr_in(
        out,
        each(r, "ram:TaxTotalAmount"),
        "currencyID",
        CURRENCY,
        "BR-CL-03",
        "Währung des Steuerbetrags",
        "Currency of the VAT total",
    );
    text_in(
        out,
        each(r, "ram:InvoiceCurrencyCode"),
        CURRENCY,
        "BR-CL-04",
        "Rechnungswährung (BT-5)",
        "Invoice currency code (BT-5)",
    );
    text_in(
        out,
        each(r, "ram:TaxCurrencyCode"),
        CURRENCY,
        "BR-CL-05",
        "Steuerwährung (BT-6)",
        "VAT accounting currency (BT-6)",
    );
    text_in(
        out,
        each(r, "ram:DueDateTypeCode"),
        PERIOD_CODE_CII,
        "BR-CL-06",
        "Code des Steuerzeitpunkts (BT-8)",
        "Value added tax point date code (BT-8)",
    );
    text_in(
        out,
        each(r, "ram:ReferenceTypeCode"),
        UNCL1153,
        "BR-CL-07",
        "Schema der Objektkennung (BT-18)",
        "Invoiced object identifier scheme (BT-18)",
    );
    text_in(
        out,
        each(r, "ram:SubjectCode"),
        UNCL4451,
        "BR-CL-08",
        "Betreff-Code der Bemerkung (BT-21)",
        "Invoice note subject code (BT-21)",
    );
    let global = each(r, "ram:GlobalID").filter(|n| {
        !has_ancestor(*n, "ram:SpecifiedTradeProduct") && !has_ancestor(*n, "ram:ShipToTradeParty")
    });
    attr_in(
        out,
        global,
        "schemeID",
        ICD,
        "BR-CL-10",
        "Schema einer Kennung",
        "Identifier scheme",
    );
    let ids = each(r, "ram:ID").filter(|n| !has_ancestor(*n, "ram:SpecifiedTaxRegistration"));
    attr_in(
        out,
        ids,
        "schemeID",
        ICD,
        "BR-CL-11",
        "Schema der Registernummer",
        "Legal registration identifier scheme",
    );
    attr_in(
        out,
        each(r, "ram:ClassCode"),
        "listID",
        UNCL7143,
        "BR-CL-13",
        "Schema der Artikelklassifizierung (BT-158)",
        "Item classification scheme (BT-158)",
    );
    text_in(
        out,
        each(r, "ram:CountryID"),
        COUNTRY,
        "BR-CL-14",
        "Ländercode",
        "Country code",
    );
    let origin = each(r, "ram:ID").filter(|n| parent_is(*n, "ram:OriginTradeCountry"));
    text_in(
        out,
        origin,
        COUNTRY,
        "BR-CL-15",
        "Ursprungsland (BT-159)",
        "Item country of origin (BT-159)",
    );
    let pm = each(r, "ram:TypeCode")
        .filter(|n| parent_is(*n, "ram:SpecifiedTradeSettlementPaymentMeans"));
    text_in(
        out,
        pm,
        UNCL4461,
        "BR-CL-16",
        "Zahlungsart (BT-81)",
        "Payment means code (BT-81)",
    );
    let ac_cat = each(r, "ram:CategoryCode").filter(|n| parent_is(*n, "ram:CategoryTradeTax"));
    text_in(
        out,
        ac_cat,
        UNCL5305,
        "BR-CL-17",
        "Umsatzsteuerkategorie",
        "VAT category code",
    );
    let cat = each(r, "ram:CategoryCode").filter(|n| parent_is(*n, "ram:ApplicableTradeTax"));
    text_in(
        out,
        cat,
        UNCL5305,
        "BR-CL-18",
        "Umsatzsteuerkategorie",
        "VAT category code",
    );
    for ac in each(r, "ram:SpecifiedTradeAllowanceCharge") {
        let charge = ac
            .children()
            .find(|c| is(*c, "ram:ChargeIndicator"))
            .and_then(|c| c.children().find(|x| is(*x, "udt:Indicator")))
            .and_then(text);
        let codes = ac.children().filter(|c| is(*c, "ram:ReasonCode"));
        match charge.as_deref() {
            Some("false") => text_in(
                out,
                codes,
                UNCL5189,
                "BR-CL-19",
                "Grund-Code des Nachlasses",
                "Allowance reason code",
            ),
            Some("true") => text_in(
                out,
                codes,
                UNCL7161,
                "BR-CL-20",
                "Grund-Code des Zuschlags",
                "Charge reason code",
            ),
            _ => {}
        }
    }
    let std_ids = each(r, "ram:GlobalID").filter(|n| parent_is(*n, "ram:SpecifiedTradeProduct"));
    attr_in(
        out,
        std_ids,
        "schemeID",
        ICD,
        "BR-CL-21",
        "Schema der Artikelkennung (BT-157)",
        "Item standard identifier scheme (BT-157)",
    );
    upper_in(
        out,
        each(r, "ram:ExemptionReasonCode"),
        VATEX,
        "BR-CL-22",
        "Befreiungsgrund-Code (BT-121)",
        "VAT exemption reason code (BT-121)",
    );
    let units = r
        .descendants()
        .filter(|n| is(*n, "ram:BasisQuantity") || is(*n, "ram:BilledQuantity"));
    attr_in(
        out,
        units,
        "unitCode",
        REC20,
        "BR-CL-23",
        "Mengeneinheit",
        "Unit of measure",
    );
    attr_in(
        out,
        each(r, "ram:AttachmentBinaryObject"),
        "mimeCode",
        MIME,
        "BR-CL-24",
        "MIME-Code des Anhangs",
        "Attachment MIME code",
    );
    let uri = each(r, "ram:URIID").filter(|n| parent_is(*n, "ram:URIUniversalCommunication"));
    attr_in(
        out,
        uri,
        "schemeID",
        EAS,
        "BR-CL-25",
        "Schema der elektronischen Adresse",
        "Electronic address scheme",
    );
    let ship = each(r, "ram:GlobalID").filter(|n| {
        parent_is(*n, "ram:ShipToTradeParty")
            && n.ancestors()
                .any(|a| is(a, "ram:ApplicableHeaderTradeDelivery"))
    });
    attr_in(
        out,
        ship,
        "schemeID",
        ICD,
        "BR-CL-26",
        "Schema der Lieferortkennung (BT-71)",
        "Deliver to location identifier scheme (BT-71)",
    );
}
