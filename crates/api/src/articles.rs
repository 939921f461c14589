//! Articles: the catalogue of goods and services that document lines may refer to.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kontor_app::model::{Article, ArticleData, ArticleQuery, ArticleSort};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::PageOut;
use super::error::ApiResult;
use super::format;
use super::input;
use super::json::{ApiJson, ApiJsonBody, ApiPath, Dec, QueryParams};
use crate::auth::Auth;
use kontor_app::{App, articles};

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
    /// The article's fields, each checked as JSON input, absent ones taking the defaults; the
    /// article service checks the article as a whole.
    fn validate(self) -> ApiResult<(Option<String>, ArticleData)> {
        let defaults = articles::defaults();
        let number = input::text("number", self.number, 40, false)?;
        let data = ArticleData {
            name: input::text("name", self.name, 200, true)?,
            description: input::text("description", self.description, 10_000, false)?,
            unit: match self.unit {
                Some(unit) => input::unit("unit", &unit)?,
                None => defaults.unit,
            },
            unit_price: input::decimal(
                "unit_price",
                self.unit_price.map_or(defaults.unit_price, |d| d.0),
                articles::PRICE_DECIMALS,
                Decimal::ZERO,
                None,
            )?,
            vat_rate: input::vat_rate(
                "vat_rate",
                self.vat_rate.map_or(defaults.vat_rate.percent(), |d| d.0),
            )?,
            active: self.active.unwrap_or(defaults.active),
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
            unit: a.data.unit.to_string(),
            unit_price: format::price(a.data.unit_price),
            vat_rate: format::plain(a.data.vat_rate.percent()),
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
        sort: q.sort::<ArticleSort>()?,
        page: q.page()?,
    };
    Ok(Json(PageOut::from_page(
        state.articles().list(&query).await?,
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
        .articles()
        .create(&auth.actor(), number.as_deref(), &data)
        .await?;
    Ok((StatusCode::CREATED, Json(article.into())))
}

pub async fn get(
    State(state): State<App>,
    _auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ArticleOut>> {
    Ok(Json(state.articles().get(id).await?.into()))
}

pub async fn update(
    State(state): State<App>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJsonBody(body): ApiJsonBody<ArticleInput>,
) -> ApiResult<Json<ArticleOut>> {
    let (number, data) = body.validate()?;
    Ok(Json(
        state
            .articles()
            .update(&auth.actor(), id, number.as_deref(), &data)
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
    Ok(Json(
        state.articles().deactivate(&auth.actor(), id).await?.into(),
    ))
}
