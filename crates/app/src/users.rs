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

    /// The first run: the company profile and the first administrator, who uses `language`.
    /// Refused once any user exists.
    pub async fn set_up(
        &self,
        company: &CompanyProfile,
        username: &str,
        password: &str,
        language: Language,
    ) -> Result<User> {
        if self.any().await? {
            return Err(Error::refused(
                ErrorCode::AlreadySetUp,
                "Kontor is set up already",
            ));
        }
        let (company, problems) = company::check(company.clone());
        Error::first_problem(problems)?;
        let actor = Actor::user(username);
        let user = self.create(&actor, username, password, Role::Admin).await?;
        self.set_language(user.id, language).await?;
        self.app.company().update(&actor, &company).await?;
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kontor_storage::testing::TestStore;

    const PASSWORD: &str = "Lange Kerze leuchtet 47 Nächte";

    #[tokio::test]
    async fn setting_up_happens_once() {
        let test = TestStore::new().await.expect("store");
        let app = App::new(test.store.clone());
        assert!(!app.users().any().await.unwrap());
        let unnamed = app
            .users()
            .set_up(&company::defaults(), "chef", PASSWORD, Language::En)
            .await
            .unwrap_err();
        assert_eq!(unnamed.field_name(), Some("name"));
        let profile = CompanyProfile {
            name: "Muster GmbH".into(),
            ..company::defaults()
        };
        let admin = app
            .users()
            .set_up(&profile, "chef", PASSWORD, Language::En)
            .await
            .unwrap();
        let admin = app.users().get(admin.id).await.unwrap();
        assert_eq!((admin.role, admin.language.as_str()), (Role::Admin, "en"));
        assert_eq!(app.company().get().await.unwrap().name, "Muster GmbH");
        let again = app
            .users()
            .set_up(&profile, "zweite", PASSWORD, Language::De)
            .await
            .unwrap_err();
        assert_eq!(again.code(), ErrorCode::AlreadySetUp);
    }
}
