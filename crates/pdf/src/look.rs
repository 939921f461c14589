//! The document look as the settings store it (setting "pdf", read and written by the service
//! layer), with its checks: what the settings page and `PUT /api/v1/settings/pdf` accept.

use serde::{Deserialize, Serialize};

use kontor_domain::Language;

use crate::{Columns, DEFAULT_ACCENT, FontFamily, Renderer};

/// Largest own template accepted (the default template is about 7 KB).
pub const MAX_TEMPLATE_BYTES: usize = 100_000;
/// Longest tagline under the company name.
pub const MAX_TAGLINE_CHARS: usize = 120;

/// The setting "pdf".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Look {
    /// `#rrggbb`.
    pub accent: String,
    pub tagline: String,
    /// A `FontFamily` key.
    pub font: String,
    pub columns: Columns,
    /// An own typst template; empty for the default.
    pub template: String,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            accent: DEFAULT_ACCENT.into(),
            tagline: String::new(),
            font: FontFamily::default().key().into(),
            columns: Columns::default(),
            template: String::new(),
        }
    }
}

impl Look {
    /// Normalises and checks every field; the own template is compiled against sample
    /// documents by `renderer` (CPU work of a few hundred milliseconds, up to the renderer's
    /// time limit: call it off the async workers). Returns the field and a message per problem:
    /// a broken budget in `lang`, the others in English.
    pub fn checked(
        mut self,
        renderer: &Renderer,
        lang: Language,
    ) -> Result<Look, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        self.accent = self.accent.trim().to_ascii_lowercase();
        if !crate::is_hex_colour(&self.accent) {
            problems.push(("accent", "must be a colour like #1f4e79".to_string()));
        }
        self.tagline = self.tagline.trim().to_string();
        if self.tagline.chars().count() > MAX_TAGLINE_CHARS {
            problems.push((
                "tagline",
                format!("must be at most {MAX_TAGLINE_CHARS} characters"),
            ));
        }
        if FontFamily::parse(&self.font).is_none() {
            let known: Vec<&str> = FontFamily::ALL.iter().map(|f| f.key()).collect();
            problems.push(("font", format!("must be one of {}", known.join(", "))));
        }
        if self.template.trim().is_empty() {
            self.template = String::new();
        } else if self.template.len() > MAX_TEMPLATE_BYTES {
            problems.push((
                "template",
                format!("must be at most {MAX_TEMPLATE_BYTES} bytes"),
            ));
        } else if let Err(e) = renderer.check_template(&self.template) {
            problems.push(("template", e.message(lang)));
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_each_field() {
        let look = Look {
            accent: "red".into(),
            tagline: "x".repeat(200),
            font: "comic-sans".into(),
            template: "#let x = (\n".into(),
            ..Look::default()
        };
        let problems = look
            .checked(&Renderer::InProcess, Language::En)
            .expect_err("four problems");
        let fields: Vec<&str> = problems.iter().map(|(f, _)| *f).collect();
        assert_eq!(fields, ["accent", "tagline", "font", "template"]);
        assert!(problems[3].1.contains("line"), "{problems:?}");
        let fine = Look {
            accent: " #AA0000 ".into(),
            template: "  \n".into(),
            ..Look::default()
        }
        .checked(&Renderer::InProcess, Language::En)
        .expect("valid");
        assert_eq!(fine.accent, "#aa0000");
        assert_eq!(fine.template, "");
    }
}
