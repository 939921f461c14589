//! Kontor's web pages: server-rendered HTML for the bookkeeper's daily work, with sessions
//! in the database, CSRF protection on every form, and assets embedded in the binary.

mod assets;
mod error;
mod forms;
pub mod i18n;
mod layout;
pub mod login_guard;
mod pages;
mod session;
pub mod tenant;

use axum::Router;
use axum::routing::{get, post};
use kontor_app::App;
use kontor_app::model::SessionPolicy;
use kontor_app::model::ThrottlePolicy;

pub use error::WebError;

/// What every page handler needs.
#[derive(Clone)]
pub struct WebState {
    /// The business's services.
    pub app: App,
    pub sessions: SessionPolicy,
    /// How failed logins are slowed down and locked out.
    pub throttle: ThrottlePolicy,
    /// Whether cookies get the Secure flag (served over TLS).
    pub secure_cookies: bool,
}

impl WebState {
    pub fn new(app: App) -> WebState {
        WebState {
            app,
            sessions: SessionPolicy::default(),
            throttle: ThrottlePolicy::default(),
            secure_cookies: false,
        }
    }
}

/// All page routes; merge into the application router.
pub fn router(state: WebState) -> Router {
    use pages::*;
    Router::new()
        .route("/static/{file}", get(assets::serve))
        .route("/setup", get(setup::show).post(setup::submit))
        .route("/login", get(login::show).post(login::submit))
        .route("/login/2fa", get(two_factor::show).post(two_factor::submit))
        .route("/login/2fa/qr.svg", get(two_factor::qr))
        .route("/logout", post(login::logout))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route("/account/2fa/start", post(account::start_totp))
        .route("/account/2fa/qr.svg", get(account::qr))
        .route("/account/2fa/confirm", post(account::confirm_totp))
        .route("/account/2fa/disable", post(account::disable_totp))
        .route("/account/sessions/end", post(account::end_session))
        .route("/settings/security", get(security::show))
        .route("/settings/backups", get(backups::show))
        .route("/settings/backups/run", post(backups::start))
        .route(
            "/settings/security/require-2fa",
            post(security::require_2fa),
        )
        .route("/settings/users/{id}/role", post(security::change_role))
        .route(
            "/settings/users/{id}/sessions/end",
            post(security::end_sessions),
        )
        .route("/settings/users/{id}/2fa/reset", post(security::reset_totp))
        .route("/language", post(login::language))
        .route("/", get(dashboard::show))
        .route("/contacts", get(contacts::list).post(contacts::create))
        .route("/contacts/new", get(contacts::new_form))
        .route("/contacts/search", get(contacts::search_json))
        .route(
            "/contacts/{id}",
            get(contacts::detail).post(contacts::update),
        )
        .route("/contacts/{id}/edit", get(contacts::edit_form))
        .route("/contacts/{id}/archive", post(contacts::archive))
        .route("/articles", get(articles::list).post(articles::create))
        .route("/articles/new", get(articles::new_form))
        .route("/articles/search", get(articles::search_json))
        .route(
            "/articles/{id}",
            get(articles::edit_form).post(articles::update),
        )
        .route("/documents", get(documents::list).post(documents::create))
        .route("/documents/new", get(documents::new_form))
        .route("/documents/bulk", post(documents::bulk))
        .route("/documents/totals", post(documents::live_totals))
        .route(
            "/documents/{id}",
            get(documents::show).post(documents::update),
        )
        .route("/documents/{id}/pdf", get(files::pdf))
        .route("/documents/{id}/xrechnung", get(files::xrechnung))
        .route("/documents/{id}/issue", post(documents::issue))
        .route("/documents/{id}/derive", post(documents::derive))
        .route("/documents/{id}/cancel", post(documents::cancel))
        .route("/documents/{id}/outcome", post(documents::outcome))
        .route("/documents/{id}/duplicate", post(documents::duplicate))
        .route("/documents/{id}/delete", post(documents::delete))
        .route("/documents/{id}/payments", post(documents::add_payment))
        .route(
            "/documents/{id}/payments/{payment_id}/reverse",
            post(documents::reverse_payment),
        )
        .route("/incoming", get(incoming::list))
        .route(
            "/incoming/upload",
            post(incoming::upload)
                .layer(axum::extract::DefaultBodyLimit::max(incoming::UPLOAD_LIMIT)),
        )
        .route("/incoming/mailbox/poll", post(mailbox::poll_from_incoming))
        .route("/incoming/{id}", get(incoming::show))
        .route("/incoming/{id}/original", get(incoming::original))
        .route("/incoming/{id}/pdf", get(incoming::pdf))
        .route(
            "/incoming/{id}/attachments/{index}",
            get(incoming::attachment),
        )
        .route("/incoming/{id}/check", post(incoming::check))
        .route("/incoming/{id}/approve", post(incoming::approve))
        .route("/incoming/{id}/reject", post(incoming::reject))
        .route("/incoming/{id}/payments", post(incoming::pay))
        .route(
            "/incoming/{id}/payments/{payment_id}/reverse",
            post(incoming::reverse_payment),
        )
        .route("/settings", get(settings::show))
        .route("/settings/company", post(settings::save_company))
        .route("/settings/numbers/{key}", post(settings::save_range))
        .route("/settings/texts", post(settings::save_texts))
        .route("/settings/users", post(settings::add_user))
        .route("/settings/logo", post(logo::upload))
        .route("/settings/look", post(settings::save_look))
        .route("/settings/look/preview", get(settings::preview_look))
        .route("/settings/mailbox", post(mailbox::save))
        .route("/settings/mailbox/poll", post(mailbox::poll_from_settings))
        .route("/logo", get(logo::show))
        .with_state(state)
}

/// The page for an address that does not exist, in the visitor's language (the language
/// cookie, else `Accept-Language`).
pub async fn not_found_page(
    state: &WebState,
    headers: &axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    WebError::NotFound(session::reader_lang(state, headers).await).into_response()
}
