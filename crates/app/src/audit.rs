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
