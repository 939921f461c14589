//! The admin's backup page: the schedule, the targets and the newest runs with their results
//! (from the records every run writes), and a button that starts a backup now.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use kontor_texts::Msg;

use crate::WebState;
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::session::{admin, admin_form};
use kontor_app::backups::BackupOverview;

#[derive(Template)]
#[template(path = "backups.html")]
struct BackupsPage {
    l: Layout,
    /// None: backups are not configured for this installation.
    overview: Option<BackupOverview>,
    error: String,
}

impl BackupsPage {
    fn size(&self, bytes: &u64) -> String {
        let text = if *bytes < 1_048_576 {
            format!("{:.1} KiB", *bytes as f64 / 1024.0)
        } else {
            format!("{:.1} MiB", *bytes as f64 / 1_048_576.0)
        };
        if self.l.tr.lang == crate::i18n::Lang::De {
            text.replace('.', ",")
        } else {
            text
        }
    }

    fn when(&self, rfc3339: &str) -> String {
        chrono::DateTime::parse_from_rfc3339(rfc3339)
            .map(|t| {
                let local = t.with_timezone(&chrono::Local);
                if self.l.tr.lang == crate::i18n::Lang::De {
                    local.format("%d.%m.%Y %H:%M").to_string()
                } else {
                    local.format("%Y-%m-%d %H:%M").to_string()
                }
            })
            .unwrap_or_else(|_| rfc3339.to_string())
    }

    fn result(&self, result: &str) -> String {
        self.l.tr.tk("backups.result", result)
    }
}

pub async fn show(
    State(state): State<WebState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let ctx = admin(&state, &headers).await?;
    let backups = state.app.backups();
    let (overview, error) = match backups.configured() {
        false => (None, String::new()),
        true => match backups.overview(30).await {
            Ok(o) => (Some(o), String::new()),
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the backup records");
                (
                    Some(BackupOverview::default()),
                    ctx.tr.t(Msg::BackupsRecordsUnreadable).to_string(),
                )
            }
        },
    };
    let started = query.as_deref() == Some("started=1") && backups.configured();
    let flash = if started {
        ctx.tr.t(Msg::BackupsStarted)
    } else {
        ""
    };
    let page = BackupsPage {
        l: Layout::new(&ctx, ctx.tr.t(Msg::BackupsTitle), "settings").with_flash(flash),
        overview,
        error,
    };
    Ok(render(ctx.lang(), &page))
}

pub async fn start(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = admin_form(&state, &headers, &body).await?;
    state
        .app
        .backups()
        .start(&ctx.actor())
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(Redirect::to("/settings/backups?started=1").into_response())
}
