//! The filtered, sortable, paginated list of documents, and what can be done with a
//! selection of them: their archived PDFs as one ZIP, or a CSV for a spreadsheet.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::NaiveDate;
use kontor_app::documents::MAX_BULK_DOCUMENTS;
use kontor_app::model::{
    DocumentQuery, DocumentSort, DocumentSummary, Page, PageRequest, Sort, StatusFilter,
};
use kontor_domain::ErrorCode;
use kontor_domain::document::DocumentType;
use kontor_texts::Msg;
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::forms::FormData;
use crate::layout::{Layout, render};
use crate::pages::files::response as file_response;
use crate::pages::pager::Pager;
use crate::pages::sorting::{self, Column};
use crate::session::{self, Ctx, check_csrf};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub status: Option<String>,
    pub contact_id: Option<String>,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<i64>,
}

impl ListQuery {
    fn sort(&self) -> Option<Sort<DocumentSort>> {
        self.sort.as_deref().and_then(Sort::parse)
    }

    fn status(&self) -> Option<StatusFilter> {
        self.status.as_deref().and_then(StatusFilter::parse)
    }

    /// The filters as query parameters (without sort and page).
    fn filters(&self) -> Vec<(&'static str, String)> {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        vec![
            ("type", opt(&self.doc_type)),
            (
                "status",
                self.status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            ),
            ("contact_id", opt(&self.contact_id)),
            ("date_from", opt(&self.date_from)),
            ("date_to", opt(&self.date_to)),
            ("q", opt(&self.q)),
        ]
    }
}

#[derive(Template)]
#[template(path = "documents_list.html")]
struct ListPage {
    l: Layout,
    f: ListQuery,
    page: Page<DocumentSummary>,
    pager: Pager,
    columns: Vec<Column>,
    types: Vec<DocumentType>,
    statuses: &'static [StatusFilter],
    today: NaiveDate,
    /// The list's query string, for coming back to the same list after a refused bulk action.
    back: String,
    /// Documents ticked before a refused bulk action, ticked again.
    selected: Vec<i64>,
    /// Why a bulk action was refused.
    bulk_error: String,
    bulk_hint: String,
}

impl ListPage {
    fn is_selected(&self, id: impl crate::i18n::Val<i64>) -> bool {
        self.selected.contains(&id.val())
    }
}

fn parse_date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
}

/// The table's columns: all but the type sort.
const COLUMNS: &[sorting::Spec<DocumentSort>] = &[
    (Msg::FieldNumber, Some(DocumentSort::Number), false),
    (Msg::FieldType, None, false),
    (Msg::FieldContact, Some(DocumentSort::Contact), false),
    (Msg::FieldDate, Some(DocumentSort::Date), false),
    (Msg::FieldDueDate, Some(DocumentSort::DueDate), false),
    (Msg::FieldStatus, Some(DocumentSort::Status), false),
    (Msg::FieldGross, Some(DocumentSort::Amount), true),
];

pub async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(f): Query<ListQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    list_page(&state, &ctx, f, Vec::new(), String::new()).await
}

async fn list_page(
    state: &WebState,
    ctx: &Ctx,
    f: ListQuery,
    selected: Vec<i64>,
    bulk_error: String,
) -> Result<Response, WebError> {
    let (doc_state, open_only, payment) = f.status().map(|s| s.parts()).unwrap_or_default();
    let sort = f.sort();
    let query = DocumentQuery {
        doc_type: f.doc_type.as_deref().and_then(DocumentType::parse),
        state: doc_state,
        open_only,
        payment,
        contact_id: f.contact_id.as_deref().and_then(|c| c.parse().ok()),
        date_from: parse_date(&f.date_from),
        date_to: parse_date(&f.date_to),
        search: f.q.clone(),
        sort,
        page: PageRequest::new(f.page, Some(50)),
        skip_total: true,
        ..Default::default()
    };
    let today = state.app.today();
    let page = state
        .app
        .documents()
        .list(&query)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    let filters = f.filters();
    let borrowed: Vec<(&str, &str)> = filters.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let columns = sorting::columns(&ctx.tr, "/documents", &borrowed, sort, COLUMNS);
    let sort_param = sort.map(|s| s.param()).unwrap_or_default();
    let mut with_sort = borrowed.clone();
    with_sort.push(("sort", &sort_param));
    let pager = Pager::new(&page, "/documents", &with_sort);
    let mut back_pairs: Vec<(&str, &str)> = with_sort
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let page_param = page.page.to_string();
    if page.page > 1 {
        back_pairs.push(("page", &page_param));
    }
    let back = serde_urlencoded::to_string(&back_pairs).unwrap_or_default();
    let l = Layout::new(ctx, ctx.tr.t(Msg::DocsTitle), "documents");
    let status = if bulk_error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut response = render(
        ctx.lang(),
        &ListPage {
            l,
            f,
            page,
            pager,
            columns,
            types: DocumentType::ALL.to_vec(),
            statuses: StatusFilter::ALL,
            today,
            back,
            selected,
            bulk_error,
            bulk_hint: ctx
                .tr
                .t(Msg::ListBulkHint)
                .replace("{n}", &MAX_BULK_DOCUMENTS.to_string()),
        },
    );
    *response.status_mut() = status;
    Ok(response)
}

/// `POST /documents/bulk`: the ticked documents (`ids`, at most [`MAX_BULK_DOCUMENTS`]) as
/// one ZIP of their archived PDFs (`action=zip`) or as a CSV (`action=csv`). Nothing changes,
/// so the file is the answer; a refusal shows the list again with the reason.
pub async fn bulk(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let form = FormData::parse(&body);
    check_csrf(&ctx, &headers, form.get("_csrf"))?;
    let lang = ctx.lang();
    // More ids than allowed are refused before any is read.
    let raw = form.all("ids");
    let ids: Vec<i64> = raw
        .iter()
        .take(MAX_BULK_DOCUMENTS + 1)
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    let back: ListQuery =
        serde_urlencoded::from_str(form.get("back").unwrap_or("")).unwrap_or_default();
    let refuse = |message: String, keep: Vec<i64>| list_page(&state, &ctx, back, keep, message);
    if ids.is_empty() {
        return refuse(ctx.tr.t(Msg::ListBulkNone).to_string(), ids).await;
    }
    if raw.len() > MAX_BULK_DOCUMENTS {
        let message = ctx
            .tr
            .t(Msg::ListBulkTooMany)
            .replace("{n}", &MAX_BULK_DOCUMENTS.to_string());
        return refuse(message, Vec::new()).await;
    }
    let documents = state.app.documents();
    let result = match form.get("action") {
        Some("zip") => documents.pdf_zip(&ids, lang).await,
        Some("csv") => documents.export_csv(&ids, lang).await,
        _ => return Err(WebError::NotFound(lang)),
    };
    match result {
        Ok(file) => Ok(file_response(file)),
        Err(e) if e.code() == ErrorCode::NotIssued => {
            refuse(ctx.tr.t(Msg::ListBulkNoIssued).to_string(), ids).await
        }
        Err(e) => Err(WebError::from_app(lang, e)),
    }
}
