//! The business's settings that both faces change: the document look.

use kontor_domain::{ErrorCode, Language, TaxMode};
use kontor_pdf::look::Look;
use kontor_storage::{Actor, DocState};

use crate::documents::{File, pdf_extras};
use crate::{App, Error, Result};

/// What is wrong with a submitted look: (field, English message) per problem.
pub type LookProblems = Vec<(&'static str, String)>;

/// The settings of one business.
pub struct Settings<'a> {
    pub(crate) app: &'a App,
}

impl Settings<'_> {
    /// The document look (defaults for what is not set).
    pub async fn look(&self) -> Result<Look> {
        Ok(Look::from_setting(
            self.app.store.setting("pdf").await?.as_ref(),
        ))
    }

    /// Checks a look (an own template is compiled against sample documents) and stores it;
    /// the inner error lists every problem.
    pub async fn save_look(
        &self,
        actor: &Actor,
        look: Look,
    ) -> Result<std::result::Result<Look, LookProblems>> {
        let checked = tokio::task::spawn_blocking(move || look.checked())
            .await
            .map_err(|e| Error::internal(ErrorCode::RenderFailed, e))?;
        let look = match checked {
            Ok(look) => look,
            Err(problems) => return Ok(Err(problems)),
        };
        self.app
            .store
            .set_setting(actor, "pdf", &look.to_value())
            .await?;
        Ok(Ok(look))
    }

    /// A sample invoice (a draft, with the watermark) in the saved look, from the company's
    /// own data.
    pub async fn look_preview(&self, lang: Language) -> Result<File> {
        let store = &self.app.store;
        let company = store.company().await?;
        let mut doc = kontor_pdf::sample::invoice(12, TaxMode::Standard, lang);
        doc.state = DocState::Draft;
        doc.number = None;
        doc.seller = None;
        doc.buyer = None;
        let extras = pdf_extras(store, &doc).await?;
        let buyer = kontor_pdf::sample::buyer();
        let pdf = tokio::task::spawn_blocking(move || {
            kontor_pdf::render(&doc, &company, &buyer, &extras)
        })
        .await
        .map_err(|e| Error::internal(ErrorCode::RenderFailed, e))?
        .map_err(|e| Error::internal(ErrorCode::RenderFailed, e))?;
        Ok(File::pdf("vorschau.pdf".into(), pdf))
    }
}
