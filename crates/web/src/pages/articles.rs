//! Articles: the catalogue, with search, pagination and a form with field messages.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_domain::codes;
use kontor_domain::money::parse_decimal;
use kontor_domain::tax::is_allowed_vat_rate;
use kontor_storage::{Article, ArticleData, ArticleQuery, Page, PageRequest, Role, StoreError};
use rust_decimal::Decimal;
use serde::Deserialize;

use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::{Lang, Tr};
use crate::layout::{Layout, render};
use crate::pages::pager::Pager;
use crate::session::{self, check_csrf};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub q: Option<String>,
    pub page: Option<i64>,
    pub inactive: Option<String>,
}

#[derive(Template)]
#[template(path = "articles_list.html")]
struct ListPage {
    l: Layout,
    q: String,
    inactive: bool,
    page: Page<Article>,
    pager: Pager,
    can_edit: bool,
}

pub async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let inactive = q.inactive.as_deref() == Some("on");
    let query = ArticleQuery {
        search: q.q.clone(),
        include_inactive: inactive,
        page: PageRequest::new(q.page, Some(50)),
    };
    let page = state
        .app
        .store()
        .list_articles(&query)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    let search = q.q.unwrap_or_default();
    let pager = Pager::new(
        &page,
        "/articles",
        &[
            ("q", &search),
            ("inactive", if inactive { "on" } else { "" }),
        ],
    );
    let l = Layout::new(&ctx, ctx.tr.t("articles.title"), "articles");
    Ok(render(
        ctx.lang(),
        &ListPage {
            l,
            q: search,
            inactive,
            page,
            pager,
            can_edit: ctx.can(Role::Sales),
        },
    ))
}

/// Search as you type for the document editor.
pub async fn search_json(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let query = ArticleQuery {
        search: q.q,
        include_inactive: false,
        page: PageRequest::new(Some(1), Some(10)),
    };
    let page = state
        .app
        .store()
        .list_articles(&query)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    let items: Vec<_> = page
        .items
        .iter()
        .map(|a| {
            serde_json::json!({"id": a.id, "number": a.number, "name": a.data.name, "description": a.data.description,
                "unit": a.data.unit, "unit_price": a.data.unit_price.normalize().to_string(), "vat_rate": a.data.vat_rate.normalize().to_string()})
        })
        .collect();
    Ok(Json(items).into_response())
}

/// Form values as typed, so that a rejected form shows exactly what the user entered.
pub struct ArticleForm {
    pub number: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub unit_price: String,
    pub vat_rate: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "article_form.html")]
struct FormPage {
    l: Layout,
    action: String,
    a: ArticleForm,
    editing: bool,
    errors: FieldErrors,
    units: Vec<(&'static str, &'static str)>,
}

fn form_page(
    ctx: &session::Ctx,
    title: &str,
    action: String,
    a: ArticleForm,
    editing: bool,
    errors: FieldErrors,
) -> Response {
    let l = Layout::new(ctx, title, "articles");
    let units = codes::UNITS
        .iter()
        .map(|(c, de, en)| (*c, if ctx.lang() == Lang::En { *en } else { *de }))
        .collect();
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
            a,
            editing,
            errors,
            units,
        },
    );
    *r.status_mut() = status;
    r
}

/// Reads a decimal typed in German ("1.234,50") or English ("1234.50") notation.
pub fn user_decimal(input: &str, max_dp: u32, lang: Lang) -> Result<Decimal, String> {
    let s = input.trim().replace(' ', "");
    let normalized = if s.contains(',') {
        s.replace('.', "").replace(',', ".")
    } else {
        s
    };
    parse_decimal(&normalized, max_dp, false).map_err(|e| {
        let msg = e.to_string();
        if lang == Lang::En {
            msg
        } else {
            format!("ungültige Zahl ({msg})")
        }
    })
}

fn parse(form: &FormData, tr: &Tr) -> (ArticleForm, Option<ArticleData>, FieldErrors) {
    let mut errors = FieldErrors::default();
    let a = ArticleForm {
        number: form.text("number"),
        name: form.text("name"),
        description: form.text("description"),
        unit: form.text("unit"),
        unit_price: form.text("unit_price"),
        vat_rate: form.text("vat_rate"),
        active: form.checked("active"),
    };
    if a.name.is_empty() {
        errors.add("name", tr.t("error.required"));
    }
    if !codes::is_unit(&a.unit) {
        errors.add("unit", "UN/ECE Rec 20");
    }
    let price = user_decimal(&a.unit_price, 4, tr.lang)
        .map_err(|m| errors.add("unit_price", m))
        .ok();
    let rate = user_decimal(&a.vat_rate, 2, tr.lang)
        .ok()
        .filter(|r| is_allowed_vat_rate(*r));
    if rate.is_none() {
        errors.add("vat_rate", "19, 7, 0");
    }
    let data = match (price, rate, errors.is_empty()) {
        (Some(unit_price), Some(vat_rate), true) => Some(ArticleData {
            name: a.name.clone(),
            description: a.description.clone(),
            unit: a.unit.clone(),
            unit_price,
            vat_rate,
            active: a.active,
        }),
        _ => None,
    };
    (a, data, errors)
}

pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Sales)?;
    let a = ArticleForm {
        number: String::new(),
        name: String::new(),
        description: String::new(),
        unit: "C62".into(),
        unit_price: String::new(),
        vat_rate: "19".into(),
        active: true,
    };
    Ok(form_page(
        &ctx,
        ctx.tr.t("articles.new"),
        "/articles".into(),
        a,
        false,
        FieldErrors::default(),
    ))
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
    let (a, data, mut errors) = parse(&form, &ctx.tr);
    let Some(data) = data else {
        return Ok(form_page(
            &ctx,
            ctx.tr.t("articles.new"),
            "/articles".into(),
            a,
            false,
            errors,
        ));
    };
    let number = Some(a.number.as_str()).filter(|n| !n.is_empty());
    match state
        .app
        .store()
        .create_article(&ctx.actor(), number, &data)
        .await
    {
        Ok(_) => Ok(Redirect::to("/articles").into_response()),
        Err(StoreError::Invalid { field, message }) => {
            errors.add(field, message);
            Ok(form_page(
                &ctx,
                ctx.tr.t("articles.new"),
                "/articles".into(),
                a,
                false,
                errors,
            ))
        }
        Err(e) => Err(WebError::from_store(ctx.lang(), e)),
    }
}

pub async fn edit_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let article = state
        .app
        .store()
        .article(id)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    let a = ArticleForm {
        number: article.number,
        name: article.data.name,
        description: article.data.description,
        unit: article.data.unit,
        unit_price: ctx.tr.num(article.data.unit_price),
        vat_rate: ctx.tr.num(article.data.vat_rate),
        active: article.data.active,
    };
    Ok(form_page(
        &ctx,
        ctx.tr.t("articles.edit"),
        format!("/articles/{id}"),
        a,
        true,
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
    let (a, data, errors) = parse(&form, &ctx.tr);
    let Some(data) = data else {
        return Ok(form_page(
            &ctx,
            ctx.tr.t("articles.edit"),
            format!("/articles/{id}"),
            a,
            true,
            errors,
        ));
    };
    state
        .app
        .store()
        .update_article(&ctx.actor(), id, &data)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    Ok(Redirect::to("/articles").into_response())
}
