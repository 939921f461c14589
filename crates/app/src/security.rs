//! An administrator's security work: the security log, every user's role, sessions and second
//! factor, and the business setting that requires two-factor login. Each change goes into the
//! security log.

use kontor_storage::security::SecurityEvent;
use kontor_storage::sessions::SessionPolicy;
use kontor_storage::two_factor::TotpState;
use kontor_storage::{Actor, Role, User};

use crate::settings::SecuritySettings;
use crate::{App, Result};

/// Newest security-log entries the overview shows.
pub const LOG_ENTRIES: i64 = 200;

/// One user as the security page lists them.
#[derive(Debug, Clone)]
pub struct UserRow {
    pub user: User,
    /// Live sessions.
    pub sessions: usize,
    /// Two-factor login is on.
    pub totp: bool,
}

/// The security page's content.
#[derive(Debug, Clone)]
pub struct Overview {
    pub required: bool,
    pub users: Vec<UserRow>,
    /// Newest first.
    pub events: Vec<SecurityEvent>,
}

/// The security operations of one business.
pub struct Security<'a> {
    pub(crate) app: &'a App,
}

impl Security<'_> {
    /// Every user with their sessions and second factor, the 2FA requirement and the newest
    /// [`LOG_ENTRIES`] entries of the security log.
    pub async fn overview(&self, policy: SessionPolicy) -> Result<Overview> {
        let store = &self.app.store;
        let mut users = Vec::new();
        for user in store.list_users().await? {
            users.push(UserRow {
                sessions: store.user_sessions(user.id, policy).await?.len(),
                totp: store.totp_state(user.id).await? == TotpState::Enabled,
                user,
            });
        }
        Ok(Overview {
            required: self.app.settings().security().await?.require_2fa,
            users,
            events: store.security_log(LOG_ENTRIES).await?,
        })
    }

    /// Requires (or stops requiring) two-factor login of every user from their next login.
    pub async fn require_2fa(&self, actor: &Actor, on: bool) -> Result<()> {
        self.app
            .settings()
            .save_security(actor, &SecuritySettings { require_2fa: on })
            .await?;
        let event = if on {
            "require_2fa_on"
        } else {
            "require_2fa_off"
        };
        Ok(self
            .app
            .store
            .security_event(actor, event, "business", serde_json::json!({}))
            .await?)
    }

    /// Changes a user's role; their sessions end. The last administrator keeps the role.
    pub async fn set_role(&self, actor: &Actor, user: &User, role: Role) -> Result<User> {
        Ok(self.app.store.set_user_role(actor, user.id, role).await?)
    }

    /// Ends every session of a user; returns how many there were.
    pub async fn end_sessions(&self, actor: &Actor, user: &User) -> Result<u64> {
        let store = &self.app.store;
        let ended = store.delete_user_sessions(user.id).await?;
        store
            .security_event(
                actor,
                "sessions_ended",
                &user.username,
                serde_json::json!({ "sessions": ended }),
            )
            .await?;
        Ok(ended)
    }

    /// Turns a user's second factor off (a lost phone); they enrol again when required.
    pub async fn reset_totp(&self, actor: &Actor, user: &User) -> Result<()> {
        Ok(self.app.store.disable_totp(actor, user).await?)
    }
}
