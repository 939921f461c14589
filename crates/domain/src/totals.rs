//! Document totals exactly as EN 16931 computes them: line nets rounded to 2 decimals,
//! document allowances per VAT group, VAT per group on the summed base.

use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

use crate::document::{DocumentContent, Line};
use crate::down_payment::{self, DeductedDownPayment};
use crate::money::round2;
use crate::tax::{TaxMode, VatCategory};

/// One VAT breakdown group (EN 16931 BG-23).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VatGroup {
    pub category: VatCategory,
    pub rate: Decimal,
    /// Sum of the line nets in this group (before document allowances).
    pub line_total: Decimal,
    /// Document-level allowance attributed to this group.
    pub allowance: Decimal,
    /// Taxable amount BT-116 = line_total − allowance.
    pub taxable: Decimal,
    /// VAT amount BT-117 = taxable × rate / 100, rounded.
    pub vat: Decimal,
}

/// The totals of a document (EN 16931 BG-22).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Totals {
    /// BT-106: sum of line nets.
    pub line_total: Decimal,
    /// BT-107: sum of document-level allowances.
    pub allowance_total: Decimal,
    /// BT-109: total without VAT.
    pub net: Decimal,
    /// BT-110: total VAT.
    pub vat: Decimal,
    /// BT-112: total with VAT.
    pub gross: Decimal,
    /// On a final invoice: the gross sum of the down-payment invoices it deducts, each with
    /// its net amount and VAT (§ 14 Abs. 5 UStG, see [`crate::down_payment`]).
    pub down_payments: Decimal,
    /// Paid in advance without a down-payment invoice.
    pub prepaid: Decimal,
    /// BT-115: amount due for payment = gross − down payments − prepaid.
    pub due: Decimal,
    pub vat_breakdown: Vec<VatGroup>,
}

/// The pieces of one line's net amount (BT-131).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineAmounts {
    /// quantity × unit price, rounded to 2 decimals.
    pub gross: Decimal,
    /// Line allowance from the line discount, rounded to 2 decimals.
    pub allowance: Decimal,
    /// BT-131 = gross − allowance.
    pub net: Decimal,
}

/// Computes the net amount of one line.
pub fn line_amounts(line: &Line) -> LineAmounts {
    let gross = round2(line.quantity * line.unit_price);
    let allowance = round2(gross * line.discount_percent / Decimal::ONE_HUNDRED);
    LineAmounts {
        gross,
        allowance,
        net: gross - allowance,
    }
}

/// Computes the totals of a document, its deducted down payments included.
pub fn compute(doc: &DocumentContent) -> Totals {
    compute_parts(
        doc.tax_mode,
        &doc.lines,
        doc.discount_percent,
        doc.prepaid_amount,
    )
    .deducting(&doc.down_payments)
}

impl Totals {
    /// These totals with the down payments of a final invoice deducted from the amount due.
    pub fn deducting(mut self, deductions: &[DeductedDownPayment]) -> Totals {
        let sum = down_payment::gross_total(deductions);
        self.down_payments += sum;
        self.due -= sum;
        self
    }

    /// BT-113: everything paid in advance, down payments and other prepayments.
    pub fn paid_in_advance(&self) -> Decimal {
        self.down_payments + self.prepaid
    }
}

/// Computes totals from the parts that matter; see [`compute`].
pub fn compute_parts(
    tax_mode: TaxMode,
    lines: &[Line],
    discount_percent: Decimal,
    prepaid: Decimal,
) -> Totals {
    let mut groups: BTreeMap<(VatCategory, Decimal), Decimal> = BTreeMap::new();
    for line in lines.iter().filter(|l| l.counts()) {
        let rate = tax_mode.effective_rate(line.vat_rate.percent()).normalize();
        let key = (tax_mode.category(rate), rate);
        *groups.entry(key).or_default() += line_amounts(line).net;
    }
    let mut vat_breakdown = Vec::with_capacity(groups.len());
    for ((category, rate), line_total) in groups {
        let allowance = round2(line_total * discount_percent / Decimal::ONE_HUNDRED);
        let taxable = line_total - allowance;
        let vat = round2(taxable * rate / Decimal::ONE_HUNDRED);
        vat_breakdown.push(VatGroup {
            category,
            rate,
            line_total,
            allowance,
            taxable,
            vat,
        });
    }
    // Highest rate first, as invoices usually list them.
    vat_breakdown.sort_by(|a, b| b.rate.cmp(&a.rate).then(a.category.cmp(&b.category)));
    let line_total: Decimal = vat_breakdown.iter().map(|g| g.line_total).sum();
    let allowance_total: Decimal = vat_breakdown.iter().map(|g| g.allowance).sum();
    let vat: Decimal = vat_breakdown.iter().map(|g| g.vat).sum();
    let net = line_total - allowance_total;
    let gross = net + vat;
    let prepaid = round2(prepaid);
    Totals {
        line_total,
        allowance_total,
        net,
        vat,
        gross,
        down_payments: Decimal::ZERO,
        prepaid,
        due: gross - prepaid,
        vat_breakdown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::LineKind;
    use proptest::prelude::*;
    use rust_decimal_macros::dec;

    fn item(qty: Decimal, price: Decimal, rate: Decimal, discount: Decimal) -> Line {
        Line {
            kind: LineKind::Item,
            article_id: None,
            description: "x".into(),
            quantity: qty,
            unit: crate::UnitCode::PIECE,
            unit_price: price,
            vat_rate: crate::VatRate::new(rate).unwrap(),
            discount_percent: discount,
        }
    }

    #[test]
    fn rules_vector_two_rates() {
        // RULES.md R3.4: 3 × 19.99 @ 19 % + 4.99 @ 7 % → VAT 11.39 + 0.35, total 76.70.
        let lines = [
            item(dec!(3), dec!(19.99), dec!(19), dec!(0)),
            item(dec!(1), dec!(4.99), dec!(7), dec!(0)),
        ];
        let t = compute_parts(TaxMode::Standard, &lines, dec!(0), dec!(0));
        assert_eq!(t.vat_breakdown.len(), 2);
        assert_eq!(t.vat_breakdown[0].vat, dec!(11.39));
        assert_eq!(t.vat_breakdown[1].vat, dec!(0.35));
        assert_eq!(t.net, dec!(64.96));
        assert_eq!(t.gross, dec!(76.70));
        assert_eq!(t.due, dec!(76.70));
    }

    #[test]
    fn rules_vector_vat_on_sum_not_per_line() {
        // RULES.md R3.4: 10 × 0.10 @ 19 % → VAT 0.19, not 0.20.
        let lines: Vec<Line> = (0..10)
            .map(|_| item(dec!(1), dec!(0.10), dec!(19), dec!(0)))
            .collect();
        let t = compute_parts(TaxMode::Standard, &lines, dec!(0), dec!(0));
        assert_eq!(t.vat, dec!(0.19));
        assert_eq!(t.gross, dec!(1.19));
    }

    #[test]
    fn discounts_optional_lines_and_prepaid() {
        let mut optional = item(dec!(5), dec!(100), dec!(19), dec!(0));
        optional.kind = LineKind::Optional;
        let mut text = item(dec!(0), dec!(0), dec!(19), dec!(0));
        text.kind = LineKind::Text;
        let lines = [
            item(dec!(2.5), dec!(85.1234), dec!(19), dec!(10)),
            item(dec!(1), dec!(50), dec!(7), dec!(0)),
            optional,
            text,
        ];
        let t = compute_parts(TaxMode::Standard, &lines, dec!(5), dec!(20));
        // 2.5 × 85.1234 = 212.8085 → 212.81; −10 % = 21.28 → 191.53
        assert_eq!(t.vat_breakdown[0].line_total, dec!(191.53));
        // 5 % document allowance per group: 9.58 and 2.50
        assert_eq!(t.vat_breakdown[0].allowance, dec!(9.58));
        assert_eq!(t.vat_breakdown[1].allowance, dec!(2.50));
        assert_eq!(t.line_total, dec!(241.53));
        assert_eq!(t.allowance_total, dec!(12.08));
        assert_eq!(t.net, dec!(229.45));
        // 181.95 × 19 % = 34.5705 → 34.57; 47.50 × 7 % = 3.325 → 3.33
        assert_eq!(t.vat, dec!(37.90));
        assert_eq!(t.gross, dec!(267.35));
        assert_eq!(t.prepaid, dec!(20));
        assert_eq!(t.due, dec!(247.35));
    }

    #[test]
    fn exempt_modes_charge_no_vat() {
        let lines = [
            item(dec!(1), dec!(100), dec!(19), dec!(0)),
            item(dec!(1), dec!(10), dec!(7), dec!(0)),
        ];
        for mode in [
            TaxMode::SmallBusiness,
            TaxMode::ReverseCharge,
            TaxMode::IntraEu,
            TaxMode::Export,
        ] {
            let t = compute_parts(mode, &lines, dec!(0), dec!(0));
            assert_eq!(t.vat, dec!(0));
            assert_eq!(t.gross, dec!(110));
            assert_eq!(
                t.vat_breakdown.len(),
                1,
                "{mode:?} collapses into one group"
            );
            assert_eq!(t.vat_breakdown[0].category, mode.category(dec!(0)));
        }
    }

    fn arb_line() -> impl Strategy<Value = Line> {
        (
            0i64..100_000,
            0i64..10_000_000,
            prop::sample::select(vec![0i64, 7, 19]),
            0i64..=100,
        )
            .prop_map(|(q, p, r, d)| {
                item(
                    Decimal::new(q, 3),
                    Decimal::new(p, 4),
                    Decimal::from(r),
                    Decimal::from(d),
                )
            })
    }

    proptest! {
        #[test]
        fn totals_never_drift_from_their_parts(
            lines in prop::collection::vec(arb_line(), 0..40),
            discount in 0i64..=100,
            prepaid in 0i64..100_000,
        ) {
            let t = compute_parts(TaxMode::Standard, &lines, Decimal::from(discount), Decimal::new(prepaid, 2));
            let line_sum: Decimal = lines.iter().map(|l| line_amounts(l).net).sum();
            prop_assert_eq!(t.line_total, line_sum);
            prop_assert_eq!(t.net, t.line_total - t.allowance_total);
            prop_assert_eq!(t.vat, t.vat_breakdown.iter().map(|g| g.vat).sum::<Decimal>());
            prop_assert_eq!(t.gross, t.net + t.vat);
            prop_assert_eq!(t.due, t.gross - t.prepaid);
            for g in &t.vat_breakdown {
                prop_assert_eq!(g.taxable, g.line_total - g.allowance);
                prop_assert_eq!(g.vat, round2(g.taxable * g.rate / Decimal::ONE_HUNDRED));
                prop_assert!(g.vat.scale() <= 2 && g.taxable.scale() <= 2);
            }
            prop_assert!(t.gross.scale() <= 2);
        }
    }
}
