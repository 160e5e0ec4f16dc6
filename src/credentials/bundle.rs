//! The partner's credentials, encrypted for the hand-over with age
//! (`age` crate): to age X25519 recipients (`age1…`), SSH public keys
//! (`ssh-ed25519`, `ssh-rsa`) or the lines of a recipients file. The
//! bundle decrypts (`age -d -i key.txt`, `age -d -i ~/.ssh/id_ed25519`) to
//! a complete `config.properties` whose `#` comments carry the zone, its
//! aliases with their permissions, the bootstrap address, the expiry and
//! the commands to list the topics. The plaintext lives only in memory.

use std::io::Write;

use crate::secret::Secret;

/// What the bundle tells the partner besides `config.properties`.
pub struct Contents<'a> {
    pub zone: &'a str,
    /// `(alias, READ|WRITE)`.
    pub aliases: Vec<(String, String)>,
    pub bootstrap: &'a str,
    pub expiry: Option<String>,
    pub properties: &'a Secret,
}

/// A recipient the bundle is encrypted to.
pub struct Recipient {
    /// As given (a public key: not secret), to remember and show.
    pub text: String,
    key: Box<dyn age::Recipient + Send>,
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Recipient({})", self.text)
    }
}

impl Recipient {
    /// `age1…`, `ssh-ed25519 …` or `ssh-rsa …`.
    pub fn parse(text: &str) -> Result<Recipient, String> {
        let text = text.trim();
        let key: Box<dyn age::Recipient + Send> = if text.starts_with("age1") {
            Box::new(
                text.parse::<age::x25519::Recipient>()
                    .map_err(|e| format!("{}: not an age recipient: {e}", short(text)))?,
            )
        } else if text.starts_with("ssh-") {
            Box::new(
                text.parse::<age::ssh::Recipient>().map_err(|e| {
                    format!("{}: not an SSH public key age takes: {e:?}", short(text))
                })?,
            )
        } else {
            return Err(format!(
                "{}: give an age recipient (age1…), an SSH public key (ssh-ed25519, ssh-rsa) or -R FILE",
                short(text)
            ));
        };
        Ok(Recipient {
            text: text.to_string(),
            key,
        })
    }
}

/// The recipients of a file: one per line, `#` comments and blank lines
/// skipped (as `age -R`).
pub fn parse_file(text: &str, origin: &str) -> Result<Vec<Recipient>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|(i, l)| Recipient::parse(l).map_err(|e| format!("{origin}:{}: {e}", i + 1)))
        .collect()
}

/// The recipients as typed in the console: entries separated by commas,
/// each a public key (`age1…`, `ssh-…`) or the path of a recipients file.
pub fn resolve(typed: &str) -> Result<Vec<Recipient>, String> {
    let mut out = Vec::new();
    for entry in typed.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if entry.starts_with("age1") || entry.starts_with("ssh-") {
            out.push(Recipient::parse(entry)?);
            continue;
        }
        let path = match entry.strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME")
                .map(|h| std::path::Path::new(&h).join(rest))
                .unwrap_or_else(|| entry.into()),
            None => entry.into(),
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            format!(
                "{}: not a recipient, nor a recipients file: {e}",
                short(entry)
            )
        })?;
        out.extend(parse_file(&text, entry)?);
    }
    if out.is_empty() {
        return Err("no recipient: give age1…, ssh-ed25519 … or a recipients file".into());
    }
    Ok(out)
}

/// Remembers the recipients used for a zone in `file` (0600, one per line,
/// as `age -R` reads them: public keys, nothing secret).
pub fn remember(file: &std::path::Path, to: &[Recipient]) -> Result<(), String> {
    if let Some(dir) = file.parent() {
        crate::files::create_private_dir(dir).map_err(|e| e.to_string())?;
    }
    let list: String = to.iter().map(|r| format!("{}\n", r.text)).collect();
    crate::files::write_private(file, list.as_bytes())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The start of what was given, for a message (printed sanitised).
fn short(text: &str) -> String {
    text.chars().take(24).collect()
}

/// The plaintext of the bundle: `config.properties` under its comments.
pub fn plaintext(c: &Contents) -> Secret {
    let mut text = format!(
        "# Partner Zone '{}': your credentials, decrypted with age.\n# Save this as config.properties (it is one) and keep it private.\n#\n# Bootstrap: {}\n",
        c.zone, c.bootstrap
    );
    if let Some(exp) = &c.expiry {
        text.push_str(&format!("# The secret is {exp}\n"));
    }
    text.push_str("# Your topics:\n");
    for (alias, permission) in &c.aliases {
        text.push_str(&format!("#   {alias}  {permission}\n"));
    }
    text.push_str(&format!(
        "# List them (Kafka's own tools):\n#   {}\n#\n",
        super::kafka_topics_command(c.bootstrap)
    ));
    text.push_str(c.properties.expose());
    Secret::new(text)
}

/// Encrypts `plaintext` to every recipient; `armor`: PEM-like text.
pub fn encrypt(plaintext: &Secret, to: &[Recipient], armor: bool) -> Result<Vec<u8>, String> {
    use age::armor::{ArmoredWriter, Format};
    let encryptor = age::Encryptor::with_recipients(to.iter().map(|r| r.key.as_ref() as _))
        .map_err(|e| format!("cannot encrypt: {e}"))?;
    let mut out = Vec::new();
    let format = if armor {
        Format::AsciiArmor
    } else {
        Format::Binary
    };
    let fail = |e: std::io::Error| format!("cannot encrypt: {e}");
    let armored = ArmoredWriter::wrap_output(&mut out, format).map_err(fail)?;
    let mut writer = encryptor.wrap_output(armored).map_err(fail)?;
    writer
        .write_all(plaintext.expose().as_bytes())
        .map_err(fail)?;
    writer.finish().and_then(|a| a.finish()).map_err(fail)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_recipients_are_keys_or_files_and_are_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let a = age::x25519::Identity::generate().to_public().to_string();
        let b = age::x25519::Identity::generate().to_public().to_string();
        let file = dir.path().join("team.txt");
        std::fs::write(&file, format!("# the team\n{b}\n")).unwrap();
        let to = resolve(&format!("{a}, {}", file.display())).unwrap();
        assert_eq!(
            to.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
            [&a, &b]
        );
        assert!(resolve(" , ").unwrap_err().contains("no recipient"));
        assert!(
            resolve("nowhere.txt")
                .unwrap_err()
                .contains("nor a recipients file")
        );
        let kept = dir.path().join("state/recipients/z.txt");
        remember(&kept, &to).unwrap();
        let back = parse_file(&std::fs::read_to_string(&kept).unwrap(), "kept").unwrap();
        assert_eq!(back.len(), 2);
    }

    #[test]
    fn recipients_are_checked_before_anything_is_generated() {
        let id = age::x25519::Identity::generate();
        let public = id.to_public().to_string();
        assert!(Recipient::parse(&public).is_ok());
        assert!(
            Recipient::parse("age1nope")
                .unwrap_err()
                .contains("not an age recipient")
        );
        assert!(Recipient::parse("hunter2").unwrap_err().contains("-R FILE"));
        let file = format!("# the partner's keys\n\n{public}\nbogus\n");
        assert!(
            parse_file(&file, "keys.txt")
                .unwrap_err()
                .starts_with("keys.txt:4:")
        );
    }

    #[test]
    fn a_bundle_decrypts_to_the_properties_with_their_comments() {
        let id = age::x25519::Identity::generate();
        let to = vec![Recipient::parse(&id.to_public().to_string()).unwrap()];
        let props =
            Secret::new("bootstrap.servers=gw:9092\nsasl.jaas.config=x password='s3cr3t';\n");
        let text = plaintext(&Contents {
            zone: "z",
            aliases: vec![("orders".into(), "READ".into())],
            bootstrap: "gw:9092",
            expiry: Some("valid until 2027-01-01 00:00 UTC".into()),
            properties: &props,
        });
        for armor in [false, true] {
            let sealed = encrypt(&text, &to, armor).unwrap();
            assert!(!String::from_utf8_lossy(&sealed).contains("s3cr3t"));
            let plain = age::decrypt(&id, &sealed).unwrap();
            let plain = String::from_utf8(plain).unwrap();
            assert!(plain.ends_with(props.expose()), "{plain}");
            assert!(plain.contains("#   orders  READ\n"));
        }
    }
}
