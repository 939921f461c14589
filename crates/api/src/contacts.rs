//! Contacts: customers and suppliers, their documents and open items.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kontor_app::model::{Contact, ContactQuery, ContactSort, Once};
use kontor_domain::{ContactData, ContactKind, EInvoiceFormat, Language, PaymentMethod, TaxMode};
use serde::Deserialize;

use super::PageOut;
use super::document_output::SummaryOut;
use super::error::{ApiError, ApiResult};
use super::idempotency::{self, KeyedJson};
use super::input;
use super::json::{ApiJsonBody, ApiPath, QueryParams};
use crate::auth::Auth;
use kontor_app::{App, contacts};
use kontor_domain::ErrorCode;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    kind: Option<ContactKind>,
    name: Option<String>,
    street: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
    country: Option<String>,
    delivery_street: Option<String>,
    delivery_postal_code: Option<String>,
    delivery_city: Option<String>,
    delivery_country: Option<String>,
    vat_id: Option<String>,
    tax_number: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    buyer_reference: Option<String>,
    einvoice_format: Option<EInvoiceFormat>,
    language: Option<Language>,
    currency: Option<String>,
    payment_terms_days: Option<i64>,
    /// Skonto steps for this contact; absent or null: the company's default.
    skonto: Option<Vec<super::input::SkontoInput>>,
    payment_method: Option<PaymentMethod>,
    sepa_mandate_reference: Option<String>,
    sepa_debtor_iban: Option<String>,
    tax_mode: Option<TaxMode>,
    is_customer: Option<bool>,
    is_supplier: Option<bool>,
    notes: Option<String>,
    /// Only on PUT: archive or restore.
    archived: Option<bool>,
}

impl ContactInput {
    /// The contact's fields, each checked as JSON input (the contact service checks the
    /// contact as a whole), and the archive flag.
    fn validate(self) -> ApiResult<(ContactData, Option<bool>)> {
        let defaults = contacts::defaults();
        let line = |field: &str, v: Option<String>| input::text(field, v, 200, false);
        let currency = match self
            .currency
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            Some(c) => Some(input::currency("currency", c)?),
            None => None,
        };
        let data = ContactData {
            kind: self.kind.unwrap_or_default(),
            name: input::text("name", self.name, 200, true)?,
            street: line("street", self.street)?,
            postal_code: input::text("postal_code", self.postal_code, 20, false)?,
            city: line("city", self.city)?,
            country: input::country(
                "country",
                self.country.as_deref().unwrap_or(&defaults.country),
                true,
            )?,
            delivery_street: line("delivery_street", self.delivery_street)?,
            delivery_postal_code: input::text(
                "delivery_postal_code",
                self.delivery_postal_code,
                20,
                false,
            )?,
            delivery_city: line("delivery_city", self.delivery_city)?,
            delivery_country: input::country(
                "delivery_country",
                self.delivery_country.as_deref().unwrap_or(""),
                false,
            )?,
            vat_id: input::vat_id("vat_id", self.vat_id)?,
            tax_number: input::text("tax_number", self.tax_number, 40, false)?,
            email: input::email("email", self.email)?,
            phone: input::text("phone", self.phone, 40, false)?,
            buyer_reference: input::text("buyer_reference", self.buyer_reference, 200, false)?,
            einvoice_format: self.einvoice_format.unwrap_or_default(),
            language: self.language.unwrap_or_default(),
            currency,
            payment_terms_days: self
                .payment_terms_days
                .map(|d| input::days("payment_terms_days", d))
                .transpose()?,
            skonto: self
                .skonto
                .map(|steps| input::skonto("skonto", steps))
                .transpose()?,
            payment_method: self.payment_method.unwrap_or_default(),
            sepa_mandate_reference: input::text(
                "sepa_mandate_reference",
                self.sepa_mandate_reference,
                35,
                false,
            )?,
            sepa_debtor_iban: input::iban("sepa_debtor_iban", self.sepa_debtor_iban)?,
            tax_mode: self.tax_mode,
            is_customer: self.is_customer.unwrap_or(defaults.is_customer),
            is_supplier: self.is_supplier.unwrap_or(defaults.is_supplier),
            notes: input::text("notes", self.notes, 10_000, false)?,
        };
        Ok((data, self.archived))
    }
}

pub async fn list(
    State(state): State<App>,
    _auth: Auth,
    q: QueryParams,
) -> ApiResult<Json<PageOut<Contact>>> {
    let query = ContactQuery {
        search: q.str("search").map(str::to_string),
        include_archived: q.bool("include_archived")?,
        sort: q.sort::<ContactSort>()?,
        page: q.page()?,
    };
    Ok(Json(PageOut::from_page(
        state.contacts().list(&query).await?,
        |c| c,
    )))
}

/// `POST /contacts`; with an `Idempotency-Key` a repeat returns the first answer.
pub async fn create(
    State(state): State<App>,
    auth: Auth,
    KeyedJson { body, key }: KeyedJson<ContactInput>,
) -> ApiResult<Response> {
    let (data, archived) = body.validate()?;
    if archived.is_some() {
        return Err(ApiError::field(
            "archived",
            ErrorCode::UnknownField,
            "cannot be set on a new contact",
        ));
    }
    let once = state
        .contacts()
        .create_once(&auth.actor(), &data, key.as_ref(), |contact| {
            idempotency::stored(StatusCode::CREATED, contact)
        })
        .await?;
    Ok(match once {
        Once::Created(contact) => (StatusCode::CREATED, Json(contact)).into_response(),
        Once::Replayed(first) => idempotency::replay(first),
    })
}

pub async fn get(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Contact>> {
    Ok(Json(state.contacts().get(id).await?))
}

pub async fn update(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJsonBody(body): ApiJsonBody<ContactInput>,
) -> ApiResult<Json<Contact>> {
    let (data, archived) = body.validate()?;
    Ok(Json(
        state
            .contacts()
            .update(&auth.actor(), id, &data, archived)
            .await?,
    ))
}

pub async fn delete(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    state.contacts().delete(&auth.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn archive(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Contact>> {
    Ok(Json(
        state
            .contacts()
            .set_archived(&auth.actor(), id, true)
            .await?,
    ))
}

pub async fn documents(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
    q: QueryParams,
) -> ApiResult<Json<PageOut<SummaryOut>>> {
    contact_documents(&state, id, false, &q).await
}

pub async fn open_items(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
    q: QueryParams,
) -> ApiResult<Json<PageOut<SummaryOut>>> {
    contact_documents(&state, id, true, &q).await
}

async fn contact_documents(
    state: &App,
    id: i64,
    open_only: bool,
    q: &QueryParams,
) -> ApiResult<Json<PageOut<SummaryOut>>> {
    let page = q.page()?;
    let today = state.today();
    let page = state.contacts().documents(id, open_only, page).await?;
    Ok(Json(PageOut::from_page(page, |s| {
        SummaryOut::new(&s, today)
    })))
}
