//! How decimals appear in responses: money with 2 decimals, prices with at least 2, others normalized.

use kontor_domain::money::fmt2;
use rust_decimal::Decimal;

/// An amount of money: exactly two decimals ("85.00").
pub fn money(value: Decimal) -> String {
    fmt2(value)
}

/// A unit price: at least two decimals, up to the four a price may have ("19.99", "0.1234").
pub fn price(value: Decimal) -> String {
    let value = value.normalize();
    if value.scale() < 2 {
        format!("{value:.2}")
    } else {
        value.to_string()
    }
}

/// A quantity, rate or percentage without trailing zeros ("2.5", "19").
pub fn plain(value: Decimal) -> String {
    value.normalize().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn formats() {
        let d = |s| Decimal::from_str(s).unwrap_or_default();
        assert_eq!(money(d("85")), "85.00");
        assert_eq!(price(d("85")), "85.00");
        assert_eq!(price(d("0.1234")), "0.1234");
        assert_eq!(price(d("19.990")), "19.99");
        assert_eq!(plain(d("19.00")), "19");
        assert_eq!(plain(d("2.50")), "2.5");
    }
}
