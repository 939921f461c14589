//! The second login step: the TOTP code (or a recovery code), or, when the business requires
//! 2FA and the user has none yet, the enrolment with a QR code, before the session starts.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_app::auth::SecondStep;
use kontor_app::model::User;
use kontor_texts::Msg;

use crate::WebState;
use crate::error::WebError;
use crate::forms::FormData;
use crate::i18n::{Lang, Tr};
use crate::layout::render;
use crate::login_guard::{self, challenge_secret};
use crate::session::{check_origin, client_ip, guest_lang};

#[derive(Template)]
#[template(path = "login_2fa.html")]
struct CodePage {
    tr: Tr,
    title: String,
    error: String,
    /// Enrolment: the secret to type in when the QR code cannot be scanned.
    enrol_secret: String,
}

#[derive(Template)]
#[template(path = "recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub tr: Tr,
    pub title: String,
    pub codes: Vec<String>,
    pub next: String,
}

/// Percent-encodes a label for an otpauth URL.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The `otpauth://` URL that authenticator apps read from the QR code.
pub fn otpauth_url(username: &str, secret: &str) -> String {
    format!(
        "otpauth://totp/Kontor:{}?secret={secret}&issuer=Kontor&algorithm=SHA1&digits=6&period=30",
        encode(username)
    )
}

/// The QR code of an enrolment as an SVG image (served as a file: the CSP allows no inline
/// style or script, and the SVG has neither).
pub fn qr_response(username: &str, secret: &str) -> Response {
    match qrcode::QrCode::new(otpauth_url(username, secret).as_bytes()) {
        Ok(code) => {
            let svg = code
                .render::<qrcode::render::svg::Color>()
                .min_dimensions(220, 220)
                .build();
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("image/svg+xml"),
                    ),
                    (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
                ],
                svg,
            )
                .into_response()
        }
        Err(e) => WebError::internal(Lang::De, e).into_response(),
    }
}

async fn challenge_user(
    state: &WebState,
    headers: &HeaderMap,
    lang: Lang,
) -> Result<User, WebError> {
    let Some(secret) = challenge_secret(headers) else {
        return Err(WebError::Login);
    };
    state
        .app
        .auth()
        .challenge_user(secret)
        .await
        .map_err(|e| WebError::internal(lang, e))?
        .ok_or(WebError::Login)
}

fn code_page(lang: Lang, error: Option<Msg>, enrol_secret: String, status: StatusCode) -> Response {
    let tr = Tr::new(lang);
    let page = CodePage {
        tr,
        title: tr.t(Msg::TwoFactorTitle).into(),
        error: error.map(|m| tr.t(m).to_string()).unwrap_or_default(),
        enrol_secret,
    };
    let mut response = render(lang, &page);
    *response.status_mut() = status;
    response
}

pub async fn show(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let lang = guest_lang(&headers);
    let user = challenge_user(&state, &headers, lang).await?;
    let enrol_secret = state
        .app
        .auth()
        .second_factor_prompt(&user)
        .await
        .map_err(|e| WebError::internal(lang, e))?;
    Ok(code_page(lang, None, enrol_secret, StatusCode::OK))
}

pub async fn qr(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let lang = guest_lang(&headers);
    let user = challenge_user(&state, &headers, lang).await?;
    let secret = state
        .app
        .auth()
        .pending_totp_secret(user.id)
        .await
        .map_err(|e| WebError::internal(lang, e))?
        .ok_or(WebError::NotFound(lang))?;
    Ok(qr_response(&user.username, &secret))
}

pub async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let lang = guest_lang(&headers);
    if check_origin(&headers).is_err() {
        return Err(WebError::Csrf(lang));
    }
    let user = challenge_user(&state, &headers, lang).await?;
    let internal = |e| WebError::internal(lang, e);
    let form = FormData::parse(&body);
    let challenge = challenge_secret(&headers).unwrap_or("");
    let step = state
        .app
        .auth()
        .second_factor_step(
            &user,
            challenge,
            &form.text("code"),
            &client_ip(&headers),
            state.throttle,
        )
        .await
        .map_err(internal)?;
    match step {
        SecondStep::Passed { method } => {
            login_guard::start_session(&state, &headers, &user, method, login_guard::home())
                .await
                .map_err(internal)
        }
        SecondStep::Enrolled { codes } => {
            let tr = Tr::new(lang);
            let page = RecoveryCodesPage {
                tr,
                title: tr.t(Msg::TwoFactorCodesTitle).into(),
                codes,
                next: "/".into(),
            };
            let shown = render(lang, &page);
            login_guard::start_session(&state, &headers, &user, "password+totp_enrolment", shown)
                .await
                .map_err(internal)
        }
        SecondStep::Wrong { enrol_secret } => Ok(code_page(
            lang,
            Some(Msg::TwoFactorWrong),
            enrol_secret,
            StatusCode::UNAUTHORIZED,
        )),
        SecondStep::Restart => Ok(Redirect::to("/login/2fa").into_response()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn otpauth_url_encodes_the_name() {
        let url = otpauth_url("anna@example.de", "ABC");
        assert_eq!(
            url,
            "otpauth://totp/Kontor:anna%40example.de?secret=ABC&issuer=Kontor&algorithm=SHA1&digits=6&period=30"
        );
    }
}
