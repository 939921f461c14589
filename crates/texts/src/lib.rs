//! The text catalogue: every text Kontor shows on its pages and prints on its documents, in
//! German (default) and English, named by a typed id [`Msg`].
//!
//! The entries live in one file per area (`nav.rs`, `documents.rs`, `pdf.rs`, ...). Each area
//! file defines a macro that appends its entries to the ones collected so far and hands them
//! to the next area; the last hands them all to `catalogue!`, which generates [`Msg`]. An entry
//! reads `Variant "key" => "German", "English";`. The key is the dotted name the variant is
//! derived from (`"docs.new_invoice"` → `DocsNewInvoice`, a leading `2fa` reads `two_factor`);
//! it serves lookups by code (`"status.paid"`) where the code comes from data.

pub use kontor_domain::Language;

#[macro_use]
mod nav;
#[macro_use]
mod login;
#[macro_use]
mod security;
#[macro_use]
mod common;
#[macro_use]
mod fields;
#[macro_use]
mod contacts;
#[macro_use]
mod articles;
#[macro_use]
mod documents;
#[macro_use]
mod settings;
#[macro_use]
mod backups;
#[macro_use]
mod pdf;
#[macro_use]
mod einvoice;
#[macro_use]
mod lists;
#[macro_use]
mod incoming;

mod labels;

/// Generates [`Msg`] from all entries.
macro_rules! catalogue {
    ( ; $( $variant:ident $key:literal => $de:literal, $en:literal; )* ) => {
        /// One text of the catalogue.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Msg {
            $( $variant, )*
        }

        impl Msg {
            /// Every text, in catalogue order.
            pub const ALL: &'static [Msg] = &[ $( Msg::$variant, )* ];

            /// The text in `lang`.
            pub fn text(self, lang: Language) -> &'static str {
                match self {
                    $( Msg::$variant => match lang {
                        Language::De => $de,
                        Language::En => $en,
                    }, )*
                }
            }

            /// The dotted key the variant is named after ("docs.new_invoice").
            pub fn key(self) -> &'static str {
                match self {
                    $( Msg::$variant => $key, )*
                }
            }

            /// The text with this key, for keys built from codes in data ("status.paid").
            pub fn from_key(key: &str) -> Option<Msg> {
                match key {
                    $( $key => Some(Msg::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

nav!(login, security, common, fields, contacts, articles, documents, settings, backups, pdf, einvoice, lists, incoming, catalogue;);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The fixed rule from key to variant name that the conversion script also follows.
    fn variant_name(key: &str) -> String {
        let key = match key.strip_prefix("2fa.") {
            Some(rest) => format!("two_factor.{rest}"),
            None => key.to_string(),
        };
        key.split(['.', '_'])
            .filter(|p| !p.is_empty())
            .map(|p| {
                let mut c = p.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn every_text_has_german_and_english() {
        for m in Msg::ALL {
            assert!(!m.text(Language::De).trim().is_empty(), "{m:?} German");
            assert!(!m.text(Language::En).trim().is_empty(), "{m:?} English");
        }
    }

    #[test]
    fn keys_are_unique_and_name_their_variant() {
        let mut keys = HashSet::new();
        for m in Msg::ALL {
            assert!(keys.insert(m.key()), "two ids share the key {}", m.key());
            assert_eq!(format!("{m:?}"), variant_name(m.key()), "{}", m.key());
            assert_eq!(Msg::from_key(m.key()), Some(*m));
        }
        assert_eq!(Msg::from_key("no.such_key"), None);
    }

    #[test]
    fn looks_up_by_language() {
        assert_eq!(Msg::CommonEdit.text(Language::De), "Bearbeiten");
        assert_eq!(Msg::CommonEdit.text(Language::En), "Edit");
        assert_eq!(Msg::TwoFactorTitle.key(), "2fa.title");
    }
}
