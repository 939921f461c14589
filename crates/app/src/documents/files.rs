//! Documents as files: the archived PDF and XRechnung of an issued document (never rendered
//! twice), a watermarked preview of a draft, and their download names.

use kontor_domain::{CompanyProfile, ContactData, Draft, ErrorCode, Issued, Printable};
use kontor_storage::{Document, Staged};

pub use kontor_einvoice::Syntax;

use super::{archive, einvoice, look};
use crate::{App, Error, Result};

/// Whether a browser shows a file or saves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disposition {
    Inline,
    Attachment,
}

/// A file to hand out.
#[derive(Debug, Clone)]
pub struct File {
    /// A safe download name (letters, digits, `-_.` only).
    pub name: String,
    pub content_type: &'static str,
    pub disposition: Disposition,
    pub bytes: Vec<u8>,
}

impl File {
    pub fn pdf(name: String, bytes: Vec<u8>) -> File {
        File {
            name,
            content_type: "application/pdf",
            disposition: Disposition::Inline,
            bytes,
        }
    }

    /// The `Content-Disposition` header value.
    pub fn content_disposition(&self) -> String {
        let kind = match self.disposition {
            Disposition::Inline => "inline",
            Disposition::Attachment => "attachment",
        };
        format!("{kind}; filename=\"{}\"", self.name)
    }

    /// The response headers (never cached, never sniffed) and the body.
    pub fn into_response_parts(self) -> ([(http::HeaderName, String); 4], Vec<u8>) {
        let headers = [
            (http::header::CONTENT_TYPE, self.content_type.to_string()),
            (
                http::header::CONTENT_DISPOSITION,
                self.content_disposition(),
            ),
            (http::header::CACHE_CONTROL, "private, no-store".to_string()),
            (http::header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ];
        (headers, self.bytes)
    }
}

/// The `syntax` parameter of an XRechnung download: `ubl` (the default) or `cii`.
pub fn syntax_param(raw: Option<&str>) -> Result<Syntax> {
    match raw.map(str::trim) {
        None | Some("") => Ok(Syntax::Ubl),
        Some(s) => Syntax::parse(s)
            .ok_or_else(|| Error::field("syntax", ErrorCode::UnknownValue, "must be ubl or cii")),
    }
}

/// Only letters, digits and `-_.` in a file name.
fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// "RE-2026-0001.pdf", or "entwurf-12.pdf" for a draft.
pub fn pdf_name(doc: &Document) -> String {
    let base = match doc.number() {
        Some(n) => n.to_string(),
        None => format!("entwurf-{}", doc.id),
    };
    format!("{}.pdf", safe_name(&base))
}

/// What a PDF is rendered from, owned so that it can move to the renderer's thread.
enum Job {
    Issued(Issued),
    Preview(Draft, CompanyProfile, ContactData),
}

impl Job {
    fn printable(&self) -> Printable<'_> {
        match self {
            Job::Issued(issued) => Printable::Issued(issued),
            Job::Preview(draft, seller, buyer) => Printable::Preview {
                draft,
                seller,
                buyer,
            },
        }
    }
}

pub(super) async fn pdf(app: &App, id: i64) -> Result<File> {
    let store = &app.store;
    let doc = store.document(id).await?;
    let name = pdf_name(&doc);
    if !doc.is_draft() {
        if let Some(blob) = store.archived_artefact(id, "pdf").await? {
            return Ok(File::pdf(name, blob.data));
        }
        archive::archive_document(app, id).await?;
        if let Some(blob) = store.archived_artefact(id, "pdf").await? {
            return Ok(File::pdf(name, blob.data));
        }
    }
    let extras = look::pdf_extras(store, &doc).await?;
    let job = match doc.to_domain() {
        Staged::Issued(issued) => Job::Issued(issued),
        // A draft is previewed with the seller and buyer as they are now.
        Staged::Draft(draft) => Job::Preview(
            draft,
            store.company().await?,
            store.contact(doc.contact_id).await?.data,
        ),
    };
    let own = extras.template.is_some();
    let pdf = app
        .rendering
        .run(own, move |renderer| {
            renderer.render(job.printable(), &extras)
        })
        .await?
        .map_err(|e| {
            Error::internal(
                ErrorCode::RenderFailed,
                format!("PDF of document {id}: {e}"),
            )
        })?;
    Ok(File::pdf(name, pdf))
}

pub(super) async fn xrechnung(app: &App, id: i64, syntax: Syntax) -> Result<File> {
    let store = &app.store;
    let Some(doc) = store.document(id).await?.to_issued() else {
        return Err(Error::refused(
            ErrorCode::NotIssued,
            "a draft has no XRechnung yet: issue it first (issue-check names what is missing)",
        ));
    };
    let file = |bytes: Vec<u8>| File {
        name: format!(
            "{}-xrechnung-{}.xml",
            safe_name(doc.number.as_str()),
            syntax.as_str()
        ),
        content_type: "application/xml",
        disposition: Disposition::Attachment,
        bytes,
    };
    if let Some(blob) = store.archived_artefact(id, syntax.kind()).await? {
        return Ok(file(blob.data));
    }
    // Issued before this format existed, or a crash between issue and archive: archive this
    // document's XML now (write once: an archived file is never replaced).
    let made = einvoice::artefacts(&doc)?;
    if !made.is_empty() {
        store.archive_artefacts(id, &made).await?;
    }
    if let Some(blob) = store.archived_artefact(id, syntax.kind()).await? {
        return Ok(file(blob.data));
    }
    Err(Error::refused(
        ErrorCode::EinvoiceUnavailable,
        einvoice::why_unavailable(&doc),
    ))
}
