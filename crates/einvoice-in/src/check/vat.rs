//! VAT category rules of EN 16931: BR-S (standard), BR-Z (zero), BR-E (exempt), BR-AE
//! (reverse charge), BR-IC (intra-community, code K), BR-G (export), BR-O (not subject),
//! BR-AF (IGIC, code L), BR-AG (IPSI, code M) and BR-B (split payment).

use super::core::{xround0, xround2};
use super::{Ctx, Out};
use crate::model::Invoice;
use rust_decimal::Decimal;

/// (category code, rule prefix).
const CATEGORIES: [(&str, &str); 9] = [
    ("S", "BR-S"),
    ("Z", "BR-Z"),
    ("E", "BR-E"),
    ("AE", "BR-AE"),
    ("K", "BR-IC"),
    ("G", "BR-G"),
    ("O", "BR-O"),
    ("L", "BR-AF"),
    ("M", "BR-AG"),
];

fn is(c: &Option<String>, code: &str) -> bool {
    c.as_deref() == Some(code)
}

/// What the seller / buyer identification rules (BR-x-02 … 04) need.
struct Ids {
    /// Seller VAT id or tax number (BT-31 / BT-32), or a tax representative VAT id (BT-63).
    seller_any: bool,
    /// Seller VAT id (BT-31) or tax representative VAT id (BT-63).
    seller_vat: bool,
    buyer_vat: bool,
    buyer_legal: bool,
}

fn ids(inv: &Invoice) -> Ids {
    let rep_vat = inv
        .tax_representative
        .as_ref()
        .is_some_and(|r| r.vat_id.is_some());
    Ids {
        seller_any: inv.seller.vat_id.is_some() || inv.seller.tax_number.is_some() || rep_vat,
        seller_vat: inv.seller.vat_id.is_some() || rep_vat,
        buyer_vat: inv.buyer.vat_id.is_some(),
        buyer_legal: inv.buyer.legal_id.is_some(),
    }
}

pub fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let inv = ctx.inv;
    let root = ctx.root_path();
    let ids = ids(inv);
    for (code, p) in CATEGORIES {
        let lines: Vec<_> = inv
            .lines
            .iter()
            .filter(|l| is(&l.vat_category, code))
            .collect();
        let allows: Vec<_> = inv
            .allowances_charges
            .iter()
            .filter(|a| !a.charge && is(&a.vat_category, code))
            .collect();
        let charges: Vec<_> = inv
            .allowances_charges
            .iter()
            .filter(|a| a.charge && is(&a.vat_category, code))
            .collect();
        let groups: Vec<_> = inv
            .vat_breakdown
            .iter()
            .filter(|g| is(&g.category, code))
            .collect();
        let used = !lines.is_empty() || !allows.is_empty() || !charges.is_empty();
        let r = |n: &str| format!("{p}-{n}");

        // x-01: a VAT breakdown group for the category.
        let ok01 = match code {
            // CII counts category codes across lines, allowances and the breakdown.
            "S" if !ctx.ubl() => {
                let g = groups.len();
                (lines.is_empty() || lines.len() + g >= 2)
                    && (allows.len() + charges.len() == 0 || allows.len() + charges.len() + g >= 2)
            }
            "S" => !used || !groups.is_empty(),
            "L" | "M" => used != groups.is_empty(),
            _ => !used || groups.len() == 1,
        };
        if !ok01 {
            out.fatal(&r("01"), root, &format!("Kategorie {code} wird verwendet, aber die Umsatzsteueraufschlüsselung (BG-23) dazu fehlt oder ist doppelt."), &format!("Category {code} is used but its VAT breakdown (BG-23) is missing or repeated."));
        }
        // x-02 … x-04: who must be identified.
        let ok_ids = match code {
            "S" | "Z" | "E" | "L" | "M" => ids.seller_any,
            "AE" => (ids.seller_any) && (ids.buyer_vat || ids.buyer_legal),
            "K" => ids.seller_vat && ids.buyer_vat,
            "G" => ids.seller_vat,
            "O" => !ids.seller_vat && !ids.buyer_vat,
            _ => true,
        };
        if !ok_ids {
            let (de, en) = match code {
                "O" => (
                    "darf keine USt-IdNr. von Verkäufer, Steuervertreter oder Käufer enthalten",
                    "must not carry a VAT identifier of the seller, tax representative or buyer",
                ),
                "AE" | "K" => (
                    "braucht die Kennungen von Verkäufer und Käufer",
                    "needs the seller's and the buyer's identifiers",
                ),
                _ => (
                    "braucht die USt-IdNr. oder Steuernummer des Verkäufers",
                    "needs the seller's VAT identifier or tax registration",
                ),
            };
            for (n, used) in [
                ("02", !lines.is_empty()),
                ("03", !allows.is_empty()),
                ("04", !charges.is_empty()),
            ] {
                if used {
                    out.fatal(
                        &r(n),
                        root,
                        &format!("Eine Rechnung mit Kategorie {code} {de}."),
                        &format!("An invoice with category {code} {en}."),
                    );
                }
            }
        }
        // x-05 … x-07: the rate per line / allowance / charge.
        let rate_ok = |rate: Option<Decimal>| match code {
            "S" => rate.is_some_and(|r| r > Decimal::ZERO),
            "O" => rate.is_none(),
            "L" | "M" => rate.is_some_and(|r| r >= Decimal::ZERO),
            _ => rate.is_some_and(|r| r.is_zero()),
        };
        let rate_msg = |out: &mut Out, n: &str| {
            out.fatal(
                &r(n),
                root,
                &format!("Der Steuersatz passt nicht zur Kategorie {code}."),
                &format!("The VAT rate does not fit category {code}."),
            );
        };
        for l in &lines {
            if !rate_ok(l.vat_rate) {
                rate_msg(out, "05");
            }
        }
        for a in &allows {
            if !rate_ok(a.vat_rate) {
                rate_msg(out, "06");
            }
        }
        for a in &charges {
            if !rate_ok(a.vat_rate) {
                rate_msg(out, "07");
            }
        }
        // x-08 … x-10 per breakdown group.
        for g in &groups {
            let same_rate = |rate: Option<Decimal>| code != "S" || rate == g.rate;
            if matches!(code, "L" | "M") && g.rate.is_none() {
                continue;
            }
            let l_sum: Decimal = lines
                .iter()
                .filter(|l| same_rate(l.vat_rate))
                .filter_map(|l| l.net_amount)
                .sum();
            let c_sum: Decimal = charges
                .iter()
                .filter(|a| same_rate(a.vat_rate))
                .filter_map(|a| a.amount)
                .sum();
            let a_sum: Decimal = allows
                .iter()
                .filter(|a| same_rate(a.vat_rate))
                .filter_map(|a| a.amount)
                .sum();
            let expect = if ctx.ubl() {
                l_sum + c_sum - a_sum
            } else {
                xround2(l_sum) + xround2(c_sum) - xround2(a_sum)
            };
            let ok08 = match g.taxable {
                _ if code == "S" && g.rate.is_none() => true,
                Some(t) if ctx.ubl() && code == "S" => {
                    let any = lines.iter().any(|l| same_rate(l.vat_rate))
                        || allows
                            .iter()
                            .chain(charges.iter())
                            .any(|a| same_rate(a.vat_rate));
                    any && t - Decimal::ONE < expect && t + Decimal::ONE > expect
                }
                Some(t) => t == expect,
                None => false,
            };
            if !ok08 {
                out.fatal(&r("08"), root, &format!("Nettobetrag der Kategorie {code} (BT-116): erwartet {expect}, angegeben {}.", crate::read::show(g.taxable)), &format!("Taxable amount of category {code} (BT-116): expected {expect}, found {}.", crate::read::show(g.taxable)));
            }
            let ok09 = match code {
                "S" => match (g.tax, g.taxable, g.rate) {
                    (Some(t), Some(b), Some(rt)) => {
                        let e = xround2(b.abs() * rt / Decimal::ONE_HUNDRED);
                        if ctx.ubl() {
                            t.abs() - Decimal::ONE < e && t.abs() + Decimal::ONE > e
                        } else {
                            t.abs() - Decimal::ONE <= e && t.abs() + Decimal::ONE >= e
                        }
                    }
                    _ => false,
                },
                "L" | "M" => true,
                _ => g.tax.is_some_and(|t| t.is_zero()),
            };
            if !ok09 {
                out.fatal(
                    &r("09"),
                    root,
                    &format!("Steuerbetrag der Kategorie {code} (BT-117) stimmt nicht."),
                    &format!("Tax amount of category {code} (BT-117) is wrong."),
                );
            }
            let has_reason = g.exemption_reason.is_some() || g.exemption_code.is_some();
            let ok10 = match code {
                "S" | "Z" => !has_reason,
                "L" | "M" => true,
                _ => has_reason,
            };
            if !ok10 {
                let (de, en) = if matches!(code, "S" | "Z") {
                    (
                        "darf keinen Befreiungsgrund (BT-120/121) haben",
                        "must not have an exemption reason (BT-120/121)",
                    )
                } else {
                    (
                        "braucht einen Befreiungsgrund (BT-120 oder BT-121)",
                        "needs an exemption reason (BT-120 or BT-121)",
                    )
                };
                out.fatal(
                    &r("10"),
                    root,
                    &format!("Kategorie {code} {de}."),
                    &format!("Category {code} {en}."),
                );
            }
            if code == "K" {
                if inv.delivery_date.is_none()
                    && inv.period_start.is_none()
                    && inv.period_end.is_none()
                {
                    out.fatal("BR-IC-11", root, "Innergemeinschaftliche Lieferung: Lieferdatum (BT-72) oder Rechnungszeitraum (BG-14) fehlt.", "Intra-community supply: actual delivery date (BT-72) or invoicing period (BG-14) missing.");
                }
                if inv
                    .delivery_address
                    .as_ref()
                    .and_then(|a| a.country.as_ref())
                    .is_none()
                {
                    out.fatal(
                        "BR-IC-12",
                        root,
                        "Innergemeinschaftliche Lieferung: Land der Lieferanschrift (BT-80) fehlt.",
                        "Intra-community supply: deliver-to country (BT-80) missing.",
                    );
                }
            }
        }
        if code == "O" && !groups.is_empty() {
            if inv.vat_breakdown.iter().any(|g| !is(&g.category, "O")) {
                out.fatal(
                    "BR-O-11",
                    root,
                    "Neben Kategorie O darf keine andere Umsatzsteueraufschlüsselung stehen.",
                    "No other VAT breakdown may accompany category O.",
                );
            }
            if inv
                .lines
                .iter()
                .any(|l| l.vat_category.is_some() && !is(&l.vat_category, "O"))
            {
                out.fatal(
                    "BR-O-12",
                    root,
                    "Bei Kategorie O müssen alle Positionen Kategorie O haben.",
                    "With category O every line must be category O.",
                );
            }
            if inv
                .allowances_charges
                .iter()
                .any(|a| !a.charge && a.vat_category.is_some() && !is(&a.vat_category, "O"))
            {
                out.fatal(
                    "BR-O-13",
                    root,
                    "Bei Kategorie O müssen alle Nachlässe Kategorie O haben.",
                    "With category O every allowance must be category O.",
                );
            }
            if inv
                .allowances_charges
                .iter()
                .any(|a| a.charge && a.vat_category.is_some() && !is(&a.vat_category, "O"))
            {
                out.fatal(
                    "BR-O-14",
                    root,
                    "Bei Kategorie O müssen alle Zuschläge Kategorie O haben.",
                    "With category O every charge must be category O.",
                );
            }
        }
    }
    let uses = |c: &str| {
        inv.lines.iter().any(|l| is(&l.vat_category, c))
            || inv
                .allowances_charges
                .iter()
                .any(|a| is(&a.vat_category, c))
            || inv.vat_breakdown.iter().any(|g| is(&g.category, c))
    };
    if uses("B") && uses("S") {
        out.fatal(
            "BR-B-02",
            root,
            "Split Payment (B) und Normalsatz (S) schließen sich aus.",
            "Split payment (B) and standard rate (S) are mutually exclusive.",
        );
    }
    let _ = xround0;
}
