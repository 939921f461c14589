//! The EPC069-12 payment QR code ("GiroCode") for credit transfers.

use qrcode::{EcLevel, QrCode};
use rust_decimal::Decimal;

/// Largest payload the standard allows.
const MAX_BYTES: usize = 331;

/// The payload for a SEPA credit transfer, or `None` when the amount or IBAN cannot be encoded.
/// Lines: BCD, 002, 1 (UTF-8), SCT, BIC, name, IBAN, amount, purpose, RF reference, text.
pub fn payload(
    name: &str,
    iban: &str,
    bic: &str,
    amount: Decimal,
    remittance: &str,
) -> Option<String> {
    let iban: String = iban
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    if !kontor_domain::party::is_valid_iban(&iban) {
        return None;
    }
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
    let bic: String = bic.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
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
    let code = QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color>()
            .quiet_zone(true)
            .min_dimensions(200, 200)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn epc_lines_in_order() {
        let p = payload(
            "Muster GmbH",
            "DE89 3704 0044 0532 0130 00",
            "COBADEFFXXX",
            dec!(119),
            "RE-2026-0001",
        )
        .unwrap();
        assert_eq!(
            p,
            "BCD\n002\n1\nSCT\nCOBADEFFXXX\nMuster GmbH\nDE89370400440532013000\nEUR119.00\n\n\nRE-2026-0001"
        );
        assert!(payload("X", "DE00 0000", "", dec!(1), "").is_none());
        assert!(payload("X", "DE89370400440532013000", "", dec!(0), "").is_none());
        let long = payload("X", "DE89370400440532013000", "", dec!(1), &"ä".repeat(200)).unwrap();
        assert!(long.len() <= MAX_BYTES);
    }
}
