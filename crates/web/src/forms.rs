//! Reading submitted forms: repeated keys kept in order, and field errors to show next to inputs.

use std::collections::BTreeMap;

/// A submitted `application/x-www-form-urlencoded` body with repeated keys kept in order.
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        let pairs = serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default();
        // Browsers send textarea line breaks as CRLF; store plain LF.
        FormData(
            pairs
                .into_iter()
                .map(|(k, v)| (k, v.replace("\r\n", "\n")))
                .collect(),
        )
    }
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self, key: &str) -> String {
        self.get(key).unwrap_or("").trim().to_string()
    }
    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
    pub fn checked(&self, key: &str) -> bool {
        matches!(self.get(key), Some("on" | "true" | "1"))
    }
}

/// Messages per field name, shown next to the inputs.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn get(&self, field: &str) -> &str {
        self.0.get(field).map(String::as_str).unwrap_or("")
    }
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }
}

/// Reads a decimal typed in German ("1.234,50") or English ("1234.50") notation.
pub fn user_decimal(
    input: &str,
    max_dp: u32,
    lang: crate::i18n::Lang,
) -> Result<rust_decimal::Decimal, String> {
    parse_user_decimal(input, max_dp, false, lang)
}

/// [`user_decimal`] with any sign and up to 28 decimals, for values whose range and places
/// the service layer checks.
pub fn user_decimal_unchecked(
    input: &str,
    lang: crate::i18n::Lang,
) -> Result<rust_decimal::Decimal, String> {
    parse_user_decimal(input, 28, true, lang)
}

fn parse_user_decimal(
    input: &str,
    max_dp: u32,
    allow_negative: bool,
    lang: crate::i18n::Lang,
) -> Result<rust_decimal::Decimal, String> {
    let s = input.trim().replace(' ', "");
    let normalized = if s.contains(',') {
        s.replace('.', "").replace(',', ".")
    } else {
        s
    };
    use kontor_domain::money::DecimalError;
    use kontor_texts::Msg;
    // Forms take "12,50" and "12.50", so the message says so (the API's says "12.50").
    kontor_domain::money::parse_decimal(&normalized, max_dp, allow_negative).map_err(|e| match e {
        DecimalError::NotANumber => Msg::FormNotANumber.text(lang).to_string(),
        DecimalError::TooManyDecimals(n) => Msg::FormTooManyDecimals
            .text(lang)
            .replace("{n}", &n.to_string()),
        DecimalError::Negative => Msg::FormNegative.text(lang).to_string(),
        DecimalError::TooLarge => Msg::FormTooLarge.text(lang).to_string(),
    })
}

/// Skonto steps typed as text: `"7:3; 14:2"` (days:percent, German decimal comma allowed).
/// Empty gives `None` (take the default), `"-"` gives no Skonto at all.
pub fn parse_skonto(text: &str) -> Result<Option<Vec<kontor_domain::SkontoStep>>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text == "-" {
        return Ok(Some(Vec::new()));
    }
    let mut steps = Vec::new();
    for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (days, percent) = part.split_once(':').ok_or_else(|| {
            format!("\"{part}\": Tage:Prozent, z. B. 14:2 / days:percent, e.g. 14:2")
        })?;
        let days = days
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("\"{part}\": Tage / days?"))?;
        let percent = kontor_domain::money::parse_decimal(
            &percent
                .trim()
                .trim_end_matches('%')
                .trim()
                .replace(',', "."),
            2,
            false,
        )
        .map_err(|e| format!("\"{part}\": % {e}"))?;
        steps.push(kontor_domain::SkontoStep { days, percent });
    }
    if let Some((_, message)) = kontor_domain::terms::skonto_problems("skonto", &steps)
        .into_iter()
        .next()
    {
        return Err(message);
    }
    Ok(Some(steps))
}

/// The text form of Skonto steps for [`parse_skonto`].
pub fn skonto_text(steps: Option<&[kontor_domain::SkontoStep]>) -> String {
    match steps {
        None => String::new(),
        Some([]) => "-".into(),
        Some(steps) => steps
            .iter()
            .map(|s| format!("{}:{}", s.days, s.percent.normalize()))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The text of an optional coded value (IBAN, VAT ID, currency) for a form field, empty
/// without one.
pub fn text_of<T: std::fmt::Display>(value: &Option<T>) -> String {
    value.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[cfg(test)]
mod number_tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn numbers_are_read_as_typed_and_refused_in_the_users_language() {
        assert_eq!(
            user_decimal("1.271,64", 2, Lang::De).unwrap().to_string(),
            "1271.64"
        );
        assert_eq!(
            user_decimal("12.50", 2, Lang::En).unwrap().to_string(),
            "12.5"
        );
        assert_eq!(
            user_decimal("zwölf", 2, Lang::De).unwrap_err(),
            "ist keine Zahl (z. B. 12,50)"
        );
        assert_eq!(
            user_decimal("1,234", 2, Lang::De).unwrap_err(),
            "hat mehr als 2 Nachkommastellen"
        );
        assert_eq!(
            user_decimal("-5", 2, Lang::En).unwrap_err(),
            "must not be negative"
        );
    }
}
