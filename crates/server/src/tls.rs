//! TLS for `kontor serve`: rustls with TLS 1.3 and 1.2 only, ECDHE with AEAD ciphers only,
//! and certificate/key files reloaded when they change (certbot-style renewals).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum_server::tls_rustls::RustlsConfig;
use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::crypto::aws_lc_rs::{self, cipher_suite};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Why TLS could not be set up; names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")]
    NoCertificate { path: PathBuf },
    #[error("{path} holds no usable PEM private key (PKCS#8, PKCS#1 or SEC1): {message}")]
    NoKey { path: PathBuf, message: String },
    #[error("certificate {cert} and key {key} do not fit together or are not supported: {message}")]
    Config {
        cert: PathBuf,
        key: PathBuf,
        message: String,
    },
}

/// The certificate chain and key files.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// The suites Kontor offers: TLS 1.3's AEAD suites, and on TLS 1.2 only ECDHE key exchange
/// with AES-GCM or ChaCha20-Poly1305 (forward secret, authenticated encryption). rustls has
/// no CBC, RC4, static-RSA key exchange, compression or renegotiation at all.
pub fn provider() -> CryptoProvider {
    CryptoProvider {
        // AES-128-GCM first: as strong as needed (Mozilla's order) and the cheapest with
        // AES-NI; the server's order wins (see `ignore_client_order` below).
        cipher_suites: vec![
            cipher_suite::TLS13_AES_128_GCM_SHA256,
            cipher_suite::TLS13_AES_256_GCM_SHA384,
            cipher_suite::TLS13_CHACHA20_POLY1305_SHA256,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
            cipher_suite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
            cipher_suite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        ],
        ..aws_lc_rs::default_provider()
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Builds the rustls configuration from PEM files (full chain; RSA or ECDSA key).
pub fn server_config(files: &TlsFiles) -> Result<ServerConfig, TlsError> {
    let cert_pem = read(&files.cert)?;
    let key_pem = read(&files.key)?;
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
        .filter_map(|c| c.ok())
        .collect();
    if certs.is_empty() {
        return Err(TlsError::NoCertificate {
            path: files.cert.clone(),
        });
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::NoKey {
        path: files.key.clone(),
        message: e.to_string(),
    })?;
    let config_error = |e: rustls::Error| TlsError::Config {
        cert: files.cert.clone(),
        key: files.key.clone(),
        message: e.to_string(),
    };
    let mut config = ServerConfig::builder_with_provider(Arc::new(provider()))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(config_error)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(config_error)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.ignore_client_order = true;
    Ok(config)
}

fn stamp(files: &TlsFiles) -> Option<(SystemTime, u64, SystemTime, u64)> {
    let c = std::fs::metadata(&files.cert).ok()?;
    let k = std::fs::metadata(&files.key).ok()?;
    Some((c.modified().ok()?, c.len(), k.modified().ok()?, k.len()))
}

/// Loads the files and starts a task that reloads them when they change (checked every
/// `every`). A broken new pair is logged and the old one kept.
pub fn load_and_watch(files: TlsFiles, every: Duration) -> Result<RustlsConfig, TlsError> {
    let config = RustlsConfig::from_config(Arc::new(server_config(&files)?));
    let live = config.clone();
    tokio::spawn(async move {
        let mut seen = stamp(&files);
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        loop {
            tick.tick().await;
            let now = stamp(&files);
            if now.is_none() || now == seen {
                continue;
            }
            // Let a writer finish both files before reading them.
            tokio::time::sleep(Duration::from_millis(200)).await;
            seen = stamp(&files);
            match server_config(&files) {
                Ok(fresh) => {
                    live.reload_from_config(Arc::new(fresh));
                    tracing::info!(cert = %files.cert.display(), "TLS certificate reloaded");
                }
                Err(e) => {
                    tracing::warn!(error = %e, "TLS files changed but cannot be used; keeping the old ones")
                }
            }
        }
    });
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_forward_secret_aead_suites() {
        for suite in provider().cipher_suites {
            let name = format!("{:?}", suite.suite());
            assert!(
                name.starts_with("TLS13_") || name.starts_with("TLS_ECDHE_"),
                "{name}"
            );
            assert!(
                name.contains("GCM") || name.contains("CHACHA20_POLY1305"),
                "{name}"
            );
        }
    }

    #[test]
    fn names_the_bad_file() {
        let dir = tempfile::tempdir().unwrap();
        let cert = dir.path().join("cert.pem");
        std::fs::write(&cert, "not a certificate").unwrap();
        let files = TlsFiles {
            cert: cert.clone(),
            key: dir.path().join("missing.pem"),
        };
        let e = server_config(&files).unwrap_err().to_string();
        assert!(e.contains("missing.pem"), "{e}");
        std::fs::write(dir.path().join("missing.pem"), "x").unwrap();
        let e = server_config(&files).unwrap_err().to_string();
        assert!(
            e.contains("cert.pem") && e.contains("no PEM certificate"),
            "{e}"
        );
    }
}
