//! Payment status of a receivable document.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Whether an issued invoice is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Open,
    PartiallyPaid,
    Paid,
    Overdue,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Open => "open",
            PaymentStatus::PartiallyPaid => "partially_paid",
            PaymentStatus::Paid => "paid",
            PaymentStatus::Overdue => "overdue",
        }
    }
}

/// The status from the amount due, the sum paid so far, the due date and today.
/// Overdue wins over partially paid: a reminder is what the bookkeeper needs to see.
pub fn status(
    due: Decimal,
    paid: Decimal,
    due_date: Option<NaiveDate>,
    today: NaiveDate,
) -> PaymentStatus {
    if paid >= due {
        PaymentStatus::Paid
    } else if due_date.is_some_and(|d| d < today) {
        PaymentStatus::Overdue
    } else if paid > Decimal::ZERO {
        PaymentStatus::PartiallyPaid
    } else {
        PaymentStatus::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn statuses() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let today = d("2026-11-26");
        assert_eq!(
            status(dec!(100), dec!(0), Some(d("2026-12-01")), today),
            PaymentStatus::Open
        );
        assert_eq!(
            status(dec!(100), dec!(40), Some(d("2026-12-01")), today),
            PaymentStatus::PartiallyPaid
        );
        assert_eq!(
            status(dec!(100), dec!(100), Some(d("2026-11-01")), today),
            PaymentStatus::Paid
        );
        assert_eq!(
            status(dec!(100), dec!(40), Some(d("2026-11-25")), today),
            PaymentStatus::Overdue
        );
        assert_eq!(
            status(dec!(100), dec!(0), Some(d("2026-11-26")), today),
            PaymentStatus::Open
        );
    }
}
