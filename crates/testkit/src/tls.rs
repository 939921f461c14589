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

/// A CA of its own and a server certificate it signed for `names` (host names or IP
/// addresses): `(ca_pem, cert_pem, key_pem)`. The client trusts the CA, as a company trusts
/// the CA of its own mail server.
pub fn ca_and_server_certificate(names: &[&str]) -> (String, String, String) {
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Kontor Test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).expect("CA certificate");
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names).expect("server params");
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Kontor test server");
    let key = rcgen::KeyPair::generate().expect("server key");
    let cert = params.signed_by(&key, &ca).expect("server certificate");
    (ca.pem(), cert.pem(), key.serialize_pem())
}
