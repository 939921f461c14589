//! EN 16931 core rules: mandatory business terms (BR-01 … BR-65), the totals and other
//! conditions (BR-CO-*), and the decimal places of amounts (BR-DEC-*). The arithmetic follows
//! the Schematron exactly, including its XPath rounding (half towards positive infinity).

use super::{Ctx, Out};
use crate::model::AllowanceCharge;
use crate::read::show;
use crate::read::xml::at;
use rust_decimal::Decimal;

/// XPath `round(x * 100) div 100`: two decimals, halves rounded towards positive infinity.
pub fn xround2(d: Decimal) -> Decimal {
    ((d * Decimal::ONE_HUNDRED) + Decimal::new(5, 1)).floor() / Decimal::ONE_HUNDRED
}

/// XPath `round(x)`: integer, halves towards positive infinity.
pub fn xround0(d: Decimal) -> Decimal {
    (d + Decimal::new(5, 1)).floor()
}

/// Sum of the amounts of the allowances (`charge == false`) or charges.
pub fn sum_ac(list: &[AllowanceCharge], charge: bool) -> Decimal {
    list.iter()
        .filter(|a| a.charge == charge)
        .filter_map(|a| a.amount)
        .sum()
}

/// `true` when the element at the syntax's path below the root exists.
pub fn exists(ctx: &Ctx<'_>, ubl: &str, cii: &str) -> bool {
    at(ctx.root, if ctx.ubl() { ubl } else { cii }).is_some()
}

fn totals_path(ctx: &Ctx<'_>) -> String {
    if ctx.ubl() {
        format!("{}/cac:LegalMonetaryTotal", ctx.root_path())
    } else {
        "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation".into()
    }
}

const SUMMATION: &str = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementHeaderMonetarySummation";

pub fn check(ctx: &Ctx<'_>, out: &mut Out) {
    mandatory(ctx, out);
    lines(ctx, out);
    allowances_charges(ctx, out);
    if exists(ctx, "cac:LegalMonetaryTotal", SUMMATION) {
        totals(ctx, out);
    }
    vat_breakdown(ctx, out);
    payment(ctx, out);
    parties(ctx, out);
    decimals(ctx, out);
    if ctx.ubl() {
        ubl_dt01(ctx, out);
    } else {
        super::schema::cii_dates(ctx, out);
        cii_sr439(ctx, out);
    }
}

/// UBL-DT-01: amounts (not prices, not price discounts) have at most two fraction digits.
fn ubl_dt01(ctx: &Ctx<'_>, out: &mut Out) {
    use crate::read::xml::{is, path_of, text};
    for n in ctx.root.descendants().filter(|n| n.is_element()) {
        let name = n.tag_name().name();
        if !name.ends_with("Amount") || name.ends_with("PriceAmount") {
            continue;
        }
        let in_price_ac = n.ancestors().any(|a| {
            is(a, "cac:AllowanceCharge") && a.parent_element().is_some_and(|p| is(p, "cac:Price"))
        });
        if in_price_ac {
            continue;
        }
        let v = text(n).unwrap_or_default();
        if v.split_once('.')
            .is_some_and(|(_, f)| f.chars().count() > 2)
        {
            out.fatal(
                "UBL-DT-01",
                &path_of(n),
                &format!("Der Betrag '{v}' hat mehr als zwei Nachkommastellen."),
                &format!("Amounts shall be decimal up to two fraction digits: '{v}'."),
            );
        }
    }
}

/// CII-SR-439: each line has exactly one net price amount.
fn cii_sr439(ctx: &Ctx<'_>, out: &mut Out) {
    use crate::read::xml::{all, children, path_of};
    for agr in all(
        ctx.root,
        "rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedLineTradeAgreement",
    ) {
        let n: usize = children(agr, "ram:NetPriceProductTradePrice")
            .map(|p| children(p, "ram:ChargeAmount").count())
            .sum();
        if n != 1 {
            out.fatal(
                "CII-SR-439",
                &path_of(agr),
                "Jede Position braucht genau einen Nettopreis (BT-146).",
                "Each line needs exactly one item net price (BT-146).",
            );
        }
    }
}

fn mandatory(ctx: &Ctx<'_>, out: &mut Out) {
    let inv = ctx.inv;
    let root = ctx.root_path();
    let req: [(&str, bool, &str, &str); 11] = [
        (
            "BR-01",
            inv.customization_id.is_some(),
            "Spezifikationskennung (BT-24)",
            "Specification identifier (BT-24)",
        ),
        (
            "BR-02",
            inv.number.is_some(),
            "Rechnungsnummer (BT-1)",
            "Invoice number (BT-1)",
        ),
        (
            "BR-03",
            has_issue_date(ctx),
            "Rechnungsdatum (BT-2)",
            "Invoice issue date (BT-2)",
        ),
        (
            "BR-04",
            inv.type_code.is_some(),
            "Rechnungsart (BT-3)",
            "Invoice type code (BT-3)",
        ),
        (
            "BR-05",
            inv.currency.is_some(),
            "Rechnungswährung (BT-5)",
            "Invoice currency code (BT-5)",
        ),
        (
            "BR-06",
            inv.seller.name.is_some(),
            "Name des Verkäufers (BT-27)",
            "Seller name (BT-27)",
        ),
        (
            "BR-07",
            inv.buyer.name.is_some(),
            "Name des Käufers (BT-44)",
            "Buyer name (BT-44)",
        ),
        (
            "BR-08",
            inv.seller.address.is_some(),
            "Anschrift des Verkäufers (BG-5)",
            "Seller postal address (BG-5)",
        ),
        (
            "BR-10",
            inv.buyer.address.is_some(),
            "Anschrift des Käufers (BG-8)",
            "Buyer postal address (BG-8)",
        ),
        (
            "BR-16",
            !inv.lines.is_empty(),
            "mindestens eine Rechnungsposition (BG-25)",
            "at least one invoice line (BG-25)",
        ),
        (
            "BR-CO-18",
            !inv.vat_breakdown.is_empty(),
            "mindestens eine Umsatzsteueraufschlüsselung (BG-23)",
            "at least one VAT breakdown (BG-23)",
        ),
    ];
    for (rule, ok, de, en) in req {
        if !ok {
            // CII reports BR-CO-18 once per line (its context), UBL once per document.
            if rule == "BR-CO-18" && !ctx.ubl() {
                for _ in &inv.lines {
                    out.fatal(
                        rule,
                        root,
                        &format!("Es fehlt {de}."),
                        &format!("Missing {en}."),
                    );
                }
                continue;
            }
            out.fatal(
                rule,
                root,
                &format!("Es fehlt: {de}."),
                &format!("Missing: {en}."),
            );
        }
    }
    if inv.seller.address.is_some()
        && inv
            .seller
            .address
            .as_ref()
            .and_then(|a| a.country.as_ref())
            .is_none()
    {
        out.fatal(
            "BR-09",
            root,
            "Es fehlt der Ländercode des Verkäufers (BT-40).",
            "Missing seller country code (BT-40).",
        );
    }
    if inv.buyer.address.is_some()
        && inv
            .buyer
            .address
            .as_ref()
            .and_then(|a| a.country.as_ref())
            .is_none()
    {
        out.fatal(
            "BR-11",
            root,
            "Es fehlt der Ländercode des Käufers (BT-55).",
            "Missing buyer country code (BT-55).",
        );
    }
    if let Some(tr) = &inv.tax_representative {
        if tr.name.is_none() {
            out.fatal(
                "BR-18",
                root,
                "Es fehlt der Name des Steuervertreters (BT-62).",
                "Missing tax representative name (BT-62).",
            );
        }
        match &tr.address {
            None => {
                out.fatal(
                    "BR-19",
                    root,
                    "Es fehlt die Anschrift des Steuervertreters (BG-12).",
                    "Missing tax representative address (BG-12).",
                );
            }
            Some(a) if a.country.is_none() => {
                out.fatal(
                    "BR-20",
                    root,
                    "Es fehlt der Ländercode des Steuervertreters (BT-69).",
                    "Missing tax representative country code (BT-69).",
                );
            }
            _ => {}
        }
        if tr.vat_id.is_none() {
            out.fatal(
                "BR-56",
                root,
                "Es fehlt die USt-IdNr. des Steuervertreters (BT-63).",
                "Missing tax representative VAT identifier (BT-63).",
            );
        }
    }
    if let Some(a) = &inv.delivery_address
        && a.country.is_none()
    {
        out.fatal(
            "BR-57",
            root,
            "Es fehlt der Ländercode der Lieferanschrift (BT-80).",
            "Missing deliver-to country code (BT-80).",
        );
    }
    if let (Some(s), Some(e)) = (inv.period_start, inv.period_end)
        && e < s
    {
        out.fatal(
            "BR-29",
            root,
            "Das Ende des Rechnungszeitraums liegt vor seinem Beginn.",
            "The invoicing period ends before it starts.",
        );
    }
    let period = exists(
        ctx,
        "cac:InvoicePeriod",
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod",
    );
    // UBL also accepts a period that carries only the tax point date code (BT-8).
    let code_only = ctx.ubl() && inv.tax_point_code.is_some();
    if period
        && !code_only
        && inv.period_start.is_none()
        && inv.period_end.is_none()
        && !period_has_dates(ctx)
    {
        out.fatal(
            "BR-CO-19",
            root,
            "Der Rechnungszeitraum (BG-14) braucht ein Anfangs- oder Enddatum.",
            "The invoicing period (BG-14) needs a start or an end date.",
        );
    }
    if inv.tax_point_date.is_some() && inv.tax_point_code.is_some() {
        out.fatal(
            "BR-CO-03",
            root,
            "Steuerzeitpunkt (BT-7) und sein Code (BT-8) schließen sich aus.",
            "Value added tax point date (BT-7) and its code (BT-8) are mutually exclusive.",
        );
    }
    if let Some(tc) = &inv.tax_currency
        && !inv
            .vat_totals
            .iter()
            .any(|(_, c)| c.as_deref() == Some(tc.as_str()))
    {
        out.fatal(
            "BR-53",
            root,
            "Die Steuerwährung (BT-6) ist angegeben, aber kein Steuerbetrag in ihr (BT-111).",
            "A VAT accounting currency (BT-6) is given but no VAT total in it (BT-111).",
        );
    }
    for a in &inv.attachments {
        if a.id.is_none() {
            out.fatal(
                "BR-52",
                root,
                "Eine rechnungsbegründende Unterlage (BG-24) braucht eine Kennung (BT-122).",
                "A supporting document (BG-24) needs a reference (BT-122).",
            );
        }
    }
    for p in &inv.preceding {
        if p.number.is_empty() {
            out.fatal(
                "BR-55",
                root,
                "Ein Verweis auf eine vorausgegangene Rechnung braucht deren Nummer (BT-25).",
                "A preceding invoice reference needs its number (BT-25).",
            );
        }
    }
}

fn has_issue_date(ctx: &Ctx<'_>) -> bool {
    if ctx.ubl() {
        at(ctx.root, "cbc:IssueDate")
            .and_then(crate::read::xml::text)
            .is_some()
    } else {
        at(
            ctx.root,
            "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString",
        )
        .filter(|n| n.attribute("format") == Some("102"))
        .and_then(crate::read::xml::text)
        .is_some()
    }
}

fn period_has_dates(ctx: &Ctx<'_>) -> bool {
    if ctx.ubl() {
        exists(ctx, "cac:InvoicePeriod/cbc:StartDate", "")
            || exists(ctx, "cac:InvoicePeriod/cbc:EndDate", "")
    } else {
        let p = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod";
        exists(ctx, "", &format!("{p}/ram:StartDateTime"))
            || exists(ctx, "", &format!("{p}/ram:EndDateTime"))
    }
}

fn lines(ctx: &Ctx<'_>, out: &mut Out) {
    let root = ctx.root_path();
    for (i, l) in ctx.inv.lines.iter().enumerate() {
        let n = i + 1;
        let miss = |out: &mut Out, rule: &str, de: &str, en: &str| {
            out.fatal(
                rule,
                root,
                &format!("Position {n}: es fehlt {de}."),
                &format!("Line {n}: missing {en}."),
            )
        };
        if l.id.is_none() {
            miss(
                out,
                "BR-21",
                "die Positionsnummer (BT-126)",
                "the line identifier (BT-126)",
            );
        }
        if l.quantity.is_none() {
            miss(
                out,
                "BR-22",
                "die Menge (BT-129)",
                "the invoiced quantity (BT-129)",
            );
        }
        if l.unit.is_none() {
            miss(
                out,
                "BR-23",
                "die Mengeneinheit (BT-130)",
                "the unit of measure (BT-130)",
            );
        }
        if l.net_amount.is_none() {
            miss(
                out,
                "BR-24",
                "der Nettobetrag (BT-131)",
                "the line net amount (BT-131)",
            );
        }
        if l.name.is_none() {
            miss(
                out,
                "BR-25",
                "der Artikelname (BT-153)",
                "the item name (BT-153)",
            );
        }
        match l.net_price {
            None => {
                miss(
                    out,
                    "BR-26",
                    "der Nettopreis (BT-146)",
                    "the item net price (BT-146)",
                );
                miss(
                    out,
                    "BR-27",
                    "ein nicht negativer Nettopreis (BT-146)",
                    "a non-negative item net price (BT-146)",
                );
            }
            Some(p) if p < Decimal::ZERO => {
                out.fatal(
                    "BR-27",
                    root,
                    &format!("Position {n}: der Nettopreis (BT-146) ist negativ."),
                    &format!("Line {n}: the item net price (BT-146) is negative."),
                );
            }
            _ => {}
        }
        if l.gross_price.is_some_and(|g| g < Decimal::ZERO) {
            out.fatal(
                "BR-28",
                root,
                &format!("Position {n}: der Bruttopreis (BT-148) ist negativ."),
                &format!("Line {n}: the item gross price (BT-148) is negative."),
            );
        }
        if let (Some(s), Some(e)) = (l.period_start, l.period_end)
            && e < s
        {
            out.fatal(
                "BR-30",
                root,
                &format!("Position {n}: der Leistungszeitraum endet vor seinem Beginn."),
                &format!("Line {n}: the line period ends before it starts."),
            );
        }
        if l.vat_category.is_none() {
            miss(
                out,
                "BR-CO-04",
                "die Umsatzsteuerkategorie (BT-151)",
                "the VAT category (BT-151)",
            );
        }
        for a in &l.allowances_charges {
            let (r_amount, r_reason, r_co) = if a.charge {
                ("BR-43", "BR-44", "BR-CO-24")
            } else {
                ("BR-41", "BR-42", "BR-CO-23")
            };
            if a.amount.is_none() {
                miss(
                    out,
                    r_amount,
                    "der Betrag eines Nachlasses/Zuschlags",
                    "the amount of an allowance/charge",
                );
            }
            if a.reason.is_none() && a.reason_code.is_none() {
                miss(
                    out,
                    r_reason,
                    "der Grund eines Nachlasses/Zuschlags",
                    "the reason of an allowance/charge",
                );
                miss(
                    out,
                    r_co,
                    "der Grund oder Grund-Code",
                    "the reason or reason code",
                );
            }
        }
        for at in &l.attributes {
            if at.name.is_empty() || at.value.is_empty() {
                out.fatal(
                    "BR-54",
                    root,
                    &format!("Position {n}: ein Artikelmerkmal braucht Name und Wert."),
                    &format!("Line {n}: an item attribute needs a name and a value."),
                );
            }
        }
        if l.standard_item_id
            .as_ref()
            .is_some_and(|i| i.scheme.is_none())
        {
            out.fatal(
                "BR-64",
                root,
                &format!("Position {n}: die Artikelkennung (BT-157) braucht ein Schema."),
                &format!("Line {n}: the item standard identifier (BT-157) needs a scheme."),
            );
        }
        if l.classifications.iter().any(|c| c.scheme.is_none()) {
            out.fatal(
                "BR-65",
                root,
                &format!("Position {n}: die Klassifizierung (BT-158) braucht ein Schema."),
                &format!("Line {n}: the item classification (BT-158) needs a scheme."),
            );
        }
    }
}

fn allowances_charges(ctx: &Ctx<'_>, out: &mut Out) {
    let root = ctx.root_path();
    for a in &ctx.inv.allowances_charges {
        let (r_amount, r_cat, r_reason, r_co) = if a.charge {
            ("BR-36", "BR-37", "BR-38", "BR-CO-22")
        } else {
            ("BR-31", "BR-32", "BR-33", "BR-CO-21")
        };
        if a.amount.is_none() {
            out.fatal(
                r_amount,
                root,
                "Einem Nachlass/Zuschlag auf Dokumentebene fehlt der Betrag.",
                "A document level allowance/charge has no amount.",
            );
        }
        if a.vat_category.is_none() {
            out.fatal(
                r_cat,
                root,
                "Einem Nachlass/Zuschlag auf Dokumentebene fehlt die Umsatzsteuerkategorie.",
                "A document level allowance/charge has no VAT category.",
            );
        }
        if a.reason.is_none() && a.reason_code.is_none() {
            out.fatal(
                r_reason,
                root,
                "Einem Nachlass/Zuschlag auf Dokumentebene fehlt der Grund.",
                "A document level allowance/charge has no reason.",
            );
            out.fatal(
                r_co,
                root,
                "Einem Nachlass/Zuschlag fehlt Grund oder Grund-Code.",
                "An allowance/charge has neither reason nor reason code.",
            );
        }
    }
}

fn mismatch(
    out: &mut Out,
    rule: &str,
    loc: &str,
    what_de: &str,
    what_en: &str,
    expected: Option<Decimal>,
    found: Option<Decimal>,
) {
    out.fatal(
        rule,
        loc,
        &format!(
            "{what_de}: erwartet {}, angegeben {}.",
            show(expected),
            show(found)
        ),
        &format!(
            "{what_en}: expected {}, found {}.",
            show(expected),
            show(found)
        ),
    );
}

fn totals(ctx: &Ctx<'_>, out: &mut Out) {
    let inv = ctx.inv;
    let t = &inv.totals;
    let loc = totals_path(ctx);
    let req = [
        (
            "BR-12",
            t.line_net.is_some(),
            "Summe der Positionsbeträge (BT-106)",
            "Sum of invoice line net amounts (BT-106)",
        ),
        (
            "BR-13",
            t.net.is_some(),
            "Gesamtbetrag ohne USt (BT-109)",
            "Invoice total amount without VAT (BT-109)",
        ),
        (
            "BR-14",
            t.gross.is_some(),
            "Gesamtbetrag mit USt (BT-112)",
            "Invoice total amount with VAT (BT-112)",
        ),
        (
            "BR-15",
            t.due.is_some(),
            "Zahlbetrag (BT-115)",
            "Amount due for payment (BT-115)",
        ),
    ];
    for (rule, ok, de, en) in req {
        if !ok {
            out.fatal(
                rule,
                &loc,
                &format!("Es fehlt: {de}."),
                &format!("Missing: {en}."),
            );
        }
    }
    let line_sum: Decimal = inv.lines.iter().filter_map(|l| l.net_amount).sum();
    let expect = xround2(line_sum);
    if t.line_net != Some(expect) {
        mismatch(
            out,
            "BR-CO-10",
            &loc,
            "Summe der Positionsbeträge (BT-106)",
            "Sum of invoice line net amounts (BT-106)",
            Some(expect),
            t.line_net,
        );
    }
    let has_allow = inv.allowances_charges.iter().any(|a| !a.charge);
    let has_charge = inv.allowances_charges.iter().any(|a| a.charge);
    let allow = xround2(sum_ac(&inv.allowances_charges, false));
    let charge = xround2(sum_ac(&inv.allowances_charges, true));
    if !(t.allowances.is_none() && !has_allow || t.allowances == Some(allow)) {
        mismatch(
            out,
            "BR-CO-11",
            &loc,
            "Summe der Nachlässe (BT-107)",
            "Sum of allowances (BT-107)",
            Some(allow),
            t.allowances,
        );
    }
    if !(t.charges.is_none() && !has_charge || t.charges == Some(charge)) {
        mismatch(
            out,
            "BR-CO-12",
            &loc,
            "Summe der Zuschläge (BT-108)",
            "Sum of charges (BT-108)",
            Some(charge),
            t.charges,
        );
    }
    let net_expect = t
        .line_net
        .map(|l| xround2(l - t.allowances.unwrap_or_default() + t.charges.unwrap_or_default()));
    let net_ok = match (ctx.ubl(), t.line_net, t.net) {
        (true, Some(l), Some(n)) if t.allowances.is_none() && t.charges.is_none() => n == l,
        (_, Some(_), Some(n)) => Some(n) == net_expect,
        _ => false,
    };
    if !net_ok {
        mismatch(
            out,
            "BR-CO-13",
            &loc,
            "Gesamtbetrag ohne USt (BT-109)",
            "Invoice total without VAT (BT-109)",
            net_expect,
            t.net,
        );
    }
    // BR-CO-15: exactly one VAT total in the document currency, and BT-112 = BT-109 + BT-110.
    if let Some(cur) = &inv.currency {
        let in_cur: Vec<Decimal> = inv
            .vat_totals
            .iter()
            .filter(|(_, c)| c.as_deref() == Some(cur.as_str()))
            .map(|(v, _)| *v)
            .collect();
        let expect = match (t.net, in_cur.as_slice()) {
            (Some(n), [v]) => Some(xround2(n + *v)),
            _ => None,
        };
        let ok = (expect.is_some() && t.gross == expect)
            || (!ctx.ubl() && t.gross.is_some() && t.gross == t.net);
        if !ok {
            out.fatal(
                "BR-CO-15",
                ctx.root_path(),
                &format!(
                    "Gesamtbetrag mit USt (BT-112): erwartet {} (BT-109 + BT-110), angegeben {}.",
                    show(expect),
                    show(t.gross)
                ),
                &format!(
                    "Invoice total with VAT (BT-112): expected {} (BT-109 + BT-110), found {}.",
                    show(expect),
                    show(t.gross)
                ),
            );
        }
    }
    // BR-CO-16: BT-115 = BT-112 - BT-113 + BT-114.
    let due_ok = match (t.due, t.gross) {
        (Some(d), Some(g)) => {
            let p = t.prepaid.unwrap_or_default();
            let r = t.rounding.unwrap_or_default();
            if ctx.ubl() {
                match (t.prepaid.is_some(), t.rounding.is_some()) {
                    (true, false) => d == xround2(g - p),
                    (false, false) => d == g,
                    (true, true) => xround2(d - r) == xround2(g - p),
                    (false, true) => xround2(d - r) == g,
                }
            } else {
                d == g - p + r
            }
        }
        _ => false,
    };
    if !due_ok {
        let expect = t
            .gross
            .map(|g| g - t.prepaid.unwrap_or_default() + t.rounding.unwrap_or_default());
        mismatch(
            out,
            "BR-CO-16",
            &loc,
            "Zahlbetrag (BT-115)",
            "Amount due for payment (BT-115)",
            expect,
            t.due,
        );
    }
    let applies = ctx.syntax != crate::read::Syntax::UblCreditNote;
    if applies
        && t.due.is_some_and(|d| d > Decimal::ZERO)
        && inv.due_date.is_none()
        && inv.payment_terms.is_none()
        && !has_due_or_terms(ctx)
    {
        out.fatal("BR-CO-25", &loc, "Bei positivem Zahlbetrag ist ein Fälligkeitsdatum (BT-9) oder sind Zahlungsbedingungen (BT-20) anzugeben.", "With a positive amount due, a payment due date (BT-9) or payment terms (BT-20) must be given.");
    }
}

fn has_due_or_terms(ctx: &Ctx<'_>) -> bool {
    ctx.root.descendants().any(|n| {
        let name = n.tag_name().name();
        n.is_element()
            && (if ctx.ubl() {
                name == "DueDate"
                    || (name == "Note"
                        && n.parent_element()
                            .is_some_and(|p| p.tag_name().name() == "PaymentTerms"))
            } else {
                (name == "DueDateDateTime" || name == "Description")
                    && n.parent_element()
                        .is_some_and(|p| p.tag_name().name() == "SpecifiedTradePaymentTerms")
            })
    })
}

fn vat_breakdown(ctx: &Ctx<'_>, out: &mut Out) {
    let inv = ctx.inv;
    let root = ctx.root_path();
    for g in &inv.vat_breakdown {
        if g.taxable.is_none() {
            out.fatal(
                "BR-45",
                root,
                "Einer Umsatzsteueraufschlüsselung fehlt der Nettobetrag (BT-116).",
                "A VAT breakdown has no taxable amount (BT-116).",
            );
        }
        if g.tax.is_none() {
            out.fatal(
                "BR-46",
                root,
                "Einer Umsatzsteueraufschlüsselung fehlt der Steuerbetrag (BT-117).",
                "A VAT breakdown has no tax amount (BT-117).",
            );
        }
        if g.category.is_none() {
            out.fatal(
                "BR-47",
                root,
                "Einer Umsatzsteueraufschlüsselung fehlt die Kategorie (BT-118).",
                "A VAT breakdown has no category (BT-118).",
            );
        }
        if g.rate.is_none() && g.category.as_deref() != Some("O") {
            out.fatal(
                "BR-48",
                root,
                "Einer Umsatzsteueraufschlüsselung fehlt der Steuersatz (BT-119).",
                "A VAT breakdown has no rate (BT-119).",
            );
        }
        // BR-CO-17: BT-117 = BT-116 × BT-119 / 100 (tolerance 1 as in the Schematron).
        let ok = match (g.rate, g.tax, g.taxable) {
            (Some(r), Some(t), _) if xround0(r).is_zero() => xround0(t).is_zero(),
            (Some(r), Some(t), Some(b)) => {
                let e = xround2(b.abs() * r / Decimal::ONE_HUNDRED);
                if ctx.ubl() {
                    t.abs() - Decimal::ONE < e && t.abs() + Decimal::ONE > e
                } else {
                    t.abs() - Decimal::ONE <= e && t.abs() + Decimal::ONE >= e
                }
            }
            (None, Some(t), _) => xround0(t).is_zero(),
            _ => false,
        };
        if !ok {
            let e = match (g.rate, g.taxable) {
                (Some(r), Some(b)) => Some(xround2(b * r / Decimal::ONE_HUNDRED)),
                _ => None,
            };
            mismatch(
                out,
                "BR-CO-17",
                root,
                "Steuerbetrag der Kategorie (BT-117)",
                "VAT category tax amount (BT-117)",
                e,
                g.tax,
            );
        }
    }
    // BR-CO-14: BT-110 = Σ BT-117.
    let sum: Decimal = inv.vat_breakdown.iter().filter_map(|g| g.tax).sum();
    let expect = xround2(sum);
    if ctx.ubl() {
        for tt in ctx
            .root
            .children()
            .filter(|c| crate::read::xml::is(*c, "cac:TaxTotal"))
        {
            let has_sub = tt
                .children()
                .any(|c| crate::read::xml::is(c, "cac:TaxSubtotal"));
            if !has_sub {
                continue;
            }
            let sub: Decimal = tt
                .children()
                .filter(|c| crate::read::xml::is(*c, "cac:TaxSubtotal"))
                .filter_map(|s| crate::read::xml::dec(crate::read::xml::child(s, "cbc:TaxAmount")))
                .sum();
            let found = crate::read::xml::dec(crate::read::xml::child(tt, "cbc:TaxAmount"));
            if found != Some(xround2(sub)) {
                mismatch(
                    out,
                    "BR-CO-14",
                    root,
                    "Umsatzsteuer gesamt (BT-110)",
                    "Invoice total VAT amount (BT-110)",
                    Some(xround2(sub)),
                    found,
                );
            }
        }
    } else if let Some(cur) = &inv.currency {
        for (v, c) in &inv.vat_totals {
            if c.as_deref() == Some(cur.as_str()) && *v != expect {
                mismatch(
                    out,
                    "BR-CO-14",
                    root,
                    "Umsatzsteuer gesamt (BT-110)",
                    "Invoice total VAT amount (BT-110)",
                    Some(expect),
                    Some(*v),
                );
            }
        }
    }
}

fn payment(ctx: &Ctx<'_>, out: &mut Out) {
    use crate::read::xml::{all, child, text};
    let root = ctx.root_path();
    let (path, code_tag) = if ctx.ubl() {
        ("cac:PaymentMeans", "cbc:PaymentMeansCode")
    } else {
        (
            "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement/ram:SpecifiedTradeSettlementPaymentMeans",
            "ram:TypeCode",
        )
    };
    for pm in all(ctx.root, path) {
        let code = child(pm, code_tag).and_then(text);
        if code.is_none() && !ctx.ubl() && child(pm, code_tag).is_none() {
            out.fatal(
                "BR-49",
                root,
                "Einer Zahlungsanweisung fehlt die Zahlungsart (BT-81).",
                "A payment instruction has no payment means code (BT-81).",
            );
        }
        let transfer = matches!(code.as_deref(), Some("30" | "58"));
        if ctx.ubl() {
            let account = child(pm, "cac:PayeeFinancialAccount");
            if transfer && account.is_some_and(|a| child(a, "cbc:ID").and_then(text).is_none()) {
                out.fatal(
                    "BR-50",
                    root,
                    "Bei Überweisung fehlt die Kontokennung (BT-84).",
                    "A credit transfer has no payment account identifier (BT-84).",
                );
            }
            if transfer && account.and_then(|a| child(a, "cbc:ID")).is_none() {
                out.fatal(
                    "BR-61",
                    root,
                    "Bei Überweisung (30, 58) ist die Kontokennung (BT-84) Pflicht.",
                    "A credit transfer (30, 58) requires the payment account identifier (BT-84).",
                );
            }
        } else if let Some(a) = child(pm, "ram:PayeePartyCreditorFinancialAccount")
            && transfer
            && child(a, "ram:IBANID").is_none()
            && child(a, "ram:ProprietaryID").is_none()
        {
            out.fatal(
                "BR-50",
                root,
                "Bei Überweisung fehlt die Kontokennung (BT-84).",
                "A credit transfer has no payment account identifier (BT-84).",
            );
            out.fatal(
                "BR-61",
                root,
                "Bei Überweisung (30, 58) ist die Kontokennung (BT-84) Pflicht.",
                "A credit transfer (30, 58) requires the payment account identifier (BT-84).",
            );
        }
    }
    for pm in &ctx.inv.payment_means {
        if pm
            .card_number
            .as_ref()
            .is_some_and(|c| c.chars().count() > 10)
            && !ctx.ubl()
        {
            out.fatal(
                "BR-51",
                root,
                "Von der Kartennummer (BT-87) dürfen höchstens die letzten 4–6 Ziffern stehen.",
                "Only the last 4 to 6 digits of the card number (BT-87) may be given.",
            );
        }
    }
}

fn parties(ctx: &Ctx<'_>, out: &mut Out) {
    let inv = ctx.inv;
    let root = ctx.root_path();
    if let Some(p) = &inv.payee {
        let seller = &inv.seller;
        let same_name = ctx.ubl() && p.name.is_some() && p.name == seller.trading_name
            || !ctx.ubl() && p.name.is_some() && p.name == seller.name;
        let same_id = p
            .ids
            .iter()
            .any(|i| seller.ids.iter().any(|s| s.value == i.value));
        let same_legal = !ctx.ubl()
            && p.legal_id.is_some()
            && p.legal_id.as_ref().map(|i| &i.value) == seller.legal_id.as_ref().map(|i| &i.value);
        if p.name.is_none() || same_name || same_id || same_legal {
            out.fatal("BR-17", root, "Der Zahlungsempfänger (BG-10) braucht einen Namen (BT-59) und muss sich vom Verkäufer unterscheiden.", "The payee (BG-10) needs a name (BT-59) and must differ from the seller.");
        }
    }
    if inv
        .seller
        .electronic_address
        .as_ref()
        .is_some_and(|e| e.scheme.is_none())
    {
        out.fatal(
            "BR-62",
            root,
            "Die elektronische Adresse des Verkäufers (BT-34) braucht ein Schema.",
            "The seller electronic address (BT-34) needs a scheme.",
        );
    }
    if inv
        .buyer
        .electronic_address
        .as_ref()
        .is_some_and(|e| e.scheme.is_none())
    {
        out.fatal(
            "BR-63",
            root,
            "Die elektronische Adresse des Käufers (BT-49) braucht ein Schema.",
            "The buyer electronic address (BT-49) needs a scheme.",
        );
    }
    let s = &inv.seller;
    if exists(
        ctx,
        "cac:AccountingSupplierParty",
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty",
    ) && s.vat_id.is_none()
        && s.ids.is_empty()
        && s.legal_id.is_none()
    {
        out.fatal("BR-CO-26", root, "Der Verkäufer braucht eine Kennung (BT-29), Registernummer (BT-30) oder USt-IdNr. (BT-31).", "The seller needs an identifier (BT-29), a legal registration identifier (BT-30) or a VAT identifier (BT-31).");
    }
    let parties = [
        Some(&inv.seller),
        Some(&inv.buyer),
        inv.tax_representative.as_ref(),
    ];
    for p in parties.into_iter().flatten() {
        if let Some(v) = &p.vat_id {
            let prefix = v.get(..2).unwrap_or("");
            if !super::codes::contains(super::codes::data::VAT_PREFIX, prefix) {
                out.fatal(
                    "BR-CO-09",
                    root,
                    &format!("Die USt-IdNr. '{v}' beginnt nicht mit einem Ländercode."),
                    &format!("The VAT identifier '{v}' does not start with a country prefix."),
                );
            }
        }
    }
}

/// BR-DEC-*: amounts with at most two decimals (the written form counts, as in the
/// Schematron's `substring-after(., '.')`).
fn decimals(ctx: &Ctx<'_>, out: &mut Out) {
    let inv = ctx.inv;
    let root = ctx.root_path();
    let mut check = |rule: &str, v: Option<Decimal>| {
        if v.is_some_and(|d| d.scale() > 2) {
            out.fatal(
                rule,
                root,
                &format!("Der Betrag {} hat mehr als zwei Nachkommastellen.", show(v)),
                &format!("The amount {} has more than two decimals.", show(v)),
            );
        }
    };
    for a in &inv.allowances_charges {
        if a.charge {
            check("BR-DEC-05", a.amount);
            check("BR-DEC-06", a.base_amount);
        } else {
            check("BR-DEC-01", a.amount);
            check("BR-DEC-02", a.base_amount);
        }
    }
    let t = &inv.totals;
    check("BR-DEC-09", t.line_net);
    check("BR-DEC-10", t.allowances);
    check("BR-DEC-11", t.charges);
    check("BR-DEC-12", t.net);
    check("BR-DEC-13", t.vat);
    check("BR-DEC-14", t.gross);
    check("BR-DEC-15", t.vat_in_tax_currency);
    check("BR-DEC-16", t.prepaid);
    check("BR-DEC-17", t.rounding);
    check("BR-DEC-18", t.due);
    for g in &inv.vat_breakdown {
        check("BR-DEC-19", g.taxable);
        check("BR-DEC-20", g.tax);
    }
    for l in &inv.lines {
        check("BR-DEC-23", l.net_amount);
        for a in &l.allowances_charges {
            if a.charge {
                check("BR-DEC-27", a.amount);
                check("BR-DEC-28", a.base_amount);
            } else {
                check("BR-DEC-24", a.amount);
                check("BR-DEC-25", a.base_amount);
            }
        }
    }
}
