//! What the shared page frame shows: title, navigation, user, CSRF token, flash message.

use crate::i18n::Tr;
use crate::session::Ctx;
use kontor_texts::Msg;

pub struct Layout {
    pub tr: Tr,
    pub title: String,
    pub active: &'static str,
    pub username: String,
    pub is_admin: bool,
    pub csrf: String,
    pub flash: String,
}

impl Layout {
    pub fn new(ctx: &Ctx, title: impl Into<String>, active: &'static str) -> Layout {
        Layout {
            tr: ctx.tr,
            title: title.into(),
            active,
            username: ctx.user.username.clone(),
            is_admin: ctx.user.role == kontor_app::model::Role::Admin,
            csrf: ctx.csrf.clone(),
            flash: String::new(),
        }
    }

    pub fn with_flash(mut self, flash: impl Into<String>) -> Layout {
        self.flash = flash.into();
        self
    }

    /// Navigation entries: (href, text, id).
    pub fn nav(&self) -> [(&'static str, Msg, &'static str); 6] {
        [
            ("/", Msg::NavDashboard, "dashboard"),
            ("/contacts", Msg::NavContacts, "contacts"),
            ("/articles", Msg::NavArticles, "articles"),
            ("/documents", Msg::NavDocuments, "documents"),
            ("/incoming", Msg::NavIncoming, "incoming"),
            ("/settings", Msg::NavSettings, "settings"),
        ]
    }
}

/// Renders an askama template into an HTML response, or a friendly error page.
pub fn render<T: askama::Template>(lang: crate::i18n::Lang, t: &T) -> axum::response::Response {
    use axum::response::IntoResponse;
    match t.render() {
        Ok(html) => axum::response::Html(html).into_response(),
        Err(e) => crate::error::WebError::internal(lang, e).into_response(),
    }
}

/// String equality for templates, whatever the reference depth on either side.
pub fn same(a: impl AsRef<str>, b: impl AsRef<str>) -> bool {
    a.as_ref() == b.as_ref()
}

/// The status of a list row as of `today` (for templates).
pub fn summary_status(
    d: &kontor_app::model::DocumentSummary,
    today: impl crate::i18n::Val<chrono::NaiveDate>,
) -> &'static str {
    d.status(today.val())
}
