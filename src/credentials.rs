//! What a partner needs to connect: `config.properties` with the real secret,
//! and the `kafka-topics` line that lists the zone's topics; for OAUTHBEARER
//! and MTLS partners, what they bring (on the sandbox, what it issued) and
//! the kcat line.

pub mod bundle;

use crate::secret::Secret;

/// The value of `bootstrap.servers` in a kafka-configuration answer.
pub fn bootstrap_servers(kafka_configuration: &str) -> Option<&str> {
    crate::kafka::properties::get(kafka_configuration, "bootstrap.servers")
}

/// A complete `config.properties` for the partner: the server's properties
/// with the masked password replaced by the real secret, and the documented
/// SASL settings added if the server left them out.
pub fn partner_properties(kafka_configuration: &str, account: &str, secret: &Secret) -> String {
    let jaas = format!(
        "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='{account}' password='{}';",
        secret.expose()
    );
    let mut out = Vec::new();
    let mut seen_protocol = false;
    let mut seen_mechanism = false;
    let mut seen_jaas = false;
    for line in kafka_configuration.lines() {
        let key = line.split_once('=').map(|(k, _)| k.trim());
        match key {
            Some("sasl.jaas.config") => {
                seen_jaas = true;
                out.push(jaas.clone());
            }
            Some("security.protocol") => {
                seen_protocol = true;
                out.push(line.trim().to_string());
            }
            Some("sasl.mechanism") => {
                seen_mechanism = true;
                out.push(line.trim().to_string());
            }
            _ if line.trim().is_empty() => {}
            _ => out.push(line.trim().to_string()),
        }
    }
    if !seen_protocol {
        out.push("security.protocol=SASL_PLAINTEXT".into());
    }
    if !seen_mechanism {
        out.push("sasl.mechanism=PLAIN".into());
    }
    if !seen_jaas {
        out.push(jaas);
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// The command that lists the zone's topics with that configuration.
pub fn kafka_topics_command(bootstrap: &str) -> String {
    format!("kafka-topics --bootstrap-server {bootstrap} --list --command-config config.properties")
}

/// The expiry (`exp`, seconds since the epoch) of a JWT-shaped secret, if
/// it carries one.
pub fn expiry(secret: &Secret) -> Option<chrono::DateTime<chrono::Utc>> {
    use base64::Engine;
    let payload = secret.expose().split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    chrono::DateTime::from_timestamp(claims.get("exp")?.as_i64()?, 0)
}

/// A secret's expiry is worth a warning this close to it.
pub const EXPIRY_WARNING: chrono::Duration = chrono::Duration::days(7);

/// Where a secret with an expiry stands at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Validity {
    Valid(chrono::DateTime<chrono::Utc>),
    /// Within [`EXPIRY_WARNING`] of its expiry.
    ExpiresSoon(chrono::DateTime<chrono::Utc>),
    Expired(chrono::DateTime<chrono::Utc>),
}

impl Validity {
    /// `None` for a secret that carries no expiry.
    pub fn of(secret: &Secret, now: chrono::DateTime<chrono::Utc>) -> Option<Validity> {
        let exp = expiry(secret)?;
        Some(if exp <= now {
            Validity::Expired(exp)
        } else if exp - now <= EXPIRY_WARNING {
            Validity::ExpiresSoon(exp)
        } else {
            Validity::Valid(exp)
        })
    }

    /// One line: when it expires, how soon, or that it has.
    pub fn describe(self, now: chrono::DateTime<chrono::Utc>) -> String {
        let at = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
        match self {
            Validity::Valid(t) => format!("valid until {}", at(t)),
            Validity::ExpiresSoon(t) => {
                let left = t - now;
                let left = if left.num_days() >= 1 {
                    format!("{} days", left.num_days())
                } else if left.num_hours() >= 1 {
                    format!("{} hours", left.num_hours())
                } else {
                    format!("{} minutes", left.num_minutes().max(1))
                };
                format!(
                    "expires in {left} ({}): hand the partner a new one before then",
                    at(t)
                )
            }
            Validity::Expired(t) => format!(
                "expired at {}: the partner cannot get in with it; generate a new one",
                at(t)
            ),
        }
    }
}

/// The result of [`save_private`].
#[derive(Debug, PartialEq, Eq)]
pub enum Saved {
    Written,
    /// The file is there and `overwrite` was false: ask first.
    Exists,
}

/// Writes `text` to `path` with mode 0600 (`crate::files`); never replaces
/// an existing file unless `overwrite`, and never writes through a link
/// (a dangling one included): that is an error, not a question.
pub fn save_private(
    path: &std::path::Path,
    text: &Secret,
    overwrite: bool,
) -> Result<Saved, crate::files::FileError> {
    use crate::files::{Existing, FileError, How, PRIVATE, write};
    let how = How {
        existing: if overwrite {
            Existing::Replace
        } else {
            Existing::Keep
        },
        ..PRIVATE
    };
    match write(path, text.expose().as_bytes(), how) {
        Ok(_) => Ok(Saved::Written),
        Err(FileError::Exists { .. }) => Ok(Saved::Exists),
        Err(e) => Err(e),
    }
}

/// Whether a zone's partner brings its own credentials (OAUTHBEARER,
/// MTLS) rather than a secret the Console generates.
pub fn brings_own(auth_type: &str) -> bool {
    matches!(auth_type, "OAUTHBEARER" | "MTLS")
}

/// Why a zone's partner brings its own credentials (OAUTHBEARER, MTLS),
/// saying what they must carry; `None` for PLAIN, whose secret pz makes.
pub fn brought_by_partner(name: &str, auth_type: &str, account: &str) -> Option<String> {
    match auth_type {
        "OAUTHBEARER" => Some(format!(
            "{name} authenticates with OAUTHBEARER: the partner gets tokens from its own identity provider, whose `sub` must be '{account}'; there is no secret to generate"
        )),
        "MTLS" => Some(format!(
            "{name} authenticates with mTLS: the partner brings a client certificate, from a CA the Gateway trusts, whose subject maps to '{account}'; there is no secret to generate"
        )),
        _ => None,
    }
}

/// What the sandbox issued to try an OAUTHBEARER or MTLS partner's side
/// end to end (a real Console issues nothing: the partner brings them).
#[derive(Clone, Debug, PartialEq)]
pub enum Brought {
    /// A client certificate for the zone's service account, and its key.
    Certificate { certificate: String, key: Secret },
    /// An OAuth client whose tokens carry `sub` = the service account.
    OAuthClient {
        client_id: String,
        client_secret: Secret,
        token_endpoint: String,
    },
}

/// The partner's side as the sandbox issued it: the Console's
/// kafka-configuration, the Gateways' CA when they speak TLS, and what the
/// partner would bring.
#[derive(Clone, Debug, PartialEq)]
pub struct Issued {
    pub config: String,
    pub ca: Option<String>,
    pub brought: Brought,
}

/// One file of the partner's set beside `config.properties`.
pub struct PartnerFile {
    pub name: String,
    pub text: Secret,
}

impl Issued {
    /// What stays secret: the OAuth client's secret, or the private key.
    pub fn secret(&self) -> &Secret {
        match &self.brought {
            Brought::Certificate { key, .. } => key,
            Brought::OAuthClient { client_secret, .. } => client_secret,
        }
    }

    /// The PEM files a client reads (the CA; for mTLS the certificate with
    /// its key, one file that Java's PEM keystore and librdkafka both take).
    pub fn files(&self, zone: &str) -> Vec<PartnerFile> {
        let mut files = Vec::new();
        if let Some(ca) = &self.ca {
            files.push(PartnerFile {
                name: format!("{zone}-ca.pem"),
                text: Secret::new(ca.clone()),
            });
        }
        if let Brought::Certificate { certificate, key } = &self.brought {
            files.push(PartnerFile {
                name: format!("{zone}-client.pem"),
                text: Secret::new(format!(
                    "{}\n{}\n",
                    key.expose().trim_end(),
                    certificate.trim_end()
                )),
            });
        }
        files
    }

    /// `config.properties` with the issued values in place of the
    /// placeholders; the files of [`Issued::files`] named under `dir`.
    pub fn properties(&self, zone: &str, dir: &str) -> Secret {
        let at = |name: String| {
            if dir.is_empty() {
                name
            } else {
                format!("{}/{name}", dir.trim_end_matches('/'))
            }
        };
        let mut set = Vec::new();
        if self.ca.is_some() {
            set.push(("ssl.truststore.type", "PEM".to_string()));
            set.push(("ssl.truststore.location", at(format!("{zone}-ca.pem"))));
        }
        match &self.brought {
            Brought::Certificate { .. } => {
                set.push(("ssl.keystore.type", "PEM".to_string()));
                set.push(("ssl.keystore.location", at(format!("{zone}-client.pem"))));
            }
            Brought::OAuthClient {
                client_id,
                client_secret,
                token_endpoint,
            } => {
                set.push((
                    "sasl.oauthbearer.token.endpoint.url",
                    token_endpoint.clone(),
                ));
                set.push((
                    "sasl.jaas.config",
                    format!(
                        "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required clientId='{client_id}' clientSecret='{}';",
                        client_secret.expose()
                    ),
                ));
            }
        }
        Secret::new(with_settings(&self.config, &set))
    }

    /// The same connection with kcat (librdkafka), from the files saved in
    /// the working directory. The OAuth client secret is not on the line
    /// (`ps` shows it): it is read from `$CLIENT_SECRET`.
    pub fn kcat_command(&self, zone: &str) -> String {
        let bootstrap = bootstrap_servers(&self.config).unwrap_or("<bootstrap-servers>");
        let protocol =
            crate::kafka::properties::get(&self.config, "security.protocol").unwrap_or("SSL");
        let mut line = format!(
            "kcat -L -b {bootstrap} -X security.protocol={}",
            protocol.to_ascii_lowercase()
        );
        if self.ca.is_some() {
            line.push_str(&format!(" -X ssl.ca.location={zone}-ca.pem"));
        }
        match &self.brought {
            Brought::Certificate { .. } => line.push_str(&format!(
                " -X ssl.certificate.location={zone}-client.pem -X ssl.key.location={zone}-client.pem"
            )),
            Brought::OAuthClient {
                client_id,
                token_endpoint,
                ..
            } => line.push_str(&oidc_options(token_endpoint, client_id, "\"$CLIENT_SECRET\"")),
        }
        line
    }
}

/// librdkafka's options for the OAuth client-credentials grant (kcat -X).
pub fn oidc_options(endpoint: &str, client_id: &str, secret: &str) -> String {
    format!(
        " -X sasl.mechanisms=OAUTHBEARER -X sasl.oauthbearer.method=oidc -X sasl.oauthbearer.token.endpoint.url={endpoint} -X sasl.oauthbearer.client.id={client_id} -X sasl.oauthbearer.client.secret={secret}"
    )
}

/// The kcat line of a zone whose partner brings its own credentials, with
/// placeholders for what it brings.
pub fn brought_kcat_command(config: &str, auth_type: &str) -> Option<String> {
    let bootstrap = bootstrap_servers(config).unwrap_or("<bootstrap-servers>");
    let protocol = crate::kafka::properties::get(config, "security.protocol")
        .unwrap_or("SSL")
        .to_ascii_lowercase();
    let tls = if crate::kafka::properties::speaks_tls(&protocol) {
        " -X ssl.ca.location=<the Gateway's CA, PEM>"
    } else {
        ""
    };
    let base = format!("kcat -L -b {bootstrap} -X security.protocol={protocol}{tls}");
    match auth_type {
        "OAUTHBEARER" => Some(format!(
            "{base}{}",
            oidc_options("<token endpoint>", "<client id>", "<client secret>")
        )),
        "MTLS" => Some(format!(
            "{base} -X ssl.certificate.location=<certificate, PEM> -X ssl.key.location=<key, PEM>"
        )),
        _ => None,
    }
}

/// `config` with each `(key, value)` set: in place where the key is, else
/// appended.
pub fn with_settings(config: &str, set: &[(&str, String)]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut done = vec![false; set.len()];
    for line in config.lines() {
        let key = line.split_once('=').map(|(k, _)| k.trim());
        match set.iter().position(|(k, _)| Some(*k) == key) {
            Some(i) => {
                done[i] = true;
                out.push(format!("{}={}", set[i].0, set[i].1));
            }
            None if line.trim().is_empty() => {}
            None => out.push(line.trim().to_string()),
        }
    }
    for (i, (k, v)) in set.iter().enumerate() {
        if !done[i] {
            out.push(format!("{k}={v}"));
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_files_are_private_and_never_silently_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.properties");
        let text = Secret::new(partner_properties(
            SERVED,
            "johndoe",
            &Secret::new("s3cr3t"),
        ));
        assert_eq!(save_private(&path, &text, false).unwrap(), Saved::Written);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text.expose());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        let other = Secret::new("other");
        assert_eq!(save_private(&path, &other, false).unwrap(), Saved::Exists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text.expose());
        assert_eq!(save_private(&path, &other, true).unwrap(), Saved::Written);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "other");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_is_never_written_through_nor_offered_for_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        let path = dir.path().join("config.properties");
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        let secret = Secret::new("s3cr3t");
        for overwrite in [false, true] {
            let e = save_private(&path, &secret, overwrite).unwrap_err();
            assert!(e.to_string().contains("symbolic link"), "{e}");
        }
        assert!(!elsewhere.exists());
    }

    const SERVED: &str = "bootstrap.servers=gw:9094\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='johndoe' password='***************';\n";

    #[test]
    fn properties_carry_the_real_secret() {
        let text = partner_properties(SERVED, "johndoe", &Secret::new("s3cr3t"));
        assert_eq!(
            text,
            "bootstrap.servers=gw:9094\nsecurity.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='johndoe' password='s3cr3t';\n"
        );
        assert!(!text.contains("***"));
    }

    #[test]
    fn missing_sasl_lines_are_added() {
        let text = partner_properties("bootstrap.servers=gw:1\n", "sa", &Secret::new("x"));
        assert!(text.contains("security.protocol=SASL_PLAINTEXT\n"));
        assert!(text.contains("sasl.mechanism=PLAIN\n"));
        assert!(text.contains("username='sa' password='x';"));
        assert_eq!(bootstrap_servers(&text), Some("gw:1"));
    }

    #[test]
    fn command_line() {
        assert_eq!(
            kafka_topics_command("gw:9094"),
            "kafka-topics --bootstrap-server gw:9094 --list --command-config config.properties"
        );
    }

    const OAUTH: &str = "bootstrap.servers=gw:9094\nsecurity.protocol=SASL_SSL\nsasl.mechanism=OAUTHBEARER\nsasl.oauthbearer.token.endpoint.url=<your identity provider's token endpoint>\nsasl.jaas.config=x required clientId='<client id>' clientSecret='<client secret>';\n";

    #[test]
    fn issued_oauth_client_fills_the_placeholders() {
        let issued = Issued {
            config: OAUTH.into(),
            ca: Some("CA PEM".into()),
            brought: Brought::OAuthClient {
                client_id: "z-1".into(),
                client_secret: Secret::new("cs"),
                token_endpoint: "https://idp/token".into(),
            },
        };
        let text = issued.properties("z", "/out").expose().to_string();
        assert!(text.contains("sasl.oauthbearer.token.endpoint.url=https://idp/token\n"));
        assert!(text.contains("clientId='z-1' clientSecret='cs';"));
        assert!(text.contains("ssl.truststore.location=/out/z-ca.pem\n"));
        assert!(!text.contains('<'), "{text}");
        let kcat = issued.kcat_command("z");
        assert!(kcat.contains("-X sasl.oauthbearer.client.id=z-1"), "{kcat}");
        assert!(
            !kcat.contains("cs "),
            "the secret stays off the command line"
        );
        assert_eq!(issued.files("z").len(), 1);
    }

    #[test]
    fn issued_certificate_is_one_pem_with_its_key() {
        let issued = Issued {
            config: "bootstrap.servers=gw:1\nsecurity.protocol=SSL\nssl.keystore.location=<x>\n"
                .into(),
            ca: Some("CA".into()),
            brought: Brought::Certificate {
                certificate: "CERT\n".into(),
                key: Secret::new("KEY\n"),
            },
        };
        let files = issued.files("z");
        assert_eq!(files[1].name, "z-client.pem");
        assert_eq!(files[1].text.expose(), "KEY\nCERT\n");
        let text = issued.properties("z", "").expose().to_string();
        assert!(
            text.contains("ssl.keystore.location=z-client.pem\n"),
            "{text}"
        );
        assert!(
            issued
                .kcat_command("z")
                .contains("ssl.key.location=z-client.pem")
        );
    }

    #[test]
    fn a_kcat_line_for_each_mode_the_partner_brings() {
        let oauth = brought_kcat_command(OAUTH, "OAUTHBEARER").unwrap();
        assert!(oauth.contains("sasl.oauthbearer.method=oidc"), "{oauth}");
        assert!(oauth.contains("security.protocol=sasl_ssl -X ssl.ca.location="));
        assert!(brought_kcat_command(OAUTH, "PLAIN").is_none());
    }

    fn jwt(exp: i64) -> Secret {
        use base64::Engine;
        let claims =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{{\"exp\":{exp}}}"));
        Secret::new(format!("h.{claims}.s"))
    }

    #[test]
    fn validity_warns_within_seven_days_and_says_when_expired() {
        let now = chrono::Utc::now();
        let at = |days: i64| jwt((now + chrono::Duration::days(days)).timestamp());
        assert!(matches!(
            Validity::of(&at(30), now),
            Some(Validity::Valid(_))
        ));
        let soon = Validity::of(&at(3), now).unwrap();
        assert!(matches!(soon, Validity::ExpiresSoon(_)));
        assert!(
            soon.describe(now).starts_with("expires in 2 days")
                || soon.describe(now).starts_with("expires in 3 days")
        );
        let gone = Validity::of(&at(-1), now).unwrap();
        assert!(
            gone.describe(now).starts_with("expired at"),
            "{}",
            gone.describe(now)
        );
        assert_eq!(Validity::of(&Secret::new("opaque"), now), None);
    }
}
