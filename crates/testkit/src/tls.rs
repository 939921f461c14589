//! Certificates made at test time.

use std::path::Path;

pub use rustls_pki_types::CertificateDer;

/// Writes a new self-signed certificate for `localhost` and its key to `dir/cert.pem` and
/// `dir/key.pem`; returns the certificate (to trust it in a client).
pub fn write_self_signed(dir: &Path) -> CertificateDer<'static> {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    std::fs::write(dir.join("cert.pem"), made.cert.pem()).expect("write cert");
    std::fs::write(dir.join("key.pem"), made.signing_key.serialize_pem()).expect("write key");
    made.cert.der().clone()
}

/// A self-signed certificate (PEM) for `kontor.test`, valid until midnight (UTC) `days` days
/// from today.
pub fn certificate_expiring_in(days: u64) -> String {
    use chrono::Datelike;
    let until = chrono::Utc::now().date_naive() + chrono::Days::new(days);
    let mut params =
        rcgen::CertificateParams::new(vec!["kontor.test".to_string()]).expect("params");
    params.not_after = rcgen::date_time_ymd(until.year(), until.month() as u8, until.day() as u8);
    let key = rcgen::KeyPair::generate().expect("key");
    params.self_signed(&key).expect("certificate").pem()
}
