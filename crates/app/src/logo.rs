//! What a logo upload must be: PNG, JPEG or SVG, at most [`MAX_LOGO_BYTES`], the type decided
//! by the bytes themselves (never by the file name or the browser's claim), and an SVG without
//! scripts or external references.

use kontor_domain::ErrorCode;

use crate::{Error, Result};

/// Largest logo accepted.
pub const MAX_LOGO_BYTES: usize = 512 * 1024;

/// The content type of an acceptable logo, or why it is refused.
pub fn sniff(data: &[u8]) -> Result<&'static str> {
    if data.len() > MAX_LOGO_BYTES {
        return Err(Error::refused(
            ErrorCode::LogoTooLarge,
            "The logo is larger than 512 KB.",
        ));
    }
    if data.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if data.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    let unknown = || {
        Error::refused(
            ErrorCode::LogoUnknownType,
            "Only PNG, JPEG or SVG are allowed.",
        )
    };
    let text = std::str::from_utf8(data).map_err(|_| unknown())?;
    let lower = text.to_ascii_lowercase();
    let head = lower.trim_start_matches('\u{feff}').trim_start();
    if !(head.starts_with("<svg") || head.starts_with("<?xml")) || !lower.contains("<svg") {
        return Err(unknown());
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
        return Err(Error::refused(
            ErrorCode::LogoUnsafeSvg,
            "The SVG contains scripts or external references.",
        ));
    }
    Ok("image/svg+xml")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(data: &[u8]) -> std::result::Result<&'static str, ErrorCode> {
        sniff(data).map_err(|e| e.code())
    }

    #[test]
    fn sniffs_by_content() {
        assert_eq!(code(b"\x89PNG\r\n\x1a\nrest"), Ok("image/png"));
        assert_eq!(code(&[0xFF, 0xD8, 0xFF, 0xE0]), Ok("image/jpeg"));
        assert_eq!(
            code(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"1\"/></svg>"),
            Ok("image/svg+xml")
        );
        assert_eq!(code(b"GIF89a"), Err(ErrorCode::LogoUnknownType));
        assert_eq!(
            code(b"<html><script>x</script></html>"),
            Err(ErrorCode::LogoUnknownType)
        );
        assert_eq!(
            code(b"<svg><script>alert(1)</script></svg>"),
            Err(ErrorCode::LogoUnsafeSvg)
        );
        assert_eq!(
            code(b"<svg onload=\"alert(1)\"></svg>"),
            Err(ErrorCode::LogoUnsafeSvg)
        );
        assert_eq!(
            code(b"<svg><image href=\"http://evil/x.png\"/></svg>"),
            Err(ErrorCode::LogoUnsafeSvg)
        );
        assert_eq!(
            code(&vec![0u8; MAX_LOGO_BYTES + 1]),
            Err(ErrorCode::LogoTooLarge)
        );
    }

    #[test]
    fn refusals_read_in_both_languages() {
        let e = sniff(b"GIF89a").unwrap_err();
        assert_eq!(
            e.message(kontor_domain::Language::En),
            "Only PNG, JPEG or SVG are allowed."
        );
        assert_eq!(
            e.message(kontor_domain::Language::De),
            "Nur PNG, JPEG oder SVG sind erlaubt."
        );
        assert_eq!(e.status(), 422);
    }
}
