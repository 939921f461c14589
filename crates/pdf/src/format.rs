//! Numbers, amounts and dates as a German or English reader expects them.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// Groups the integer part and uses the language's separators: "1.234,56" / "1,234.56".
pub fn number(value: Decimal, decimals: u32, en: bool) -> String {
    let rounded = value.round_dp_with_strategy(
        decimals,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.*}", decimals as usize, rounded.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let (group, point) = if en { (',', '.') } else { ('.', ',') };
    let mut out = String::with_capacity(text.len() + 4);
    if negative {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// An amount with its currency: "1.234,56 €" (German), "€1,234.56" (English), "1.234,56 CHF".
pub fn money(value: Decimal, currency: &str, en: bool) -> String {
    with_currency(number(value, 2, en), currency, en)
}

/// A unit price with every significant decimal it has, at least 2 and at most 4 (the precision
/// prices are kept in): "0,1234 €", "0,335 €", "12,50 €".
pub fn unit_price(value: Decimal, currency: &str, en: bool) -> String {
    let decimals = value.normalize().scale().clamp(2, 4);
    with_currency(number(value, decimals, en), currency, en)
}

fn with_currency(n: String, currency: &str, en: bool) -> String {
    match (currency, en) {
        ("EUR", false) => format!("{n} €"),
        ("EUR", true) => match n.strip_prefix('-') {
            Some(abs) => format!("-€{abs}"),
            None => format!("€{n}"),
        },
        (c, _) => format!("{n} {c}"),
    }
}

/// A quantity without needless zeros: "3", "1,5", "0,25".
pub fn quantity(value: Decimal, en: bool) -> String {
    let v = value.normalize();
    number(v, v.scale(), en)
}

/// A VAT rate: "19 %" (German typography) or "19%".
pub fn percent(value: Decimal, en: bool) -> String {
    let v = value.normalize();
    let n = number(v, v.scale(), en);
    if en {
        format!("{n}%")
    } else {
        format!("{n} %")
    }
}

/// "26.11.2026" or "26 November 2026".
pub fn date(d: NaiveDate, en: bool) -> String {
    if en {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
    } else {
        d.format("%d.%m.%Y").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn german_and_english_numbers() {
        assert_eq!(money(dec!(1234.56), "EUR", false), "1.234,56 €");
        assert_eq!(money(dec!(1234567.5), "EUR", true), "€1,234,567.50");
        assert_eq!(money(dec!(-19), "EUR", false), "-19,00 €");
        assert_eq!(money(dec!(-0.004), "EUR", false), "0,00 €");
        assert_eq!(money(dec!(100), "CHF", false), "100,00 CHF");
        assert_eq!(unit_price(dec!(0.1234), "EUR", false), "0,1234 €");
        assert_eq!(unit_price(dec!(0.335), "EUR", true), "€0.335");
        assert_eq!(unit_price(dec!(12.5000), "EUR", false), "12,50 €");
        assert_eq!(unit_price(dec!(1000), "CHF", false), "1.000,00 CHF");
        assert_eq!(quantity(dec!(1.500), false), "1,5");
        assert_eq!(quantity(dec!(1000), false), "1.000");
        assert_eq!(percent(dec!(19.00), false), "19 %");
        assert_eq!(percent(dec!(7), true), "7%");
        let d = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        assert_eq!(date(d, false), "26.11.2026");
        assert_eq!(date(d, true), "26 November 2026");
    }
}
