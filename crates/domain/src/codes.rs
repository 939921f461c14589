//! Code lists: UN/ECE Recommendation 20 units, ISO 3166 countries (with EU membership)
//! and ISO 4217 currencies that Kontor accepts. [`crate::UnitCode`] and
//! [`crate::CurrencyCode`] parse against these lists.

/// Units a line may carry: (UN/ECE Rec 20 code, German label, English label).
pub const UNITS: &[(&str, &str, &str)] = &[
    ("C62", "Stk.", "unit"),
    ("H87", "Stück", "piece"),
    ("HUR", "Std.", "hour"),
    ("MIN", "Min.", "minute"),
    ("DAY", "Tag(e)", "day(s)"),
    ("WEE", "Woche(n)", "week(s)"),
    ("MON", "Monat(e)", "month(s)"),
    ("ANN", "Jahr(e)", "year(s)"),
    ("KGM", "kg", "kg"),
    ("GRM", "g", "g"),
    ("TNE", "t", "t"),
    ("MTR", "m", "m"),
    ("KMT", "km", "km"),
    ("MTK", "m²", "m²"),
    ("MTQ", "m³", "m³"),
    ("LTR", "l", "l"),
    ("KWH", "kWh", "kWh"),
    ("LS", "pauschal", "lump sum"),
    ("SET", "Satz", "set"),
    ("PR", "Paar", "pair"),
    ("XPK", "Paket", "package"),
    ("XBX", "Karton", "box"),
    ("P1", "%", "%"),
];

/// The printed label of a unit in the given language ("de" or "en").
pub fn unit_label(code: &str, lang: &str) -> &'static str {
    UNITS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, de, en)| if lang == "en" { *en } else { *de })
        .unwrap_or("")
}

/// EU member states (ISO 3166-1 alpha-2; Greece as GR, its VAT prefix is EL).
pub const EU_COUNTRIES: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// Further countries accepted as addresses (ISO 3166-1 alpha-2).
const OTHER_COUNTRIES: &[&str] = &[
    "AD", "AE", "AL", "AR", "AU", "BA", "BR", "BY", "CA", "CH", "CL", "CN", "CO", "EG", "FO", "GB",
    "GE", "GI", "GL", "HK", "ID", "IL", "IN", "IS", "JP", "KR", "KZ", "LI", "MA", "MC", "MD", "ME",
    "MK", "MX", "MY", "NG", "NO", "NZ", "PH", "PK", "QA", "RS", "RU", "SA", "SG", "SM", "TH", "TN",
    "TR", "TW", "UA", "US", "VA", "VN", "XK", "ZA",
];

/// Whether `code` is an ISO 3166-1 alpha-2 country code Kontor accepts.
pub fn is_country(code: &str) -> bool {
    EU_COUNTRIES.contains(&code) || OTHER_COUNTRIES.contains(&code)
}

/// Whether the country belongs to the EU VAT area.
pub fn is_eu(code: &str) -> bool {
    EU_COUNTRIES.contains(&code)
}

/// ISO 4217 currencies accepted on documents.
pub const CURRENCIES: &[&str] = &[
    "EUR", "USD", "GBP", "CHF", "JPY", "CNY", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON",
    "BGN", "CAD", "AUD", "NZD", "TRY", "INR", "BRL", "MXN", "SGD", "HKD", "ZAR", "AED",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_units_and_countries() {
        assert!(is_eu("FR") && !is_eu("CH") && is_country("CH") && !is_country("XX"));
        assert_eq!(unit_label("HUR", "de"), "Std.");
    }
}
