//! Articles: the catalogue, with search, pagination and a form with field messages.

use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::Error as AppError;
use kontor_app::articles;
use kontor_app::model::{Article, ArticleData, ArticleQuery, ArticleSort, Page, Role};
use kontor_domain::{UnitCode, VatRate};
use kontor_texts::Msg;

use crate::WebState;
use crate::error::WebError;
use crate::forms::{FieldErrors, FormData};
use crate::i18n::Tr;
use crate::layout::{Layout, render};
use crate::pages::catalog::{self, ListFilter, ListQuery};
use crate::pages::pager::Pager;
use crate::pages::sorting;
use crate::session;

/// The document editor reads its amounts the same way.
pub use crate::forms::user_decimal;

#[derive(Template)]
#[template(path = "articles_list.html")]
struct ListPage {
    l: Layout,
    q: String,
    inactive: bool,
    page: Page<Article>,
    pager: Pager,
    columns: Vec<sorting::Column>,
    /// The list's order as a parameter, kept when the search changes.
    sort: String,
    can_edit: bool,
}

/// The table's columns, each sortable.
const COLUMNS: &[sorting::Spec<ArticleSort>] = &[
    (Msg::FieldNumber, Some(ArticleSort::Number), false),
    (Msg::FieldName, Some(ArticleSort::Name), false),
    (Msg::FieldUnit, Some(ArticleSort::Unit), false),
    (Msg::FieldUnitPrice, Some(ArticleSort::UnitPrice), true),
    (Msg::FieldVatRate, Some(ArticleSort::VatRate), true),
];

pub async fn list(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let filter = ListFilter::new(q, "inactive");
    let query = ArticleQuery {
        search: filter.search(),
        include_inactive: filter.all,
        sort: filter.sort(),
        page: filter.page(),
    };
    let page = state
        .app
        .articles()
        .list(&query)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    let pager = filter.pager::<_, ArticleSort>(&page, "/articles");
    let columns = filter.columns(&ctx.tr, "/articles", COLUMNS);
    let l = Layout::new(&ctx, ctx.tr.t(Msg::ArticlesTitle), "articles");
    Ok(render(
        ctx.lang(),
        &ListPage {
            l,
            q: filter.text(),
            inactive: filter.all,
            page,
            pager,
            columns,
            sort: filter
                .sort::<ArticleSort>()
                .map(|s| s.param())
                .unwrap_or_default(),
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
        sort: None,
        page: catalog::suggestions(),
    };
    let page = state
        .app
        .articles()
        .list(&query)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    let items: Vec<_> = page
        .items
        .iter()
        .map(|a| {
            serde_json::json!({"id": a.id, "number": a.number, "name": a.data.name, "description": a.data.description,
                "unit": a.data.unit.as_str(), "unit_price": crate::i18n::plain_price(a.data.unit_price), "vat_rate": a.data.vat_rate.normalize().to_string()})
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

impl ArticleForm {
    /// An article's values as the form shows them, numbers in the user's notation.
    fn of(number: String, data: ArticleData, tr: &Tr) -> ArticleForm {
        ArticleForm {
            number,
            unit_price: tr.price(data.unit_price),
            vat_rate: tr.num(data.vat_rate.percent()),
            name: data.name,
            description: data.description,
            unit: data.unit.to_string(),
            active: data.active,
        }
    }
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

/// The form of a new article, or of article `id`, with the problems it has.
fn form_page(ctx: &session::Ctx, id: Option<i64>, a: ArticleForm, errors: FieldErrors) -> Response {
    let (title, action) = match id {
        None => (ctx.tr.t(Msg::ArticlesNew), "/articles".to_string()),
        Some(id) => (ctx.tr.t(Msg::ArticlesEdit), format!("/articles/{id}")),
    };
    let units = ctx.tr.unit_choices();
    let page = FormPage {
        l: Layout::new(ctx, title, "articles"),
        action,
        a,
        editing: id.is_some(),
        errors,
        units,
    };
    catalog::form_response(ctx, &page, &page.errors)
}

/// Reads an article form: the values as typed, the data when every field reads and passes the
/// service's checks, and the problems by field.
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
    let mut number = |field: &'static str, text: &str, dp: u32| {
        user_decimal(text, dp, tr.lang)
            .map_err(|m| errors.add(field, m))
            .unwrap_or_default()
    };
    let unit_price = number("unit_price", &a.unit_price, articles::PRICE_DECIMALS);
    let vat_rate = number("vat_rate", &a.vat_rate, 2);
    // The unit and the rate are read into their types here; the service checks the rest.
    let mut problems = articles::problems(&ArticleData {
        name: a.name.clone(),
        description: a.description.clone(),
        unit: UnitCode::PIECE,
        unit_price,
        vat_rate: VatRate::STANDARD,
        active: a.active,
    });
    let unit = UnitCode::parse(&a.unit).map_err(|e| problems.push(("unit", e.to_string())));
    let vat_rate = VatRate::new(vat_rate).map_err(|e| problems.push(("vat_rate", e.to_string())));
    // In the order of the form's fields.
    problems.sort_by_key(|(field, _)| {
        ["name", "description", "unit", "unit_price", "vat_rate"]
            .iter()
            .position(|f| f == field)
    });
    catalog::add_problems(&mut errors, problems, tr);
    let data = match (unit, vat_rate) {
        (Ok(unit), Ok(vat_rate)) => ArticleData {
            name: a.name.clone(),
            description: a.description.clone(),
            unit,
            unit_price,
            vat_rate,
            active: a.active,
        },
        _ => return (a, None, errors),
    };
    let data = errors.is_empty().then_some(data);
    (a, data, errors)
}

pub async fn new_form(
    State(state): State<WebState>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let ctx = catalog::editor(&state, &headers).await?;
    // A new article's price stays empty until typed; the rest are the service's defaults.
    let a = ArticleForm {
        unit_price: String::new(),
        ..ArticleForm::of(String::new(), articles::defaults(), &ctx.tr)
    };
    Ok(form_page(&ctx, None, a, FieldErrors::default()))
}

/// Saves a new article (`id` none) or article `id`; a refused form comes back with its
/// problems next to the fields.
async fn save(
    state: &WebState,
    headers: &HeaderMap,
    id: Option<i64>,
    body: &Bytes,
) -> Result<Response, WebError> {
    let (ctx, form) = catalog::editor_form(state, headers, body).await?;
    let (a, data, mut errors) = parse(&form, &ctx.tr);
    let Some(data) = data else {
        return Ok(form_page(&ctx, id, a, errors));
    };
    let service = state.app.articles();
    let saved = match id {
        None => {
            let number = Some(a.number.as_str()).filter(|n| !n.is_empty());
            service.create(&ctx.actor(), number, &data).await
        }
        // The number is not part of the edit form: it never changes.
        Some(id) => service.update(&ctx.actor(), id, None, &data).await,
    };
    match saved {
        Ok(_) => Ok(Redirect::to("/articles").into_response()),
        Err(AppError::Field { field, message, .. }) => {
            errors.add(field, message);
            Ok(form_page(&ctx, id, a, errors))
        }
        Err(e) => Err(WebError::from_app(ctx.lang(), e)),
    }
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
    let ctx = session::current(&state, &headers).await?;
    let article = state
        .app
        .articles()
        .get(id)
        .await
        .map_err(|e| WebError::from_app(ctx.lang(), e))?;
    let a = ArticleForm::of(article.number, article.data, &ctx.tr);
    Ok(form_page(&ctx, Some(id), a, FieldErrors::default()))
}

pub async fn update(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    save(&state, &headers, Some(id), &body).await
}
