//! Users: the people who log in, their roles and languages, and the first administrator who
//! sets the business up.

use kontor_domain::{CompanyProfile, ErrorCode, Language};
use kontor_storage::{Actor, Role, User};

use crate::{App, Error, Result, company};

/// Checks a new user name and password against the rules without storing anything (so that a
/// form can name every problem at once).
pub fn check_credentials(username: &str, password: &str) -> Result<()> {
    Ok(kontor_storage::users_check(username, password)?)
}

/// The user operations of one business.
pub struct Users<'a> {
    pub(crate) app: &'a App,
}

impl Users<'_> {
    /// Whether the business has been set up (a first user exists).
    pub async fn any(&self) -> Result<bool> {
        Ok(self.app.store.user_count().await? > 0)
    }

    pub async fn list(&self) -> Result<Vec<User>> {
        Ok(self.app.store.list_users().await?)
    }

    pub async fn get(&self, id: i64) -> Result<User> {
        Ok(self.app.store.user(id).await?)
    }

    /// Adds a user (an administrator's action; the audit log records who).
    pub async fn create(
        &self,
        actor: &Actor,
        username: &str,
        password: &str,
        role: Role,
    ) -> Result<User> {
        Ok(self
            .app
            .store
            .create_user(actor, username, password, role)
            .await?)
    }

    /// The language a user sees the pages in.
    pub async fn set_language(&self, user_id: i64, language: Language) -> Result<()> {
        Ok(self
            .app
            .store
            .set_user_language(user_id, language.as_str())
            .await?)
    }

    /// The one-time code the first-run setup asks for while no user exists, so that only
    /// whoever started Kontor (and read its console or log) becomes its administrator, also
    /// behind a reverse proxy where every request comes from loopback. `kontor serve` prints it
    /// and `kontor user setup-code` shows it again; `None` once Kontor is set up.
    pub async fn setup_code(&self) -> Result<Option<String>> {
        if self.any().await? {
            return Ok(None);
        }
        Ok(Some(self.app.store.setup_code(&new_setup_code()).await?))
    }

    /// The first run with the setup code: the company profile and the first administrator,
    /// who uses `language`. Refused once any user exists.
    pub async fn set_up(
        &self,
        setup_code: &str,
        company: &CompanyProfile,
        username: &str,
        password: &str,
        language: Language,
    ) -> Result<User> {
        let Some(expected) = self.setup_code().await? else {
            return Err(Error::refused(
                ErrorCode::AlreadySetUp,
                "Kontor is set up already",
            ));
        };
        if !same_code(setup_code, &expected) {
            return Err(Error::field(
                "setup_code",
                ErrorCode::SetupCodeWrong,
                "is not the setup code that \"kontor serve\" printed (\"kontor user setup-code\" shows it again)",
            ));
        }
        let (company, problems) = company::check(company.clone());
        Error::first_problem(problems)?;
        let actor = Actor::user(username);
        let user = self.create(&actor, username, password, Role::Admin).await?;
        self.set_language(user.id, language).await?;
        self.app.company().update(&actor, &company).await?;
        self.app.store.clear_setup_code().await?;
        Ok(user)
    }
}

/// Characters of a setup code: no 0/O, 1/I/L that people confuse when they copy it.
const SETUP_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A new setup code, three groups of four ("K7QM-3XHD-RW9P"): 31^12, about 59 bits.
fn new_setup_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let mut code = String::with_capacity(14);
    for i in 0..12 {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        let k = rng.random_range(0..SETUP_ALPHABET.len());
        code.push(char::from(SETUP_ALPHABET[k]));
    }
    code
}

/// Whether a typed setup code is the expected one, ignoring case, spaces and hyphens,
/// compared in constant time.
fn same_code(typed: &str, expected: &str) -> bool {
    use subtle::ConstantTimeEq;
    let plain = |s: &str| -> Vec<u8> {
        s.bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_uppercase())
            .collect()
    };
    let (typed, expected) = (plain(typed), plain(expected));
    !expected.is_empty() && bool::from(typed.ct_eq(&expected))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kontor_storage::testing::TestStore;

    const PASSWORD: &str = "Lange Kerze leuchtet 47 Nächte";

    #[tokio::test]
    async fn setting_up_happens_once_and_only_with_the_setup_code() {
        let test = TestStore::new().await.expect("store");
        let app = App::new(test.store.clone());
        assert!(!app.users().any().await.unwrap());
        let code = app.users().setup_code().await.unwrap().expect("a code");
        assert_eq!(code.len(), 14, "{code}");
        assert_eq!(app.users().setup_code().await.unwrap(), Some(code.clone()));
        let profile = CompanyProfile {
            name: "Muster GmbH".into(),
            ..company::defaults()
        };
        for wrong in ["", "AAAA-AAAA-AAAA", &code[..9]] {
            let refused = app
                .users()
                .set_up(wrong, &profile, "chef", PASSWORD, Language::En)
                .await
                .unwrap_err();
            assert_eq!(refused.code(), ErrorCode::SetupCodeWrong, "{wrong:?}");
            assert_eq!(refused.field_name(), Some("setup_code"));
        }
        assert!(!app.users().any().await.unwrap(), "nothing was created");
        let unnamed = app
            .users()
            .set_up(&code, &company::defaults(), "chef", PASSWORD, Language::En)
            .await
            .unwrap_err();
        assert_eq!(unnamed.field_name(), Some("name"));
        // Typed in lower case with spaces, as people copy it.
        let typed = code.to_lowercase().replace('-', " ");
        let admin = app
            .users()
            .set_up(&typed, &profile, "chef", PASSWORD, Language::En)
            .await
            .unwrap();
        let admin = app.users().get(admin.id).await.unwrap();
        assert_eq!((admin.role, admin.language.as_str()), (Role::Admin, "en"));
        assert_eq!(app.company().get().await.unwrap().name, "Muster GmbH");
        assert_eq!(app.users().setup_code().await.unwrap(), None);
        assert_eq!(test.store.setting("setup_code").await.unwrap(), None);
        let again = app
            .users()
            .set_up(&code, &profile, "zweite", PASSWORD, Language::De)
            .await
            .unwrap_err();
        assert_eq!(again.code(), ErrorCode::AlreadySetUp);
    }

    #[test]
    fn setup_codes_are_random_and_easy_to_copy() {
        let a = new_setup_code();
        assert_ne!(a, new_setup_code());
        assert!(a.split('-').all(|g| g.len() == 4));
        assert!(a.bytes().all(|b| b == b'-' || SETUP_ALPHABET.contains(&b)));
        assert!(same_code(&a.to_lowercase(), &a));
        assert!(!same_code("", ""));
    }
}
