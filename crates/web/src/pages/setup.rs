//! First run: the company profile and the first administrator, while no user exists.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::Error as AppError;
use kontor_app::{company, users};
use kontor_domain::party::{parse_code, parse_vat_id};
use kontor_domain::{CompanyProfile, ErrorCode};
use kontor_texts::Msg;

use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::{Lang, Tr};
use crate::layout::render;
use crate::session::{check_origin, guest_lang, session_cookie};

#[derive(Template)]
#[template(path = "setup.html")]
struct SetupPage {
    tr: Tr,
    title: String,
    setup_code: String,
    company_fields: Vec<(&'static str, Msg, String)>,
    legal_fields: Vec<(&'static str, Msg, String)>,
    username: String,
    errors: FieldErrors,
}

impl SetupPage {
    /// The legal details stay open once something in them was typed or is wrong.
    fn legal_open(&self) -> bool {
        self.legal_fields
            .iter()
            .any(|(name, _, value)| !value.is_empty() || self.errors.has(name))
    }
}

const FIELDS: [(&str, Msg); 8] = [
    ("name", Msg::FieldName),
    ("legal_form", Msg::FieldLegalForm),
    ("street", Msg::FieldStreet),
    ("postal_code", Msg::FieldPostalCode),
    ("city", Msg::FieldCity),
    ("country", Msg::FieldCountry),
    ("vat_id", Msg::FieldVatId),
    ("tax_number", Msg::FieldTaxNumber),
];

/// What the law wants on invoices and business letters and the bank account: asked for at
/// once, and skippable (the settings have them too).
const LEGAL_FIELDS: [(&str, Msg); 6] = [
    ("registry", Msg::FieldRegistry),
    ("managing_directors", Msg::FieldManagingDirectors),
    ("bank_name", Msg::FieldBankName),
    ("iban", Msg::FieldIban),
    ("bic", Msg::FieldBic),
    ("creditor_id", Msg::FieldCreditorId),
];

fn page(lang: Lang, form: &FormData, errors: FieldErrors) -> Response {
    let tr = Tr::new(lang);
    let legal_fields = LEGAL_FIELDS
        .iter()
        .map(|(name, key)| (*name, *key, form.text(name)))
        .collect();
    let company_fields = FIELDS
        .iter()
        .map(|(name, key)| {
            let value = form.get(name).map(str::to_string).unwrap_or_else(|| {
                if *name == "country" {
                    "DE".into()
                } else {
                    String::new()
                }
            });
            (*name, *key, value)
        })
        .collect();
    let p = SetupPage {
        tr,
        title: tr.t(Msg::SetupTitle).into(),
        setup_code: form.text("setup_code"),
        company_fields,
        legal_fields,
        username: form.text("username"),
        errors,
    };
    render(lang, &p)
}

async fn ensure_fresh(state: &WebState, lang: Lang) -> Result<(), WebError> {
    if state
        .app
        .users()
        .any()
        .await
        .map_err(|e| WebError::internal(lang, e))?
    {
        return Err(WebError::Login);
    }
    Ok(())
}

pub async fn show(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let lang = guest_lang(&headers);
    ensure_fresh(&state, lang).await?;
    Ok(page(lang, &FormData::default(), FieldErrors::default()))
}

pub async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let lang = guest_lang(&headers);
    if check_origin(&headers).is_err() {
        return Err(WebError::Csrf(lang));
    }
    ensure_fresh(&state, lang).await?;
    let form = FormData::parse(&body);
    let tr = Tr::new(lang);
    let mut errors = FieldErrors::default();
    let mut problems = Vec::new();
    let (company, more) = company::check(CompanyProfile {
        name: form.text("name"),
        street: form.text("street"),
        postal_code: form.text("postal_code"),
        city: form.text("city"),
        country: form.text("country"),
        legal_form: form.text("legal_form"),
        vat_id: parse_vat_id("vat_id", &form.text("vat_id"), &mut problems),
        tax_number: form.text("tax_number"),
        registry: form.text("registry"),
        managing_directors: form.text("managing_directors"),
        bank_name: form.text("bank_name"),
        iban: parse_code("iban", &form.text("iban"), &mut problems),
        bic: parse_code("bic", &form.text("bic"), &mut problems),
        creditor_id: form.text("creditor_id"),
        ..company::defaults()
    });
    problems.extend(more);
    super::catalog::add_problems(&mut errors, problems, &tr);
    let username = form.text("username");
    let password = form.get("password").unwrap_or("");
    if password != form.get("password2").unwrap_or("") {
        errors.add("password2", tr.t(Msg::SetupPasswordMismatch));
    }
    if let Err(e @ AppError::Field { .. }) = users::check_credentials(&username, password) {
        errors.add(
            e.field_name().unwrap_or("password").to_string(),
            under_field(&e, lang),
        );
    }
    if !errors.is_empty() {
        let mut response = page(lang, &form, errors);
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    }
    let user = match state
        .app
        .users()
        .set_up(
            &form.text("setup_code"),
            &company,
            &username,
            password,
            lang,
        )
        .await
    {
        Ok(u) => u,
        Err(e @ AppError::Field { .. }) => {
            let field = e.field_name().unwrap_or("setup_code").to_string();
            errors.add(field, under_field(&e, lang));
            let mut response = page(lang, &form, errors);
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(response);
        }
        Err(AppError::Refused {
            code: ErrorCode::AlreadySetUp,
            ..
        }) => return Err(WebError::Login),
        Err(e) => return Err(WebError::internal(lang, e)),
    };
    let ua = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let secret = state
        .app
        .auth()
        .first_session(user.id, ua, state.sessions)
        .await
        .map_err(|e| WebError::internal(lang, e))?;
    let mut response = Redirect::to("/").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state, &headers, &secret),
    );
    Ok(response)
}

/// A field error as shown under its field: the catalogue's text in German, the check's own
/// words in English (the label is already beside the field).
fn under_field(e: &AppError, lang: Lang) -> String {
    match e {
        AppError::Field { message, .. } if lang == Lang::En => message.clone(),
        _ => e.message(lang),
    }
}
