//! What a partner needs to connect: `config.properties` with the real secret,
//! and the `kafka-topics` line that lists the zone's topics.

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
}
