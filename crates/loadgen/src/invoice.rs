//! The benchmark invoice: `n` varied but deterministic lines, as domain lines (for seeding)
//! and as the JSON body of `POST /api/v1/documents`.

use chrono::NaiveDate;
use kontor_domain::{Line, LineKind, UnitCode, VatRate};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const ITEMS: [(&str, &str); 10] = [
    ("Beratung", "HUR"),
    ("Softwareentwicklung", "HUR"),
    ("Projektleitung", "HUR"),
    ("Schulung vor Ort", "DAY"),
    ("Wartungsvertrag", "MON"),
    ("Lizenz Jahresabo", "C62"),
    ("Fachbuch", "C62"),
    ("Dokumentation", "HUR"),
    ("Hosting", "MON"),
    ("Anfahrt", "KMT"),
];

/// The `n` lines of invoice number `seed`: quantities, prices, discounts and VAT rates
/// (19 % and 7 %) vary with the seed so that totals differ between invoices.
pub fn lines(seed: u64, n: usize) -> Vec<Line> {
    (0..n as u64)
        .map(|j| {
            let (description, unit) = ITEMS[(j as usize) % ITEMS.len()];
            let mix = seed.wrapping_mul(31).wrapping_add(j.wrapping_mul(17));
            // 0.5 … 12.0 in steps of 0.5
            let quantity = Decimal::new(((mix % 24) + 1) as i64 * 5, 1);
            // 12.50 … 211.49
            let unit_price = Decimal::new(1250 + (mix.wrapping_mul(7919) % 19900) as i64, 2);
            let vat_rate = if description == "Fachbuch" {
                VatRate::REDUCED
            } else {
                VatRate::STANDARD
            };
            let discount_percent = if mix % 5 == 0 {
                Decimal::from(5)
            } else {
                Decimal::ZERO
            };
            Line {
                kind: LineKind::Item,
                article_id: None,
                description: format!("{description} {}", j + 1),
                quantity,
                unit: UnitCode::parse(unit).unwrap_or_default(),
                unit_price,
                vat_rate,
                discount_percent,
            }
        })
        .collect()
}

/// The body that creates a draft invoice with these lines.
pub fn create_body(contact_id: i64, date: NaiveDate, lines: &[Line]) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|l| {
            json!({
                "description": l.description,
                "quantity": l.quantity.to_string(),
                "unit": l.unit,
                "unit_price": l.unit_price.to_string(),
                "vat_rate": l.vat_rate.to_string(),
                "discount_percent": l.discount_percent.to_string(),
            })
        })
        .collect();
    let date = date.format("%Y-%m-%d").to_string();
    json!({
        "type": "invoice",
        "contact_id": contact_id,
        "date": date,
        "delivery_date": date,
        "tax_mode": "standard",
        "subject": "Lasttest",
        "lines": lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kontor_domain::TaxMode;
    use kontor_domain::totals::compute_parts;

    #[test]
    fn ten_valid_lines_with_varying_totals() {
        let a = lines(1, 10);
        let b = lines(2, 10);
        assert_eq!(a.len(), 10);
        assert_ne!(a, b);
        assert_eq!(lines(1, 10), a, "deterministic");
        for l in &a {
            assert!(l.quantity > Decimal::ZERO && l.unit_price > Decimal::ZERO);
            assert!(l.vat_rate == VatRate::STANDARD || l.vat_rate == VatRate::REDUCED);
            assert!(l.unit_price.scale() <= 2 && l.quantity.scale() <= 1);
        }
        let ta = compute_parts(TaxMode::Standard, &a, Decimal::ZERO, Decimal::ZERO);
        let tb = compute_parts(TaxMode::Standard, &b, Decimal::ZERO, Decimal::ZERO);
        assert_ne!(ta.gross, tb.gross);
        assert_eq!(ta.vat_breakdown.len(), 2, "19 % and 7 % groups");
    }

    #[test]
    fn body_has_api_fields_as_strings() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let body = create_body(7, date, &lines(3, 10));
        assert_eq!(body["type"], "invoice");
        assert_eq!(body["contact_id"], 7);
        assert_eq!(body["date"], "2026-11-26");
        assert_eq!(body["delivery_date"], "2026-11-26");
        let first = &body["lines"][0];
        assert!(first["quantity"].is_string() && first["unit_price"].is_string());
        assert_eq!(body["lines"].as_array().unwrap().len(), 10);
    }
}
