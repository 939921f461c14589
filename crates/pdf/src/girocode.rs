//! The EPC069-12 payment QR code ("GiroCode") for credit transfers.

use kontor_domain::{Bic, Iban};
use qrcode::EcLevel;
use rust_decimal::Decimal;

/// Largest payload the standard allows.
const MAX_BYTES: usize = 331;

/// The payload for a SEPA credit transfer, or `None` when the amount or the name cannot be
/// encoded. Lines: BCD, 002, 1 (UTF-8), SCT, BIC, name, IBAN, amount, purpose, RF reference,
/// text.
pub fn payload(
    name: &str,
    iban: &Iban,
    bic: Option<&Bic>,
    amount: Decimal,
    remittance: &str,
) -> Option<String> {
    let amount = amount.round_dp(2);
    if amount < Decimal::new(1, 2) || amount > Decimal::new(99_999_999_999, 2) {
        return None;
    }
    let clean = |s: &str, max: usize| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(max)
            .collect::<String>()
            .trim()
            .to_string()
    };
    let name = clean(name, 70);
    if name.is_empty() {
        return None;
    }
    let bic = bic.map_or("", Bic::as_str);
    let head = format!("BCD\n002\n1\nSCT\n{bic}\n{name}\n{iban}\nEUR{amount:.2}\n\n\n");
    let mut text = clean(remittance, 140);
    while head.len() + text.len() > MAX_BYTES {
        text.pop();
    }
    let text = text.trim_end();
    if text.is_empty() {
        Some(head.trim_end_matches('\n').to_string())
    } else {
        Some(format!("{head}{text}"))
    }
}

/// The QR code as SVG (error correction level M, with its quiet zone).
pub fn svg(payload: &str) -> Option<String> {
    let (width, dark) = modules(payload)?;
    Some(svg_of(width, &dark))
}

/// The QR symbol (error correction M) as `width × width` modules, `true` for dark. The mask is
/// chosen by the penalty rules of ISO/IEC 18004 (7.8.3), scored here on a plain grid: the
/// `qrcode` crate's own scoring costs more than the rest of a page's rendering.
pub fn modules(payload: &str) -> Option<(usize, Vec<bool>)> {
    use qrcode::canvas::{Canvas, MaskPattern};
    let bits = qrcode::bits::encode_auto(payload.as_bytes(), EcLevel::M).ok()?;
    let version = bits.version();
    let data = bits.into_bytes();
    let (encoded, ec) = qrcode::ec::construct_codewords(&data, version, EcLevel::M).ok()?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&encoded, &ec);
    let width = usize::try_from(version.width()).ok()?;
    [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ]
    .into_iter()
    .map(|pattern| {
        let mut c = canvas.clone();
        c.apply_mask(pattern);
        let dark: Vec<bool> = c
            .into_colors()
            .into_iter()
            .map(|m| m == qrcode::Color::Dark)
            .collect();
        (penalty(width, &dark), dark)
    })
    .min_by_key(|(score, _)| *score)
    .map(|(_, dark)| (width, dark))
}

/// ISO/IEC 18004 mask penalty: runs (N1), 2×2 blocks (N2), finder-like patterns (N3) and
/// the dark proportion (N4).
fn penalty(n: usize, dark: &[bool]) -> u32 {
    let at = |x: usize, y: usize| dark[y * n + x];
    let mut score = 0u32;
    // N1 and N3 along rows and columns.
    for horizontal in [true, false] {
        for i in 0..n {
            let cell = |j: usize| if horizontal { at(j, i) } else { at(i, j) };
            let mut run = 1;
            for j in 1..=n {
                if j < n && cell(j) == cell(j - 1) {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += 3 + (run - 5) as u32;
                    }
                    run = 1;
                }
            }
            // 1:1:3:1:1 (dark light dark dark dark light dark) with 4 light modules on a side.
            const FINDER: [bool; 7] = [true, false, true, true, true, false, true];
            for j in 0..n.saturating_sub(6) {
                if (0..7).all(|k| cell(j + k) == FINDER[k]) {
                    let light_before = j >= 4 && (j - 4..j).all(|k| !cell(k));
                    let light_after = j + 11 <= n && (j + 7..j + 11).all(|k| !cell(k));
                    if light_before || light_after {
                        score += 40;
                    }
                }
            }
        }
    }
    // N2: 2×2 blocks of one colour.
    for y in 0..n - 1 {
        for x in 0..n - 1 {
            let c = at(x, y);
            if at(x + 1, y) == c && at(x, y + 1) == c && at(x + 1, y + 1) == c {
                score += 3;
            }
        }
    }
    // N4: 10 points per 5 % the dark share deviates from 50 %.
    let dark_count = dark.iter().filter(|d| **d).count();
    let percent = dark_count * 100 / (n * n);
    score += 10 * (percent.abs_diff(50) / 5) as u32;
    score
}

/// One SVG path for all dark modules, 4 modules of quiet zone around.
fn svg_of(width: usize, dark: &[bool]) -> String {
    use std::fmt::Write;
    let size = width + 8;
    let mut path = String::with_capacity(width * width * 4);
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if dark[y * width + x] {
                let start = x;
                while x < width && dark[y * width + x] {
                    x += 1;
                }
                let _ = write!(
                    path,
                    "M{} {}h{}v1h-{}z",
                    start + 4,
                    y + 4,
                    x - start,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" \
         shape-rendering=\"crispEdges\"><rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn iban() -> Iban {
        Iban::parse("DE89 3704 0044 0532 0130 00").unwrap()
    }

    fn bic() -> Bic {
        Bic::parse("COBADEFFXXX").unwrap()
    }

    #[test]
    fn epc_lines_in_order() {
        let p = payload(
            "Muster GmbH",
            &iban(),
            Some(&bic()),
            dec!(119),
            "RE-2026-0001",
        )
        .unwrap();
        assert_eq!(
            p,
            "BCD\n002\n1\nSCT\nCOBADEFFXXX\nMuster GmbH\nDE89370400440532013000\nEUR119.00\n\n\nRE-2026-0001"
        );
        assert!(payload("X", &iban(), None, dec!(0), "").is_none());
        assert!(payload(" ", &iban(), None, dec!(1), "").is_none());
        let long = payload("X", &iban(), None, dec!(1), &"ä".repeat(200)).unwrap();
        assert!(long.starts_with("BCD\n002\n1\nSCT\n\nX\n"));
        assert!(long.len() <= MAX_BYTES);
    }

    /// Every symbol decodes back to its payload (rqrr on a rasterised grid), for many
    /// payloads and so for every mask the penalty rules pick.
    #[test]
    fn symbols_decode_for_many_payloads() {
        for i in 0..120u32 {
            let p = payload(
                &format!("Muster GmbH {}", "ß".repeat((i % 7) as usize)),
                &iban(),
                Some(&bic()),
                Decimal::new(i64::from(i) * 9_973 + 1, 2),
                &format!("RE-2026-{i:05} {}", "x".repeat((i % 40) as usize)),
            )
            .unwrap();
            let (width, dark) = modules(&p).unwrap();
            let scale = 4;
            let side = (width + 8) * scale;
            let img = image::GrayImage::from_fn(side as u32, side as u32, |px, py| {
                let (x, y) = (px as usize / scale, py as usize / scale);
                let on = x >= 4
                    && y >= 4
                    && x < width + 4
                    && y < width + 4
                    && dark[(y - 4) * width + (x - 4)];
                image::Luma([if on { 0 } else { 255 }])
            });
            let mut prepared = rqrr::PreparedImage::prepare(img);
            let grids = prepared.detect_grids();
            assert_eq!(grids.len(), 1, "payload {i}");
            let (_, content) = grids[0].decode().expect("decodes");
            assert_eq!(content, p, "payload {i}");
        }
        assert!(svg("BCD").unwrap().starts_with("<svg"));
    }
}
