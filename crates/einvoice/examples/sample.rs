//! Writes the 10-line sample invoice as UBL and CII into a folder, for a look or the validator:
//! `cargo run -p kontor-einvoice --example sample -- /tmp/x && ../shared/einvoice/validate /tmp/x`

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed step stops the test at once, with the reason"
)]

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| ".".into());
    let s = kontor_einvoice::sample::invoice(10);
    for syntax in [kontor_einvoice::Syntax::Ubl, kontor_einvoice::Syntax::Cii] {
        let xml = kontor_einvoice::write(&s.invoice(), syntax)?;
        std::fs::write(format!("{dir}/sample-{}.xml", syntax.as_str()), xml)?;
    }
    Ok(())
}
