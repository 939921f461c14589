//! Contacts: list with search and pagination, create and edit with messages next to the
//! fields, and a detail page with the contact's documents, open items and audit trail.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_domain::{ContactData, ContactKind, EInvoiceFormat, Language, TaxMode};
use kontor_storage::{
    AuditEntry, Contact, ContactQuery, DocumentQuery, DocumentSummary, Page, PageRequest, Role,
    StoreError,
};
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::layout::{Layout, render};
use crate::pages::pager::Pager;
use crate::session::{self, check_csrf};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub page: Option<i64>,
    pub archived: Option<String>,
}

#[derive(Template)]
#[template(path = "contacts_list.html")]
struct ListPage {
    l: Layout,
    q: String,
    archived: bool,
    page: Page<Contact>,
    pager: Pager,
    can_edit: bool,
}

pub async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let archived = q.archived.as_deref() == Some("on");
    let query = ContactQuery {
        search: q.q.clone(),
        include_archived: archived,
        page: PageRequest::new(q.page, Some(50)),
    };
    let page = state
        .app
        .store()
        .list_contacts(&query)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    let search = q.q.unwrap_or_default();
    let pager = Pager::new(
        &page,
        "/contacts",
        &[
            ("q", &search),
            ("archived", if archived { "on" } else { "" }),
        ],
    );
    let l = Layout::new(&ctx, ctx.tr.t("contacts.title"), "contacts");
    Ok(render(
        ctx.lang(),
        &ListPage {
            l,
            q: search,
            archived,
            page,
            pager,
            can_edit: ctx.can(Role::Sales),
        },
    ))
}

/// Search as you type for the document editor: id, number, name, city as JSON.
pub async fn search_json(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let query = ContactQuery {
        search: q.q,
        include_archived: false,
        page: PageRequest::new(Some(1), Some(10)),
    };
    let page = state
        .app
        .store()
        .list_contacts(&query)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    let items: Vec<_> = page
        .items
        .iter()
        .map(|c| serde_json::json!({"id": c.id, "number": c.number, "name": c.data.name, "city": c.data.city, "tax_mode": c.data.tax_mode, "currency": c.data.currency}))
        .collect();
    Ok(Json(items).into_response())
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct FormPage {
    l: Layout,
    action: String,
    c: ContactData,
    errors: FieldErrors,
    tax_modes: Vec<&'static str>,
}

impl FormPage {
    fn skonto(&self) -> String {
        crate::forms::skonto_text(self.c.skonto.as_deref())
    }
    fn terms(&self) -> String {
        self.c
            .payment_terms_days
            .map(|d| d.to_string())
            .unwrap_or_default()
    }
}

fn form_page(
    ctx: &session::Ctx,
    title: &str,
    action: String,
    c: ContactData,
    errors: FieldErrors,
) -> Response {
    let l = Layout::new(ctx, title, "contacts");
    let tax_modes = TaxMode::ALL.iter().map(|m| m.as_str()).collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut r = render(
        ctx.lang(),
        &FormPage {
            l,
            action,
            c,
            errors,
            tax_modes,
        },
    );
    *r.status_mut() = status;
    r
}

pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    let c = ContactData {
        country: "DE".into(),
        is_customer: true,
        ..Default::default()
    };
    Ok(form_page(
        &ctx,
        ctx.tr.t("contacts.new"),
        "/contacts".into(),
        c,
        FieldErrors::default(),
    ))
}

/// Reads a contact form; problems are named by field in the user's language where it matters.
pub fn parse_contact(form: &FormData, tr: &crate::i18n::Tr) -> (ContactData, FieldErrors) {
    let mut errors = FieldErrors::default();
    let terms = form.text("payment_terms_days");
    let payment_terms_days = if terms.is_empty() {
        None
    } else {
        match terms.parse::<i64>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.add(
                    "payment_terms_days",
                    if tr.lang == crate::i18n::Lang::En {
                        "must be a whole number"
                    } else {
                        "muss eine ganze Zahl sein"
                    },
                );
                None
            }
        }
    };
    let c = ContactData {
        kind: ContactKind::parse(&form.text("kind")).unwrap_or_default(),
        name: form.text("name"),
        street: form.text("street"),
        postal_code: form.text("postal_code"),
        city: form.text("city"),
        country: form.text("country").to_uppercase(),
        delivery_street: form.text("delivery_street"),
        delivery_postal_code: form.text("delivery_postal_code"),
        delivery_city: form.text("delivery_city"),
        delivery_country: form.text("delivery_country").to_uppercase(),
        vat_id: form.text("vat_id").replace(' ', "").to_uppercase(),
        tax_number: form.text("tax_number"),
        email: form.text("email"),
        phone: form.text("phone"),
        buyer_reference: form.text("buyer_reference"),
        einvoice_format: EInvoiceFormat::parse(&form.text("einvoice_format")).unwrap_or_default(),
        language: Language::parse(&form.text("language")).unwrap_or_default(),
        currency: form.text("currency").to_uppercase(),
        payment_terms_days,
        skonto: crate::forms::parse_skonto(&form.text("skonto")).unwrap_or_else(|message| {
            errors.add("skonto", message);
            None
        }),
        payment_method: kontor_domain::PaymentMethod::parse(&form.text("payment_method"))
            .unwrap_or_default(),
        sepa_mandate_reference: form.text("sepa_mandate_reference"),
        sepa_debtor_iban: form
            .text("sepa_debtor_iban")
            .replace(' ', "")
            .to_uppercase(),
        tax_mode: TaxMode::parse(&form.text("tax_mode")),
        is_customer: form.checked("is_customer"),
        is_supplier: form.checked("is_supplier"),
        notes: form.text("notes"),
    };
    for (field, message) in c.problems() {
        errors.add(
            field,
            if field == "name" {
                tr.t("error.required").to_string()
            } else {
                message
            },
        );
    }
    (c, errors)
}

pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    let form = FormData::parse(&body);
    check_csrf(&ctx, &headers, form.get("_csrf"))?;
    let (c, errors) = parse_contact(&form, &ctx.tr);
    if !errors.is_empty() {
        return Ok(form_page(
            &ctx,
            ctx.tr.t("contacts.new"),
            "/contacts".into(),
            c,
            errors,
        ));
    }
    let created = state
        .app
        .store()
        .create_contact(&ctx.actor(), &c)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    Ok(Redirect::to(&format!("/contacts/{}", created.id)).into_response())
}

pub async fn edit_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    let c = state
        .app
        .store()
        .contact(id)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    Ok(form_page(
        &ctx,
        ctx.tr.t("contacts.edit"),
        format!("/contacts/{id}"),
        c.data,
        FieldErrors::default(),
    ))
}

pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    let form = FormData::parse(&body);
    check_csrf(&ctx, &headers, form.get("_csrf"))?;
    let (c, errors) = parse_contact(&form, &ctx.tr);
    if !errors.is_empty() {
        return Ok(form_page(
            &ctx,
            ctx.tr.t("contacts.edit"),
            format!("/contacts/{id}"),
            c,
            errors,
        ));
    }
    state
        .app
        .store()
        .update_contact(&ctx.actor(), id, &c, None)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    Ok(Redirect::to(&format!("/contacts/{id}")).into_response())
}

pub async fn archive(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    let form = FormData::parse(&body);
    check_csrf(&ctx, &headers, form.get("_csrf"))?;
    let c = state
        .app
        .store()
        .contact(id)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    let archive = form.get("archived") != Some("false");
    state
        .app
        .store()
        .update_contact(&ctx.actor(), id, &c.data, Some(archive))
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    Ok(Redirect::to(&format!("/contacts/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "contact_detail.html")]
struct DetailPage {
    l: Layout,
    c: Contact,
    all_docs: Vec<DocumentSummary>,
    open: Vec<DocumentSummary>,
    audit: Vec<AuditEntry>,
    today: chrono::NaiveDate,
    can_edit: bool,
}

pub async fn detail(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let lang = ctx.lang();
    let c = state
        .app
        .store()
        .contact(id)
        .await
        .map_err(|e| WebError::from_store(lang, e))?;
    let today = state.app.today();
    let docs_q = DocumentQuery {
        contact_id: Some(id),
        page: PageRequest::new(Some(1), Some(50)),
        ..Default::default()
    };
    let docs = state
        .app
        .store()
        .list_documents(&docs_q, today)
        .await
        .map_err(|e| WebError::from_store(lang, e))?
        .items;
    let open_q = DocumentQuery {
        contact_id: Some(id),
        open_only: true,
        page: PageRequest::new(Some(1), Some(100)),
        ..Default::default()
    };
    let open = state
        .app
        .store()
        .list_documents(&open_q, today)
        .await
        .map_err(|e| WebError::from_store(lang, e))?
        .items;
    let audit = state
        .app
        .store()
        .audit_entries("contact", &id.to_string(), 50)
        .await
        .map_err(|e: StoreError| WebError::from_store(lang, e))?;
    let l = Layout::new(&ctx, c.data.name.clone(), "contacts");
    Ok(render(
        lang,
        &DetailPage {
            l,
            c,
            all_docs: docs,
            open,
            audit,
            today,
            can_edit: ctx.can(Role::Sales),
        },
    ))
}
