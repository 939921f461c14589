//! Reports: the dashboard's figures and the latest documents.

use chrono::NaiveDate;
use kontor_storage::reports::Dashboard;
use kontor_storage::{DocumentQuery, DocumentSummary, PageRequest};

use crate::{App, Result};

/// How many of the latest documents the dashboard lists.
pub const RECENT_DOCUMENTS: i64 = 10;

/// What the dashboard shows, as of `today`.
pub struct Overview {
    pub figures: Dashboard,
    /// The latest documents, newest first.
    pub recent: Vec<DocumentSummary>,
    pub today: NaiveDate,
}

/// The reports of one business.
pub struct Reports<'a> {
    pub(crate) app: &'a App,
}

impl Reports<'_> {
    /// Open and overdue invoices, revenue by month, and the latest documents.
    pub async fn dashboard(&self) -> Result<Overview> {
        let today = self.app.today();
        let store = &self.app.store;
        let figures = store.dashboard(today).await?;
        let query = DocumentQuery {
            page: PageRequest::new(Some(1), Some(RECENT_DOCUMENTS)),
            skip_total: true,
            ..Default::default()
        };
        let recent = store.list_documents(&query, today).await?.items;
        Ok(Overview {
            figures,
            recent,
            today,
        })
    }
}
