//! Articles: the catalogue of goods and services that document lines may refer to.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kontor_storage::{Article, ArticleData, ArticleQuery};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::PageOut;
use super::error::{ApiError, ApiResult};
use super::format;
use super::input;
use super::json::{ApiJson, ApiPath, Dec, QueryParams};
use crate::auth::Auth;
use kontor_app::App;
use kontor_domain::ErrorCode;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    number: Option<String>,
    name: Option<String>,
    description: Option<String>,
    unit: Option<String>,
    unit_price: Option<Dec>,
    vat_rate: Option<Dec>,
    active: Option<bool>,
}

impl ArticleInput {
    fn validate(self) -> ApiResult<(Option<String>, ArticleData)> {
        let number = input::text("number", self.number, 40, false)?;
        let data = ArticleData {
            name: input::text("name", self.name, 200, true)?,
            description: input::text("description", self.description, 10_000, false)?,
            unit: input::unit("unit", self.unit.as_deref().unwrap_or("C62"))?,
            unit_price: input::decimal(
                "unit_price",
                self.unit_price.map_or(Decimal::ZERO, |d| d.0),
                4,
                Decimal::ZERO,
                None,
            )?,
            vat_rate: input::vat_rate(
                "vat_rate",
                self.vat_rate.map_or(Decimal::from(19), |d| d.0),
            )?,
            active: self.active.unwrap_or(true),
        };
        Ok(((!number.is_empty()).then_some(number), data))
    }
}

#[derive(Debug, Serialize)]
pub struct ArticleOut {
    id: i64,
    number: String,
    name: String,
    description: String,
    unit: String,
    unit_price: String,
    vat_rate: String,
    active: bool,
    created_at: String,
    updated_at: String,
}

impl From<Article> for ArticleOut {
    fn from(a: Article) -> Self {
        ArticleOut {
            id: a.id,
            number: a.number,
            name: a.data.name,
            description: a.data.description,
            unit: a.data.unit,
            unit_price: format::price(a.data.unit_price),
            vat_rate: format::plain(a.data.vat_rate),
            active: a.data.active,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

pub async fn list(
    State(state): State<App>,
    _auth: Auth,
    q: QueryParams,
) -> ApiResult<Json<PageOut<ArticleOut>>> {
    let query = ArticleQuery {
        search: q.str("search").map(str::to_string),
        include_inactive: q.bool("include_inactive")?,
        page: q.page()?,
    };
    Ok(Json(PageOut::from_page(
        state.store().list_articles(&query).await?,
        ArticleOut::from,
    )))
}

pub async fn create(
    State(state): State<App>,
    auth: Auth,
    ApiJson(body): ApiJson<ArticleInput>,
) -> ApiResult<(StatusCode, Json<ArticleOut>)> {
    let (number, data) = body.validate()?;
    let article = state
        .store()
        .create_article(&auth.actor(), number.as_deref(), &data)
        .await?;
    Ok((StatusCode::CREATED, Json(article.into())))
}

pub async fn get(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ArticleOut>> {
    Ok(Json(state.store().article(id).await?.into()))
}

pub async fn update(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<ArticleInput>,
) -> ApiResult<Json<ArticleOut>> {
    let (number, data) = body.validate()?;
    let old = state.store().article(id).await?;
    if number.is_some_and(|n| n != old.number) {
        return Err(ApiError::field(
            "number",
            ErrorCode::Immutable,
            "an article number cannot be changed",
        ));
    }
    Ok(Json(
        state
            .store()
            .update_article(&auth.actor(), id, &data)
            .await?
            .into(),
    ))
}

/// Articles are never deleted (documents refer to them); DELETE deactivates.
pub async fn deactivate(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ArticleOut>> {
    let old = state.store().article(id).await?;
    let data = ArticleData {
        active: false,
        ..old.data
    };
    Ok(Json(
        state
            .store()
            .update_article(&auth.actor(), id, &data)
            .await?
            .into(),
    ))
}
