//! Contacts: list with search and pagination, create and edit with messages next to the
//! fields, and a detail page with the contact's documents, open items and audit trail.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::contacts;
use kontor_app::model::{
    AuditEntry, Contact, ContactQuery, ContactSort, DocumentSummary, Page, Role,
};
use kontor_domain::party::{parse_code, parse_vat_id};
use kontor_domain::{ContactData, ContactKind, EInvoiceFormat, Language, TaxMode};
use kontor_texts::Msg;

use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData, text_of};
use crate::layout::{Layout, render};
use crate::pages::catalog::{self, ListFilter, ListQuery};
use crate::pages::pager::Pager;
use crate::pages::sorting;
use crate::session;

#[derive(Template)]
#[template(path = "contacts_list.html")]
struct ListPage {
    l: Layout,
    q: String,
    archived: bool,
    page: Page<Contact>,
    pager: Pager,
    columns: Vec<sorting::Column>,
    /// The list's order as a parameter, kept when the search changes.
    sort: String,
    can_edit: bool,
}

/// The table's columns, each sortable.
const COLUMNS: &[sorting::Spec<ContactSort>] = &[
    (Msg::FieldNumber, Some(ContactSort::Number), false),
    (Msg::FieldName, Some(ContactSort::Name), false),
    (Msg::FieldCity, Some(ContactSort::City), false),
    (Msg::FieldEmail, Some(ContactSort::Email), false),
];

pub async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let filter = ListFilter::new(q, "archived");
    let query = ContactQuery {
        search: filter.search(),
        include_archived: filter.all,
        sort: filter.sort(),
        page: filter.page(),
    };
    let page = state
        .app
        .contacts()
        .list(&query)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    let pager = filter.pager::<_, ContactSort>(&page, "/contacts");
    let columns = filter.columns(&ctx.tr, "/contacts", COLUMNS);
    let l = Layout::new(&ctx, ctx.tr.t(Msg::ContactsTitle), "contacts");
    Ok(render(
        ctx.lang(),
        &ListPage {
            l,
            q: filter.text(),
            archived: filter.all,
            page,
            pager,
            columns,
            sort: filter
                .sort::<ContactSort>()
                .map(|s| s.param())
                .unwrap_or_default(),
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
        sort: None,
        page: catalog::suggestions(),
    };
    let page = state
        .app
        .contacts()
        .list(&query)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    let items: Vec<_> = page
        .items
        .iter()
        .map(|c| serde_json::json!({"id": c.id, "number": c.number, "name": c.data.name, "city": c.data.city, "tax_mode": c.data.tax_mode, "currency": text_of(&c.data.currency)}))
        .collect();
    Ok(Json(items).into_response())
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct FormPage {
    l: Layout,
    action: String,
    c: ContactData,
    codes: Codes,
    errors: FieldErrors,
    tax_modes: Vec<&'static str>,
}

/// The coded fields as the form shows them: as typed when a save was refused (a wrong IBAN
/// stays in the field to be corrected), else as kept.
struct Codes {
    vat_id: String,
    currency: String,
    sepa_debtor_iban: String,
}

impl Codes {
    fn kept(c: &ContactData) -> Codes {
        Codes {
            vat_id: text_of(&c.vat_id),
            currency: text_of(&c.currency),
            sepa_debtor_iban: text_of(&c.sepa_debtor_iban),
        }
    }

    fn typed(form: &FormData) -> Codes {
        Codes {
            vat_id: form.text("vat_id"),
            currency: form.text("currency"),
            sepa_debtor_iban: form.text("sepa_debtor_iban"),
        }
    }
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
    codes: Codes,
    errors: FieldErrors,
) -> Response {
    let page = FormPage {
        l: Layout::new(ctx, title, "contacts"),
        action,
        c,
        codes,
        errors,
        tax_modes: TaxMode::ALL.iter().map(|m| m.as_str()).collect(),
    };
    catalog::form_response(ctx, &page, &page.errors)
}

/// The form of a new contact, or of contact `id`, with the problems it has.
fn editor_page(
    ctx: &session::Ctx,
    id: Option<i64>,
    c: ContactData,
    codes: Option<Codes>,
    errors: FieldErrors,
) -> Response {
    let codes = codes.unwrap_or_else(|| Codes::kept(&c));
    match id {
        None => form_page(
            ctx,
            ctx.tr.t(Msg::ContactsNew),
            "/contacts".into(),
            c,
            codes,
            errors,
        ),
        Some(id) => form_page(
            ctx,
            ctx.tr.t(Msg::ContactsEdit),
            format!("/contacts/{id}"),
            c,
            codes,
            errors,
        ),
    }
}

pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let ctx = catalog::editor(&state, &headers).await?;
    Ok(editor_page(
        &ctx,
        None,
        contacts::defaults(),
        None,
        FieldErrors::default(),
    ))
}

/// Reads a contact form; problems are named by field in the user's language where it matters.
fn parse_contact(form: &FormData, tr: &crate::i18n::Tr) -> (ContactData, FieldErrors) {
    let mut errors = FieldErrors::default();
    let mut problems = Vec::new();
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
        country: form.text("country"),
        delivery_street: form.text("delivery_street"),
        delivery_postal_code: form.text("delivery_postal_code"),
        delivery_city: form.text("delivery_city"),
        delivery_country: form.text("delivery_country"),
        vat_id: parse_vat_id("vat_id", &form.text("vat_id"), &mut problems),
        tax_number: form.text("tax_number"),
        email: form.text("email"),
        phone: form.text("phone"),
        buyer_reference: form.text("buyer_reference"),
        einvoice_format: EInvoiceFormat::parse(&form.text("einvoice_format")).unwrap_or_default(),
        language: Language::parse(&form.text("language")).unwrap_or_default(),
        currency: parse_code("currency", &form.text("currency"), &mut problems),
        payment_terms_days,
        skonto: crate::forms::parse_skonto(&form.text("skonto")).unwrap_or_else(|message| {
            errors.add("skonto", message);
            None
        }),
        payment_method: kontor_domain::PaymentMethod::parse(&form.text("payment_method"))
            .unwrap_or_default(),
        sepa_mandate_reference: form.text("sepa_mandate_reference"),
        sepa_debtor_iban: parse_code(
            "sepa_debtor_iban",
            &form.text("sepa_debtor_iban"),
            &mut problems,
        ),
        tax_mode: TaxMode::parse(&form.text("tax_mode")),
        is_customer: form.checked("is_customer"),
        is_supplier: form.checked("is_supplier"),
        notes: form.text("notes"),
    };
    let (c, more) = contacts::check(c);
    problems.extend(more);
    catalog::add_problems(&mut errors, problems, tr);
    (c, errors)
}

/// Saves a new contact (`id` none) or contact `id`; a refused form comes back with its
/// problems next to the fields.
async fn save(
    state: &WebState,
    headers: &HeaderMap,
    id: Option<i64>,
    body: &Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = catalog::editor_form(state, headers, body).await?;
    let (c, errors) = parse_contact(&form, &ctx.tr);
    if !errors.is_empty() {
        return Ok(editor_page(&ctx, id, c, Some(Codes::typed(&form)), errors));
    }
    let contacts = state.app.contacts();
    let saved = match id {
        None => contacts.create(&ctx.actor(), &c).await,
        Some(id) => contacts.update(&ctx.actor(), id, &c, None).await,
    }
    .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(Redirect::to(&format!("/contacts/{}", saved.id)).into_response())
}

pub async fn create(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    save(&state, &headers, None, &body).await
}

pub async fn edit_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = catalog::editor(&state, &headers).await?;
    let c = state
        .app
        .contacts()
        .get(id)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(editor_page(
        &ctx,
        Some(id),
        c.data,
        None,
        FieldErrors::default(),
    ))
}

pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    save(&state, &headers, Some(id), &body).await
}

pub async fn archive(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = catalog::editor_form(&state, &headers, &body).await?;
    let archive = form.get("archived") != Some("false");
    state
        .app
        .contacts()
        .set_archived(&ctx.actor(), id, archive)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
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
    let detail = state
        .app
        .contacts()
        .detail(id)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    let c = detail.contact;
    let l = Layout::new(&ctx, c.data.name.clone(), "contacts");
    Ok(render(
        lang,
        &DetailPage {
            l,
            c,
            all_docs: detail.documents,
            open: detail.open,
            audit: detail.history,
            today: detail.today,
            can_edit: ctx.can(Role::Sales),
        },
    ))
}
