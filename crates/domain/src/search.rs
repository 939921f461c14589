//! What a person types into a list's search box: an amount as Germans and others write it.

use rust_decimal::Decimal;
use std::str::FromStr;

/// The amount a search text names, if it names one: "1271,64", "1.271,64", "1271.64",
/// "1,271.64", "1271", "1.271,64 €" or "-1.271,64" all give 1271.64 (the sign is dropped: a
/// list shows corrections with a minus, and searching for either finds them). At most two
/// decimals; a separator followed by exactly three digits groups thousands ("1.271" is 1271),
/// as an amount never has three decimals. Anything else (letters, "1.2.3", "12,345,6") is not
/// an amount.
pub fn amount(text: &str) -> Option<Decimal> {
    let s: String = text
        .trim()
        .trim_end_matches('€')
        .trim_end_matches("EUR")
        .trim()
        .trim_start_matches(['-', '−', '+'])
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if s.is_empty()
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    // The decimal separator is the last separator when it is followed by one or two digits;
    // every other separator must group exactly three digits.
    let last = s.rfind(['.', ',']);
    let (int, frac) = match last {
        Some(i) if (1..=2).contains(&(s.len() - i - 1)) => (&s[..i], &s[i + 1..]),
        _ => (s.as_str(), ""),
    };
    let groups: Vec<&str> = int.split(['.', ',']).collect();
    let separators: Vec<char> = int.chars().filter(|c| !c.is_ascii_digit()).collect();
    let grouped = groups.len() > 1;
    if groups[0].is_empty()
        || (grouped
            && (groups[0].len() > 3
                || groups[1..].iter().any(|g| g.len() != 3)
                || separators.windows(2).any(|w| w[0] != w[1])
                || last.is_some_and(|i| !frac.is_empty() && s[i..].starts_with(separators[0]))))
        || groups
            .iter()
            .any(|g| g.chars().any(|c| !c.is_ascii_digit()))
    {
        return None;
    }
    let digits: String = groups.concat();
    if digits.len() > 15 {
        return None;
    }
    let plain = if frac.is_empty() {
        digits
    } else {
        format!("{digits}.{frac}")
    };
    Decimal::from_str(&plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn reads_amounts_as_people_type_them() {
        for text in [
            "1271,64",
            "1.271,64",
            "1271.64",
            "1,271.64",
            " 1.271,64 € ",
            "-1.271,64",
            "−1271,64",
            "1271,64 EUR",
        ] {
            assert_eq!(amount(text), Some(dec!(1271.64)), "{text}");
        }
        assert_eq!(amount("1271"), Some(dec!(1271)));
        assert_eq!(amount("1.271"), Some(dec!(1271)));
        assert_eq!(amount("1,5"), Some(dec!(1.5)));
        assert_eq!(amount("0.5"), Some(dec!(0.5)));
        assert_eq!(amount("1.234.567,89"), Some(dec!(1234567.89)));
        assert_eq!(amount("1,234,567.89"), Some(dec!(1234567.89)));
    }

    #[test]
    fn other_text_is_no_amount() {
        for text in [
            "",
            "RE-2026-0001",
            "Müller",
            "1.2.3",
            "12,345,6",
            "1.271.64",
            "1,271,64",
            "1.271.6",
            ",50",
            "12345.678",
            "1234.567,8",
            "1.27,64",
            "1,271,64.5",
            "9999999999999999",
        ] {
            assert_eq!(amount(text), None, "{text}");
        }
    }
}
