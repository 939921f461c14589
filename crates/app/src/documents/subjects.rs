//! The subjects of documents made from others: a follow-up document names its own type, and a
//! cancellation says what it cancels.

use chrono::NaiveDate;
use kontor_domain::{DocumentType, Language};
use kontor_texts::Msg;

/// The subject of a `to` document made from a `from` document: the type word at its start,
/// in either language, becomes the new type's word ("Angebot Website-Relaunch" becomes
/// "Rechnung Website-Relaunch"); any other subject is kept as it is.
pub fn derived(subject: &str, from: DocumentType, to: DocumentType, lang: Language) -> String {
    let subject = subject.trim();
    let new_word = Msg::doc_type(to).text(lang);
    for old_lang in [Language::De, Language::En] {
        let old_word = Msg::doc_type(from).text(old_lang);
        let Some(head) = subject.get(..old_word.len()) else {
            continue;
        };
        let rest = &subject[old_word.len()..];
        let at_word_end = rest.is_empty() || rest.starts_with([' ', ':', ',', '-', '–']);
        if head.eq_ignore_ascii_case(old_word) && at_word_end {
            return format!("{new_word}{rest}");
        }
    }
    subject.to_string()
}

/// The subject of a cancellation: "Stornorechnung zu Rechnung RE-2026-0042 vom 03.12.2026",
/// followed by the reason when one is given.
pub fn cancellation(
    original: DocumentType,
    number: &str,
    date: NaiveDate,
    lang: Language,
    reason: Option<&str>,
) -> String {
    let date = match lang {
        Language::De => date.format("%d.%m.%Y").to_string(),
        Language::En => date.format("%Y-%m-%d").to_string(),
    };
    // German nouns keep their capital inside a sentence, English ones do not.
    let type_word = match lang {
        Language::De => Msg::doc_type(original).text(lang).to_string(),
        Language::En => Msg::doc_type(original).text(lang).to_lowercase(),
    };
    let mut subject = Msg::CancellationSubject
        .text(lang)
        .replace("{type}", &type_word)
        .replace("{number}", number)
        .replace("{date}", &date);
    if let Some(reason) = reason.map(str::trim).filter(|r| !r.is_empty()) {
        subject.push_str(": ");
        subject.push_str(reason);
    }
    subject
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follow_up_names_its_own_type() {
        let de = Language::De;
        let (quote, invoice) = (DocumentType::Quote, DocumentType::Invoice);
        assert_eq!(
            derived("Angebot Website-Relaunch", quote, invoice, de),
            "Rechnung Website-Relaunch"
        );
        assert_eq!(
            derived("angebot: Umbau", quote, DocumentType::OrderConfirmation, de),
            "Auftragsbestätigung: Umbau"
        );
        assert_eq!(
            derived("Quote website", quote, invoice, Language::En),
            "Invoice website"
        );
        assert_eq!(derived("Angebot", quote, invoice, de), "Rechnung");
        // Only a whole type word at the start is replaced.
        assert_eq!(
            derived("Angebotsanfrage vom Mai", quote, invoice, de),
            "Angebotsanfrage vom Mai"
        );
        assert_eq!(
            derived("Website-Relaunch", quote, invoice, de),
            "Website-Relaunch"
        );
        assert_eq!(derived("", quote, invoice, de), "");
    }

    #[test]
    fn a_cancellation_says_what_it_cancels() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        assert_eq!(
            cancellation(
                DocumentType::Invoice,
                "RE-2026-0042",
                day,
                Language::De,
                None
            ),
            "Stornorechnung zu Rechnung RE-2026-0042 vom 03.12.2026"
        );
        assert_eq!(
            cancellation(
                DocumentType::Invoice,
                "RE-2026-0042",
                day,
                Language::En,
                Some(" wrong address ")
            ),
            "Cancellation of invoice RE-2026-0042 of 2026-12-03: wrong address"
        );
    }
}
