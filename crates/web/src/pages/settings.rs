//! Settings: company profile, number ranges, text blocks and users (admin only).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::Error as AppError;
use kontor_app::company;
use kontor_app::model::{NumberRange, Role, User};
use kontor_app::settings::TextBlocks;
use kontor_domain::CompanyProfile;
use kontor_domain::document::DocumentType;
use kontor_domain::numbering::ResetRule;
use kontor_domain::party::{parse_code, parse_vat_id};
use kontor_pdf::Columns;
use kontor_pdf::look::Look;
use kontor_texts::Msg;

use super::mailbox::{MailboxForm, RunView};
use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData, text_of};
use crate::layout::{Layout, render};
use crate::session::{Ctx, admin, admin_form};

/// A document type's intro and closing text.
pub struct TextBlock {
    pub doc_type: DocumentType,
    pub intro: String,
    pub closing: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    l: Layout,
    c: CompanyProfile,
    /// The company form as typed, when saving it was refused.
    typed: Option<FormData>,
    errors: FieldErrors,
    ranges: Vec<NumberRange>,
    range_error: String,
    texts: Vec<TextBlock>,
    users: Vec<User>,
    user_error: String,
    has_logo: bool,
    logo_error: String,
    look: Look,
    look_errors: Vec<String>,
    fonts: Vec<(&'static str, &'static str)>,
    mailbox: MailboxForm,
    /// The mailbox's last run (the shared report partial reads it as `run`).
    run: Option<RunView>,
}

const COMPANY_FIELDS: [(&str, Msg); 17] = [
    ("name", Msg::FieldName),
    ("legal_form", Msg::FieldLegalForm),
    ("street", Msg::FieldStreet),
    ("postal_code", Msg::FieldPostalCode),
    ("city", Msg::FieldCity),
    ("country", Msg::FieldCountry),
    ("tax_number", Msg::FieldTaxNumber),
    ("vat_id", Msg::FieldVatId),
    ("registry", Msg::FieldRegistry),
    ("managing_directors", Msg::FieldManagingDirectors),
    ("contact_name", Msg::FieldContactName),
    ("contact_phone", Msg::FieldContactPhone),
    ("contact_email", Msg::FieldContactEmail),
    ("iban", Msg::FieldIban),
    ("bic", Msg::FieldBic),
    ("creditor_id", Msg::FieldCreditorId),
    ("default_skonto", Msg::FieldDefaultSkonto),
];

impl SettingsPage {
    fn company_value(&self, name: &str) -> String {
        let c = &self.c;
        match name {
            "name" => c.name.clone(),
            "legal_form" => c.legal_form.clone(),
            "street" => c.street.clone(),
            "postal_code" => c.postal_code.clone(),
            "city" => c.city.clone(),
            "country" => c.country.clone(),
            "tax_number" => c.tax_number.clone(),
            "vat_id" => self.code("vat_id", &c.vat_id),
            "registry" => c.registry.clone(),
            "managing_directors" => c.managing_directors.clone(),
            "contact_name" => c.contact_name.clone(),
            "contact_phone" => c.contact_phone.clone(),
            "contact_email" => c.contact_email.clone(),
            "iban" => self.code("iban", &c.iban),
            "bic" => self.code("bic", &c.bic),
            "creditor_id" => c.creditor_id.clone(),
            "default_skonto" => crate::forms::skonto_text(Some(&c.default_skonto))
                .trim_start_matches('-')
                .to_string(),
            _ => String::new(),
        }
    }
    /// A coded field as typed when the save was refused, else as kept.
    fn code<T: std::fmt::Display>(&self, name: &str, kept: &Option<T>) -> String {
        match &self.typed {
            Some(form) => form.text(name),
            None => text_of(kept),
        }
    }
    fn company_fields(&self) -> &'static [(&'static str, Msg)] {
        &COMPANY_FIELDS
    }
    /// A mailbox folder field as stored or typed.
    fn mailbox_folder(&self, name: &str) -> &str {
        let v = &self.mailbox.view;
        match name {
            "folder" => &v.folder,
            "folder_imported" => &v.folder_imported,
            "folder_faulty" => &v.folder_faulty,
            "folder_without_invoice" => &v.folder_without_invoice,
            _ => "",
        }
    }
}

struct Extra {
    /// A refused company profile, with the form as typed and the problems.
    company: Option<(CompanyProfile, FormData, FieldErrors)>,
    /// A refused look with its messages.
    look: Option<(Look, Vec<String>)>,
    logo_error: String,
    range_error: String,
    user_error: String,
    flash: String,
    /// Refused mailbox settings as typed, with the problems.
    mailbox: Option<(kontor_app::incoming::mailbox::MailboxView, FieldErrors)>,
    /// Why a run on request failed.
    mailbox_error: String,
}

async fn page(state: &WebState, ctx: &Ctx, extra: Extra) -> Result<Response, WebError> {
    let lang = ctx.lang();
    let failed = |e| WebError::from_app(lang, e);
    let app = &state.app;
    let (c, typed, errors) = match extra.company {
        Some((c, form, errors)) => (c, Some(form), errors),
        None => (
            app.company().get().await.map_err(failed)?,
            None,
            FieldErrors::default(),
        ),
    };
    let ranges = app.numbers().list().await.map_err(failed)?;
    let users = app.users().list().await.map_err(failed)?;
    let settings = app.settings();
    let (look, look_errors) = match extra.look {
        Some(x) => x,
        None => (settings.look().await.map_err(failed)?, Vec::new()),
    };
    let mut mailbox = MailboxForm::load(state, ctx, extra.mailbox, extra.mailbox_error).await?;
    let run = mailbox.run.take();
    let failed_form = !errors.is_empty()
        || !mailbox.errors.is_empty()
        || !look_errors.is_empty()
        || !extra.range_error.is_empty()
        || !extra.user_error.is_empty()
        || !extra.logo_error.is_empty();
    let has_logo = settings.logo().await.map_err(failed)?.is_some();
    let blocks = settings.text_blocks().await.unwrap_or_default();
    let texts = DocumentType::ALL
        .iter()
        .map(|t| {
            let block = blocks.get(*t);
            TextBlock {
                doc_type: *t,
                intro: block.intro,
                closing: block.closing,
            }
        })
        .collect();
    let p = SettingsPage {
        l: Layout::new(ctx, ctx.tr.t(Msg::SettingsTitle), "settings").with_flash(extra.flash),
        c,
        typed,
        errors,
        ranges,
        range_error: extra.range_error,
        texts,
        users,
        user_error: extra.user_error,
        has_logo,
        logo_error: extra.logo_error,
        look,
        look_errors,
        fonts: kontor_pdf::FontFamily::ALL
            .iter()
            .map(|f| (f.key(), f.name()))
            .collect(),
        mailbox,
        run,
    };
    let mut r = render(lang, &p);
    if failed_form {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

fn none() -> Extra {
    Extra {
        company: None,
        look: None,
        logo_error: String::new(),
        range_error: String::new(),
        user_error: String::new(),
        flash: String::new(),
        mailbox: None,
        mailbox_error: String::new(),
    }
}

/// The settings page with the mailbox section as typed and refused, or with why a run on
/// request failed.
pub async fn with_mailbox(
    state: &WebState,
    ctx: &Ctx,
    typed: Option<(kontor_app::incoming::mailbox::MailboxView, FieldErrors)>,
    poll_error: String,
) -> Result<Response, WebError> {
    let failed = !poll_error.is_empty();
    let mut r = page(
        state,
        ctx,
        Extra {
            mailbox: typed,
            mailbox_error: poll_error,
            ..none()
        },
    )
    .await?;
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(r)
}

/// The settings page with a refused logo upload's message.
pub async fn with_message(
    state: &WebState,
    ctx: &Ctx,
    message: &str,
) -> Result<Response, WebError> {
    page(
        state,
        ctx,
        Extra {
            logo_error: message.to_string(),
            ..none()
        },
    )
    .await
}

pub async fn show(
    State(state): State<WebState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let ctx = admin(&state, &headers).await?;
    let flash = match query.as_deref() {
        Some("saved=1") => ctx.tr.t(Msg::CommonSaved).to_string(),
        _ => String::new(),
    };
    page(&state, &ctx, Extra { flash, ..none() }).await
}

/// After a save, the settings page is fetched anew (post/redirect/get: reloading it sends
/// nothing twice) and says "saved" at the section.
fn saved(section: &str) -> Response {
    Redirect::to(&format!("/settings?saved=1#{section}")).into_response()
}

pub async fn save_company(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = admin_form(&state, &headers, &body).await?;
    let mut errors = FieldErrors::default();
    let mut problems = Vec::new();
    let terms = form.text("default_payment_terms_days");
    let default_payment_terms_days = terms.parse::<i64>().unwrap_or_else(|_| {
        errors.add("default_payment_terms_days", "0–365");
        14
    });
    let (c, more) = company::check(CompanyProfile {
        name: form.text("name"),
        legal_form: form.text("legal_form"),
        street: form.text("street"),
        postal_code: form.text("postal_code"),
        city: form.text("city"),
        country: form.text("country"),
        tax_number: form.text("tax_number"),
        vat_id: parse_vat_id("vat_id", &form.text("vat_id"), &mut problems),
        registry: form.text("registry"),
        managing_directors: form.text("managing_directors"),
        contact_name: form.text("contact_name"),
        contact_phone: form.text("contact_phone"),
        contact_email: form.text("contact_email"),
        iban: parse_code("iban", &form.text("iban"), &mut problems),
        bic: parse_code("bic", &form.text("bic"), &mut problems),
        bank_name: form.text("bank_name"),
        small_business: form.checked("small_business"),
        default_payment_terms_days,
        default_skonto: match crate::forms::parse_skonto(&form.text("default_skonto")) {
            Ok(steps) => steps.unwrap_or_default(),
            Err(message) => {
                errors.add("default_skonto", message);
                Vec::new()
            }
        },
        creditor_id: form.text("creditor_id"),
    });
    problems.extend(more);
    super::catalog::add_problems(&mut errors, problems, &ctx.tr);
    if !errors.is_empty() {
        return page(
            &state,
            &ctx,
            Extra {
                company: Some((c, form, errors)),
                ..none()
            },
        )
        .await;
    }
    state
        .app
        .company()
        .update(&ctx.actor(), &c)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(saved("company"))
}

pub async fn save_range(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(key): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = admin_form(&state, &headers, &body).await?;
    let reset = ResetRule::parse(&form.text("reset")).unwrap_or(ResetRule::Never);
    let first: i64 = form.text("first_counter").parse().unwrap_or(-1);
    match state
        .app
        .numbers()
        .update(&ctx.actor(), &key, &form.text("pattern"), reset, first)
        .await
    {
        Ok(_) => Ok(saved("numbers")),
        Err(AppError::Field { field, message, .. }) => {
            page(
                &state,
                &ctx,
                Extra {
                    range_error: format!("{key}: {field} {message}"),
                    ..none()
                },
            )
            .await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

pub async fn save_texts(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = admin_form(&state, &headers, &body).await?;
    let mut blocks = TextBlocks::default();
    for t in DocumentType::ALL {
        let text = |kind: &str| {
            form.get(&format!("{kind}_{}", t.as_str()))
                .unwrap_or("")
                .to_string()
        };
        let block = kontor_app::settings::TextBlock {
            intro: text("intro"),
            closing: text("closing"),
        };
        blocks.set(t, block);
    }
    state
        .app
        .settings()
        .save_text_blocks(&ctx.actor(), blocks)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(saved("texts"))
}

pub async fn add_user(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = admin_form(&state, &headers, &body).await?;
    let role = Role::parse(&form.text("role")).unwrap_or(Role::Sales);
    match state
        .app
        .users()
        .create(
            &ctx.actor(),
            &form.text("username"),
            form.get("password").unwrap_or(""),
            role,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/settings#users").into_response()),
        Err(e @ AppError::Field { .. }) => {
            page(
                &state,
                &ctx,
                Extra {
                    user_error: ctx.tr.field_error(&e),
                    ..none()
                },
            )
            .await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

/// `POST /settings/look`: accent colour, font, tagline, columns and an own template. The
/// template is compiled against sample documents before it is saved; an error names its line.
pub async fn save_look(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = admin_form(&state, &headers, &body).await?;
    let look = Look {
        accent: form.text("accent"),
        tagline: form.text("tagline"),
        font: form.text("font"),
        columns: Columns {
            position: form.checked("col_position"),
            unit: form.checked("col_unit"),
            unit_price: form.checked("col_unit_price"),
            vat_rate: form.checked("col_vat_rate"),
        },
        template: form.get("template").unwrap_or("").replace("\r\n", "\n"),
    };
    let submitted = look.clone();
    let checked = state
        .app
        .settings()
        .save_look(&ctx.actor(), look, ctx.lang())
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    match checked {
        Ok(_) => Ok(Redirect::to("/settings#look").into_response()),
        Err(problems) => {
            let messages = problems
                .into_iter()
                .map(|(field, message)| format!("{}: {message}", ctx.tr.tk("field", field)))
                .collect();
            page(
                &state,
                &ctx,
                Extra {
                    look: Some((submitted, messages)),
                    ..none()
                },
            )
            .await
        }
    }
}

/// `GET /settings/look/preview`: a sample invoice (draft, with watermark) in the saved look,
/// from the company's own data.
pub async fn preview_look(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let ctx = admin(&state, &headers).await?;
    let file = state
        .app
        .settings()
        .look_preview(ctx.lang())
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(crate::pages::files::response(file))
}
