//! Code lists: UN/ECE Recommendation 20 units, ISO 3166 countries (with EU membership)
//! and ISO 4217 currencies that Kontor accepts.

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

/// Whether `code` is a unit Kontor knows.
pub fn is_unit(code: &str) -> bool {
    UNITS.iter().any(|(c, _, _)| *c == code)
}

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

/// Whether `code` is an accepted ISO 4217 currency.
pub fn is_currency(code: &str) -> bool {
    CURRENCIES.contains(&code)
}

/// The country prefix of a VAT ID ("DE123456789" → "DE"; Greece uses "EL").
pub fn vat_id_country(vat_id: &str) -> Option<&str> {
    let prefix = vat_id.get(0..2)?;
    prefix
        .chars()
        .all(|c| c.is_ascii_uppercase())
        .then_some(prefix)
}

/// A plausibility check of a VAT ID: two-letter prefix and 2–13 alphanumerics.
pub fn is_plausible_vat_id(vat_id: &str) -> bool {
    let Some(prefix) = vat_id_country(vat_id) else {
        return false;
    };
    let rest = &vat_id[prefix.len()..];
    (2..=13).contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_units_and_countries() {
        assert!(is_unit("HUR") && is_unit("C62") && !is_unit("XYZ"));
        assert!(is_eu("FR") && !is_eu("CH") && is_country("CH") && !is_country("XX"));
        assert!(is_currency("EUR") && !is_currency("EURO"));
        assert_eq!(unit_label("HUR", "de"), "Std.");
    }

    #[test]
    fn checks_vat_ids() {
        assert!(is_plausible_vat_id("DE123456789"));
        assert!(is_plausible_vat_id("ATU12345678"));
        assert!(!is_plausible_vat_id("123456789"));
        assert!(!is_plausible_vat_id("DE"));
        assert_eq!(vat_id_country("FR12345678901"), Some("FR"));
    }
}
