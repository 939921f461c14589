//! XRechnung files (UBL and CII) for pages and API: produced at issue from the document's own
//! snapshot and archived; downloads serve the archived bytes unchanged.
//!
//! Decisions: drafts get no XRechnung (409 `not_issued`): a draft has no invoice number
//! (BT-1) yet, and `issue-check` already names what is missing. An issued invoice whose data
//! did not allow an XRechnung (the contact did not ask for one, and e.g. the buyer reference
//! BT-10 is missing) answers 409 `einvoice_unavailable`, naming the missing fields.

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kontor_einvoice::{Error, Invoice, Syntax};
use kontor_storage::blobs::Artefact;
use kontor_storage::{DocState, Document, Store, StoreError};
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::session;

/// The e-invoice view of an issued document; `None` for drafts (no number, no snapshots).
pub fn invoice_of(doc: &Document) -> Option<Invoice<'_>> {
    Some(Invoice {
        number: doc.number.as_deref()?,
        content: &doc.content,
        totals: &doc.totals,
        seller: doc.seller.as_ref()?,
        buyer: doc.buyer.as_ref()?,
        language: doc.language,
        subject: &doc.texts.subject,
        intro_text: &doc.texts.intro_text,
        closing_text: &doc.texts.closing_text,
        preceding_number: doc.corrects_number.as_deref(),
        preceding_date: None,
    })
}

/// The XRechnung files of record for an issued invoice, when its data allows them.
pub fn artefacts(doc: &Document) -> Result<Vec<Artefact>, String> {
    let Some(inv) = invoice_of(doc) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for syntax in [Syntax::Ubl, Syntax::Cii] {
        match kontor_einvoice::write(&inv, syntax) {
            Ok(xml) => out.push(Artefact {
                kind: syntax.kind().into(),
                content_type: kontor_einvoice::CONTENT_TYPE.into(),
                data: xml,
            }),
            Err(Error::NotAnInvoice(_) | Error::Incomplete(_)) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(out)
}

/// The Factur-X / ZUGFeRD XML (profile EN 16931) that the hybrid PDF of an issued invoice
/// embeds as `factur-x.xml`; `None` for drafts, documents that are no invoice, or when the
/// data does not allow a valid one (issuing names what is missing before that can happen).
pub fn facturx_xml(doc: &Document) -> Result<Option<Vec<u8>>, String> {
    let Some(inv) = invoice_of(doc) else {
        return Ok(None);
    };
    match kontor_einvoice::facturx_cii(&inv) {
        Ok(xml) => Ok(Some(xml)),
        Err(Error::NotAnInvoice(_) | Error::Incomplete(_)) => Ok(None),
        Err(e) => Err(e.to_string()),
    }
}

/// The archived XRechnung of an issued document and its download file name.
pub async fn document_xml(
    store: &Store,
    id: i64,
    syntax: Syntax,
) -> Result<(Vec<u8>, String), StoreError> {
    let doc = store.document(id).await?;
    if doc.state == DocState::Draft {
        return Err(StoreError::conflict(
            "not_issued",
            "a draft has no XRechnung yet: issue it first (issue-check names what is missing)",
        ));
    }
    let name = format!(
        "{}-xrechnung-{}.xml",
        safe_name(doc.number.as_deref().unwrap_or("dokument")),
        syntax.as_str()
    );
    if let Some(blob) = store.archived_artefact(id, syntax.kind()).await? {
        return Ok((blob.data, name));
    }
    // Issued before this format existed, or a crash between issue and archive: archive this
    // document's XML now (write once: an archived file is never replaced).
    let made = artefacts(&doc).map_err(|e| {
        StoreError::Corrupt(format!("cannot write the XRechnung of document {id}: {e}"))
    })?;
    if !made.is_empty() {
        store.archive_artefacts(id, &made).await?;
    }
    if let Some(blob) = store.archived_artefact(id, syntax.kind()).await? {
        return Ok((blob.data, name));
    }
    let why = match invoice_of(&doc).map(|inv| kontor_einvoice::check(&inv)) {
        Some(Err(e)) => e.to_string(),
        _ => "no XRechnung was produced for this document".into(),
    };
    Err(StoreError::conflict("einvoice_unavailable", why))
}

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

/// An XML download.
pub fn xml_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/xml".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        Body::from(bytes),
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct SyntaxQuery {
    syntax: Option<String>,
}

/// The `syntax` parameter: `ubl` (default) or `cii`.
pub fn parse_syntax(raw: Option<&str>) -> Option<Syntax> {
    match raw {
        None | Some("") => Some(Syntax::Ubl),
        Some(s) => Syntax::parse(s),
    }
}

/// `GET /documents/{id}/xrechnung?syntax=ubl|cii` for any logged-in user.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(q): Query<SyntaxQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let syntax = parse_syntax(q.syntax.as_deref()).ok_or_else(|| {
        WebError::from_store(
            ctx.lang(),
            StoreError::invalid("syntax", "must be ubl or cii"),
        )
    })?;
    let (bytes, name) = document_xml(&state.store, id, syntax)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    Ok(xml_response(bytes, &name))
}
