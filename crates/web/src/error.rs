//! How page handlers fail: a redirect to log in, a page with the reason the user can act on,
//! never a stack trace. Service errors get their status and message from the service layer's
//! one table, the same the JSON API uses.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kontor_app::model::StoreError;
use kontor_texts::Msg;

use crate::i18n::{Lang, Tr};

#[derive(Debug)]
pub enum WebError {
    /// Not logged in: go to the login page (or the setup page on a fresh installation).
    Login,
    Setup,
    NotFound(Lang),
    Forbidden(Lang),
    Csrf(Lang),
    /// Refused with a reason the user can act on (a conflict, a value, a missing set-up).
    Refused {
        lang: Lang,
        status: StatusCode,
        message: String,
    },
    /// A failure inside: logged under the reference that the page shows.
    Internal {
        lang: Lang,
        status: StatusCode,
        reference: String,
    },
}

impl WebError {
    pub fn from_app(lang: Lang, e: kontor_app::Error) -> WebError {
        let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match e {
            kontor_app::Error::NotFound { .. } => WebError::NotFound(lang),
            e if e.is_internal() => WebError::failed(lang, status, &e),
            e => WebError::Refused {
                lang,
                status,
                message: e.message(lang),
            },
        }
    }

    pub fn from_store(lang: Lang, e: StoreError) -> WebError {
        WebError::from_app(lang, e.into())
    }

    pub fn internal(lang: Lang, e: impl std::fmt::Display) -> WebError {
        WebError::failed(lang, StatusCode::INTERNAL_SERVER_ERROR, &e)
    }

    fn failed(lang: Lang, status: StatusCode, e: &dyn std::fmt::Display) -> WebError {
        let mut bytes = [0u8; 6];
        rand::Rng::fill(&mut rand::rng(), &mut bytes);
        let reference = hex::encode(bytes);
        tracing::error!(reference, error = %e, "page failed");
        WebError::Internal {
            lang,
            status,
            reference,
        }
    }
}

fn page(
    status: StatusCode,
    lang: Lang,
    title: &str,
    message: &str,
    reference: Option<&str>,
) -> Response {
    let tr = Tr::new(lang);
    let reference = reference
        .map(|r| {
            format!(
                "<p>{}: <code id=\"error-reference\">{}</code></p>",
                tr.t(Msg::ErrorReference),
                r
            )
        })
        .unwrap_or_default();
    let body = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/static/app.css\"><link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\"></head><body><main class=\"narrow\"><h1>{}</h1><p>{}</p>{}\
         <p><a href=\"/\">Kontor</a></p></main></body></html>",
        lang.code(),
        title,
        title,
        message,
        reference
    );
    (status, Html(body)).into_response()
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Login => Redirect::to("/login").into_response(),
            WebError::Setup => Redirect::to("/setup").into_response(),
            WebError::NotFound(l) => page(
                StatusCode::NOT_FOUND,
                l,
                Tr::new(l).t(Msg::ErrorTitle),
                Tr::new(l).t(Msg::ErrorNotFound),
                None,
            ),
            WebError::Forbidden(l) => page(
                StatusCode::FORBIDDEN,
                l,
                Tr::new(l).t(Msg::ErrorTitle),
                Tr::new(l).t(Msg::ErrorForbidden),
                None,
            ),
            WebError::Csrf(l) => page(
                StatusCode::FORBIDDEN,
                l,
                Tr::new(l).t(Msg::ErrorTitle),
                Tr::new(l).t(Msg::ErrorCsrf),
                None,
            ),
            WebError::Refused {
                lang,
                status,
                message,
            } => page(
                status,
                lang,
                Tr::new(lang).t(Msg::ErrorTitle),
                &escape(&message),
                None,
            ),
            WebError::Internal {
                lang,
                status,
                reference,
            } => page(
                status,
                lang,
                Tr::new(lang).t(Msg::ErrorTitle),
                Tr::new(lang).t(Msg::ErrorInternal),
                Some(&reference),
            ),
        }
    }
}

/// The message as HTML text.
fn escape(text: &str) -> String {
    askama::filters::escape(text, askama::filters::Html)
        .map(|s| s.to_string())
        .unwrap_or_default()
}
