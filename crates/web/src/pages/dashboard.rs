//! The dashboard: open and overdue invoices, revenue, the latest documents, a revenue chart.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use kontor_app::model::Dashboard;
use kontor_app::model::DocumentSummary;
use kontor_texts::Msg;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::WebState;
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::session;

/// One bar of the chart, positioned in SVG units.
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    pub label: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    d: Dashboard,
    recent: Vec<DocumentSummary>,
    bars: Vec<Bar>,
    today: chrono::NaiveDate,
}

fn bars(d: &Dashboard, tr: &crate::i18n::Tr) -> Vec<Bar> {
    let max = d
        .monthly
        .iter()
        .map(|(_, v)| *v)
        .max()
        .unwrap_or_default()
        .max(Decimal::ONE);
    d.monthly
        .iter()
        .enumerate()
        .map(|(i, (month, value))| {
            let ratio = (value.max(&Decimal::ZERO) / max).to_f64().unwrap_or(0.0);
            let height = (ratio * 160.0).round() as u32;
            Bar {
                x: 10 + i as u32 * 50,
                y: 180 - height,
                height,
                label: month[5..].to_string(),
                value: tr.money(value, "EUR"),
            }
        })
        .collect()
}

pub async fn show(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let overview = state
        .app
        .reports()
        .dashboard()
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    let page = DashboardPage {
        bars: bars(&overview.figures, &ctx.tr),
        l: Layout::new(&ctx, ctx.tr.t(Msg::NavDashboard), "dashboard"),
        d: overview.figures,
        recent: overview.recent,
        today: overview.today,
    };
    Ok(render(ctx.lang(), &page))
}
