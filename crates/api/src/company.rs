//! `GET/PUT /company`: the seller's profile that every issued document snapshots.

use axum::Json;
use axum::extract::State;
use kontor_domain::CompanyProfile;
use serde::Deserialize;

use super::error::ApiResult;
use super::input;
use super::json::ApiJsonBody;
use crate::auth::Auth;
use kontor_app::{App, company};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanyInput {
    name: Option<String>,
    legal_form: Option<String>,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    country: Option<String>,
    tax_number: Option<String>,
    vat_id: Option<String>,
    registry: Option<String>,
    managing_directors: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
    iban: Option<String>,
    bic: Option<String>,
    bank_name: Option<String>,
    small_business: Option<bool>,
    default_payment_terms_days: Option<i64>,
    /// Skonto steps for new documents of contacts without their own.
    default_skonto: Option<Vec<input::SkontoInput>>,
    /// SEPA creditor identifier (BT-90), needed for direct debits.
    creditor_id: Option<String>,
}

impl CompanyInput {
    /// The profile's fields, each checked as JSON input; the company service checks the
    /// profile as a whole.
    fn fields(self) -> ApiResult<CompanyProfile> {
        let line = |field: &str, v: Option<String>| input::text(field, v, 200, false);
        let defaults = company::defaults();
        let country = self.country.unwrap_or(defaults.country);
        Ok(CompanyProfile {
            name: line("name", self.name)?,
            legal_form: line("legal_form", self.legal_form)?,
            street: line("street", self.street)?,
            postal_code: input::text("postal_code", self.postal_code, 20, false)?,
            city: line("city", self.city)?,
            country: input::country("country", &country, true)?,
            tax_number: input::text("tax_number", self.tax_number, 40, false)?,
            vat_id: input::vat_id("vat_id", self.vat_id)?,
            registry: line("registry", self.registry)?,
            managing_directors: line("managing_directors", self.managing_directors)?,
            contact_name: line("contact_name", self.contact_name)?,
            contact_phone: input::text("contact_phone", self.contact_phone, 40, false)?,
            contact_email: input::email("contact_email", self.contact_email)?,
            iban: input::iban("iban", self.iban)?,
            bic: input::bic("bic", self.bic)?,
            bank_name: line("bank_name", self.bank_name)?,
            small_business: self.small_business.unwrap_or(false),
            default_payment_terms_days: input::days(
                "default_payment_terms_days",
                self.default_payment_terms_days
                    .unwrap_or(defaults.default_payment_terms_days),
            )?,
            default_skonto: input::skonto(
                "default_skonto",
                self.default_skonto.unwrap_or_default(),
            )?,
            creditor_id: input::creditor_id("creditor_id", self.creditor_id)?,
        })
    }
}

pub async fn get(State(state): State<App>, _auth: Auth) -> ApiResult<Json<CompanyProfile>> {
    Ok(Json(state.company().get().await?))
}

pub async fn put(
    State(state): State<App>,
    auth: Auth,
    ApiJsonBody(body): ApiJsonBody<CompanyInput>,
) -> ApiResult<Json<CompanyProfile>> {
    let profile = body.fields()?;
    Ok(Json(state.company().update(&auth.actor(), &profile).await?))
}
