//! Issuing with the archive: every path that issues a document (web pages and JSON API) goes
//! through here, so the files of record (PDF, e-invoice XML) are produced and stored right
//! after the number is assigned.
//!
//! Issuing and archiving are two transactions: rendering inside SQLite's single write lock
//! would serialise every issue behind the renderer. The files are rendered in the background,
//! one document at a time (bounded CPU and memory), right after the issue is acknowledged; a
//! download that comes first archives that document on the spot. Either way the first
//! rendering is the one kept (write once), and it is made from the document's own snapshot.
//! If the process dies before, `archive_missing` (run at start) produces the files then.

use kontor_storage::blobs::Artefact;
use kontor_storage::{Actor, Document, Store, StoreError};

/// The files of record for an issued document. Each format adds its own here.
/// `pdf_extras` is the PDF look (logo, settings) as it is at issue.
pub fn artefacts_for(
    doc: &Document,
    pdf_extras: &kontor_pdf::Extras,
) -> Result<Vec<Artefact>, String> {
    let mut artefacts = Vec::new();
    // The XRechnung in UBL and CII, when the data allows (issue 5).
    let xml = crate::einvoice::artefacts(doc)?;
    // The PDF from the document's own seller and buyer snapshots (issue 4); for invoices the
    // ZUGFeRD / Factur-X hybrid with the CII embedded (issue 5).
    if let (Some(seller), Some(buyer)) = (&doc.seller, &doc.buyer) {
        let mut extras = pdf_extras.clone();
        extras.facturx_xml = facturx_xml(doc, &xml);
        let pdf = kontor_pdf::render(doc, seller, buyer, &extras).map_err(|e| e.to_string())?;
        artefacts.push(Artefact {
            kind: "pdf".into(),
            content_type: "application/pdf".into(),
            data: pdf,
        });
    }
    artefacts.extend(xml);
    Ok(artefacts)
}

/// The CII invoice to embed in the PDF of an invoice, credit note or cancellation.
fn facturx_xml(doc: &Document, xml: &[Artefact]) -> Option<Vec<u8>> {
    if !doc.content.doc_type.is_tax_invoice() {
        return None;
    }
    xml.iter()
        .find(|a| a.kind == kontor_einvoice::Syntax::Cii.kind())
        .map(|a| a.data.clone())
}

async fn archive(store: &Store, doc: &Document) -> Result<(), StoreError> {
    let pdf_extras = crate::pdf::extras_for(store, doc).await?;
    // Rendering is CPU work of milliseconds: keep it off the async workers.
    let owned = doc.clone();
    let artefacts = tokio::task::spawn_blocking(move || artefacts_for(&owned, &pdf_extras))
        .await
        .map_err(|e| StoreError::Corrupt(format!("renderer stopped: {e}")))?
        .map_err(|e| StoreError::Corrupt(format!("cannot render document {}: {e}", doc.id)))?;
    if !artefacts.is_empty() {
        store.archive_artefacts(doc.id, &artefacts).await?;
    }
    Ok(())
}

/// Archives one issued document's files if they are missing (write once: existing files stay).
pub async fn archive_document(store: &Store, id: i64) -> Result<(), StoreError> {
    let doc = store.document(id).await?;
    archive(store, &doc).await
}

/// One rendering at a time in the background: the renderer is CPU- and memory-heavy.
static RENDER_TURN: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// Archives a just-issued document's files in the background.
fn archive_later(store: &Store, doc: &Document) {
    let (store, doc) = (store.clone(), doc.clone());
    tokio::spawn(async move {
        let Ok(_turn) = RENDER_TURN.acquire().await else {
            return;
        };
        if let Err(e) = archive(&store, &doc).await {
            tracing::error!(document = doc.id, error = %e, "archiving the issued document failed; it is retried at the next start");
        }
    });
}

/// Issues a draft; its files of record are archived right after (see the module comment).
pub async fn issue_and_archive(
    store: &Store,
    actor: &Actor,
    id: i64,
) -> Result<Document, StoreError> {
    let doc = store.issue_document(actor, id).await?;
    archive_later(store, &doc);
    Ok(doc)
}

/// Cancels an invoice (issuing the cancellation) and archives the cancellation's files.
pub async fn cancel_and_archive(
    store: &Store,
    actor: &Actor,
    id: i64,
    date: chrono::NaiveDate,
) -> Result<Document, StoreError> {
    let cancellation = store.cancel_document(actor, id, date).await?;
    archive_later(store, &cancellation);
    Ok(cancellation)
}

/// Archives issued documents that lack their files (after a crash between issue and archive).
pub async fn archive_missing(store: &Store, kind: &str) -> Result<usize, StoreError> {
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
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                archive(store, &doc).await?;
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
