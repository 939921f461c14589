//! Kontor's own arithmetic re-check with exact decimals, for deviations the official rules
//! let pass (they tolerate up to 1.00 in BR-CO-17 / BR-S-08 / BR-S-09, and check the line
//! net amount only as a Peppol warning): `KONTOR-CALC-…` warnings with expected and found
//! amounts. Rounding is commercial: two decimals, half away from zero.

use super::{Ctx, Out};
use crate::model::Line;
use rust_decimal::{Decimal, RoundingStrategy};

/// Two decimals, half away from zero.
pub fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The line net amount the line's own figures give: quantity × net price / base quantity,
/// plus line charges, minus line allowances, rounded to two decimals.
pub fn line_net(l: &Line) -> Option<Decimal> {
    let qty = l.quantity?;
    let price = l.net_price?;
    let base = l
        .base_quantity
        .filter(|b| !b.is_zero())
        .unwrap_or(Decimal::ONE);
    let mut net = qty.checked_mul(price)?.checked_div(base)?;
    for a in &l.allowances_charges {
        let amount = a.amount.unwrap_or_default();
        net = if a.charge { net + amount } else { net - amount };
    }
    Some(round2(net))
}

fn warn(out: &mut Out, rule: &str, loc: &str, de: String, en: String) {
    out.warning(rule, loc, &de, &en);
}

pub fn check(ctx: &Ctx<'_>, out: &mut Out) {
    let inv = ctx.inv;
    let loc = ctx.root_path();
    for (i, l) in inv.lines.iter().enumerate() {
        if let (Some(expect), Some(found)) = (line_net(l), l.net_amount)
            && expect != found
        {
            warn(
                out,
                "KONTOR-CALC-LINE",
                loc,
                format!(
                    "Position {}: Nettobetrag nachgerechnet {expect} (Menge × Preis / Basismenge ± Nachlässe/Zuschläge), angegeben {found}.",
                    i + 1
                ),
                format!(
                    "Line {}: net amount recomputed {expect} (quantity × price / base quantity ± allowances/charges), found {found}.",
                    i + 1
                ),
            );
        }
    }
    for g in &inv.vat_breakdown {
        let cat = g.category.as_deref().unwrap_or("?");
        if let (Some(base), Some(rate), Some(tax)) = (g.taxable, g.rate, g.tax)
            && let Some(e) = base
                .checked_mul(rate)
                .map(|x| round2(x / Decimal::ONE_HUNDRED))
            && e != tax
        {
            warn(
                out,
                "KONTOR-CALC-VAT",
                loc,
                format!(
                    "Umsatzsteuer der Kategorie {cat} {rate} %: nachgerechnet {e}, angegeben {tax}."
                ),
                format!("VAT of category {cat} {rate} %: recomputed {e}, found {tax}."),
            );
        }
        if let Some(found) = g.taxable {
            let same = |c: &Option<String>, r: &Option<Decimal>| {
                c.as_deref() == g.category.as_deref() && *r == g.rate
            };
            let lines: Decimal = inv
                .lines
                .iter()
                .filter(|l| same(&l.vat_category, &l.vat_rate))
                .filter_map(|l| l.net_amount)
                .sum();
            let acs: Decimal = inv
                .allowances_charges
                .iter()
                .filter(|a| same(&a.vat_category, &a.vat_rate))
                .map(|a| {
                    if a.charge {
                        a.amount.unwrap_or_default()
                    } else {
                        -a.amount.unwrap_or_default()
                    }
                })
                .sum();
            let e = round2(lines + acs);
            if e != found {
                warn(
                    out,
                    "KONTOR-CALC-TAXABLE",
                    loc,
                    format!(
                        "Nettobetrag der Kategorie {cat} {}: nachgerechnet {e}, angegeben {found}.",
                        crate::read::show(g.rate)
                    ),
                    format!(
                        "Taxable amount of category {cat} {}: recomputed {e}, found {found}.",
                        crate::read::show(g.rate)
                    ),
                );
            }
        }
    }
    let t = &inv.totals;
    if let (Some(net), Some(gross)) = (t.net, t.gross) {
        let vat: Decimal = inv.vat_breakdown.iter().filter_map(|g| g.tax).sum();
        let e = round2(net + vat);
        if e != gross {
            warn(
                out,
                "KONTOR-CALC-GROSS",
                loc,
                format!(
                    "Gesamtbetrag mit USt: nachgerechnet {e} (netto + Summe der Steuerbeträge), angegeben {gross}."
                ),
                format!(
                    "Total with VAT: recomputed {e} (net + sum of VAT amounts), found {gross}."
                ),
            );
        }
    }
    for s in &inv.skonto {
        if s.percent > Decimal::ONE_HUNDRED {
            warn(
                out,
                "KONTOR-CALC-SKONTO",
                loc,
                format!("Skonto {} % über 100 %.", s.percent),
                format!("Skonto {} % above 100 %.", s.percent),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(round2(Decimal::new(12345, 3)), Decimal::new(1235, 2));
        assert_eq!(round2(Decimal::new(-12345, 3)), Decimal::new(-1235, 2));
    }
}
