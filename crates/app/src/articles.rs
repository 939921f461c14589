//! Articles: the catalogue of goods and services that document lines may refer to. Articles
//! are never deleted (documents refer to them) and keep their number for life.

use kontor_domain::party::FieldProblem;
use kontor_domain::{ErrorCode, UnitCode, VatRate};
use kontor_storage::{Actor, Article, ArticleData, ArticleQuery, Page};
use rust_decimal::Decimal;

use crate::{App, Error, Result};

/// Most decimal places of a unit price.
pub const PRICE_DECIMALS: u32 = 4;

/// A new article before anyone typed: one piece (C62) at 19 % VAT, active.
pub fn defaults() -> ArticleData {
    ArticleData {
        name: String::new(),
        description: String::new(),
        unit: UnitCode::PIECE,
        unit_price: Decimal::ZERO,
        vat_rate: VatRate::STANDARD,
        active: true,
    }
}

/// Every problem with an article's data (field, English message); its unit and VAT rate are
/// valid by their types ([`UnitCode`], [`VatRate`]), checked where the text was read.
pub fn problems(data: &ArticleData) -> Vec<FieldProblem> {
    let mut p: Vec<FieldProblem> = Vec::new();
    if data.name.trim().is_empty() {
        p.push(("name", "is required".into()));
    }
    for (field, value, max) in [
        ("name", &data.name, 200),
        ("description", &data.description, 10_000),
    ] {
        if value.chars().count() > max {
            p.push((field, format!("is longer than {max} characters")));
        }
    }
    if data.unit_price.is_sign_negative() && !data.unit_price.is_zero() {
        p.push(("unit_price", "must not be negative".into()));
    } else if data.unit_price.normalize().scale() > PRICE_DECIMALS {
        p.push((
            "unit_price",
            format!("has more than {PRICE_DECIMALS} decimal places"),
        ));
    }
    p
}

/// The article operations of one business.
pub struct Articles<'a> {
    pub(crate) app: &'a App,
}

impl Articles<'_> {
    pub async fn list(&self, query: &ArticleQuery) -> Result<Page<Article>> {
        Ok(self.app.store.list_articles(query).await?)
    }

    pub async fn get(&self, id: i64) -> Result<Article> {
        Ok(self.app.store.article(id).await?)
    }

    /// Creates an article; without a number it gets the next one of the article range.
    pub async fn create(
        &self,
        actor: &Actor,
        number: Option<&str>,
        data: &ArticleData,
    ) -> Result<Article> {
        Error::first_problem(problems(data))?;
        let number = number.map(str::trim).filter(|n| !n.is_empty());
        Ok(self
            .app
            .store
            .create_article(actor, number, data, self.app.today())
            .await?)
    }

    /// Replaces an article's data. `number`, when given, must be the article's own: numbers
    /// never change.
    pub async fn update(
        &self,
        actor: &Actor,
        id: i64,
        number: Option<&str>,
        data: &ArticleData,
    ) -> Result<Article> {
        Error::first_problem(problems(data))?;
        let old = self.get(id).await?;
        if number.is_some_and(|n| n.trim() != old.number) {
            return Err(Error::field(
                "number",
                ErrorCode::Immutable,
                "an article number cannot be changed",
            ));
        }
        Ok(self.app.store.update_article(actor, id, data).await?)
    }

    /// Takes an article out of the catalogue's choices (documents keep referring to it).
    pub async fn deactivate(&self, actor: &Actor, id: i64) -> Result<Article> {
        let old = self.get(id).await?;
        let data = ArticleData {
            active: false,
            ..old.data
        };
        Ok(self.app.store.update_article(actor, id, &data).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_need_only_a_name() {
        let fields: Vec<&str> = problems(&defaults()).iter().map(|p| p.0).collect();
        assert_eq!(fields, ["name"]);
        let book = ArticleData {
            name: "Fachbuch".into(),
            unit_price: "12.5000".parse().unwrap(),
            vat_rate: VatRate::REDUCED,
            ..defaults()
        };
        assert!(problems(&book).is_empty());
    }

    #[test]
    fn names_each_wrong_field() {
        let wrong = ArticleData {
            name: "x".repeat(201),
            unit_price: "1.23456".parse().unwrap(),
            ..defaults()
        };
        let fields: Vec<&str> = problems(&wrong).iter().map(|p| p.0).collect();
        assert_eq!(fields, ["name", "unit_price"]);
        let negative = ArticleData {
            name: "Rabatt".into(),
            unit_price: Decimal::from(-1),
            ..defaults()
        };
        assert_eq!(problems(&negative)[0].1, "must not be negative");
    }

    #[tokio::test]
    async fn numbers_never_change_and_deactivating_keeps_the_rest() {
        let test = kontor_storage::testing::TestStore::new()
            .await
            .expect("store");
        let app = App::new(test.store.clone());
        let actor = Actor::user("chef");
        let data = ArticleData {
            name: "Beratung".into(),
            unit: UnitCode::parse("HUR").unwrap(),
            unit_price: Decimal::from(95),
            ..defaults()
        };
        let articles = app.articles();
        let article = articles.create(&actor, Some(" B-1 "), &data).await.unwrap();
        assert_eq!(article.number, "B-1");
        let renumbered = articles
            .update(&actor, article.id, Some("B-2"), &data)
            .await
            .unwrap_err();
        assert_eq!(renumbered.code(), ErrorCode::Immutable);
        articles
            .update(&actor, article.id, Some("B-1"), &data)
            .await
            .unwrap();
        let off = articles.deactivate(&actor, article.id).await.unwrap();
        assert!(!off.data.active);
        assert_eq!(off.data.unit, "HUR");
    }
}
