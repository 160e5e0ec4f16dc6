//! Copying through the terminal: OSC 52 (plain, or wrapped for GNU screen
//! or tmux's passthrough), and `tmux load-buffer -w -`. None of these can
//! be confirmed from pz's side: the terminal does not answer.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The plain OSC 52 sequence for `text` (BEL-terminated, which every
/// terminal that supports OSC 52 accepts).
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", STANDARD.encode(text))
}

/// OSC 52 inside tmux's DCS passthrough (needs `allow-passthrough on`);
/// used only when `tmux load-buffer` is not available.
pub fn osc52_tmux(text: &str) -> String {
    format!(
        "\x1bPtmux;{}\x1b\\",
        osc52(text).replace('\x1b', "\x1b\x1b")
    )
}

/// OSC 52 for GNU screen: its DCS strings are limited in length, so the
/// sequence is cut into chunks, each wrapped in `ESC P … ESC \`.
pub fn osc52_screen(text: &str) -> String {
    let seq = osc52(text);
    let mut out = String::with_capacity(seq.len() + seq.len() / 76 * 4 + 8);
    let bytes = seq.as_bytes();
    for chunk in bytes.chunks(76) {
        out.push_str("\x1bP");
        // The sequence is ASCII (base64 and escapes), so chunks are valid UTF-8.
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
        out.push_str("\x1b\\");
    }
    out
}

/// `tmux load-buffer -w -`: a tmux paste buffer, and the outer terminal's
/// clipboard through tmux's own OSC 52.
pub fn tmux_load_buffer(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = crate::process::scrub(&mut Command::new("tmux"))
        .args(["load-buffer", "-w", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(text.as_bytes())?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("tmux exited with {status}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJqb2huIn0.c2ln";
    const B64: &str = "ZXlKaGJHY2lPaUpJVXpJMU5pSjkuZXlKemRXSWlPaUpxYjJodUluMC5jMmxu";

    #[test]
    fn osc52_bytes_are_exact() {
        assert_eq!(STANDARD.encode(SECRET), B64);
        assert_eq!(osc52(SECRET), format!("\x1b]52;c;{B64}\x07"));
        assert_eq!(
            osc52_tmux(SECRET),
            format!("\x1bPtmux;\x1b\x1b]52;c;{B64}\x07\x1b\\")
        );
    }

    #[test]
    fn screen_wrapping_chunks_the_sequence() {
        let short = osc52_screen("hi");
        assert_eq!(short, "\x1bP\x1b]52;c;aGk=\x07\x1b\\");
        let long = osc52_screen(&"x".repeat(300));
        let inner: String = long
            .split("\x1b\\")
            .filter(|s| !s.is_empty())
            .map(|s| s.strip_prefix("\x1bP").unwrap())
            .collect();
        assert_eq!(inner, osc52(&"x".repeat(300)));
        assert!(long.split("\x1b\\").all(|c| c.len() <= 78));
    }
}
