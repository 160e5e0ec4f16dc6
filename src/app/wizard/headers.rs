//! The headers a zone adds to what the partner produces and removes from
//! what it consumes (Console 1.34+), as the Traffic step takes them typed:
//! `KEY=VALUE; !KEY=VALUE` (a `!` overrides a header the record already
//! has; values may use the Gateway's templates) and `REGEX; REGEX`.

use crate::api::{AddHeader, Headers, RemoveHeader};

/// The templates a header value may use.
pub const TEMPLATES: [&str; 7] = [
    "{{clientId}}",
    "{{userIp}}",
    "{{apiKey}}",
    "{{apiKeyVersion}}",
    "{{user}}",
    "{{gatewayHost}}",
    "{{timestampMillis}}",
];

/// The rows of the Traffic step after the three limits.
pub const ROWS: [(&str, &str); 2] = [
    ("Add on produce", "KEY=VALUE; !KEY=VALUE overrides"),
    ("Remove on consume", "REGEX; REGEX (key names)"),
];

fn items(text: &str) -> impl Iterator<Item = &str> {
    text.split(';').map(str::trim).filter(|i| !i.is_empty())
}

/// `KEY=VALUE; !KEY=VALUE` as the headers to add.
pub fn parse_add(text: &str) -> Result<Vec<AddHeader>, String> {
    let mut out = Vec::new();
    for item in items(text) {
        let (overrides, rest) = match item.strip_prefix('!') {
            Some(r) => (true, r.trim_start()),
            None => (false, item),
        };
        let Some((key, value)) = rest.split_once('=') else {
            return Err(format!("'{item}' is not KEY=VALUE"));
        };
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            return Err(format!("'{item}': a header key is one word"));
        }
        let value = value.trim();
        let mut rest = value;
        while let Some(at) = rest.find("{{") {
            let end = rest[at..].find("}}").map(|e| at + e + 2);
            let Some(end) = end else {
                return Err(format!("'{value}': a template is not closed with }}}}"));
            };
            let template = &rest[at..end];
            if !TEMPLATES.contains(&template) {
                return Err(format!(
                    "unknown template {template}: use {}",
                    TEMPLATES.join(" ")
                ));
            }
            rest = &rest[end..];
        }
        out.push(AddHeader {
            key: key.to_string(),
            value: value.to_string(),
            // Not overriding is the default: left out, as the vendor writes it.
            override_if_exists: overrides.then_some(true),
            extra: Default::default(),
        });
    }
    Ok(out)
}

/// `REGEX; REGEX` as the header keys to remove; each must compile.
pub fn parse_remove(text: &str) -> Result<Vec<RemoveHeader>, String> {
    items(text)
        .map(|r| match crate::api::types::regex_problem(r) {
            None => Ok(RemoveHeader {
                key_regex: r.to_string(),
                extra: Default::default(),
            }),
            Some(why) => Err(why),
        })
        .collect()
}

/// The texts of the two rows for a zone's headers.
pub fn texts(h: Option<&Headers>) -> (String, String) {
    let Some(h) = h else {
        return Default::default();
    };
    let add = h
        .add_on_produce
        .iter()
        .map(|a| {
            let bang = if a.override_if_exists == Some(true) {
                "!"
            } else {
                ""
            };
            format!("{bang}{}={}", a.key, a.value)
        })
        .collect::<Vec<_>>()
        .join("; ");
    let remove = h
        .remove_on_consume
        .iter()
        .map(|r| r.key_regex.clone())
        .collect::<Vec<_>>()
        .join("; ");
    (add, remove)
}

/// The zone's headers from the two texts (keeping what `old` carried
/// that pz does not know); `None` when both are empty.
pub fn headers(add: &str, remove: &str, old: Option<&Headers>) -> Option<Headers> {
    let extra = old.map(|h| h.extra.clone()).unwrap_or_default();
    let h = Headers {
        add_on_produce: parse_add(add).unwrap_or_default(),
        remove_on_consume: parse_remove(remove).unwrap_or_default(),
        extra,
    };
    let empty = h.add_on_produce.is_empty() && h.remove_on_consume.is_empty() && h.extra.is_empty();
    (!empty).then_some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_to_add_with_templates_and_override() {
        let h = parse_add("X-Org=acme; !X-Client = {{clientId}}@{{gatewayHost}}").unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!((h[0].key.as_str(), h[0].value.as_str()), ("X-Org", "acme"));
        assert_eq!(h[0].override_if_exists, None);
        assert_eq!(h[1].value, "{{clientId}}@{{gatewayHost}}");
        assert_eq!(h[1].override_if_exists, Some(true));
        assert!(parse_add("X-Org").unwrap_err().contains("KEY=VALUE"));
        assert!(parse_add("X Org=a").unwrap_err().contains("one word"));
        assert!(
            parse_add("X=a{{nope}}")
                .unwrap_err()
                .contains("unknown template {{nope}}")
        );
        assert!(
            parse_add("X={{clientId")
                .unwrap_err()
                .contains("not closed")
        );
        assert_eq!(parse_add("  ;  ").unwrap(), Vec::new());
    }

    #[test]
    fn regexes_to_remove_must_compile() {
        let r = parse_remove("my_org_prefix.*; ^x-trace-").unwrap();
        assert_eq!(r[1].key_regex, "^x-trace-");
        let err = parse_remove("ok; x-(").unwrap_err();
        assert_eq!(
            err,
            "'x-(' is not a valid regular expression: found open group without closing ')'"
        );
    }

    #[test]
    fn texts_round_trip() {
        let h = headers("!A=1; B={{user}}", "c.*", None).unwrap();
        let (add, remove) = texts(Some(&h));
        assert_eq!((add.as_str(), remove.as_str()), ("!A=1; B={{user}}", "c.*"));
        assert_eq!(headers("", "", None), None);
    }
}
