//! The mailbox runs `kontor serve` starts: every minute it looks whether the business's
//! mailbox is due (its `interval_minutes` since the last run started) and reads it. A run that
//! is still going is not started twice, and of several instances on one database one claims
//! each period (a lease in the settings table); outcomes go to the log, without secrets.

use std::time::Duration;

use kontor_domain::ErrorCode;
use kontor_storage::Actor;

use crate::App;

/// How often the schedule looks whether a run is due.
pub const TICK: Duration = Duration::from_secs(60);

/// The setting that holds the newest claim of a scheduled run.
const LEASE: &str = "mailbox_schedule_lease";

/// Reads `app`'s mailbox whenever it is due, until the task is dropped.
pub async fn run(app: App) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        poll_if_due(&app).await;
    }
}

/// Starts [`run`] for `app` in the background.
pub fn spawn(app: App) -> tokio::task::JoinHandle<()> {
    tokio::spawn(run(app))
}

/// Reads the mailbox when it is set up, scheduled and due; `true` when a run happened.
pub async fn poll_if_due(app: &App) -> bool {
    let mailbox = app.incoming().mailbox();
    let interval = match mailbox.interval_minutes().await {
        Ok(Some(minutes)) => chrono::Duration::minutes(i64::from(minutes)),
        Ok(None) => return false,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the mailbox settings");
            return false;
        }
    };
    let last = mailbox
        .last_report()
        .await
        .ok()
        .flatten()
        .and_then(|r| chrono::DateTime::parse_from_rfc3339(&r.started_at).ok());
    let now = app.clock().now();
    if last.is_some_and(|t| now.signed_duration_since(t) < interval) {
        return false;
    }
    let stamp =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    // A little less than the interval, so that the minute ticks of one instance keep its pace.
    let since = now - interval + chrono::Duration::seconds(5);
    match app
        .store()
        .claim_setting(LEASE, &stamp(now), &stamp(since))
        .await
    {
        Ok(true) => {}
        Ok(false) => return false,
        Err(e) => {
            tracing::warn!(error = %e, "cannot claim the mailbox run");
            return false;
        }
    }
    match mailbox.poll(&Actor::system()).await {
        Ok(_) => true,
        Err(e) if e.code() == ErrorCode::MailboxBusy => {
            tracing::debug!("the mailbox is still being read; this run is skipped");
            false
        }
        // `poll` logged it and stored the report.
        Err(_) => true,
    }
}
