//! XRechnung 3.0 CIUS rules (KoSIT Schematron 2.5.0): the national rules BR-DE-*, BR-TMP-*,
//! and the Peppol BIS rules (PEPPOL-EN16931-R…) that KoSIT merges into XRechnung.

use super::{Ctx, Out};
use crate::read::xml::{N, all, at, attr, child, children, dec, is, path_of, text};
use rust_decimal::Decimal;

pub fn check(ctx: &Ctx<'_>, out: &mut Out) {
    national(ctx, out);
    peppol(ctx, out);
}

/// `^#SKONTO#TAGE=[0-9]+#PROZENT=[0-9]+\.[0-9]{2}(#BASISBETRAG=-?[0-9]+\.[0-9]{2})?#$`
pub fn is_skonto_line(line: &str) -> bool {
    fn digits(s: &str) -> bool {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
    }
    fn amount(s: &str, signed: bool) -> bool {
        let s = if signed {
            s.strip_prefix('-').unwrap_or(s)
        } else {
            s
        };
        match s.split_once('.') {
            Some((i, f)) => digits(i) && f.len() == 2 && digits(f),
            None => false,
        }
    }
    let Some(rest) = line.strip_prefix("#SKONTO#TAGE=") else {
        return false;
    };
    let Some(rest) = rest.strip_suffix('#') else {
        return false;
    };
    let parts: Vec<&str> = rest.split('#').collect();
    match parts.as_slice() {
        [days, pct] => {
            digits(days)
                && pct
                    .strip_prefix("PROZENT=")
                    .is_some_and(|p| amount(p, false))
        }
        [days, pct, base] => {
            digits(days)
                && pct
                    .strip_prefix("PROZENT=")
                    .is_some_and(|p| amount(p, false))
                && base
                    .strip_prefix("BASISBETRAG=")
                    .is_some_and(|b| amount(b, true))
        }
        _ => false,
    }
}

/// BR-DE-18 on the raw text of the first payment terms element.
pub fn skonto_ok(raw: &str) -> bool {
    let hash_lines: Vec<String> = raw
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| l.starts_with('#'))
        .collect();
    if hash_lines.is_empty() {
        return true;
    }
    if !hash_lines.iter().all(|l| is_skonto_line(l)) {
        return false;
    }
    // The text after the last `#…#` (within one line) must start with whitespace and a newline.
    let mut last_end = None;
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        if let (Some(first), Some(last)) = (body.find('#'), body.rfind('#'))
            && last > first + 1
        {
            last_end = Some(offset + last + 1);
        }
        offset += line.len();
    }
    let rest = last_end.and_then(|e| raw.get(e..)).unwrap_or(raw);
    let ws: String = rest.chars().take_while(|c| c.is_whitespace()).collect();
    ws.contains('\n')
}

fn raw_text(n: N<'_>) -> String {
    n.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

fn national(ctx: &Ctx<'_>, out: &mut Out) {
    let inv = ctx.inv;
    let root = ctx.root_path();
    let ubl = ctx.ubl();
    let fatal = |out: &mut Out, rule: &str, de: &str, en: &str| out.fatal(rule, root, de, en);
    if inv.payment_means.is_empty() {
        fatal(
            out,
            "BR-DE-1",
            "Eine Rechnung muss Zahlungsanweisungen (BG-16) enthalten.",
            "An invoice must contain payment instructions (BG-16).",
        );
    }
    if inv.buyer_reference.is_none() {
        fatal(
            out,
            "BR-DE-15",
            "Die Käuferreferenz (BT-10, Leitweg-ID) muss übermittelt werden.",
            "The buyer reference (BT-10, Leitweg-ID) must be provided.",
        );
    }
    let supported = ["S", "Z", "E", "AE", "K", "G", "L", "M"];
    let used = inv
        .lines
        .iter()
        .filter_map(|l| l.vat_category.as_deref())
        .chain(
            inv.allowances_charges
                .iter()
                .filter_map(|a| a.vat_category.as_deref()),
        )
        .any(|c| supported.contains(&c));
    if used
        && inv.seller.vat_id.is_none()
        && inv.seller.tax_number.is_none()
        && inv.tax_representative.is_none()
    {
        fatal(
            out,
            "BR-DE-16",
            "Bei den Steuerkategorien S, Z, E, AE, K, G, L oder M muss USt-IdNr. (BT-31), Steuernummer (BT-32) oder ein Steuervertreter (BG-11) angegeben sein.",
            "With VAT categories S, Z, E, AE, K, G, L or M, the seller VAT identifier (BT-31), tax registration (BT-32) or a tax representative (BG-11) must be given.",
        );
    }
    let allowed_types = ["326", "380", "384", "389", "381", "875", "876", "877"];
    if !inv
        .type_code
        .as_deref()
        .is_some_and(|t| allowed_types.contains(&t))
    {
        out.warning(
            "BR-DE-17",
            root,
            "Rechnungsart (BT-3) soll 326, 380, 381, 384, 389, 875, 876 oder 877 sein.",
            "Invoice type code (BT-3) should be 326, 380, 381, 384, 389, 875, 876 or 877.",
        );
    }
    let first_terms = if ubl {
        at(ctx.root, "cac:PaymentTerms/cbc:Note")
    } else {
        at(
            ctx.root,
            "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradePaymentTerms/ram:Description",
        )
    };
    if let Some(n) = first_terms
        && !skonto_ok(&raw_text(n))
    {
        out.fatal("BR-DE-18", &path_of(n), "Skonto-Zeilen in den Zahlungsbedingungen (BT-20) müssen der Form #SKONTO#TAGE=n#PROZENT=n.nn#[BASISBETRAG=n.nn#] folgen und mit einem Zeilenumbruch enden.", "Skonto lines in the payment terms (BT-20) must follow #SKONTO#TAGE=n#PROZENT=n.nn#[BASISBETRAG=n.nn#] and end with a line break.");
    }
    let mut names: Vec<&str> = Vec::new();
    let mut dup = false;
    for a in &inv.attachments {
        if let Some(f) = a.filename.as_deref() {
            dup |= names.contains(&f);
            names.push(f);
        }
    }
    if dup {
        fatal(
            out,
            "BR-DE-22",
            "Die Dateinamen der eingebetteten Anhänge müssen eindeutig sein.",
            "The file names of the embedded attachments must be unique.",
        );
    }
    if inv.type_code.as_deref() == Some("384") && inv.preceding.is_empty() {
        out.warning(
            "BR-DE-26",
            root,
            "Eine korrigierte Rechnung (384) soll die vorausgegangene Rechnung (BG-3) nennen.",
            "A corrected invoice (384) should reference the preceding invoice (BG-3).",
        );
    }
    let dd = inv.payment_means.iter().any(|p| {
        p.has_direct_debit || (!ubl && p.mandate.is_some() && p.code.as_deref() == Some("59"))
    });
    if ubl {
        if dd && inv.payment_means.iter().all(|p| p.creditor_id.is_none()) {
            fatal(
                out,
                "BR-DE-30",
                "Bei Lastschrift (BG-19) muss die Gläubiger-ID (BT-90) angegeben sein.",
                "With a direct debit (BG-19) the creditor identifier (BT-90) must be given.",
            );
        }
        if dd && !inv.payment_means.iter().any(|p| p.debited_iban.is_some()) {
            fatal(
                out,
                "BR-DE-31",
                "Bei Lastschrift (BG-19) muss das belastete Konto (BT-91) angegeben sein.",
                "With a direct debit (BG-19) the debited account (BT-91) must be given.",
            );
        }
    } else {
        let set = at(
            ctx.root,
            "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement",
        );
        let mandate = set.is_some_and(|s| {
            at(s, "ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID").is_some()
        });
        if mandate && set.is_some_and(|s| child(s, "ram:CreditorReferenceID").is_none()) {
            fatal(
                out,
                "BR-DE-30",
                "Bei Lastschrift (BG-19) muss die Gläubiger-ID (BT-90) angegeben sein.",
                "With a direct debit (BG-19) the creditor identifier (BT-90) must be given.",
            );
        }
        let debtor = set.is_some_and(|s| !all(s, "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID").is_empty());
        if mandate && !debtor {
            fatal(
                out,
                "BR-DE-31",
                "Bei Lastschrift (BG-19) muss das belastete Konto (BT-91) angegeben sein.",
                "With a direct debit (BG-19) the debited account (BT-91) must be given.",
            );
        }
    }
    if let Some(c) = &inv.seller.contact {
        if c.name.is_none() {
            fatal(
                out,
                "BR-DE-5",
                "Der Ansprechpartner des Verkäufers (BT-41) muss angegeben sein.",
                "The seller contact point (BT-41) must be given.",
            );
        }
        if c.phone.is_none() {
            fatal(
                out,
                "BR-DE-6",
                "Die Telefonnummer des Verkäufers (BT-42) muss angegeben sein.",
                "The seller contact telephone (BT-42) must be given.",
            );
        }
        if c.email.is_none() {
            fatal(
                out,
                "BR-DE-7",
                "Die E-Mail-Adresse des Verkäufers (BT-43) muss angegeben sein.",
                "The seller contact email (BT-43) must be given.",
            );
        }
    } else if seller_present(ctx) {
        fatal(
            out,
            "BR-DE-2",
            "Die Gruppe Verkäuferkontakt (BG-6) muss übermittelt werden.",
            "The seller contact group (BG-6) must be provided.",
        );
    }
    let addr_rules = [
        (
            &inv.seller.address,
            "BR-DE-3",
            "BR-DE-4",
            "Verkäufers",
            "seller",
        ),
        (&inv.buyer.address, "BR-DE-8", "BR-DE-9", "Käufers", "buyer"),
        (
            &inv.delivery_address,
            "BR-DE-10",
            "BR-DE-11",
            "Lieferanschrift",
            "deliver-to address",
        ),
    ];
    for (a, r_city, r_post, de, en) in addr_rules {
        if let Some(a) = a {
            if a.city.is_none() {
                fatal(
                    out,
                    r_city,
                    &format!("Der Ort des {de} muss angegeben sein."),
                    &format!("The city of the {en} must be given."),
                );
            }
            if a.postcode.is_none() {
                fatal(
                    out,
                    r_post,
                    &format!("Die Postleitzahl des {de} muss angegeben sein."),
                    &format!("The post code of the {en} must be given."),
                );
            }
        }
    }
    for g in &inv.vat_breakdown {
        if g.rate.is_none() {
            fatal(
                out,
                "BR-DE-14",
                "Der Steuersatz der Kategorie (BT-119) muss angegeben sein.",
                "The VAT category rate (BT-119) must be given.",
            );
        }
    }
    for pm in &inv.payment_means {
        let code = pm.code.as_deref().unwrap_or("");
        if matches!(code, "30" | "58") {
            if !pm.has_transfer {
                fatal(
                    out,
                    "BR-DE-23-a",
                    "Bei Überweisung (30, 58) muss BG-17 übermittelt werden.",
                    "A credit transfer (30, 58) requires BG-17.",
                );
            }
            if pm.has_card || pm.has_direct_debit {
                fatal(
                    out,
                    "BR-DE-23-b",
                    "Bei Überweisung (30, 58) dürfen BG-18 und BG-19 nicht übermittelt werden.",
                    "A credit transfer (30, 58) must not carry BG-18 or BG-19.",
                );
            }
        }
        if matches!(code, "48" | "54" | "55") {
            if !pm.has_card {
                fatal(
                    out,
                    "BR-DE-24-a",
                    "Bei Kartenzahlung (48, 54, 55) muss BG-18 übermittelt werden.",
                    "A card payment (48, 54, 55) requires BG-18.",
                );
            }
            if pm.has_transfer || pm.has_direct_debit {
                fatal(
                    out,
                    "BR-DE-24-b",
                    "Bei Kartenzahlung dürfen BG-17 und BG-19 nicht übermittelt werden.",
                    "A card payment must not carry BG-17 or BG-19.",
                );
            }
        }
        if code == "59" {
            let mandate = if ubl {
                pm.has_direct_debit
            } else {
                pm.mandate.is_some() || pm.has_direct_debit
            };
            if !mandate {
                fatal(
                    out,
                    "BR-DE-25-a",
                    "Bei Lastschrift (59) muss BG-19 übermittelt werden.",
                    "A direct debit (59) requires BG-19.",
                );
            }
            if pm.has_transfer || pm.has_card {
                fatal(
                    out,
                    "BR-DE-25-b",
                    "Bei Lastschrift dürfen BG-17 und BG-18 nicht übermittelt werden.",
                    "A direct debit must not carry BG-17 or BG-18.",
                );
            }
        }
    }
    if !ubl {
        tmp3(ctx, out);
    }
}

fn seller_present(ctx: &Ctx<'_>) -> bool {
    if ctx.ubl() {
        at(ctx.root, "cac:AccountingSupplierParty").is_some()
    } else {
        at(ctx.root, "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty").is_some()
    }
}

/// BR-TMP-3 (CII): base quantities of gross and net price agree.
fn tmp3(ctx: &Ctx<'_>, out: &mut Out) {
    for line in all(
        ctx.root,
        "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
    ) {
        let agr = child(line, "ram:SpecifiedLineTradeAgreement");
        let gq = agr.and_then(|a| at(a, "ram:GrossPriceProductTradePrice/ram:BasisQuantity"));
        let nq = agr.and_then(|a| at(a, "ram:NetPriceProductTradePrice/ram:BasisQuantity"));
        let bad = match (gq, nq) {
            (Some(g), Some(n)) => {
                dec(Some(g)) != dec(Some(n))
                    || (n.attribute("unitCode").is_some()
                        && attr(n, "unitCode") != attr(g, "unitCode"))
            }
            _ => false,
        };
        if bad {
            out.fatal(
                "BR-TMP-3",
                &path_of(line),
                "Die Basismengen (BT-149/150) von Brutto- und Nettopreis müssen übereinstimmen.",
                "The base quantities (BT-149/150) of gross and net price must agree.",
            );
        }
    }
}

fn slack(ctx: &Ctx<'_>) -> Decimal {
    if ctx.inv.currency.as_deref() == Some("HUF") {
        Decimal::new(5, 1)
    } else {
        Decimal::new(2, 2)
    }
}

fn peppol(ctx: &Ctx<'_>, out: &mut Out) {
    let inv = ctx.inv;
    let root = ctx.root_path();
    let ubl = ctx.ubl();
    // R008: no empty elements (CII exempts ApplicableHeaderTradeDelivery).
    for n in ctx.root.descendants().filter(|n| n.is_element()) {
        let leaf = !n.children().any(|c| c.is_element());
        if leaf && text(n).is_none() && (ubl || !is(n, "ram:ApplicableHeaderTradeDelivery")) {
            out.fatal(
                "PEPPOL-EN16931-R008",
                &path_of(n),
                "Das Dokument darf keine leeren Elemente enthalten.",
                "Document MUST not contain empty elements.",
            );
        }
    }
    if inv.profile_id.is_none() && (ubl || at(ctx.root, "rsm:ExchangedDocumentContext").is_some()) {
        let present = if ubl {
            at(ctx.root, "cbc:ProfileID").is_some()
        } else {
            at(ctx.root, "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID").is_some()
        };
        if !present {
            out.fatal(
                "PEPPOL-EN16931-R001",
                root,
                "Der Geschäftsprozess (BT-23) muss angegeben sein.",
                "Business process MUST be provided.",
            );
        }
    }
    if let (Some(tc), Some(c)) = (&inv.tax_currency, &inv.currency)
        && tc == c
    {
        out.fatal("PEPPOL-EN16931-R005", root, "Die Steuerwährung (BT-6) muss sich von der Rechnungswährung unterscheiden.", "VAT accounting currency code MUST be different from invoice currency code when provided.");
    }
    if ubl {
        let tts: Vec<N<'_>> = children(ctx.root, "cac:TaxTotal").collect();
        let with_sub = tts
            .iter()
            .filter(|t| child(**t, "cac:TaxSubtotal").is_some())
            .count();
        if with_sub != 1 {
            out.fatal(
                "PEPPOL-EN16931-R053",
                root,
                "Genau eine Steuersumme mit Aufschlüsselung muss angegeben sein.",
                "Only one tax total with tax subtotals MUST be provided.",
            );
        }
        let without = tts.len() - with_sub;
        if without != usize::from(inv.tax_currency.is_some()) {
            out.fatal("PEPPOL-EN16931-R054", root, "Eine Steuersumme ohne Aufschlüsselung nur und genau einmal bei Steuerwährung.", "Only one tax total without tax subtotals MUST be provided when tax currency code is provided.");
        }
    } else if at(
        ctx.root,
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement",
    )
    .is_some()
    {
        let cur = inv.currency.as_deref();
        let in_doc = inv
            .vat_totals
            .iter()
            .filter(|(_, c)| c.as_deref() == cur && cur.is_some())
            .count();
        if in_doc > 1 {
            out.fatal("PEPPOL-EN16931-R053", root, "Höchstens eine Steuersumme in Rechnungswährung.", "No more than one tax total amount must be provided where currency id equals document currency code.");
        }
        let other = inv
            .vat_totals
            .iter()
            .filter(|(_, c)| c.as_deref() != cur && c.is_some())
            .count();
        if other != usize::from(inv.tax_currency.is_some()) {
            out.fatal("PEPPOL-EN16931-R054", root, "Genau eine Steuersumme in Steuerwährung, wenn BT-6 angegeben ist.", "Only one tax total amount must be provided where currency id equals tax currency code, if tax currency code (BT-6) is provided.");
        }
    }
    if let (Some(a), Some(b)) = (inv.totals.vat, inv.totals.vat_in_tax_currency)
        && inv.tax_currency.is_some()
        && (a.is_sign_negative() != b.is_sign_negative())
        && !a.is_zero()
        && !b.is_zero()
    {
        out.fatal("PEPPOL-EN16931-R055", root, "Steuersumme und Steuersumme in Steuerwährung müssen dasselbe Vorzeichen haben.", "Invoice total VAT amount and Invoice total VAT amount in accounting currency MUST have the same operational sign.");
    }
    if buyer_present(ctx) && inv.buyer.electronic_address.is_none() {
        out.fatal(
            "PEPPOL-EN16931-R010",
            root,
            "Die elektronische Adresse des Käufers (BT-49) muss angegeben sein.",
            "Buyer electronic address MUST be provided.",
        );
    }
    if seller_present(ctx) && inv.seller.electronic_address.is_none() {
        out.fatal(
            "PEPPOL-EN16931-R020",
            root,
            "Die elektronische Adresse des Verkäufers (BT-34) muss angegeben sein.",
            "Seller electronic address MUST be provided.",
        );
    }
    let all_ac = inv
        .allowances_charges
        .iter()
        .chain(inv.lines.iter().flat_map(|l| l.allowances_charges.iter()));
    let s = slack(ctx);
    for a in all_ac {
        match (a.percentage, a.base_amount) {
            (Some(_), None) => out.fatal("PEPPOL-EN16931-R041", root, "Bei einem Prozentsatz muss der Grundbetrag angegeben sein.", "Allowance/charge base amount MUST be provided when allowance/charge percentage is provided."),
            (None, Some(_)) => out.fatal("PEPPOL-EN16931-R042", root, "Bei einem Grundbetrag muss der Prozentsatz angegeben sein.", "Allowance/charge percentage MUST be provided when allowance/charge base amount is provided."),
            (Some(p), Some(b)) => {
                let expect = b * p / Decimal::ONE_HUNDRED;
                let amount = a.amount.unwrap_or_default();
                if !(amount + s >= expect && amount - s <= expect) {
                    out.fatal("PEPPOL-EN16931-R040", root, &format!("Betrag des Nachlasses/Zuschlags: erwartet {expect} (Grundbetrag × Prozentsatz / 100), angegeben {amount}."), &format!("Allowance/charge amount: expected {expect} (base × percentage / 100), found {amount}."));
                }
            }
            _ => {}
        }
    }
    for pm in &inv.payment_means {
        if matches!(pm.code.as_deref(), Some("49" | "59")) && pm.mandate.is_none() {
            out.fatal(
                "PEPPOL-EN16931-R061",
                root,
                "Bei Lastschrift muss die Mandatsreferenz (BT-89) angegeben sein.",
                "Mandate reference MUST be provided for direct debit.",
            );
        }
    }
    for l in &inv.lines {
        if let (Some(ls), Some(s)) = (l.period_start, inv.period_start)
            && ls < s
        {
            out.fatal(
                "PEPPOL-EN16931-R110",
                root,
                "Der Beginn des Positionszeitraums liegt vor dem Rechnungszeitraum.",
                "Start date of line period MUST be within invoice period.",
            );
        }
        if let (Some(le), Some(e)) = (l.period_end, inv.period_end)
            && le > e
        {
            out.fatal(
                "PEPPOL-EN16931-R111",
                root,
                "Das Ende des Positionszeitraums liegt nach dem Rechnungszeitraum.",
                "End date of line period MUST be within invoice period.",
            );
        }
    }
    line_rules(ctx, out);
}

fn buyer_present(ctx: &Ctx<'_>) -> bool {
    if ctx.ubl() {
        at(ctx.root, "cac:AccountingCustomerParty/cac:Party").is_some()
    } else {
        at(ctx.root, "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:BuyerTradeParty").is_some()
    }
}

/// R043, R044, R046, R101, R121, R130 on the line elements.
fn line_rules(ctx: &Ctx<'_>, out: &mut Out) {
    let ind_ok = |v: Option<String>| matches!(v.as_deref(), Some("true" | "false"));
    if ctx.ubl() {
        let tag = if ctx.syntax == crate::read::Syntax::UblCreditNote {
            "cac:CreditNoteLine"
        } else {
            "cac:InvoiceLine"
        };
        let qty_tag = if ctx.syntax == crate::read::Syntax::UblCreditNote {
            "cbc:CreditedQuantity"
        } else {
            "cbc:InvoicedQuantity"
        };
        let doc_acs = children(ctx.root, "cac:AllowanceCharge");
        let lines: Vec<N<'_>> = children(ctx.root, tag).collect();
        let line_acs = lines
            .iter()
            .flat_map(|l| children(*l, "cac:AllowanceCharge"));
        for ac in doc_acs.chain(line_acs) {
            if !ind_ok(at(ac, "cbc:ChargeIndicator").and_then(text)) {
                out.fatal(
                    "PEPPOL-EN16931-R043",
                    &path_of(ac),
                    "ChargeIndicator muss 'true' oder 'false' sein.",
                    "Allowance/charge ChargeIndicator value MUST equal 'true' or 'false'.",
                );
            }
        }
        for l in lines {
            if let Some(dr) = child(l, "cac:DocumentReference")
                && at(dr, "cbc:DocumentTypeCode").and_then(text).as_deref() != Some("130")
            {
                out.fatal("PEPPOL-EN16931-R101", &path_of(l), "Ein Dokumentverweis in der Position ist nur für die Objektkennung (130) erlaubt.", "Element Document reference can only be used for Invoice line object.");
            }
            let price = child(l, "cac:Price");
            if let Some(bq) = price.and_then(|p| child(p, "cbc:BaseQuantity")) {
                if dec(Some(bq)).is_none_or(|q| q <= Decimal::ZERO) {
                    out.fatal(
                        "PEPPOL-EN16931-R121",
                        &path_of(l),
                        "Die Basismenge (BT-149) muss größer als null sein.",
                        "Base quantity MUST be a positive number above zero.",
                    );
                }
                if bq.attribute("unitCode").is_some()
                    && let Some(q) = child(l, qty_tag)
                    && bq.attribute("unitCode") != q.attribute("unitCode")
                {
                    out.fatal(
                        "PEPPOL-EN16931-R130",
                        &path_of(bq),
                        "Die Einheit der Basismenge muss der Einheit der Menge entsprechen.",
                        "Unit code of price base quantity MUST be same as invoiced quantity.",
                    );
                }
            }
            if let Some(pac) = price.and_then(|p| child(p, "cac:AllowanceCharge")) {
                if at(pac, "cbc:ChargeIndicator").and_then(text).as_deref() != Some("false") {
                    out.fatal(
                        "PEPPOL-EN16931-R044",
                        &path_of(pac),
                        "Ein Zuschlag auf Preisebene ist nicht erlaubt.",
                        "Charge on price level is NOT allowed. Only value 'false' allowed.",
                    );
                }
                if child(pac, "cbc:BaseAmount").is_some() {
                    let net = dec(price.and_then(|p| child(p, "cbc:PriceAmount")));
                    let gross = dec(child(pac, "cbc:BaseAmount"));
                    let disc = dec(child(pac, "cbc:Amount"));
                    let ok =
                        matches!((net, gross, disc), (Some(n), Some(g), Some(d)) if n == g - d);
                    if !ok {
                        out.fatal("PEPPOL-EN16931-R046", &path_of(pac), "Nettopreis muss Bruttopreis minus Rabatt sein.", "Item net price MUST equal (Gross price - Allowance amount) when gross price is provided.");
                    }
                }
            }
        }
    } else {
        for ac in ctx
            .root
            .descendants()
            .filter(|n| is(*n, "ram:SpecifiedTradeAllowanceCharge"))
        {
            if !ind_ok(at(ac, "ram:ChargeIndicator/udt:Indicator").and_then(text)) {
                out.fatal(
                    "PEPPOL-EN16931-R043-1",
                    &path_of(ac),
                    "ChargeIndicator muss 'true' oder 'false' sein.",
                    "Allowance/charge ChargeIndicator value MUST equal 'true' or 'false'.",
                );
            }
        }
        for ac in ctx
            .root
            .descendants()
            .filter(|n| is(*n, "ram:AppliedTradeAllowanceCharge"))
        {
            if !ind_ok(at(ac, "ram:ChargeIndicator/udt:Indicator").and_then(text)) {
                out.fatal(
                    "PEPPOL-EN16931-R043-2",
                    &path_of(ac),
                    "ChargeIndicator muss 'true' oder 'false' sein.",
                    "Allowance/charge ChargeIndicator value MUST equal 'true' or 'false'.",
                );
            }
        }
        for l in all(
            ctx.root,
            "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem",
        ) {
            let docs: Vec<N<'_>> = all(
                l,
                "ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument",
            );
            if !docs.is_empty()
                && !docs
                    .iter()
                    .any(|d| at(*d, "ram:TypeCode").and_then(text).as_deref() == Some("130"))
            {
                out.fatal("PEPPOL-EN16931-R101", &path_of(l), "Ein Dokumentverweis in der Position ist nur für die Objektkennung (130) erlaubt.", "Element Additional referenced document can only be used for Invoice line object.");
            }
            let billed_unit = at(l, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
                .and_then(|q| attr(q, "unitCode"));
            let agr = child(l, "ram:SpecifiedLineTradeAgreement");
            for price in [
                "ram:NetPriceProductTradePrice",
                "ram:GrossPriceProductTradePrice",
            ] {
                let Some(p) = agr.and_then(|a| child(a, price)) else {
                    continue;
                };
                if let Some(bq) = child(p, "ram:BasisQuantity") {
                    if dec(Some(bq)).is_none_or(|q| q <= Decimal::ZERO) {
                        out.fatal(
                            "PEPPOL-EN16931-R121",
                            &path_of(p),
                            "Die Basismenge (BT-149) muss größer als null sein.",
                            "Base quantity MUST be a positive number above zero.",
                        );
                    }
                    if bq.attribute("unitCode").is_some() && attr(bq, "unitCode") != billed_unit {
                        out.fatal(
                            "PEPPOL-EN16931-R130",
                            &path_of(bq),
                            "Die Einheit der Basismenge muss der Einheit der Menge entsprechen.",
                            "Unit code of price base quantity MUST be same as invoiced quantity.",
                        );
                    }
                }
            }
            if let Some(g) = agr.and_then(|a| child(a, "ram:GrossPriceProductTradePrice")) {
                let applied = child(g, "ram:AppliedTradeAllowanceCharge");
                let has_amount = applied.is_some_and(|a| child(a, "ram:ActualAmount").is_some());
                if has_amount
                    && applied
                        .and_then(|a| at(a, "ram:ChargeIndicator/udt:Indicator"))
                        .and_then(text)
                        .as_deref()
                        != Some("false")
                {
                    out.fatal(
                        "PEPPOL-EN16931-R044",
                        &path_of(g),
                        "Ein Zuschlag auf Preisebene ist nicht erlaubt.",
                        "Charge on price level is NOT allowed. Only value 'false' allowed.",
                    );
                }
                if child(g, "ram:ChargeAmount").is_some() {
                    let net =
                        dec(agr
                            .and_then(|a| at(a, "ram:NetPriceProductTradePrice/ram:ChargeAmount")));
                    let gross = dec(child(g, "ram:ChargeAmount"));
                    let disc =
                        dec(applied.and_then(|a| child(a, "ram:ActualAmount"))).unwrap_or_default();
                    if !matches!((net, gross), (Some(n), Some(gr)) if n == gr - disc) {
                        out.fatal("PEPPOL-EN16931-R046", &path_of(g), "Nettopreis muss Bruttopreis minus Rabatt sein.", "Item net price MUST equal (Gross price - Allowance amount) when gross price is provided.");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skonto_regex() {
        assert!(is_skonto_line("#SKONTO#TAGE=14#PROZENT=2.00#"));
        assert!(is_skonto_line(
            "#SKONTO#TAGE=7#PROZENT=3.00#BASISBETRAG=-100.00#"
        ));
        assert!(!is_skonto_line("#SKONTO#TAGE=14#PROZENT=2#"));
        assert!(skonto_ok("Zahlbar sofort"));
        assert!(skonto_ok("#SKONTO#TAGE=14#PROZENT=2.00#\n"));
        assert!(!skonto_ok("#SKONTO#TAGE=14#PROZENT=2.00#"));
        assert!(!skonto_ok("#SKONTO#TAGE=14#PROZENT=2,00#\n"));
    }
}
