//! The filtered, paginated list of documents.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::NaiveDate;
use kontor_app::model::{DocState, DocumentQuery, DocumentSummary, Page, PageRequest};
use kontor_domain::document::DocumentType;
use kontor_texts::Msg;
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::pages::pager::Pager;
use crate::session;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub status: Option<String>,
    pub contact_id: Option<String>,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub q: Option<String>,
    pub page: Option<i64>,
}

#[derive(Template)]
#[template(path = "documents_list.html")]
struct ListPage {
    l: Layout,
    f: ListQuery,
    page: Page<DocumentSummary>,
    pager: Pager,
    types: Vec<DocumentType>,
    today: NaiveDate,
}

fn parse_date(s: &Option<String>) -> Option<NaiveDate> {
    s.as_deref()
        .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok())
}

pub async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(f): Query<ListQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let status = f.status.as_deref().unwrap_or("");
    let query = DocumentQuery {
        doc_type: f.doc_type.as_deref().and_then(DocumentType::parse),
        state: DocState::parse(status),
        open_only: status == "open",
        contact_id: f.contact_id.as_deref().and_then(|c| c.parse().ok()),
        date_from: parse_date(&f.date_from),
        date_to: parse_date(&f.date_to),
        search: f.q.clone(),
        page: PageRequest::new(f.page, Some(50)),
        skip_total: true,
    };
    let today = state.app.today();
    let page = state
        .app
        .documents()
        .list(&query)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let params = [
        ("type", opt(&f.doc_type)),
        ("status", opt(&f.status)),
        ("contact_id", opt(&f.contact_id)),
        ("date_from", opt(&f.date_from)),
        ("date_to", opt(&f.date_to)),
        ("q", opt(&f.q)),
    ];
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let pager = Pager::new(&page, "/documents", &borrowed);
    let l = Layout::new(&ctx, ctx.tr.t(Msg::DocsTitle), "documents");
    Ok(render(
        ctx.lang(),
        &ListPage {
            l,
            f,
            page,
            pager,
            types: DocumentType::ALL.to_vec(),
            today,
        },
    ))
}
