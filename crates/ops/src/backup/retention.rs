//! Retention: backups older than the window are deleted from a target, except the newest
//! complete backup there, which stays whatever its age (so a target is never left empty
//! because backups stopped for a while).

use chrono::{DateTime, Utc};

use super::error::Result;
use super::manifest::BackupId;
use super::target::{Listed, Target};

/// Which of `listed` to delete at `now` with a window of `keep`.
pub fn plan(listed: &[Listed], now: DateTime<Utc>, keep: chrono::Duration) -> Vec<BackupId> {
    let cutoff = now - keep;
    let newest_complete = listed.iter().filter(|l| l.complete).map(|l| &l.id).max();
    listed
        .iter()
        .filter(|l| Some(&l.id) != newest_complete)
        .filter(|l| l.id.created_at().is_some_and(|t| t < cutoff))
        .map(|l| l.id.clone())
        .collect()
}

/// Applies the plan on one target; returns the ids deleted.
pub async fn apply(
    target: &Target,
    now: DateTime<Utc>,
    keep: chrono::Duration,
) -> Result<Vec<BackupId>> {
    let listed = target.list().await?;
    let doomed = plan(&listed, now, keep);
    for id in &doomed {
        target.delete_backup(id).await?;
        tracing::info!(target = target.name(), backup = %id, "deleted by retention");
    }
    Ok(doomed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn listed(t: &str, complete: bool) -> Listed {
        Listed {
            id: BackupId::new(at(t)),
            complete,
            size: 1,
        }
    }

    #[test]
    fn keeps_the_window_and_the_newest_complete() {
        let keep = chrono::Duration::days(30);
        let old = listed("2026-09-01T00:00:00Z", true);
        let edge_in = listed("2026-10-27T00:00:01Z", true);
        let recent = listed("2026-11-25T00:00:00Z", true);
        let now = at("2026-11-26T00:00:00Z");
        let all = vec![old.clone(), edge_in.clone(), recent.clone()];
        assert_eq!(plan(&all, now, keep), vec![old.id.clone()]);

        // Backups stopped long ago: the newest complete one stays, even at 90 days.
        let later = at("2027-03-01T00:00:00Z");
        assert_eq!(
            plan(&all, later, keep),
            vec![old.id.clone(), edge_in.id.clone()]
        );

        // An incomplete newer one does not count as the newest complete backup.
        let broken = listed("2026-11-25T06:00:00Z", false);
        let with_broken = vec![old.clone(), recent.clone(), broken.clone()];
        assert_eq!(
            plan(&with_broken, later, keep),
            vec![old.id.clone(), broken.id.clone()]
        );
        assert!(plan(&[], now, keep).is_empty());
    }
}
