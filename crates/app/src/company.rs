//! The company profile: the seller that every issued document snapshots.

use kontor_domain::CompanyProfile;
use kontor_domain::party::FieldProblem;
use kontor_storage::Actor;

use crate::{App, Error, Result};

/// Payment terms of a new business, in days.
pub const DEFAULT_PAYMENT_TERMS_DAYS: i64 = 14;

/// A new business's profile before anyone typed: in Germany, 14 days to pay.
pub fn defaults() -> CompanyProfile {
    CompanyProfile {
        country: "DE".into(),
        default_payment_terms_days: DEFAULT_PAYMENT_TERMS_DAYS,
        ..Default::default()
    }
}

/// The profile as it would be kept (codes normalised) and every problem with it, the empty
/// name included (forms ask for it; saving accepts it while setting up).
pub fn check(profile: CompanyProfile) -> (CompanyProfile, Vec<FieldProblem>) {
    let profile = profile.normalized();
    let problems = profile.problems();
    (profile, problems)
}

/// The company operations of one business.
pub struct Company<'a> {
    pub(crate) app: &'a App,
}

impl Company<'_> {
    pub async fn get(&self) -> Result<CompanyProfile> {
        Ok(self.app.store.company().await?)
    }

    /// Replaces the profile. An empty name is fine while setting up; issuing names what is
    /// still missing.
    pub async fn update(&self, actor: &Actor, profile: &CompanyProfile) -> Result<CompanyProfile> {
        let (profile, problems) = check(profile.clone());
        Error::first_problem(
            problems
                .into_iter()
                .filter(|(field, _)| *field != "name")
                .collect(),
        )?;
        Ok(self.app.store.update_company(actor, &profile).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_lack_only_a_name() {
        let (_, problems) = check(defaults());
        let fields: Vec<&str> = problems.iter().map(|p| p.0).collect();
        assert_eq!(fields, ["name"]);
        let (profile, problems) = check(CompanyProfile {
            name: "Muster GmbH".into(),
            iban: kontor_domain::Iban::parse("de02 1203 0000 0000 2020 51").ok(),
            ..defaults()
        });
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            profile.iban.as_ref().map(|v| v.as_str()),
            Some("DE02120300000000202051")
        );
    }
}
