//! Received invoices: the list with a drag-and-drop upload of several files and what is due
//! this week; an invoice's page laid out readable, with its findings, the original and the
//! accountant's steps (enter/correct, approve, reject, pay).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::Error as AppError;
use kontor_app::incoming::readable::Readable;
use kontor_app::incoming::{IncomingDetail, IncomingFile, MatchedBy, Received, end_of_week};
use kontor_app::model::{
    AuditEntry, Incoming, IncomingHeader, IncomingPayment, IncomingQuery, IncomingStatus, Page,
    PageRequest, Role,
};
use kontor_domain::Language;
use kontor_texts::Msg;
use rust_decimal::Decimal;

use crate::WebState;
use crate::error::WebError;
use crate::forms::{FormData, user_decimal};
use crate::layout::{Layout, render};
use crate::pages::pager::Pager;
use crate::session::{self, Ctx, check_csrf};

/// Most files taken in one upload.
const MAX_FILES: usize = 20;
/// The upload route's body limit: up to [`MAX_FILES`] files of a few MB each.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

fn app_lang(ctx: &Ctx) -> Language {
    match ctx.lang() {
        crate::i18n::Lang::En => Language::En,
        _ => Language::De,
    }
}

#[derive(Template)]
#[template(path = "incoming_list.html")]
struct ListPage {
    l: Layout,
    page: Page<Incoming>,
    pager: Pager,
    status: String,
    q: String,
    statuses: Vec<(&'static str, &'static str)>,
    due: Page<Incoming>,
    due_sum: String,
    can_upload: bool,
    problems: Vec<String>,
    /// The mailbox's last run, when there was one.
    run: Option<super::mailbox::RunView>,
    /// Whether a mailbox is set up (and this user may read it now).
    can_poll: bool,
    /// Whether this user may set the mailbox up.
    is_admin: bool,
}

fn status_label(ctx: &Ctx, s: IncomingStatus) -> &'static str {
    let msg = match s {
        IncomingStatus::Received => Msg::IncomingStatusReceived,
        IncomingStatus::Checked => Msg::IncomingStatusChecked,
        IncomingStatus::Approved => Msg::IncomingStatusApproved,
        IncomingStatus::Paid => Msg::IncomingStatusPaid,
        IncomingStatus::Rejected => Msg::IncomingStatusRejected,
    };
    ctx.tr.t(msg)
}

async fn list_page(
    state: &WebState,
    ctx: &Ctx,
    query: Option<&str>,
    flash: String,
    problems: Vec<String>,
) -> Result<Response, WebError> {
    let form = FormData::parse(query.unwrap_or("").as_bytes());
    let status_text = form.text("status");
    let q = form.text("q");
    let page_no = form.get("page").and_then(|p| p.parse().ok());
    let incoming = state.app.incoming();
    let query = IncomingQuery {
        status: IncomingStatus::parse(&status_text),
        search: Some(q.clone()).filter(|s| !s.trim().is_empty()),
        page: PageRequest::new(page_no, Some(50)),
        ..IncomingQuery::default()
    };
    let lang = ctx.lang();
    let page = incoming
        .list(&query)
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    let due = incoming
        .due_this_week(PageRequest::new(Some(1), Some(20)))
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    let due_total: Decimal = due.items.iter().map(Incoming::open).sum();
    let due_by = ctx.tr.date(end_of_week(state.app.today()));
    let due_sum = ctx
        .tr
        .t(Msg::IncomingDueWeekSum)
        .replace("{n}", &due.total.to_string())
        .replace("{date}", &due_by)
        .replace("{amount}", &ctx.tr.money(due_total, "EUR"));
    let pager = Pager::new(
        &page,
        "/incoming",
        &[("status", status_text.as_str()), ("q", q.as_str())],
    );
    let statuses = IncomingStatus::ALL
        .iter()
        .map(|s| (s.as_str(), status_label(ctx, *s)))
        .collect();
    let mailbox = state.app.incoming().mailbox();
    let run = super::mailbox::run_view(
        &ctx.tr,
        mailbox
            .last_report()
            .await
            .map_err(|e| WebError::from_app(lang, e))?,
    );
    let configured = mailbox
        .view()
        .await
        .map_err(|e| WebError::from_app(lang, e))?
        .configured;
    let l = Layout::new(ctx, ctx.tr.t(Msg::IncomingTitle), "incoming").with_flash(flash);
    let page_view = ListPage {
        l,
        page,
        pager,
        status: status_text,
        q,
        statuses,
        due,
        due_sum,
        can_upload: ctx.can(Role::Sales),
        problems,
        run,
        can_poll: configured && ctx.can(Role::Accountant),
        is_admin: ctx.can(Role::Admin),
    };
    Ok(render(lang, &page_view))
}

pub async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    list_page(&state, &ctx, query.as_deref(), String::new(), Vec::new()).await
}

/// The list with messages above it (a refused run of the mailbox).
pub async fn list_with_problems(
    state: &WebState,
    ctx: &Ctx,
    problems: Vec<String>,
) -> Result<Response, WebError> {
    let mut r = list_page(state, ctx, None, String::new(), problems).await?;
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(r)
}

/// Takes the files of the upload form (`files`, several); one file leads to its page, several
/// back to the list with what was received and what was refused.
pub async fn upload(
    State(state): State<WebState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    let mut csrf = None;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                problems.push(e.body_text());
                break;
            }
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.ok(),
            Some("files") => {
                let name = field.file_name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(bytes) if bytes.is_empty() && name.is_empty() => {}
                    Ok(bytes) => files.push((name, bytes.to_vec())),
                    Err(e) => problems.push(format!("{name}: {}", e.body_text())),
                }
            }
            _ => {}
        }
    }
    check_csrf(&ctx, &headers, csrf.as_deref())?;
    if files.len() > MAX_FILES {
        problems.push(format!("{} > {MAX_FILES}", files.len()));
        files.truncate(MAX_FILES);
    }
    let lang = ctx.lang();
    let mut stored = Vec::new();
    for (name, bytes) in files {
        let file = Received {
            bytes,
            name: name.clone(),
            source: "upload",
            source_ref: String::new(),
        };
        match state.app.incoming().import(&ctx.actor(), file).await {
            Ok(imported) => stored.push(imported.incoming.id),
            Err(e @ (AppError::Field { .. } | AppError::Refused { .. })) => problems.push(
                ctx.tr
                    .t(Msg::IncomingRefused)
                    .replace("{name}", &name)
                    .replace("{message}", &e.message(lang)),
            ),
            Err(e) => return Err(WebError::from_app(lang, e)),
        }
    }
    if stored.len() == 1
        && problems.is_empty()
        && let Some(id) = stored.first()
    {
        return Ok(Redirect::to(&format!("/incoming/{id}")).into_response());
    }
    let flash = ctx
        .tr
        .t(Msg::IncomingUploaded)
        .replace("{n}", &stored.len().to_string());
    list_page(&state, &ctx, None, flash, problems).await
}

#[derive(Template)]
#[template(path = "incoming_view.html")]
struct ViewPage {
    l: Layout,
    i: Incoming,
    r: Readable,
    status: &'static str,
    supplier: String,
    can_decide: bool,
    can_enter: bool,
    can_approve: bool,
    can_reject: bool,
    can_pay: bool,
    open: String,
    payments: Vec<IncomingPayment>,
    history: Vec<AuditEntry>,
    message: String,
    h: IncomingHeader,
}

async fn show_incoming(
    state: &WebState,
    ctx: &Ctx,
    id: i64,
    message: String,
    typed: Option<IncomingHeader>,
) -> Result<Response, WebError> {
    let lang = ctx.lang();
    let (detail, r) = state
        .app
        .incoming()
        .readable(id, app_lang(ctx))
        .await
        .map_err(|e| WebError::from_app(lang, e))?;
    let IncomingDetail {
        incoming: i,
        payments,
        contact,
        history,
        ..
    } = detail;
    let supplier = match contact {
        Some((c, how)) => {
            let how = match how {
                MatchedBy::Linked => Msg::IncomingMatchedLinked,
                MatchedBy::VatId => Msg::IncomingMatchedVatId,
                MatchedBy::Iban => Msg::IncomingMatchedIban,
                MatchedBy::Name => Msg::IncomingMatchedName,
            };
            ctx.tr
                .t(Msg::IncomingSupplierMatched)
                .replace("{name}", &c.data.name)
                .replace("{how}", ctx.tr.t(how))
        }
        None => ctx.tr.t(Msg::IncomingSupplierNew).to_string(),
    };
    let decide = ctx.can(Role::Accountant);
    let before_approval = matches!(i.status, IncomingStatus::Received | IncomingStatus::Checked);
    let open = ctx
        .tr
        .t(Msg::IncomingOpen)
        .replace("{amount}", &ctx.tr.money(i.open(), &i.header.currency));
    let view = ViewPage {
        l: Layout::new(ctx, r.title.clone(), "incoming"),
        status: status_label(ctx, i.status),
        supplier,
        can_decide: decide,
        can_enter: decide && before_approval,
        can_approve: decide && i.status == IncomingStatus::Checked && i.duplicate_of.is_none(),
        can_reject: decide && before_approval
            || decide && i.status == IncomingStatus::Approved && i.paid.is_zero(),
        can_pay: decide && i.status == IncomingStatus::Approved,
        open,
        payments,
        history,
        message,
        h: typed.unwrap_or_else(|| i.header.clone()),
        i,
        r,
    };
    Ok(render(lang, &view))
}

pub async fn show(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    show_incoming(&state, &ctx, id, String::new(), None).await
}

fn file_response(file: IncomingFile, inline: bool) -> Response {
    let (headers, bytes) = file.into_response_parts(inline);
    (StatusCode::OK, headers, bytes).into_response()
}

pub async fn original(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let file = state
        .app
        .incoming()
        .original(id)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(file_response(file, false))
}

pub async fn pdf(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let file = state
        .app
        .incoming()
        .readable_pdf(id, app_lang(&ctx))
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(file_response(file, true))
}

pub async fn attachment(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((id, index)): Path<(i64, usize)>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let file = state
        .app
        .incoming()
        .attachment(id, index)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    Ok(file_response(file, false))
}

async fn action_ctx(
    state: &WebState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(Ctx, FormData), WebError> {
    let ctx = session::current(state, headers).await?;
    ctx.require(Role::Accountant)?;
    let form = FormData::parse(body);
    check_csrf(&ctx, headers, form.get("_csrf"))?;
    Ok((ctx, form))
}

async fn after<T>(
    state: &WebState,
    ctx: &Ctx,
    id: i64,
    result: Result<T, AppError>,
    anchor: &str,
) -> Result<Response, WebError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/incoming/{id}{anchor}")).into_response()),
        Err(e @ (AppError::Refused { .. } | AppError::Field { .. })) => {
            show_incoming(state, ctx, id, ctx.tr.field_error(&e), None).await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

/// The header as typed, and what does not read as a date or amount (naming its field).
fn typed_header(ctx: &Ctx, form: &FormData) -> (IncomingHeader, Option<String>) {
    let lang = ctx.lang();
    let mut problems = Vec::new();
    let mut date = |field: &str, label: Msg| {
        let raw = form.text(field);
        if raw.trim().is_empty() {
            return None;
        }
        match chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(format!("{}: {raw}", ctx.tr.t(label)));
                None
            }
        }
    };
    let issue_date = date("issue_date", Msg::IncomingFieldIssueDate);
    let due_date = date("due_date", Msg::IncomingFieldDueDate);
    let mut amount = |field: &str, label: Msg| {
        let raw = form.text(field);
        if raw.trim().is_empty() {
            return None;
        }
        match user_decimal(&raw, 2, lang) {
            Ok(d) => Some(d),
            Err(why) => {
                problems.push(format!("{}: {why}", ctx.tr.t(label)));
                None
            }
        }
    };
    let h = IncomingHeader {
        seller_name: form.text("seller_name"),
        seller_vat_id: form.text("seller_vat_id"),
        seller_iban: form.text("seller_iban"),
        number: form.text("number"),
        issue_date,
        due_date,
        skonto_date: None,
        skonto_amount: None,
        currency: form.text("currency"),
        credit_note: form.checked("credit_note"),
        net: amount("net", Msg::IncomingFieldNet),
        vat: amount("vat", Msg::IncomingFieldVat),
        gross: amount("gross", Msg::IncomingFieldGross),
        due: amount("due", Msg::IncomingFieldDue),
    };
    let problems = (!problems.is_empty()).then(|| problems.join("; "));
    (h, problems)
}

pub async fn check(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body).await?;
    let (header, problems) = typed_header(&ctx, &form);
    if let Some(message) = problems {
        return show_incoming(&state, &ctx, id, message, Some(header)).await;
    }
    let keep = header.clone();
    match state.app.incoming().check(&ctx.actor(), id, header).await {
        Ok(_) => Ok(Redirect::to(&format!("/incoming/{id}")).into_response()),
        Err(e @ (AppError::Refused { .. } | AppError::Field { .. })) => {
            show_incoming(&state, &ctx, id, ctx.tr.field_error(&e), Some(keep)).await
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
}

pub async fn approve(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, _) = action_ctx(&state, &headers, &body).await?;
    let result = state.app.incoming().approve(&ctx.actor(), id).await;
    after(&state, &ctx, id, result, "").await
}

pub async fn reject(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body).await?;
    let reason: String = form.text("reason").chars().take(500).collect();
    let result = state.app.incoming().reject(&ctx.actor(), id, &reason).await;
    after(&state, &ctx, id, result, "").await
}

pub async fn pay(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body).await?;
    let raw = form.text("amount");
    let amount = if raw.trim().is_empty() {
        None
    } else {
        match user_decimal(&raw, 2, ctx.lang()) {
            Ok(a) => Some(a),
            Err(why) => {
                let message = format!("{}: {why}", ctx.tr.t(Msg::IncomingFieldDue));
                return show_incoming(&state, &ctx, id, message, None).await;
            }
        }
    };
    let date = chrono::NaiveDate::parse_from_str(form.text("date").trim(), "%Y-%m-%d").ok();
    let result = state
        .app
        .incoming()
        .pay(
            &ctx.actor(),
            id,
            date,
            amount,
            &form.text("method"),
            &form.text("note"),
        )
        .await;
    after(&state, &ctx, id, result, "#payments").await
}

pub async fn reverse_payment(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((id, payment_id)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = action_ctx(&state, &headers, &body).await?;
    let reason: String = form.text("reason").chars().take(200).collect();
    let result = state
        .app
        .incoming()
        .reverse_payment(&ctx.actor(), id, payment_id, None, &reason)
        .await;
    after(&state, &ctx, id, result, "#payments").await
}
