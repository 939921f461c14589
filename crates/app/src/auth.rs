//! Logging in and staying logged in: the password step with its throttling per account and per
//! source, the second factor (TOTP or a recovery code, or the enrolment when the business
//! requires one), sessions with their security-log entries, the own two-factor set-up and
//! password, and the API's bearer tokens.

use kontor_domain::ErrorCode;
use kontor_storage::security::{Gate, ThrottlePolicy, account_key, source_key};
use kontor_storage::sessions::{Session, SessionInfo, SessionPolicy};
use kontor_storage::two_factor::{SecondFactor, TotpState};
use kontor_storage::{Actor, ApiToken, Store, StoreError, User};

use crate::{App, Error, Result};

/// What the password step decided.
#[derive(Debug)]
pub enum LoginStep {
    /// Unknown user or wrong password: one answer for both.
    Failed,
    /// Too many failures from this account or source; try again after `seconds`.
    Throttled { seconds: i64 },
    /// The password was right; the user's TOTP code is needed.
    NeedsCode(User),
    /// The password was right; the business requires 2FA and the user has none yet.
    NeedsEnrolment(User),
    /// The password was right and no second factor is needed.
    LoggedIn(User),
}

/// What the second step decided.
#[derive(Debug)]
pub enum SecondStep {
    /// The code (or a recovery code) was right; `method` goes into the security log.
    Passed { method: &'static str },
    /// The enrolment during login is done: the recovery codes to show once.
    Enrolled { codes: Vec<String> },
    /// The code was wrong; an enrolment goes on with `enrol_secret` (empty for a code check).
    Wrong { enrol_secret: String },
    /// There is no enrolment to finish (it ended meanwhile): start the step again.
    Restart,
}

/// A session to start once a login passed.
pub struct NewSession<'a> {
    pub user: &'a User,
    /// How the user logged in ("password", "password+totp", …), for the security log.
    pub method: &'a str,
    pub user_agent: &'a str,
    pub ip: &'a str,
    /// The browser's previous session, which ends: a planted session id is never promoted.
    pub replaces: Option<&'a str>,
    /// The login challenge of the second step, which ends.
    pub challenge: Option<&'a str>,
}

/// A user's two-factor login as "my account" shows it.
#[derive(Debug, Clone)]
pub struct TwoFactorStatus {
    pub state: TotpState,
    /// The secret of an enrolment that waits for its first code (empty otherwise).
    pub pending_secret: String,
    pub recovery_codes_left: i64,
    /// The business requires 2FA (so it cannot be turned off).
    pub required: bool,
}

/// The authentication operations of one business.
pub struct Auth<'a> {
    pub(crate) app: &'a App,
}

impl Auth<'_> {
    fn store(&self) -> &Store {
        &self.app.store
    }

    /// The live session of a cookie value (its idle timer refreshed), if any.
    pub async fn session(&self, secret: &str, policy: SessionPolicy) -> Result<Option<Session>> {
        Ok(self.store().session(secret, policy).await?)
    }

    /// Ends a session (logout).
    pub async fn end_session(&self, secret: &str) -> Result<()> {
        Ok(self.store().delete_session(secret).await?)
    }

    /// A user's live sessions, newest first.
    pub async fn sessions_of(
        &self,
        user_id: i64,
        policy: SessionPolicy,
    ) -> Result<Vec<SessionInfo>> {
        Ok(self.store().user_sessions(user_id, policy).await?)
    }

    /// Ends one of a user's sessions by its handle; whether there was such a session.
    pub async fn end_session_of(&self, user_id: i64, handle: &str) -> Result<bool> {
        Ok(self.store().end_user_session(user_id, handle).await?)
    }

    /// The handle of a session cookie (identifies the session without revealing the cookie).
    pub fn session_handle(secret: &str) -> String {
        Store::session_handle(secret)
    }

    /// The first administrator's session right after setting up.
    pub async fn first_session(
        &self,
        user_id: i64,
        user_agent: &str,
        policy: SessionPolicy,
    ) -> Result<String> {
        Ok(self
            .store()
            .create_session(user_id, user_agent, policy)
            .await?)
    }

    /// Starts the session of a login that passed: a new session id (the browser's previous
    /// session and the login challenge end) and a "login" entry in the security log. Returns
    /// the cookie value.
    pub async fn log_in(&self, new: NewSession<'_>, policy: SessionPolicy) -> Result<String> {
        let store = self.store();
        if let Some(old) = new.replaces {
            store.delete_session(old).await?;
        }
        if let Some(challenge) = new.challenge {
            store.end_login_challenge(challenge).await?;
        }
        let secret = store
            .create_session_from(new.user.id, new.user_agent, new.ip, policy)
            .await?;
        store
            .security_event(
                &Actor::user(&new.user.username),
                "login",
                &new.user.username,
                serde_json::json!({ "ip": new.ip, "method": new.method }),
            )
            .await?;
        tracing::info!(user = %new.user.username, method = new.method, "login");
        Ok(secret)
    }

    /// Checks the counters of the account and the source, then the password, then whether a
    /// second factor is needed. A right password after a run of failures goes into the
    /// security log.
    pub async fn password_step(
        &self,
        username: &str,
        password: &str,
        ip: &str,
        throttle: ThrottlePolicy,
    ) -> Result<LoginStep> {
        let store = self.store();
        let keys = [account_key(username), source_key(ip)];
        if let Gate::Wait { seconds, .. } = store.login_gate(&keys, throttle).await? {
            return Ok(LoginStep::Throttled { seconds });
        }
        let Some(user) = store.verify_login(username, password).await? else {
            store.record_login_failure(username, ip, throttle).await?;
            return Ok(LoginStep::Failed);
        };
        let failures = store.clear_login_failures(username).await?;
        if failures >= throttle.free_failures {
            // A correct password after a run of failures: worth a look by an admin.
            store
                .security_event(
                    &Actor::system(),
                    "login_after_failures",
                    &user.username,
                    serde_json::json!({ "ip": ip, "failures": failures }),
                )
                .await?;
        }
        Ok(match store.totp_state(user.id).await? {
            TotpState::Enabled => LoginStep::NeedsCode(user),
            _ if self.app.settings().security().await?.require_2fa => {
                LoginStep::NeedsEnrolment(user)
            }
            _ => LoginStep::LoggedIn(user),
        })
    }

    /// After a right password, when a second factor is still needed: a short-lived challenge.
    /// Returns its secret (for a cookie).
    pub async fn challenge(&self, user_id: i64) -> Result<String> {
        Ok(self.store().create_login_challenge(user_id).await?)
    }

    /// The user a live login challenge belongs to.
    pub async fn challenge_user(&self, secret: &str) -> Result<Option<User>> {
        Ok(self.store().login_challenge(secret).await?)
    }

    /// What the second step asks for: empty for a code, else the secret of the enrolment the
    /// user has to finish (started now when there is none yet).
    pub async fn second_factor_prompt(&self, user: &User) -> Result<String> {
        let store = self.store();
        Ok(match store.totp_state(user.id).await? {
            TotpState::Enabled => String::new(),
            TotpState::Pending => store
                .pending_totp_secret(user.id)
                .await?
                .unwrap_or_default(),
            TotpState::None => store.start_totp_enrolment(user.id).await?,
        })
    }

    /// Checks the code of the second step: a TOTP or recovery code, or the first code of the
    /// enrolment. A wrong code counts against the challenge, and a wrong code for an enabled
    /// second factor against the account and source like a wrong password.
    pub async fn second_factor_step(
        &self,
        user: &User,
        challenge: &str,
        code: &str,
        ip: &str,
        throttle: ThrottlePolicy,
    ) -> Result<SecondStep> {
        let store = self.store();
        if store.totp_state(user.id).await? == TotpState::Enabled {
            return Ok(match store.verify_second_factor(user, code).await? {
                Some(SecondFactor::Totp) => SecondStep::Passed {
                    method: "password+totp",
                },
                Some(SecondFactor::RecoveryCode) => SecondStep::Passed {
                    method: "password+recovery_code",
                },
                None => {
                    store.fail_login_challenge(challenge).await?;
                    store
                        .record_login_failure(&user.username, ip, throttle)
                        .await?;
                    SecondStep::Wrong {
                        enrol_secret: String::new(),
                    }
                }
            });
        }
        // Enrolment during login (the business requires 2FA).
        match store
            .confirm_totp(&Actor::user(&user.username), user, code)
            .await
        {
            Ok(codes) => Ok(SecondStep::Enrolled { codes }),
            Err(StoreError::Invalid { .. }) => {
                store.fail_login_challenge(challenge).await?;
                let enrol_secret = store
                    .pending_totp_secret(user.id)
                    .await?
                    .unwrap_or_default();
                Ok(SecondStep::Wrong { enrol_secret })
            }
            Err(StoreError::Conflict { .. }) => Ok(SecondStep::Restart),
            Err(e) => Err(e.into()),
        }
    }

    /// Changes the own password after checking the current one; every session of the user
    /// ends (start a new one for the browser that made the change).
    pub async fn change_password(&self, user: &User, current: &str, new: &str) -> Result<()> {
        Ok(self.store().change_password(user, current, new).await?)
    }

    /// A user's two-factor login: its state, a pending enrolment's secret, the recovery codes
    /// left, and whether the business requires it.
    pub async fn two_factor(&self, user_id: i64) -> Result<TwoFactorStatus> {
        let store = self.store();
        Ok(TwoFactorStatus {
            state: store.totp_state(user_id).await?,
            pending_secret: store
                .pending_totp_secret(user_id)
                .await?
                .unwrap_or_default(),
            recovery_codes_left: store.recovery_codes_left(user_id).await?,
            required: self.app.settings().security().await?.require_2fa,
        })
    }

    /// Starts (or restarts) the own enrolment; returns the new secret.
    pub async fn start_totp(&self, user_id: i64) -> Result<String> {
        Ok(self.store().start_totp_enrolment(user_id).await?)
    }

    /// The secret of an enrolment that waits for its first code (for the QR code).
    pub async fn pending_totp_secret(&self, user_id: i64) -> Result<Option<String>> {
        Ok(self.store().pending_totp_secret(user_id).await?)
    }

    /// Finishes the own enrolment with a code from the app; returns the recovery codes (shown
    /// once).
    pub async fn confirm_totp(
        &self,
        actor: &Actor,
        user: &User,
        code: &str,
    ) -> Result<Vec<String>> {
        Ok(self.store().confirm_totp(actor, user, code).await?)
    }

    /// Turns the own second factor off after checking the password; refused while the
    /// business requires 2FA.
    pub async fn disable_totp(&self, actor: &Actor, user: &User, password: &str) -> Result<()> {
        if self.app.settings().security().await?.require_2fa {
            return Err(Error::refused(
                ErrorCode::TwoFactorRequired,
                "This business requires two-factor login.",
            ));
        }
        if self
            .store()
            .verify_login(&user.username, password)
            .await?
            .is_none()
        {
            return Err(Error::field(
                "current_password",
                ErrorCode::PasswordWrong,
                "is not correct",
            ));
        }
        Ok(self.store().disable_totp(actor, user).await?)
    }

    /// The active user and token of an API bearer token.
    pub async fn authenticate_token(&self, token: &str) -> Result<Option<(User, ApiToken)>> {
        Ok(self.store().authenticate_token(token).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kontor_storage::Role;
    use kontor_storage::testing::TestStore;

    const PASSWORD: &str = "Lange Kerze leuchtet 47 Nächte";

    #[tokio::test]
    async fn required_2fa_asks_for_enrolment_and_cannot_be_turned_off() {
        let test = TestStore::new().await.expect("store");
        let app = App::new(test.store.clone());
        let admin = Actor::user("chef");
        let anna = app
            .users()
            .create(&admin, "anna", PASSWORD, Role::Sales)
            .await
            .unwrap();
        let throttle = ThrottlePolicy::default();
        let step = |password: &'static str| {
            let app = app.clone();
            async move {
                app.auth()
                    .password_step("anna", password, "10.0.0.1", throttle)
                    .await
                    .unwrap()
            }
        };
        assert!(matches!(step("wrong").await, LoginStep::Failed));
        assert!(matches!(step(PASSWORD).await, LoginStep::LoggedIn(_)));
        app.security().require_2fa(&admin, true).await.unwrap();
        assert!(matches!(step(PASSWORD).await, LoginStep::NeedsEnrolment(_)));
        assert!(app.auth().two_factor(anna.id).await.unwrap().required);
        let refused = app
            .auth()
            .disable_totp(&Actor::user("anna"), &anna, PASSWORD)
            .await
            .unwrap_err();
        assert_eq!(refused.code(), ErrorCode::TwoFactorRequired);
        let log = app.store().security_log(20).await.unwrap();
        assert!(log.iter().any(|e| e.event == "require_2fa_on"));

        app.security().require_2fa(&admin, false).await.unwrap();
        let wrong = app
            .auth()
            .disable_totp(&Actor::user("anna"), &anna, "wrong")
            .await
            .unwrap_err();
        assert_eq!(wrong.field_name(), Some("current_password"));
    }
}
