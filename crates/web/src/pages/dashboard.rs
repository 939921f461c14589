//! The dashboard: open and overdue invoices, revenue, the latest documents, a revenue chart.
//! Every figure says what it counts and for which period; the chart names its months, their
//! values and the years.

use askama::Template;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use kontor_app::model::Dashboard;
use kontor_app::model::DocumentSummary;
use kontor_texts::Msg;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::WebState;
use crate::error::WebError;
use crate::i18n::{Lang, Tr};
use crate::layout::{Layout, render};
use crate::session;

/// Width of one month in the chart, in SVG units.
const STEP: u32 = 64;
/// Height of the tallest bar.
const BAR_MAX: f64 = 150.0;
/// Where the bars stand.
const BASELINE: u32 = 180;

/// One bar of the chart, positioned in SVG units.
pub struct Bar {
    pub x: u32,
    pub y: u32,
    pub height: u32,
    /// The month's short name ("Dez").
    pub label: String,
    /// The month in full ("Dezember 2026"), for the tooltip and the table.
    pub month: String,
    /// The exact value ("1.271,64 €").
    pub value: String,
    /// The value in whole euros above the bar ("1.272 €").
    pub short_value: String,
    /// The year, under the first month and every January.
    pub year: Option<i32>,
}

/// What each card and the chart say they show.
struct Labels {
    open_hint: String,
    overdue_hint: String,
    open_count: String,
    overdue_count: String,
    month: String,
    year: String,
    chart: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    d: Dashboard,
    recent: Vec<DocumentSummary>,
    bars: Vec<Bar>,
    labels: Labels,
    today: chrono::NaiveDate,
}

/// "2026-11" as (2026, 11).
fn year_month(key: &str) -> Option<(i32, u32)> {
    let (y, m) = key.split_once('-')?;
    Some((y.parse().ok()?, m.parse().ok()?))
}

fn month_name(tr: &Tr, year: i32, month: u32) -> String {
    format!("{} {year}", tr.tk("month", month.to_string()))
}

/// An amount in whole euros ("1.272 €", "€1,272").
fn whole_euros(tr: &Tr, value: Decimal) -> String {
    let text = tr.money(value.round(), "EUR");
    match tr.lang {
        Lang::De => text.replace(",00 €", " €"),
        Lang::En => text.trim_end_matches(".00").to_string(),
    }
}

fn bars(d: &Dashboard, tr: &Tr) -> Vec<Bar> {
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
        .map(|(i, (key, value))| {
            let ratio = (value.max(&Decimal::ZERO) / max).to_f64().unwrap_or(0.0);
            let height = (ratio * BAR_MAX).round() as u32;
            let (year, month) = year_month(key).unwrap_or_default();
            Bar {
                x: 10 + i as u32 * STEP,
                y: BASELINE - height,
                height,
                label: tr.tk("month_short", month.to_string()),
                month: month_name(tr, year, month),
                value: tr.money(value, "EUR"),
                short_value: whole_euros(tr, *value),
                year: (i == 0 || month == 1).then_some(year),
            }
        })
        .collect()
}

fn labels(d: &Dashboard, tr: &Tr, today: NaiveDate) -> Labels {
    let date = tr.date(today);
    let count = |n: i64| tr.t(Msg::DashInvoiceCount).replace("{n}", &n.to_string());
    let first_of_year = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let chart_month = |entry: Option<&(String, Decimal)>| {
        entry
            .and_then(|(key, _)| year_month(key))
            .map(|(y, m)| month_name(tr, y, m))
            .unwrap_or_default()
    };
    Labels {
        open_hint: tr.t(Msg::DashOpenHint).replace("{date}", &date),
        overdue_hint: tr.t(Msg::DashOverdueHint).replace("{date}", &date),
        open_count: count(d.open_count),
        overdue_count: count(d.overdue_count),
        month: month_name(tr, today.year(), today.month()),
        year: format!("{} – {}", tr.date(first_of_year), date),
        chart: tr
            .t(Msg::DashChartHint)
            .replace("{from}", &chart_month(d.monthly.first()))
            .replace("{to}", &chart_month(d.monthly.last())),
    }
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
        labels: labels(&overview.figures, &ctx.tr, overview.today),
        l: Layout::new(&ctx, ctx.tr.t(Msg::NavDashboard), "dashboard"),
        d: overview.figures,
        recent: overview.recent,
        today: overview.today,
    };
    Ok(render(ctx.lang(), &page))
}
