//! The pages' texts (from the catalogue in kontor-texts) and number/date formats per language.

use chrono::NaiveDate;

/// A copyable value behind any number of references (askama passes `&&T` in loops).
pub trait Val<T: Copy> {
    fn val(&self) -> T;
}
impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}
impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}
impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}
impl<T: Copy> Val<T> for &&&T {
    fn val(&self) -> T {
        ****self
    }
}
use kontor_texts::Msg;
use rust_decimal::Decimal;

/// The language a page is shown in: the one language type of Kontor.
pub use kontor_domain::Language as Lang;

/// Looks up texts for one language.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr {
    pub lang: Lang,
}

impl Tr {
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The text `msg` in this language.
    pub fn t(&self, msg: impl Val<Msg>) -> &'static str {
        msg.val().text(self.lang)
    }

    /// The text whose key is built from a prefix and a code from data, e.g. ("status", "paid");
    /// the code itself if the catalogue has no such text.
    pub fn tk(&self, prefix: &str, code: impl AsRef<str>) -> String {
        let code = code.as_ref();
        match Msg::from_key(&format!("{prefix}.{code}")) {
            Some(msg) => msg.text(self.lang).to_string(),
            None => code.to_string(),
        }
    }

    /// A refused field as a message above its form: the catalogue's text in German ("Das
    /// Passwort muss mindestens 12 Zeichen lang sein."), the field and the check's words in
    /// English.
    pub fn field_error(&self, e: &kontor_app::Error) -> String {
        match e {
            kontor_app::Error::Field { field, message, .. } if self.lang == Lang::En => {
                format!("{}: {message}", self.tk("field", field))
            }
            other => other.message(self.lang),
        }
    }

    /// What an audit entry changed, field by field with before and after.
    pub fn audit_changes(
        &self,
        entry: &kontor_app::model::AuditEntry,
    ) -> Vec<kontor_app::audit::FieldChange> {
        kontor_app::audit::changes(entry, self.lang)
    }

    /// Money as a reader expects it: "1.234,56 €" in German, "€1,234.56" in English.
    pub fn money(&self, amount: impl Val<Decimal>, currency: impl AsRef<str>) -> String {
        let currency = currency.as_ref();
        let s = format!("{:.2}", kontor_domain::round2(amount.val()));
        let (neg, s) = match s.strip_prefix('-') {
            Some(rest) => (true, rest.to_string()),
            None => (false, s),
        };
        let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
        let mut grouped = String::new();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                grouped.push(if self.lang == Lang::En { ',' } else { '.' });
            }
            grouped.push(c);
        }
        let sign = if neg { "-" } else { "" };
        let symbol = if currency == "EUR" { "€" } else { currency };
        match self.lang {
            Lang::De => format!("{sign}{grouped},{frac} {symbol}"),
            Lang::En => format!("{sign}{symbol}{grouped}.{frac}"),
        }
    }

    /// A plain decimal for display ("2,5" in German).
    pub fn num(&self, value: impl Val<Decimal>) -> String {
        let s = value.val().normalize().to_string();
        if self.lang == Lang::De {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// A price with at least two decimals ("12,50", "85,1234").
    pub fn price(&self, value: impl Val<Decimal>) -> String {
        let s = plain_price(value.val());
        if self.lang == Lang::De {
            s.replace('.', ",")
        } else {
            s
        }
    }

    /// A stored RFC 3339 timestamp as local date and time ("26.11.2026 18:04").
    pub fn timestamp(&self, ts: impl AsRef<str>) -> String {
        match chrono::DateTime::parse_from_rfc3339(ts.as_ref()) {
            Ok(t) => {
                let local = t.with_timezone(&chrono::Local);
                match self.lang {
                    Lang::De => local.format("%d.%m.%Y %H:%M").to_string(),
                    Lang::En => local.format("%Y-%m-%d %H:%M").to_string(),
                }
            }
            Err(_) => ts.as_ref().to_string(),
        }
    }

    /// A unit code's label in this language ("HUR" → "Std.").
    pub fn unit(&self, code: impl AsRef<str>) -> &'static str {
        kontor_domain::codes::unit_label(code.as_ref(), self.lang.code())
    }

    /// A unit code's name for pickers and lists ("HUR" → "Stunde"); the code itself if the
    /// catalogue does not know it.
    pub fn unit_name(&self, code: impl AsRef<str>) -> String {
        let code = code.as_ref();
        Msg::unit_name(code).map_or_else(|| code.to_string(), |m| m.text(self.lang).to_string())
    }

    /// Every unit Kontor knows as (code, name), for a picker.
    pub fn unit_choices(&self) -> Vec<(&'static str, &'static str)> {
        kontor_domain::codes::UNITS
            .iter()
            .map(|(code, de, en)| {
                let printed = if self.lang == Lang::En { *en } else { *de };
                (
                    *code,
                    Msg::unit_name(code).map_or(printed, |m| m.text(self.lang)),
                )
            })
            .collect()
    }

    /// A VAT group's label in words: "USt 19 %", "USt 0 % – Reverse Charge (§ 13b UStG)".
    pub fn vat_group(&self, g: &kontor_domain::VatGroup) -> String {
        let base = format!("{} {} %", self.t(Msg::DocsVatAt), self.num(g.rate));
        match Msg::vat_category(g.category) {
            Some(words) => format!("{base} – {}", words.text(self.lang)),
            None => base,
        }
    }

    pub fn date(&self, d: impl Val<NaiveDate>) -> String {
        let d = d.val();
        match self.lang {
            Lang::De => d.format("%d.%m.%Y").to_string(),
            Lang::En => d.format("%Y-%m-%d").to_string(),
        }
    }

    pub fn opt_date(&self, d: &Option<NaiveDate>) -> String {
        d.map(|d| self.date(d)).unwrap_or_default()
    }

    pub fn doc_type(&self, t: impl Val<kontor_domain::DocumentType>) -> &'static str {
        Msg::doc_type(t.val()).text(self.lang)
    }
}

/// A price with a point and at least two decimals, every significant one kept ("12.50",
/// "85.1234"): for scripts and fields that localise it themselves.
pub fn plain_price(value: Decimal) -> String {
    let v = value.normalize();
    format!("{v:.*}", v.scale().max(2) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn formats_money_per_language() {
        let de = Tr::new(Lang::De);
        let en = Tr::new(Lang::En);
        assert_eq!(de.money(dec!(1234.5), "EUR"), "1.234,50 €");
        assert_eq!(en.money(dec!(1234.5), "EUR"), "€1,234.50");
        assert_eq!(de.money(dec!(-1234567.891), "USD"), "-1.234.567,89 USD");
        assert_eq!(de.money(dec!(0), "EUR"), "0,00 €");
        assert_eq!(
            de.date(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()),
            "26.11.2026"
        );
    }

    #[test]
    fn looks_up_texts_and_codes() {
        let en = Tr::new(Lang::En);
        assert_eq!(Tr::new(Lang::De).t(Msg::CommonEdit), "Bearbeiten");
        // askama hands values in loops over as references
        let in_loop = &Msg::CommonEdit;
        assert_eq!(en.t(in_loop), "Edit");
        assert_eq!(en.tk("status", "paid"), Msg::StatusPaid.text(Lang::En));
        assert_eq!(en.tk("status", "no_such_status"), "no_such_status");
    }

    #[test]
    fn picks_the_language_from_the_header() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,de;q=0.8"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("de-DE"), Lang::De);
        assert_eq!(Lang::from_accept_language("fr"), Lang::De);
    }
}
