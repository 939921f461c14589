//! The company logo: upload (PNG, JPEG or SVG, size-limited, type-checked by content) and display.

use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kontor_storage::Role;

use crate::WebState;
use crate::error::WebError;
use crate::session::{self, check_csrf};

/// Largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// Why an upload was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum LogoError {
    TooLarge,
    UnknownType,
    UnsafeSvg,
}

impl LogoError {
    pub fn message(&self, en: bool) -> &'static str {
        match (self, en) {
            (LogoError::TooLarge, false) => "Das Logo ist größer als 512 KB.",
            (LogoError::TooLarge, true) => "The logo is larger than 512 KB.",
            (LogoError::UnknownType, false) => "Nur PNG, JPEG oder SVG sind erlaubt.",
            (LogoError::UnknownType, true) => "Only PNG, JPEG or SVG are allowed.",
            (LogoError::UnsafeSvg, false) => "Das SVG enthält Skripte oder externe Verweise.",
            (LogoError::UnsafeSvg, true) => "The SVG contains scripts or external references.",
        }
    }
}

/// Decides the type from the bytes themselves, never from the file name or the browser's claim.
pub fn sniff(data: &[u8]) -> Result<&'static str, LogoError> {
    if data.len() > MAX_LOGO_BYTES {
        return Err(LogoError::TooLarge);
    }
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    let text = std::str::from_utf8(data).map_err(|_| LogoError::UnknownType)?;
    let lower = text.to_ascii_lowercase();
    let head = lower.trim_start_matches('\u{feff}').trim_start();
    if !(head.starts_with("<svg") || head.starts_with("<?xml")) || !lower.contains("<svg") {
        return Err(LogoError::UnknownType);
    }
    let unsafe_markers = [
        "<script",
        "javascript:",
        "<foreignobject",
        "<!entity",
        "xlink:href=\"http",
        "href=\"http",
        "href='http",
        "url(http",
    ];
    let has_handler = lower
        .split(|c: char| c.is_whitespace())
        .any(|w| w.starts_with("on") && w.contains('='));
    if has_handler || unsafe_markers.iter().any(|m| lower.contains(m)) {
        return Err(LogoError::UnsafeSvg);
    }
    Ok("image/svg+xml")
}

pub async fn upload(
    State(state): State<WebState>,
    headers: HeaderMap,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    ctx.require(Role::Admin)?;
    let mut csrf = None;
    let mut data = None;
    while let Ok(Some(field)) = multipart.next_field().await {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.ok(),
            Some("logo") => data = field.bytes().await.ok(),
            _ => {}
        }
    }
    check_csrf(&ctx, &headers, csrf.as_deref())?;
    let en = ctx.lang() == crate::i18n::Lang::En;
    let data = data.unwrap_or_default();
    let content_type = match sniff(&data) {
        Ok(t) => t,
        Err(e) => return super::settings::with_message(&state, &ctx, e.message(en)).await,
    };
    let key = state
        .app
        .store()
        .put_blob(content_type, &data)
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    let value = serde_json::json!({"sha256": key, "content_type": content_type});
    state
        .app
        .store()
        .set_setting(&ctx.actor(), "logo", &value)
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?;
    Ok(Redirect::to("/settings#company").into_response())
}

pub async fn show(State(state): State<WebState>, headers: HeaderMap) -> Result<Response, WebError> {
    let ctx = session::current(&state, &headers).await?;
    let Some(logo) = state
        .app
        .store()
        .setting("logo")
        .await
        .map_err(|e| WebError::internal(ctx.lang(), e))?
    else {
        return Err(WebError::NotFound(ctx.lang()));
    };
    let key = logo["sha256"].as_str().unwrap_or("");
    let blob = state
        .app
        .store()
        .blob(key)
        .await
        .map_err(|e| WebError::from_store(ctx.lang(), e))?;
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, blob.content_type),
            // An SVG opened directly must not run anything or reach this origin's cookies.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; style-src 'unsafe-inline'; sandbox".to_string(),
            ),
            (header::CACHE_CONTROL, "private, max-age=300".to_string()),
        ],
        Body::from(blob.data),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(
            sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\"/></svg>"),
            Ok("image/svg+xml")
        );
        assert_eq!(sniff(b"GIF89a"), Err(LogoError::UnknownType));
        assert_eq!(
            sniff(b"<html><script>x</script></html>"),
            Err(LogoError::UnknownType)
        );
        assert_eq!(
            sniff(b"<svg><script>alert(1)</script></svg>"),
            Err(LogoError::UnsafeSvg)
        );
        assert_eq!(
            sniff(b"<svg onload=\"alert(1)\"></svg>"),
            Err(LogoError::UnsafeSvg)
        );
        assert_eq!(
            sniff(b"<svg><image href=\"http://evil/x.png\"/></svg>"),
            Err(LogoError::UnsafeSvg)
        );
        assert_eq!(
            sniff(&vec![0u8; MAX_LOGO_BYTES + 1]),
            Err(LogoError::TooLarge)
        );
    }
}
