//! Payment terms beyond the due date: Skonto (cash discount) steps, the payment
//! method (SEPA credit transfer or SEPA direct debit) and the exchange rate of an invoice in a
//! currency other than EUR.
//!
//! Decisions:
//! - A Skonto step is "paid within `days` days of the document date: `percent` % off". At most
//!   two steps; the base is the amount due (EN 16931 BT-115), so the XRechnung line
//!   `#SKONTO#TAGE=n#PROZENT=p#` needs no `BASISBETRAG`. Percent has at most 2 decimals (the
//!   XRechnung form allows no more), `0 < percent < 100`, `0 < days < due days`; a second step
//!   has more days and a smaller percentage than the first.
//! - The exchange rate is stated as **units of the document currency per 1 EUR** (the way the
//!   ECB reference rates and the monthly rates of the Federal Ministry of Finance for
//!   § 16 (6) UStG are published, e.g. `0.9412` for CHF). The VAT in EUR is the document's VAT
//!   divided by the rate, rounded to 2 decimals half away from zero.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::round2;
use crate::party::FieldProblem;

/// How the buyer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// SEPA credit transfer to the seller's IBAN (UNTDID 4461 code 58).
    #[default]
    Transfer,
    /// SEPA direct debit from the buyer's account under a mandate (code 59).
    DirectDebit,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 2] = [PaymentMethod::Transfer, PaymentMethod::DirectDebit];

    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Transfer => "transfer",
            PaymentMethod::DirectDebit => "direct_debit",
        }
    }

    pub fn parse(s: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// UNTDID 4461 payment means code (BT-81).
    pub fn code(self) -> &'static str {
        match self {
            PaymentMethod::Transfer => "58",
            PaymentMethod::DirectDebit => "59",
        }
    }
}

/// At most this many Skonto steps per document.
pub const MAX_SKONTO_STEPS: usize = 2;

/// "Paid within `days` days of the document date: `percent` % cash discount."
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkontoStep {
    pub days: i64,
    pub percent: Decimal,
}

impl SkontoStep {
    /// The last day of payment for this step.
    pub fn until(&self, date: NaiveDate) -> Option<NaiveDate> {
        u64::try_from(self.days)
            .ok()
            .and_then(|d| date.checked_add_days(Days::new(d)))
    }

    /// The discount on `base` (the amount due), rounded to cents.
    pub fn amount(&self, base: Decimal) -> Decimal {
        round2(base * self.percent / Decimal::ONE_HUNDRED)
    }

    /// The XRechnung form of this step in BT-20 (BR-DE-18), without the line break.
    pub fn xrechnung_line(&self) -> String {
        format!("#SKONTO#TAGE={}#PROZENT={:.2}#", self.days, self.percent)
    }
}

/// Checks the shape of Skonto steps (count, ranges, order), naming fields as
/// `{prefix}[i].days` / `{prefix}[i].percent`. The due date is checked at issue
/// ([`skonto_due_problems`]), when it is known.
pub fn skonto_problems(prefix: &str, steps: &[SkontoStep]) -> Vec<(String, String)> {
    let mut p = Vec::new();
    if steps.len() > MAX_SKONTO_STEPS {
        p.push((
            prefix.to_string(),
            format!("at most {MAX_SKONTO_STEPS} Skonto steps are possible"),
        ));
        return p;
    }
    for (i, s) in steps.iter().enumerate() {
        if !(1..=365).contains(&s.days) {
            p.push((
                format!("{prefix}[{i}].days"),
                "must be between 1 and 365 days".into(),
            ));
        }
        if s.percent <= Decimal::ZERO || s.percent >= Decimal::ONE_HUNDRED {
            p.push((
                format!("{prefix}[{i}].percent"),
                "must be greater than 0 and less than 100".into(),
            ));
        } else if s.percent.normalize().scale() > 2 {
            p.push((
                format!("{prefix}[{i}].percent"),
                "has more than 2 decimal places".into(),
            ));
        }
    }
    if let [a, b] = steps
        && (b.days <= a.days || b.percent >= a.percent)
    {
        p.push((
            format!("{prefix}[1]"),
            "the second step needs more days and a smaller percentage than the first".into(),
        ));
    }
    p
}

/// Skonto periods must end before the due date: `days < due_date − date`.
pub fn skonto_due_problems(
    steps: &[SkontoStep],
    date: NaiveDate,
    due_date: Option<NaiveDate>,
) -> Vec<FieldProblem> {
    let Some(due) = due_date else {
        return Vec::new();
    };
    let due_days = (due - date).num_days();
    steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.days >= due_days)
        .map(|(i, _)| {
            (
                SKONTO_DAYS_FIELDS[i.min(SKONTO_DAYS_FIELDS.len() - 1)],
                format!(
                    "the Skonto period must be shorter than the payment term ({due_days} days)"
                ),
            )
        })
        .collect()
}

const SKONTO_DAYS_FIELDS: [&str; MAX_SKONTO_STEPS] = ["skonto[0].days", "skonto[1].days"];

/// VAT converted to EUR with a rate in units of the document currency per 1 EUR.
pub fn to_eur(amount: Decimal, rate: Decimal) -> Option<Decimal> {
    if rate <= Decimal::ZERO {
        return None;
    }
    amount.checked_div(rate).map(round2)
}

/// Checks an exchange rate: positive, at most 6 decimals, at most 1,000,000.
pub fn exchange_rate_problem(rate: Decimal) -> Option<String> {
    if rate <= Decimal::ZERO {
        Some("must be greater than 0 (units of the document currency per 1 EUR)".into())
    } else if rate.normalize().scale() > 6 {
        Some("has more than 6 decimal places".into())
    } else if rate > Decimal::from(1_000_000) {
        Some("is too large".into())
    } else {
        None
    }
}

/// The SEPA creditor identifier's structure and ISO 7064 mod-97 check digits (e.g.
/// `DE98ZZZ09999999999`): country, 2 check digits, 3-character business code (not part of the
/// check), national identifier.
pub fn is_valid_creditor_id(raw: &str) -> bool {
    let s = crate::values::compact_code(raw);
    if !(8..=35).contains(&s.len())
        || !s.chars().all(|c| c.is_ascii_alphanumeric())
        || !s[..2].chars().all(|c| c.is_ascii_alphabetic())
        || !s[2..4].chars().all(|c| c.is_ascii_digit())
    {
        return false;
    }
    crate::values::mod97(&format!("{}{}", &s[7..], &s[..4])) == Some(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn skonto_lines_and_amounts() {
        let s = SkontoStep {
            days: 14,
            percent: dec!(2),
        };
        assert_eq!(s.xrechnung_line(), "#SKONTO#TAGE=14#PROZENT=2.00#");
        assert_eq!(s.amount(dec!(1190)), dec!(23.80));
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(s.until(d), NaiveDate::from_ymd_opt(2026, 12, 10));
    }

    #[test]
    fn skonto_checks_name_fields() {
        let bad = [
            SkontoStep {
                days: 0,
                percent: dec!(100),
            },
            SkontoStep {
                days: 10,
                percent: dec!(2.125),
            },
        ];
        let fields: Vec<String> = skonto_problems("skonto", &bad)
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(
            fields,
            vec!["skonto[0].days", "skonto[0].percent", "skonto[1].percent"]
        );
        let unordered = [
            SkontoStep {
                days: 14,
                percent: dec!(2),
            },
            SkontoStep {
                days: 7,
                percent: dec!(3),
            },
        ];
        assert_eq!(skonto_problems("skonto", &unordered)[0].0, "skonto[1]");
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let due = d.checked_add_days(Days::new(14));
        assert_eq!(
            skonto_due_problems(&unordered[..1], d, due)[0].0,
            "skonto[0].days"
        );
        assert!(skonto_due_problems(&unordered[1..], d, due).is_empty());
    }

    #[test]
    fn exchange_rates_and_creditor_ids() {
        assert_eq!(to_eur(dec!(189.05), dec!(0.9412)), Some(dec!(200.86)));
        assert_eq!(to_eur(dec!(1), dec!(0)), None);
        assert!(exchange_rate_problem(dec!(0)).is_some());
        assert!(exchange_rate_problem(dec!(1.1234567)).is_some());
        assert!(exchange_rate_problem(dec!(1.0823)).is_none());
        assert!(is_valid_creditor_id("DE98ZZZ09999999999"));
        assert!(is_valid_creditor_id("de98 zzz 09999999999"));
        assert!(!is_valid_creditor_id("DE99ZZZ09999999999"));
        assert!(!is_valid_creditor_id("DE98"));
    }
}
