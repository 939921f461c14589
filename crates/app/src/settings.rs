//! The business's settings, typed: the document look, the logo, the default texts of each
//! document type and the security policy. This module is the one place that knows their keys
//! and stored JSON; everything else reads and writes them as the structs below, through
//! [`App::settings`]. A stored value that is partly unreadable (an older format, a field of the
//! wrong type) keeps the defaults for what cannot be read.

use std::collections::BTreeMap;

use kontor_domain::{DocumentType, ErrorCode, Language, TaxMode};
use kontor_pdf::look::Look;
use kontor_storage::blobs::Blob;
use kontor_storage::{Actor, Store};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::documents::{File, look_extras};
use crate::{App, Error, Result, logo};

/// The setting keys.
const PDF: &str = "pdf";
const LOGO: &str = "logo";
const TEXT_BLOCKS: &str = "text_blocks";
const SECURITY: &str = "security";

/// The document look (setting "pdf"): accent colour, font, tagline, columns, own template.
pub type PdfLook = Look;

/// What is wrong with a submitted look: (field, English message) per problem.
pub type LookProblems = Vec<(&'static str, String)>;

/// The uploaded logo (setting "logo"): the blob's key and its type as checked at upload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogoRef {
    pub sha256: String,
    pub content_type: String,
}

/// Longest intro or closing text of a document type.
pub const MAX_TEXT_BLOCK_CHARS: usize = 5000;

/// The intro and closing text a new document of one type starts with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextBlock {
    pub intro: String,
    pub closing: String,
}

/// The default texts per document type (setting "text_blocks", keyed by the type's name).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TextBlocks(BTreeMap<String, TextBlock>);

impl Default for TextBlocks {
    fn default() -> Self {
        TextBlocks(
            DocumentType::ALL
                .iter()
                .map(|t| (t.as_str().to_string(), TextBlock::default()))
                .collect(),
        )
    }
}

impl TextBlocks {
    /// The texts of `doc_type` (empty when none are set).
    pub fn get(&self, doc_type: DocumentType) -> TextBlock {
        self.0.get(doc_type.as_str()).cloned().unwrap_or_default()
    }

    pub fn set(&mut self, doc_type: DocumentType, block: TextBlock) {
        self.0.insert(doc_type.as_str().to_string(), block);
    }

    /// Every text cut to [`MAX_TEXT_BLOCK_CHARS`].
    fn limited(mut self) -> TextBlocks {
        for block in self.0.values_mut() {
            block.intro = block.intro.chars().take(MAX_TEXT_BLOCK_CHARS).collect();
            block.closing = block.closing.chars().take(MAX_TEXT_BLOCK_CHARS).collect();
        }
        self
    }
}

/// The business's security policy (setting "security").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecuritySettings {
    /// Every user must log in with a second factor.
    pub require_2fa: bool,
}

/// Reads a stored setting as `T`; `None` when it was never set.
async fn read<T>(store: &Store, key: &str) -> Result<Option<T>>
where
    T: DeserializeOwned + Serialize + Default,
{
    Ok(store.setting(key).await?.map(|v| lenient(&v)))
}

async fn write<T: Serialize>(store: &Store, actor: &Actor, key: &str, value: &T) -> Result<()> {
    let value = serde_json::to_value(value).map_err(|e| Error::internal(ErrorCode::Internal, e))?;
    Ok(store.set_setting(actor, key, &value).await?)
}

/// The document look as stored (defaults for what is not set).
pub(crate) async fn look_of(store: &Store) -> Result<Look> {
    Ok(read(store, PDF).await?.unwrap_or_default())
}

/// The logo as stored, if one was uploaded.
pub(crate) async fn logo_of(store: &Store) -> Result<Option<LogoRef>> {
    Ok(read::<LogoRef>(store, LOGO)
        .await?
        .filter(|logo| !logo.sha256.is_empty()))
}

/// `stored` as `T`: as a whole if it reads, else field by field over the defaults (nested
/// objects too), keeping every stored field that reads and the default for the others.
fn lenient<T>(stored: &Value) -> T
where
    T: DeserializeOwned + Serialize + Default,
{
    if let Ok(value) = serde_json::from_value(stored.clone()) {
        return value;
    }
    let Ok(mut root) = serde_json::to_value(T::default()) else {
        return T::default();
    };
    adopt::<T>(&mut root, &mut Vec::new(), stored);
    serde_json::from_value(root).unwrap_or_default()
}

/// Takes each field of `stored` into `root` at `path` where `root` stays a readable `T`.
fn adopt<T: DeserializeOwned>(root: &mut Value, path: &mut Vec<String>, stored: &Value) {
    let Some(stored) = stored.as_object() else {
        return;
    };
    let keys: Vec<String> = match root.pointer(&pointer(path)).and_then(Value::as_object) {
        Some(fields) => fields.keys().cloned().collect(),
        None => return,
    };
    for key in keys {
        let Some(value) = stored.get(&key) else {
            continue;
        };
        path.push(key);
        let at = pointer(path);
        if value.is_object() && root.pointer(&at).is_some_and(Value::is_object) {
            adopt::<T>(root, path, value);
        } else if let Some(slot) = root.pointer_mut(&at) {
            let old = std::mem::replace(slot, value.clone());
            if serde_json::from_value::<T>(root.clone()).is_err()
                && let Some(slot) = root.pointer_mut(&at)
            {
                *slot = old;
            }
        }
        path.pop();
    }
}

/// A JSON pointer (RFC 6901) to `path`.
fn pointer(path: &[String]) -> String {
    path.iter()
        .map(|p| format!("/{}", p.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// The settings of one business.
pub struct Settings<'a> {
    pub(crate) app: &'a App,
}

impl Settings<'_> {
    /// The document look (defaults for what is not set).
    pub async fn look(&self) -> Result<Look> {
        look_of(&self.app.store).await
    }

    /// Checks a look (an own template is compiled against sample documents, under the
    /// template budget) and stores it; the inner error lists every problem, a broken budget
    /// in `lang`.
    pub async fn save_look(
        &self,
        actor: &Actor,
        look: Look,
        lang: Language,
    ) -> Result<std::result::Result<Look, LookProblems>> {
        let own = !look.template.trim().is_empty();
        let checked = self
            .app
            .rendering
            .run(own, move |renderer| look.checked(renderer, lang))
            .await?;
        let look = match checked {
            Ok(look) => look,
            Err(problems) => return Ok(Err(problems)),
        };
        write(&self.app.store, actor, PDF, &look).await?;
        Ok(Ok(look))
    }

    /// A sample invoice (a draft, with the watermark) in the saved look, from the company's
    /// own data.
    pub async fn look_preview(&self, lang: Language) -> Result<File> {
        let store = &self.app.store;
        let company = store.company().await?;
        let draft =
            kontor_pdf::sample::draft(kontor_pdf::sample::invoice(12, TaxMode::Standard, lang));
        let extras = look_extras(store).await?;
        let buyer = kontor_pdf::sample::buyer();
        let own = extras.template.is_some();
        let pdf = self
            .app
            .rendering
            .run(own, move |renderer| {
                let preview = kontor_domain::Printable::Preview {
                    draft: &draft,
                    seller: &company,
                    buyer: &buyer,
                };
                renderer.render(preview, &extras)
            })
            .await?
            .map_err(|e| Error::internal(ErrorCode::RenderFailed, e))?;
        Ok(File::pdf("vorschau.pdf".into(), pdf))
    }

    /// The uploaded logo, if any.
    pub async fn logo(&self) -> Result<Option<LogoRef>> {
        logo_of(&self.app.store).await
    }

    /// The logo's bytes and type as stored (not found when none was uploaded).
    pub async fn logo_file(&self) -> Result<Blob> {
        let logo = self
            .logo()
            .await?
            .ok_or_else(|| Error::not_found("logo", "logo"))?;
        Ok(self.app.store.blob(&logo.sha256).await?)
    }

    /// Stores a new logo: PNG, JPEG or SVG, decided by its bytes (see [`logo::sniff`]).
    pub async fn save_logo(&self, actor: &Actor, data: &[u8]) -> Result<LogoRef> {
        let content_type = logo::sniff(data)?;
        let sha256 = self.app.store.put_blob(content_type, data).await?;
        let logo = LogoRef {
            sha256,
            content_type: content_type.to_string(),
        };
        write(&self.app.store, actor, LOGO, &logo).await?;
        Ok(logo)
    }

    /// The default texts per document type.
    pub async fn text_blocks(&self) -> Result<TextBlocks> {
        Ok(read(&self.app.store, TEXT_BLOCKS)
            .await?
            .unwrap_or_default())
    }

    /// Replaces the default texts; each is cut to [`MAX_TEXT_BLOCK_CHARS`].
    pub async fn save_text_blocks(&self, actor: &Actor, blocks: TextBlocks) -> Result<TextBlocks> {
        let blocks = blocks.limited();
        write(&self.app.store, actor, TEXT_BLOCKS, &blocks).await?;
        Ok(blocks)
    }

    /// The security policy.
    pub async fn security(&self) -> Result<SecuritySettings> {
        Ok(read(&self.app.store, SECURITY).await?.unwrap_or_default())
    }

    /// Replaces the security policy (the security service writes the log entry).
    pub(crate) async fn save_security(
        &self,
        actor: &Actor,
        settings: &SecuritySettings,
    ) -> Result<()> {
        write(&self.app.store, actor, SECURITY, settings).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kontor_storage::testing::TestStore;
    use serde_json::json;

    #[test]
    fn an_old_or_partial_look_keeps_the_defaults_for_what_it_lacks() {
        let look: Look = lenient(&json!({"accent": "#aa0000", "columns": {"unit": false}}));
        assert_eq!(look.accent, "#aa0000");
        assert!(!look.columns.unit && look.columns.position);
        // A field this version does not know, a field of the wrong type, an unknown column.
        let odd: Look = lenient(&json!({
            "accent": "#aa0000",
            "unknown": 1,
            "tagline": 7,
            "columns": {"vat_rate": false, "discount": true},
        }));
        assert_eq!(odd.accent, "#aa0000");
        assert_eq!(odd.tagline, "");
        assert!(!odd.columns.vat_rate && odd.columns.unit);
        assert_eq!(lenient::<Look>(&json!("nonsense")), Look::default());
    }

    #[test]
    fn text_blocks_round_trip_in_the_stored_format() {
        let mut blocks = TextBlocks::default();
        assert_eq!(blocks.get(DocumentType::Invoice), TextBlock::default());
        blocks.set(
            DocumentType::Invoice,
            TextBlock {
                intro: "Hallo".into(),
                closing: "x".repeat(MAX_TEXT_BLOCK_CHARS + 10),
            },
        );
        let stored = serde_json::to_value(blocks.limited()).unwrap();
        assert_eq!(stored["invoice"]["intro"], "Hallo");
        assert_eq!(
            stored["invoice"]["closing"]
                .as_str()
                .map(|s| s.chars().count()),
            Some(MAX_TEXT_BLOCK_CHARS)
        );
        let read: TextBlocks = lenient(&stored);
        assert_eq!(read.get(DocumentType::Invoice).intro, "Hallo");
        // Written by an older version: only some types, some texts, a wrong type in one.
        let old: TextBlocks = lenient(&json!({
            "quote": {"intro": "Angebot"},
            "invoice": {"intro": 3, "closing": "Danke"},
        }));
        assert_eq!(old.get(DocumentType::Quote).intro, "Angebot");
        assert_eq!(old.get(DocumentType::Quote).closing, "");
        assert_eq!(old.get(DocumentType::Invoice).closing, "Danke");
        assert_eq!(old.get(DocumentType::DeliveryNote), TextBlock::default());
    }

    #[test]
    fn logo_and_security_read_with_defaults() {
        let logo: LogoRef = lenient(&json!({"sha256": "ab", "content_type": "image/png"}));
        assert_eq!(logo.sha256, "ab");
        assert_eq!(
            lenient::<LogoRef>(&json!({"sha256": "ab"})).content_type,
            ""
        );
        assert!(lenient::<SecuritySettings>(&json!({"require_2fa": true})).require_2fa);
        assert!(!lenient::<SecuritySettings>(&json!({"require_2fa": "yes"})).require_2fa);
        assert!(!lenient::<SecuritySettings>(&json!({})).require_2fa);
    }

    #[tokio::test]
    async fn settings_round_trip_through_the_store() {
        let test = TestStore::new().await.expect("store");
        let app = App::new(test.store.clone());
        let settings = app.settings();
        let actor = Actor::user("chef");
        assert_eq!(settings.look().await.unwrap(), Look::default());
        assert_eq!(settings.text_blocks().await.unwrap(), TextBlocks::default());
        assert_eq!(settings.logo().await.unwrap(), None);
        assert_eq!(
            settings.security().await.unwrap(),
            SecuritySettings::default()
        );
        // What an older version stored: unknown and mistyped fields keep their defaults.
        let old = json!({"accent": "#aa0000", "font": 3, "watermark": true});
        app.store().set_setting(&actor, PDF, &old).await.unwrap();
        let look = settings.look().await.unwrap();
        assert_eq!(look.accent, "#aa0000");
        assert_eq!(look.font, Look::default().font);

        let mut blocks = TextBlocks::default();
        blocks.set(
            DocumentType::Invoice,
            TextBlock {
                intro: "Hallo".into(),
                closing: "Gruß".into(),
            },
        );
        settings
            .save_text_blocks(&actor, blocks.clone())
            .await
            .unwrap();
        assert_eq!(settings.text_blocks().await.unwrap(), blocks);
        // The stored JSON keeps its shape: {"invoice": {"intro": …, "closing": …}, …}.
        let stored = app.store().setting(TEXT_BLOCKS).await.unwrap().unwrap();
        assert_eq!(stored["invoice"]["intro"], "Hallo");

        let png = b"\x89PNG\r\n\x1a\nrest";
        let logo = settings.save_logo(&actor, png).await.unwrap();
        assert_eq!(logo.content_type, "image/png");
        assert_eq!(settings.logo().await.unwrap(), Some(logo));
        assert_eq!(settings.logo_file().await.unwrap().data, png);
        let refused = settings.save_logo(&actor, b"GIF89a").await.unwrap_err();
        assert_eq!(refused.code(), ErrorCode::LogoUnknownType);
    }
}
