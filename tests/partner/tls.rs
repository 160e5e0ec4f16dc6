//! The TLS options of the vendor's variables against a local HTTPS server:
//! `CDK_CACERT` (an extra CA), `CDK_INSECURE`, and `CDK_CERT`/`CDK_KEY`
//! (a client certificate the server requires).

use std::path::Path;
use std::sync::Arc;

use crate::common;

use pz::api::diagnosis::Trouble;
use pz::api::{ApiError, Client, Connection};
use pz::secret::Secret;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Pki {
    ca_pem: String,
    server_der: CertificateDer<'static>,
    server_key: Vec<u8>,
    ca_der: CertificateDer<'static>,
    client_pem: String,
    client_key_pem: String,
}

fn pki() -> Pki {
    pki_for("localhost", false)
}

/// A CA and a server certificate for `name`, expired if asked.
fn pki_for(name: &str, expired: bool) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let mut server_params = CertificateParams::new(vec![name.to_string()]).unwrap();
    if expired {
        server_params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        server_params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let server = server_params.signed_by(&server_key, &ca, &ca_key).unwrap();
    let client_key = KeyPair::generate().unwrap();
    let client = CertificateParams::new(vec!["pz-client".to_string()])
        .unwrap()
        .signed_by(&client_key, &ca, &ca_key)
        .unwrap();
    Pki {
        ca_pem: ca.pem(),
        ca_der: ca.der().clone(),
        server_der: server.der().clone(),
        server_key: server_key.serialize_der(),
        client_pem: client.pem(),
        client_key_pem: client_key.serialize_pem(),
    }
}

/// An HTTPS server on 127.0.0.1 that answers every request with `[]`.
async fn https_server(pki: &Pki, require_client_cert: bool) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .unwrap();
    let builder = if require_client_cert {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(pki.ca_der.clone()).unwrap();
        let verifier =
            rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let config = builder
        .with_single_cert(
            vec![pki.server_der.clone()],
            PrivateKeyDer::Pkcs8(pki.server_key.clone().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\nconnection: close\r\n\r\n[]")
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    port
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn client(port: u16, setup: impl FnOnce(&mut Connection)) -> Result<Client, ApiError> {
    let mut c = Connection::new(format!("https://localhost:{port}"), Secret::new("k"));
    setup(&mut c);
    Client::new(&c)
}

#[tokio::test]
async fn an_extra_ca_or_insecure_is_needed_for_a_private_ca() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let port = https_server(&pki, false).await;

    let plain = client(port, |_| {}).unwrap();
    let e = plain.list_zones().await.unwrap_err();
    assert!(matches!(e, ApiError::Connect { .. }), "{e}");
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");

    let ca = write(dir.path(), "ca.pem", &pki.ca_pem);
    let trusted = client(port, |c| c.ca_cert = Some(ca)).unwrap();
    assert!(trusted.list_zones().await.unwrap().is_empty());

    let insecure = client(port, |c| c.insecure = true).unwrap();
    assert!(insecure.list_zones().await.unwrap().is_empty());

    let missing = client(port, |c| c.ca_cert = Some("/nonexistent/ca.pem".into())).unwrap_err();
    assert!(matches!(missing, ApiError::Config(_)), "{missing}");
}

#[tokio::test]
async fn a_client_certificate_is_presented_when_required() {
    let pki = pki();
    let dir = tempfile::tempdir().unwrap();
    let port = https_server(&pki, true).await;
    let ca = write(dir.path(), "ca.pem", &pki.ca_pem);

    let without = client(port, |c| c.ca_cert = Some(ca.clone())).unwrap();
    assert!(
        without.list_zones().await.is_err(),
        "the server requires a client certificate"
    );

    let cert = write(dir.path(), "client.pem", &pki.client_pem);
    let key = write(dir.path(), "client.key", &pki.client_key_pem);
    let with = client(port, |c| {
        c.ca_cert = Some(ca);
        c.client_cert = Some((cert, key));
    })
    .unwrap();
    assert!(with.list_zones().await.unwrap().is_empty());
}

/// An unknown CA, an expired certificate and another host's certificate are
/// each named as such, with the fix, by the console and by `pz get`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_failures_are_named_with_their_fix() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "unknown_ca",
            pki_for("localhost", false),
            false,
            "unknown certificate authority",
            "CDK_CACERT",
        ),
        (
            "expired",
            pki_for("localhost", true),
            true,
            "expired certificate",
            "renew",
        ),
        (
            "wrong_name",
            pki_for("other.example", false),
            true,
            "another host name",
            "host name",
        ),
    ];
    for (name, pki, trust_ca, what, fix) in cases {
        let port = https_server(&pki, false).await;
        let ca = write(dir.path(), &format!("{name}.pem"), &pki.ca_pem);
        let c = client(port, |c| {
            if trust_ca {
                c.ca_cert = Some(ca.clone());
            }
        })
        .unwrap();
        let err = c.list_zones().await.unwrap_err();
        let d = c.diagnose(&err, true);
        assert_eq!(d.trouble, Trouble::Tls, "{name}: {err}");
        assert!(d.what.contains(what), "{name}: {}", d.what);
        assert!(d.fix.contains(fix), "{name}: {}", d.fix);
        let mut a = common::console_at("https://console.example");
        a.update(pz::app::Action::ZonesLoaded(Err(err)));
        insta::assert_snapshot!(format!("tls_{name}_80x24"), common::draw(&a));

        let home = tempfile::tempdir().unwrap();
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_pz"));
        cmd.arg("get")
            .env("CDK_BASE_URL", format!("https://localhost:{port}"))
            .env("CDK_API_KEY", "k")
            .env("XDG_CONFIG_HOME", home.path())
            .env("XDG_STATE_HOME", home.path());
        if trust_ca {
            cmd.env("CDK_CACERT", &ca);
        }
        let out = cmd.output().await.unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(what), "{name}: {stderr}");
    }
}
