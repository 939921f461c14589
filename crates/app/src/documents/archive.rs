//! The files of record: every path that issues a document comes through here, so the PDF and
//! the e-invoice XML are produced and stored right after the number is assigned.
//!
//! Issuing and archiving are two transactions: rendering inside SQLite's single write lock
//! would serialise every issue behind the renderer. The files are rendered in the background,
//! one document at a time (bounded CPU and memory), right after the issue is acknowledged; a
//! download that comes first archives that document on the spot. Either way the first
//! rendering is the one kept (write once), and it is made from the document's own snapshot.
//! If the process dies before, [`archive_missing`] (run at start) produces the files then.

use kontor_domain::{ErrorCode, Issued};
use kontor_storage::blobs::Artefact;
use kontor_storage::{Document, Store};

use super::{einvoice, look};
use crate::rendering::Rendering;
use crate::{App, Error, Result};

/// The files of record for an issued document. `pdf_extras` is the PDF look (logo, settings)
/// as it is at issue; `renderer` compiles an own template.
pub fn artefacts_for(
    doc: &Issued,
    pdf_extras: &kontor_pdf::Extras,
    renderer: &kontor_pdf::Renderer,
) -> Result<Vec<Artefact>> {
    // The XRechnung in UBL and CII, when the data allows.
    let xml = einvoice::artefacts(doc)?;
    // The PDF from the document's own seller and buyer snapshots; for invoices, credit notes
    // and cancellations the ZUGFeRD / Factur-X hybrid with the Factur-X CII of profile
    // EN 16931 embedded (it needs none of the XRechnung-only data, so every issued invoice
    // gets it, whatever format the contact prefers).
    let mut extras = pdf_extras.clone();
    extras.facturx_xml = einvoice::facturx_xml(doc)?;
    let pdf = renderer.render(doc.into(), &extras).map_err(|e| {
        Error::internal(
            ErrorCode::RenderFailed,
            format!("PDF of document {}: {e}", doc.number),
        )
    })?;
    let mut artefacts = vec![Artefact {
        kind: "pdf".into(),
        content_type: "application/pdf".into(),
        data: pdf,
    }];
    artefacts.extend(xml);
    Ok(artefacts)
}

/// Archives an issued document's files (nothing for a draft).
pub(super) async fn archive(store: &Store, rendering: &Rendering, doc: &Document) -> Result<()> {
    let Some(issued) = doc.to_issued() else {
        return Ok(());
    };
    let pdf_extras = look::pdf_extras(store, doc).await?;
    // Rendering is CPU work of milliseconds (an own template: up to its time budget), done
    // off the async workers.
    let own = pdf_extras.template.is_some();
    let artefacts = rendering
        .run(own, move |renderer| {
            artefacts_for(&issued, &pdf_extras, renderer)
        })
        .await??;
    store.archive_artefacts(doc.id, &artefacts).await?;
    Ok(())
}

/// Archives one issued document's files if they are missing (write once: existing files stay).
pub(super) async fn archive_document(app: &App, id: i64) -> Result<()> {
    let doc = app.store.document(id).await?;
    archive(&app.store, &app.rendering, &doc).await
}

/// One rendering at a time in the background: the renderer is CPU- and memory-heavy.
static RENDER_TURN: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Archives a just-issued document's files in the background.
pub(super) fn archive_later(app: &App, doc: &Document) {
    let (store, rendering, doc) = (app.store.clone(), app.rendering.clone(), doc.clone());
    tokio::spawn(async move {
        let Ok(_turn) = RENDER_TURN.acquire().await else {
            return;
        };
        if let Err(e) = archive(&store, &rendering, &doc).await {
            tracing::error!(document = doc.id, error = %e, "archiving the issued document failed; it is retried at the next start");
        }
    });
}

/// Archives issued documents that lack their files of `kind` (after a crash between issue and
/// archive); returns how many got one.
pub async fn archive_missing(app: &App, kind: &str) -> Result<usize> {
    let store = &app.store;
    let mut done = 0;
    loop {
        let ids = store.documents_missing_artefact(kind, 100).await?;
        if ids.is_empty() {
            return Ok(done);
        }
        let before = done;
        for id in ids {
            let doc = store.document(id).await?;
            {
                let _turn = RENDER_TURN
                    .acquire()
                    .await
                    .map_err(|e| Error::internal(ErrorCode::Internal, e))?;
                archive(store, &app.rendering, &doc).await?;
            }
            if store.archived_artefact(id, kind).await?.is_some() {
                done += 1;
            }
        }
        if done == before {
            // Nothing of this kind is produced for these documents; stop rather than loop.
            return Ok(done);
        }
    }
}
