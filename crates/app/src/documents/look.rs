//! The look of a document's PDF as the settings say now: colours and columns, the logo, the
//! customer number, and the reference line of a correction.

use kontor_pdf::{Extras, Logo, LogoFormat};
use kontor_storage::{Document, Store};
use kontor_texts::Msg;

use crate::Result;

/// The look as the settings say now (colours, columns, font, template) and the logo.
pub async fn look_extras(store: &Store) -> Result<Extras> {
    let mut extras = Extras::default();
    extras.apply_look(&crate::settings::look_of(store).await?);
    if let Some(logo) = crate::settings::logo_of(store).await?
        && let Some(format) = LogoFormat::from_content_type(&logo.content_type)
    {
        let blob = store.blob(&logo.sha256).await?;
        extras.logo = Some(Logo {
            format,
            data: blob.data,
        });
    }
    Ok(extras)
}

/// The look and related facts for rendering `doc`, read from the store now.
pub async fn pdf_extras(store: &Store, doc: &Document) -> Result<Extras> {
    let mut extras = look_extras(store).await?;
    if let Ok(contact) = store.contact(doc.contact_id).await {
        extras.customer_number = contact.number;
    }
    if let Some(original) = doc.corrects_id
        && let Ok(other) = store.document(original).await
    {
        let lang = doc.language;
        let date =
            kontor_pdf::format::date(other.content.date, lang == kontor_domain::Language::En);
        extras.reference = format!(
            "{} {} {} {}",
            Msg::PdfRefersTo.text(lang),
            Msg::doc_type(other.content.doc_type).text(lang),
            other.number().unwrap_or_default(),
            Msg::PdfRefersToDate.text(lang).replace("{date}", &date),
        );
    }
    Ok(extras)
}
