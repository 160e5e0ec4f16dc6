//! The one sanitiser for text that pz did not write itself (API answers,
//! server errors, YAML and config files, command-line names) before it
//! reaches a terminal or the log: control characters are shown, never obeyed.
//!
//! C0 controls, DEL and the C1 range (0x80–0x9F, which some terminals read as
//! ESC-sequences of their own) become visible escapes such as `\e`, `\a`,
//! `\r`, `\u{9b}`. So do the Unicode bidirectional overrides, which can make
//! a table show text in another order than it holds ("Trojan Source").

use std::borrow::Cow;

/// Whether `c` must not reach a terminal as it is.
pub fn is_hostile(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\u{07}' => out.push_str("\\a"),
        '\u{08}' => out.push_str("\\b"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\0' => out.push_str("\\0"),
        other => out.push_str(&format!("\\u{{{:x}}}", other as u32)),
    }
}

fn sanitize(text: &str, keep_lines: bool) -> Cow<'_, str> {
    let keep = |c: char| keep_lines && (c == '\n' || c == '\t');
    if !may_hold_hostile(text, keep_lines) || !text.chars().any(|c| is_hostile(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hostile(c) && !keep(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for one line of a terminal: every control character, newline and
/// tab included, is shown as an escape.
pub fn line(text: &str) -> Cow<'_, str> {
    sanitize(text, false)
}

/// Text meant to span lines (a description, a properties file): newline and
/// tab are kept, every other control character is shown as an escape.
pub fn lines(text: &str) -> Cow<'_, str> {
    sanitize(text, true)
}

/// `text` cut to at most `max` characters, with `…` where it was cut: keeps
/// a hostile megabyte-long name from flooding a table.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max.saturating_sub(1)) {
        Some((i, _)) if text[i..].chars().nth(1).is_some() => {
            Cow::Owned(format!("{}…", &text[..i]))
        }
        _ => Cow::Borrowed(text),
    }
}

/// Serialized JSON made safe for a terminal without changing its value:
/// JSON writers escape C0 controls but may leave DEL, C1 and the bidi
/// overrides raw; inside a JSON string `\uXXXX` means the same character,
/// and outside strings JSON holds none of them.
pub fn json(text: &str) -> Cow<'_, str> {
    if !may_hold_hostile(text, true) || !text.chars().any(is_hostile_in_output) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_hostile_in_output(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether `text` may hold a hostile character (newline and tab apart
/// when `keep_lines`), from its bytes alone: a fast look first, as most
/// text holds none. Every such character's UTF-8 starts with a C0 byte,
/// DEL, `0xC2` (the C1 controls) or `0xE2` (the bidi overrides).
fn may_hold_hostile(text: &str, keep_lines: bool) -> bool {
    // Eight bytes at a time: `pz get -o json` looks at a megabyte of JSON,
    // which a byte-at-a-time loop (the release build is optimised for
    // size, so not vectorised) took 1.2 ms over.
    let mut words = text.as_bytes().chunks_exact(8);
    words.by_ref().any(|w| {
        let mut word = [0; 8];
        word.copy_from_slice(w);
        word_may_hold_hostile(u64::from_le_bytes(word), keep_lines)
    }) || words
        .remainder()
        .iter()
        .any(|&b| byte_may_start_hostile(b, keep_lines))
}

fn byte_may_start_hostile(b: u8, keep_lines: bool) -> bool {
    (b < 0x20 && !(keep_lines && (b == b'\n' || b == b'\t'))) || matches!(b, 0x7f | 0xc2 | 0xe2)
}

/// `byte_may_start_hostile` of any of the word's eight bytes.
fn word_may_hold_hostile(x: u64, keep_lines: bool) -> bool {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let splat = |b: u8| u64::from(b) * 0x0101_0101_0101_0101;
    // 0x80 in each byte of `v` that is zero, 0 in the others (exact: the
    // sum of two 7-bit halves never carries into the next byte).
    let zero_bytes = |v: u64| !(((v & LOW7) + LOW7) | v | LOW7);
    let control = zero_bytes(x & splat(0xe0));
    let layout = if keep_lines {
        zero_bytes(x ^ splat(b'\n')) | zero_bytes(x ^ splat(b'\t'))
    } else {
        0
    };
    let lead =
        zero_bytes(x ^ splat(0x7f)) | zero_bytes(x ^ splat(0xc2)) | zero_bytes(x ^ splat(0xe2));
    (control & !layout) | lead != 0
}

/// In serialized JSON or YAML, newline and tab are layout; anything else
/// hostile is not.
fn is_hostile_in_output(c: char) -> bool {
    is_hostile(c) && c != '\n' && c != '\t'
}

/// Serialized YAML checked for a terminal. The YAML writer double-quotes
/// and escapes every control character (`\e`, `\a`, `\x9B`, NEL as `\N`),
/// so its output is printed as it is, exact; the bidi overrides are left raw
/// (YAML counts them printable, and they move no cursor). Should a raw
/// control ever remain, the text is refused rather than printed: the caller
/// reports an error.
pub fn yaml(text: &str) -> Result<&str, char> {
    match text
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        None => Ok(text),
        Some(c) => Err(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVIL: &str =
        "Evil \u{1b}]52;c;SElKQUNLRUQ=\u{07} \u{1b}[2J\u{1b}[31mRED\r\u{8}\u{9b}1m\u{7f}";

    fn has_raw_control(s: &str) -> bool {
        s.chars().any(is_hostile)
    }

    #[test]
    fn controls_become_visible_escapes() {
        let out = line(EVIL);
        assert!(!has_raw_control(&out), "{out:?}");
        assert_eq!(
            out,
            "Evil \\e]52;c;SElKQUNLRUQ=\\a \\e[2J\\e[31mRED\\r\\b\\u{9b}1m\\u{7f}"
        );
    }

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        assert!(matches!(line("ACME Logistics — été"), Cow::Borrowed(_)));
    }

    #[test]
    fn lines_keep_newline_and_tab_only() {
        assert_eq!(lines("a\n\tb\r\n\u{1b}c"), "a\n\tb\\r\n\\ec");
        assert_eq!(line("a\nb"), "a\\nb");
    }

    #[test]
    fn bidi_overrides_are_shown() {
        assert_eq!(line("abc\u{202e}fed"), "abc\\u{202e}fed");
    }

    #[test]
    fn truncation_is_bounded_and_marked() {
        let long = "x".repeat(1_000_000);
        let cut = truncate(&long, 64);
        assert_eq!(cut.chars().count(), 64);
        assert!(cut.ends_with('…'));
        assert_eq!(truncate("short", 64), "short");
        assert_eq!(truncate("abcd", 4), "abcd");
        assert_eq!(truncate("abcde", 4), "abc…");
    }

    #[test]
    fn json_stays_exact_and_safe() {
        let value = serde_json::json!({ "displayName": EVIL, "d": "line\nbreak" });
        let text = serde_json::to_string_pretty(&value).unwrap();
        let safe = json(&text);
        assert!(!has_raw_control(&safe.replace(['\n'], "")), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn the_byte_look_misses_no_hostile_character() {
        let mut hostile = 0;
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            // At a different offset of the first eight-byte word each time.
            let text = format!("{}{c}{}", &"abcdefg"[..c as usize % 8], "z".repeat(9));
            if is_hostile(c) {
                hostile += 1;
                assert!(may_hold_hostile(&text, false), "{:x}", c as u32);
            }
            if is_hostile_in_output(c) {
                assert!(may_hold_hostile(&text, true), "{:x}", c as u32);
            }
        }
        assert!(
            hostile > 60,
            "C0, DEL, C1 and the bidi overrides: {hostile}"
        );
        assert!(!may_hold_hostile("plain \"json\"\n\t é ü 漢", true));
        assert!(may_hold_hostile("a\nb", false));
    }

    #[test]
    fn yaml_of_hostile_strings_is_escaped_by_the_writer() {
        let value = serde_json::json!({ "displayName": EVIL, "d": "a\u{85}b\u{202e}" });
        let text = serde_yaml_ng::to_string(&value).unwrap();
        let back: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(back, value);
        let safe = yaml(&text).unwrap();
        assert!(
            !safe.chars().any(|c| c.is_control() && c != '\n'),
            "{safe:?}"
        );
        assert!(safe.contains("\\e]52") && safe.contains("\\N"), "{safe}");
        assert_eq!(yaml("a: \u{1b}[2J\n"), Err('\u{1b}'));
    }

    proptest::proptest! {
        #[test]
        fn the_word_look_agrees_with_the_byte_look(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            keep in proptest::prelude::any::<bool>(),
        ) {
            let text = String::from_utf8_lossy(&bytes);
            let by_byte = text.bytes().any(|b| byte_may_start_hostile(b, keep));
            proptest::prop_assert_eq!(may_hold_hostile(&text, keep), by_byte);
            let mut word = [0u8; 8];
            let n = bytes.len().min(8);
            word[..n].copy_from_slice(&bytes[..n]);
            proptest::prop_assert_eq!(
                word_may_hold_hostile(u64::from_le_bytes(word), keep),
                word.iter().any(|&b| byte_may_start_hostile(b, keep))
            );
        }

        #[test]
        fn sanitised_text_never_holds_a_control(text in "\\PC*|[\\x00-\\x1f\\x7f-\\u{9f}a-z]*") {
            proptest::prop_assert!(!has_raw_control(&line(&text)));
            let kept = lines(&text);
            proptest::prop_assert!(!kept.chars().any(|c| is_hostile(c) && c != '\n' && c != '\t'));
        }
    }
}
