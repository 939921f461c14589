//! The audit log: the history of a record and the check of the whole hash chain.

use kontor_storage::{AuditEntry, AuditReport};

use crate::{App, Error, Result};

/// The audit operations of one business.
pub struct Audit<'a> {
    pub(crate) app: &'a App,
}

impl Audit<'_> {
    /// Checks the hash chain of the whole log.
    pub async fn verify(&self) -> Result<AuditReport> {
        Ok(self.app.store.audit_verify().await?)
    }

    /// The newest `limit` entries of a document. Every document's creation is logged, so no
    /// entries means no such document, ever (a deleted draft keeps its history).
    pub async fn document(&self, id: i64, limit: i64) -> Result<Vec<AuditEntry>> {
        let entries = self
            .app
            .store
            .audit_entries("document", &id.to_string(), limit)
            .await?;
        if entries.is_empty() {
            return Err(Error::not_found("document", id));
        }
        Ok(entries)
    }
}

/// One field an audit entry changed, as a person reads it: "Position 2, Menge: 1 → 3".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field in words ("Zahlungsziel (Tage)", "Position 2, Menge").
    pub field: String,
    /// The value before, "—" when there was none.
    pub old: String,
    /// The value after, "—" when there is none.
    pub new: String,
}

/// Longest value shown in a change; longer ones end in "…".
const SHOWN_CHARS: usize = 80;

/// What an entry changed, field by field (lines element by element). Empty for entries
/// without both a before and an after (creations, security events).
pub fn changes(entry: &AuditEntry, lang: kontor_domain::Language) -> Vec<FieldChange> {
    let (Some(old), Some(new)) = (&entry.old_value, &entry.new_value) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    diff("", old, new, lang, &mut out);
    out
}

fn diff(
    path: &str,
    old: &serde_json::Value,
    new: &serde_json::Value,
    lang: kontor_domain::Language,
    out: &mut Vec<FieldChange>,
) {
    use serde_json::Value;
    let push =
        |out: &mut Vec<FieldChange>, path: &str, old: Option<&Value>, new: Option<&Value>| {
            out.push(FieldChange {
                field: crate::messages::field_label(path, lang),
                old: shown(old, lang),
                new: shown(new, lang),
            });
        };
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys = b.keys().chain(a.keys().filter(|k| !b.contains_key(*k)));
            for key in keys {
                let inner = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => diff(&inner, x, y, lang, out),
                    (x, y) => push(out, &inner, x, y),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for i in 0..a.len().max(b.len()) {
                let inner = format!("{path}[{i}]");
                match (a.get(i), b.get(i)) {
                    (Some(x), Some(y)) => diff(&inner, x, y, lang, out),
                    (x, y) => push(out, &inner, x, y),
                }
            }
        }
        (a, b) if a != b => push(out, path, Some(a), Some(b)),
        _ => {}
    }
}

/// A value as text: strings as they are, a line by its description, nothing as "—".
fn shown(value: Option<&serde_json::Value>, lang: kontor_domain::Language) -> String {
    use serde_json::Value;
    let text = match value {
        None | Some(Value::Null) => return "—".into(),
        Some(Value::String(s)) if s.is_empty() => return "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) if lang == kontor_domain::Language::De => "ja".into(),
        Some(Value::Bool(false)) if lang == kontor_domain::Language::De => "nein".into(),
        Some(Value::Object(o)) if o.get("description").is_some_and(Value::is_string) => o
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        Some(other) => other.to_string(),
    };
    if text.chars().count() > SHOWN_CHARS {
        let cut: String = text.chars().take(SHOWN_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kontor_domain::Language;
    use serde_json::json;

    fn entry(old: serde_json::Value, new: serde_json::Value) -> AuditEntry {
        AuditEntry {
            seq: 1,
            at: String::new(),
            actor: "user:anna".into(),
            action: "update".into(),
            entity: "document".into(),
            entity_id: "1".into(),
            old_value: Some(old),
            new_value: Some(new),
            hash: String::new(),
        }
    }

    #[test]
    fn names_each_changed_field_with_before_and_after() {
        let e = entry(
            json!({"due_date": "2026-12-01", "subject": "Angebot", "lines": [
                {"description": "Beratung", "quantity": "1"}
            ], "number": null}),
            json!({"due_date": "2026-12-15", "subject": "Angebot", "lines": [
                {"description": "Beratung", "quantity": "3"},
                {"description": "Anfahrt", "quantity": "1"}
            ], "number": "RE-2026-0001"}),
        );
        let c = changes(&e, Language::De);
        let shown: Vec<String> = c
            .iter()
            .map(|c| format!("{}: {} → {}", c.field, c.old, c.new))
            .collect();
        assert_eq!(
            shown,
            [
                "Fällig am: 2026-12-01 → 2026-12-15",
                "Position 1, Menge: 1 → 3",
                "Position 2: — → Anfahrt",
                "Nummer: — → RE-2026-0001",
            ]
        );
    }

    #[test]
    fn an_entry_without_before_has_no_changes_and_long_values_are_cut() {
        let mut e = entry(json!({}), json!({}));
        e.old_value = None;
        assert!(changes(&e, Language::De).is_empty());
        let long = "x".repeat(200);
        let c = changes(
            &entry(json!({"notes": ""}), json!({"notes": long})),
            Language::En,
        );
        assert_eq!(c[0].old, "—");
        assert_eq!(c[0].new.chars().count(), SHOWN_CHARS);
        assert!(c[0].new.ends_with('…'));
    }
}
