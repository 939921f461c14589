//! The down payments a final invoice deducts (§ 14 Abs. 5 Satz 2 UStG).
//!
//! A down-payment invoice states its VAT. The final invoice states the VAT of the whole
//! supply, so it must deduct each down-payment invoice with its net amount and its VAT per
//! rate; deducting only one gross figure leaves the down payment's VAT stated twice, and the
//! seller owes it twice (§ 14c UStG).
//!
//! Every issued, not cancelled down-payment invoice of the order is deducted, paid or not:
//! its VAT was invoiced either way. One that is still (partly) unpaid stays a claim of its
//! own; the final invoice says so, and its amount due covers only the rest.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::issued::DocumentNumber;
use crate::tax::VatCategory;
use crate::totals::Totals;

/// The net amount and VAT of one VAT group of a deducted down payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductedVat {
    pub category: VatCategory,
    pub rate: Decimal,
    pub net: Decimal,
    pub vat: Decimal,
}

impl DeductedVat {
    pub fn gross(&self) -> Decimal {
        self.net + self.vat
    }
}

/// One down-payment invoice as a final invoice deducts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeductedDownPayment {
    pub number: DocumentNumber,
    pub date: NaiveDate,
    /// Net and VAT per VAT group, as the down-payment invoice stated them, highest rate first.
    pub groups: Vec<DeductedVat>,
    /// What was still unpaid on the down-payment invoice when the final invoice was made:
    /// deducted all the same, but still to be paid on that invoice.
    pub open: Decimal,
}

impl DeductedDownPayment {
    /// The deduction of an issued down-payment invoice with these totals, of which `paid`
    /// has been paid.
    pub fn of_invoice(
        number: DocumentNumber,
        date: NaiveDate,
        totals: &Totals,
        paid: Decimal,
    ) -> DeductedDownPayment {
        DeductedDownPayment {
            number,
            date,
            groups: totals
                .vat_breakdown
                .iter()
                .map(|g| DeductedVat {
                    category: g.category,
                    rate: g.rate,
                    net: g.taxable,
                    vat: g.vat,
                })
                .collect(),
            open: (totals.due - paid).max(Decimal::ZERO),
        }
    }

    pub fn net(&self) -> Decimal {
        self.groups.iter().map(|g| g.net).sum()
    }

    pub fn vat(&self) -> Decimal {
        self.groups.iter().map(|g| g.vat).sum()
    }

    pub fn gross(&self) -> Decimal {
        self.net() + self.vat()
    }

    /// Whether the down-payment invoice was paid in full when the final invoice was made.
    pub fn is_paid(&self) -> bool {
        self.open <= Decimal::ZERO
    }
}

/// The gross sum of the deductions.
pub fn gross_total(deductions: &[DeductedDownPayment]) -> Decimal {
    deductions.iter().map(DeductedDownPayment::gross).sum()
}

/// The deductions summed per VAT group (category and rate), highest rate first.
pub fn per_group(deductions: &[DeductedDownPayment]) -> Vec<DeductedVat> {
    let mut sums: BTreeMap<(VatCategory, Decimal), (Decimal, Decimal)> = BTreeMap::new();
    for g in deductions.iter().flat_map(|d| &d.groups) {
        let sum = sums.entry((g.category, g.rate.normalize())).or_default();
        sum.0 += g.net;
        sum.1 += g.vat;
    }
    let mut out: Vec<DeductedVat> = sums
        .into_iter()
        .map(|((category, rate), (net, vat))| DeductedVat {
            category,
            rate,
            net,
            vat,
        })
        .collect();
    out.sort_by(|a, b| b.rate.cmp(&a.rate).then(a.category.cmp(&b.category)));
    out
}

/// What remains of the final invoice per VAT group once the down payments are deducted: the
/// group's taxable amount and VAT less the deducted net and VAT of the same category and rate.
/// Groups only the down payments had (the final invoice has none of that rate) come out
/// negative.
pub fn remaining(totals: &Totals, deductions: &[DeductedDownPayment]) -> Vec<DeductedVat> {
    let mut rest: Vec<DeductedVat> = totals
        .vat_breakdown
        .iter()
        .map(|g| DeductedVat {
            category: g.category,
            rate: g.rate,
            net: g.taxable,
            vat: g.vat,
        })
        .collect();
    for d in per_group(deductions) {
        match rest
            .iter_mut()
            .find(|r| r.category == d.category && r.rate.normalize() == d.rate)
        {
            Some(r) => {
                r.net -= d.net;
                r.vat -= d.vat;
            }
            None => rest.push(DeductedVat {
                net: -d.net,
                vat: -d.vat,
                ..d
            }),
        }
    }
    rest.sort_by(|a, b| b.rate.cmp(&a.rate).then(a.category.cmp(&b.category)));
    rest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::{DocumentContent, DocumentType, Line, LineKind};
    use crate::tax::TaxMode;
    use crate::totals::{compute, compute_parts};
    use crate::validation::{IssueContext, issue_problems};
    use crate::values::{CurrencyCode, UnitCode, VatRate};
    use rust_decimal_macros::dec;

    fn item(qty: Decimal, price: Decimal, rate: Decimal) -> Line {
        Line {
            kind: LineKind::Item,
            article_id: None,
            description: "x".into(),
            quantity: qty,
            unit: UnitCode::PIECE,
            unit_price: price,
            vat_rate: VatRate::new(rate).unwrap(),
            discount_percent: dec!(0),
        }
    }

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    /// A down-payment invoice of `lines`, of which `paid` was paid.
    fn down_payment(number: &str, d: u32, lines: &[Line], paid: Decimal) -> DeductedDownPayment {
        let t = compute_parts(TaxMode::Standard, lines, dec!(0), dec!(0));
        DeductedDownPayment::of_invoice(DocumentNumber::parse(number).unwrap(), date(d), &t, paid)
    }

    fn final_invoice(deductions: Vec<DeductedDownPayment>) -> DocumentContent {
        DocumentContent {
            doc_type: DocumentType::Invoice,
            tax_mode: TaxMode::Standard,
            currency: CurrencyCode::EUR,
            date: date(31),
            delivery_date: Some(date(31)),
            due_date: Some(date(31)),
            discount_percent: dec!(0),
            prepaid_amount: dec!(0),
            // 10,000.00 net at 19 % and 2,000.00 net at 7 %.
            lines: vec![
                item(dec!(100), dec!(100), dec!(19)),
                item(dec!(40), dec!(50), dec!(7)),
            ],
            down_payments: deductions,
            skonto: Vec::new(),
            payment_method: Default::default(),
            exchange_rate: None,
        }
    }

    #[test]
    fn a_down_payment_keeps_net_and_vat_per_rate() {
        let dp = down_payment(
            "AR-1",
            1,
            &[
                item(dec!(1), dec!(3000), dec!(19)),
                item(dec!(1), dec!(500), dec!(7)),
            ],
            dec!(0),
        );
        assert_eq!(dp.groups.len(), 2);
        assert_eq!(
            (dp.groups[0].rate, dp.groups[0].net, dp.groups[0].vat),
            (dec!(19), dec!(3000), dec!(570))
        );
        assert_eq!(
            (dp.groups[1].rate, dp.groups[1].net, dp.groups[1].vat),
            (dec!(7), dec!(500), dec!(35))
        );
        assert_eq!(dp.net(), dec!(3500));
        assert_eq!(dp.vat(), dec!(605));
        assert_eq!(dp.gross(), dec!(4105));
        assert_eq!(dp.open, dec!(4105));
        assert!(!dp.is_paid());
        let paid = down_payment("AR-2", 2, &[item(dec!(1), dec!(100), dec!(19))], dec!(119));
        assert!(paid.is_paid());
        assert_eq!(paid.open, dec!(0));
    }

    #[test]
    fn the_final_invoice_deducts_each_down_payment_with_its_vat() {
        // AR-1: 3,000.00 at 19 % (paid); AR-2: 1,000.00 at 19 % and 500.00 at 7 % (unpaid).
        let ar1 = down_payment(
            "AR-1",
            1,
            &[item(dec!(1), dec!(3000), dec!(19))],
            dec!(3570),
        );
        let ar2 = down_payment(
            "AR-2",
            2,
            &[
                item(dec!(1), dec!(1000), dec!(19)),
                item(dec!(1), dec!(500), dec!(7)),
            ],
            dec!(0),
        );
        let doc = final_invoice(vec![ar1.clone(), ar2.clone()]);
        let t = compute(&doc);
        // The invoice states the whole supply: 12,000.00 net, 1,900.00 + 140.00 VAT.
        assert_eq!(t.net, dec!(12000));
        assert_eq!(t.vat, dec!(2040));
        assert_eq!(t.gross, dec!(14040));
        // Deducted: 3,570.00 + (1,190.00 + 535.00), paid or not.
        assert_eq!(t.down_payments, dec!(5295));
        assert_eq!(t.due, dec!(8745));
        assert_eq!(t.paid_in_advance(), dec!(5295));
        assert_eq!(gross_total(&doc.down_payments), dec!(5295));

        let sums = per_group(&doc.down_payments);
        assert_eq!(sums.len(), 2);
        assert_eq!(
            (sums[0].rate, sums[0].net, sums[0].vat),
            (dec!(19), dec!(4000), dec!(760))
        );
        assert_eq!(
            (sums[1].rate, sums[1].net, sums[1].vat),
            (dec!(7), dec!(500), dec!(35))
        );

        // What the final invoice adds per rate: 6,000.00 + 1,140.00 VAT, 1,500.00 + 105.00 VAT.
        let rest = remaining(&t, &doc.down_payments);
        assert_eq!(
            (rest[0].rate, rest[0].net, rest[0].vat),
            (dec!(19), dec!(6000), dec!(1140))
        );
        assert_eq!(
            (rest[1].rate, rest[1].net, rest[1].vat),
            (dec!(7), dec!(1500), dec!(105))
        );
        let rest_gross: Decimal = rest.iter().map(DeductedVat::gross).sum();
        assert_eq!(rest_gross, t.due);

        // Without deductions nothing changes.
        let plain = compute(&final_invoice(Vec::new()));
        assert_eq!(plain.down_payments, dec!(0));
        assert_eq!(plain.due, dec!(14040));
    }

    #[test]
    fn other_prepayments_add_to_the_deduction() {
        let ar1 = down_payment(
            "AR-1",
            1,
            &[item(dec!(1), dec!(1000), dec!(19))],
            dec!(1190),
        );
        let mut doc = final_invoice(vec![ar1]);
        doc.prepaid_amount = dec!(100);
        let t = compute(&doc);
        assert_eq!(t.prepaid, dec!(100));
        assert_eq!(t.down_payments, dec!(1190));
        assert_eq!(t.paid_in_advance(), dec!(1290));
        assert_eq!(t.due, dec!(14040) - dec!(1290));
    }

    #[test]
    fn a_rate_only_the_down_payment_had_remains_negative() {
        let ar1 = down_payment("AR-1", 1, &[item(dec!(1), dec!(100), dec!(0))], dec!(0));
        let doc = final_invoice(vec![ar1]);
        let rest = remaining(&compute(&doc), &doc.down_payments);
        assert_eq!(rest.len(), 3);
        assert_eq!(
            (rest[2].rate, rest[2].net, rest[2].vat),
            (dec!(0), dec!(-100), dec!(0))
        );
    }

    #[test]
    fn down_payments_above_the_total_stop_issuing() {
        let too_much = down_payment("AR-1", 1, &[item(dec!(1), dec!(20000), dec!(19))], dec!(0));
        let doc = final_invoice(vec![too_much]);
        let t = compute(&doc);
        assert!(t.due < Decimal::ZERO);
        let company = crate::validation::tests::company();
        let buyer = crate::validation::tests::buyer();
        let problems = issue_problems(&IssueContext {
            content: &doc,
            company: &company,
            buyer: &buyer,
            corrected_number: None,
            gross: t.gross,
            due: t.due,
        });
        assert!(
            problems
                .iter()
                .any(|p| p.field == "down_payments" && p.code == "negative_due"),
            "{problems:?}"
        );
    }

    #[test]
    fn deductions_survive_a_round_trip_and_old_rows_read_without_them() {
        let ar1 = down_payment("AR-1", 1, &[item(dec!(1), dec!(1000), dec!(19))], dec!(0));
        let doc = final_invoice(vec![ar1]);
        let json = serde_json::to_string(&doc).unwrap();
        let back: DocumentContent = serde_json::from_str(&json).unwrap();
        assert_eq!(back, doc);
        let mut old = serde_json::to_value(&doc).unwrap();
        old.as_object_mut().unwrap().remove("down_payments");
        let back: DocumentContent = serde_json::from_value(old).unwrap();
        assert!(back.down_payments.is_empty());
    }
}
