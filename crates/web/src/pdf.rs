//! Documents as PDF for pages and API: the archived bytes for issued documents, a fresh
//! rendering (with the draft watermark) for drafts, and the look read from settings.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kontor_pdf::{Extras, Logo, LogoFormat};
use kontor_storage::{DocState, Document, Store, StoreError};

use crate::WebState;
use crate::error::WebError;
use crate::session;

/// The look and related facts for rendering `doc`, read from the store now.
pub async fn extras_for(store: &Store, doc: &Document) -> Result<Extras, StoreError> {
    let mut extras = Extras::default();
    if let Some(settings) = store.setting("pdf").await? {
        extras.apply_settings(&settings);
    }
    if let Some(logo) = store.setting("logo").await?
        && let (Some(key), Some(format)) = (
            logo["sha256"].as_str(),
            logo["content_type"]
                .as_str()
                .and_then(LogoFormat::from_content_type),
        )
    {
        let blob = store.blob(key).await?;
        extras.logo = Some(Logo {
            format,
            data: blob.data,
        });
    }
    if let Ok(contact) = store.contact(doc.contact_id).await {
        extras.customer_number = contact.number;
    }
    if let Some(original) = doc.corrects_id
        && let Ok(other) = store.document(original).await
    {
        let en = doc.language == kontor_domain::Language::En;
        let lang = doc.language.as_str();
        extras.reference = format!(
            "{} {} {} {}",
            if en { "Refers to" } else { "Bezug:" },
            other.content.doc_type.label(lang),
            other.number.unwrap_or_default(),
            if en {
                format!("of {}", kontor_pdf::format::date(other.content.date, true))
            } else {
                format!(
                    "vom {}",
                    kontor_pdf::format::date(other.content.date, false)
                )
            },
        );
    }
    Ok(extras)
}

/// The PDF of a document and its download file name. Issued documents return their archived
/// bytes (archiving them first if that was missed); drafts render now with current data.
pub async fn document_pdf(store: &Store, id: i64) -> Result<(Vec<u8>, String), StoreError> {
    let doc = store.document(id).await?;
    let name = file_name(&doc);
    if doc.state != DocState::Draft {
        if let Some(blob) = store.archived_artefact(id, "pdf").await? {
            return Ok((blob.data, name));
        }
        crate::archive::archive_document(store, id).await?;
        if let Some(blob) = store.archived_artefact(id, "pdf").await? {
            return Ok((blob.data, name));
        }
    }
    let seller = store.company().await?;
    let buyer = store.contact(doc.contact_id).await?.data;
    let extras = extras_for(store, &doc).await?;
    let pdf =
        tokio::task::spawn_blocking(move || kontor_pdf::render(&doc, &seller, &buyer, &extras))
            .await
            .map_err(|e| StoreError::Corrupt(format!("PDF rendering stopped: {e}")))?
            .map_err(|e| StoreError::Corrupt(format!("cannot render document {id}: {e}")))?;
    Ok((pdf, name))
}

/// "RE-2026-0001.pdf", or "entwurf-12.pdf" for a draft; only safe characters.
pub fn file_name(doc: &Document) -> String {
    let base = match &doc.number {
        Some(n) if doc.state != DocState::Draft => n.clone(),
        _ => format!("entwurf-{}", doc.id),
    };
    let safe: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{safe}.pdf")
}

/// A PDF response shown inline (the browser previews it; saving keeps the file name).
pub fn pdf_response(bytes: Vec<u8>, name: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        Body::from(bytes),
    )
        .into_response()
}

/// `GET /documents/{id}/pdf` for any logged-in user.
pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let (bytes, name) = document_pdf(&state.store, id)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    Ok(pdf_response(bytes, &name))
}
