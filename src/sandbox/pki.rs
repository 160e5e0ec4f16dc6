//! The sandbox's own certificate authority (`pz sandbox --kafka-tls`): made
//! at first start and kept beside the state (`sandbox-ca.pem`, and its key
//! `sandbox-ca-key.pem`, 0600, never through a link), it signs the
//! Gateways' server certificate (for `localhost` and `127.0.0.1`) at each
//! start. The Gateways accept a client certificate from this CA, for the
//! partners of MTLS zones.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    #[error("the sandbox CA: {0}")]
    Cert(#[from] rcgen::Error),
    #[error("the sandbox CA at {path}: {source}")]
    File {
        path: PathBuf,
        source: crate::files::FileError,
    },
    #[error("the sandbox's TLS: {0}")]
    Tls(String),
}

/// The CA: its certificate (PEM, as handed to partners) and what signs.
pub struct Authority {
    pub ca_pem: String,
    ca: rcgen::Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for Authority {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority").finish_non_exhaustive()
    }
}

/// The CA's certificate parameters: fixed, so that the CA rebuilt from its
/// key at a later start has the subject, serial, validity and extensions of
/// the one first written.
fn ca_params() -> Result<CertificateParams, rcgen::Error> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "pz sandbox CA");
    dn.push(DnType::OrganizationName, "pz sandbox");
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.serial_number = Some(rcgen::SerialNumber::from(vec![0x70, 0x7a]));
    params.not_before = rcgen::date_time_ymd(2026, 1, 1);
    params.not_after = rcgen::date_time_ymd(2036, 1, 1);
    Ok(params)
}

const CA_FILE: &str = "sandbox-ca.pem";
const KEY_FILE: &str = "sandbox-ca-key.pem";

impl Authority {
    /// The CA kept in `dir`, made there at first start (`None`: in memory).
    pub fn load_or_create(dir: Option<&Path>) -> Result<Authority, PkiError> {
        let Some(dir) = dir else {
            return Authority::create();
        };
        let (ca_path, key_path) = (dir.join(CA_FILE), dir.join(KEY_FILE));
        let read = |p: &Path| {
            crate::files::read(p).map_err(|source| PkiError::File {
                path: p.to_path_buf(),
                source,
            })
        };
        if let (Some(ca), Some(key)) = (read(&ca_path)?, read(&key_path)?) {
            let ca_pem = String::from_utf8_lossy(&ca).into_owned();
            let key = KeyPair::from_pem(&String::from_utf8_lossy(&key))?;
            // The same subject, key and extensions as the PEM partners were
            // given: what it issues verifies against that PEM.
            let ca = ca_params()?.self_signed(&key)?;
            return Ok(Authority { ca_pem, ca, key });
        }
        let made = Authority::create()?;
        let write = |p: &Path, bytes: &[u8]| {
            crate::files::write_private(p, bytes).map_err(|source| PkiError::File {
                path: p.to_path_buf(),
                source,
            })
        };
        write(&key_path, made.key.serialize_pem().as_bytes())?;
        write(&ca_path, made.ca_pem.as_bytes())?;
        tracing::info!(ca = %ca_path.display(), "sandbox CA created");
        Ok(made)
    }

    fn create() -> Result<Authority, PkiError> {
        let key = KeyPair::generate()?;
        let ca = ca_params()?.self_signed(&key)?;
        Ok(Authority {
            ca_pem: ca.pem(),
            ca,
            key,
        })
    }

    fn ca_der(&self) -> CertificateDer<'static> {
        self.ca.der().clone()
    }

    /// A certificate and key for `names`, signed by the CA; `client` for a
    /// partner's certificate (its common name is the service account).
    pub fn issue(
        &self,
        names: &[&str],
        common_name: &str,
        client: bool,
    ) -> Result<(String, String, String), PkiError> {
        let key = KeyPair::generate()?;
        let mut params =
            CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, common_name);
        params.distinguished_name = dn;
        params.extended_key_usages = vec![if client {
            rcgen::ExtendedKeyUsagePurpose::ClientAuth
        } else {
            rcgen::ExtendedKeyUsagePurpose::ServerAuth
        }];
        let cert = params.signed_by(&key, &self.ca, &self.key)?;
        Ok((cert.pem(), key.serialize_pem(), fingerprint(cert.der())))
    }

    /// The Gateways' TLS: a server certificate for this machine, and client
    /// certificates from this CA accepted (not required: PLAIN and
    /// OAUTHBEARER partners authenticate with SASL).
    pub fn server_config(&self) -> Result<Arc<rustls::ServerConfig>, PkiError> {
        let tls = |e: &dyn std::fmt::Display| PkiError::Tls(e.to_string());
        let key = KeyPair::generate()?;
        let params =
            CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
        let cert = params.signed_by(&key, &self.ca, &self.key)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca_der()).map_err(|e| tls(&e))?;
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .allow_unauthenticated()
        .build()
        .map_err(|e| tls(&e))?;
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls(&e))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(
                vec![cert.der().clone(), self.ca_der()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .map_err(|e| tls(&e))?;
        Ok(Arc::new(config))
    }
}

/// A certificate's SHA-256 (DER), hex: how the Gateway knows the client
/// certificates the sandbox issued (it remembers whose each is), without
/// parsing what a client sends beyond the TLS handshake's own checks.
pub fn fingerprint(der: &[u8]) -> String {
    sha256_hex(der)
}

/// SHA-256, in hex: what the sandbox keeps instead of a secret or a
/// certificate.
pub fn sha256_hex(bytes: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, bytes)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let a = Authority::load_or_create(Some(dir.path())).unwrap();
        let b = Authority::load_or_create(Some(dir.path())).unwrap();
        assert_eq!(a.ca_pem, b.ca_pem, "the same CA at the next start");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(b.server_config().is_ok());
        let (cert, key, print) = b.issue(&[], "acme-logistics", true).unwrap();
        assert!(cert.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(key.contains("PRIVATE KEY"));
        use rustls::pki_types::pem::PemObject;
        let der = rustls::pki_types::CertificateDer::from_pem_slice(cert.as_bytes()).unwrap();
        assert_eq!(fingerprint(&der), print);
        // Issued by the CA rebuilt at the next start, it verifies against
        // the PEM written at the first.
        let ca = rustls::pki_types::CertificateDer::from_pem_slice(a.ca_pem.as_bytes()).unwrap();
        let mut roots = rustls::RootCertStore::empty();
        roots.add(ca).unwrap();
        let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
            std::sync::Arc::new(roots),
            std::sync::Arc::new(rustls::crypto::ring::default_provider()),
        )
        .build()
        .unwrap();
        verifier
            .verify_client_cert(&der, &[], rustls::pki_types::UnixTime::now())
            .unwrap();
    }
}
