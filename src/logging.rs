//! Logs go to a file under the XDG state dir (mode 0600), never to the
//! screen. `PZ_LOG` sets the filter (default `info`). Every record is one
//! line: control characters from outside (a `\n` in a zone name that would
//! forge a record, an ESC for whoever `cat`s the log) are written escaped.

use std::io::Write;

use std::path::Path;
use std::sync::Mutex;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Starts logging to `path`. Returns false (and logs nowhere) if the file
/// cannot be opened: a missing log never stops pz.
pub fn init(path: &Path) -> bool {
    // Never through a link; a log others could read is made 0600.
    let Ok((file, tightened)) = crate::files::open_append_private(path) else {
        return false;
    };
    // `PZ_LOG=debug`, or per target: `PZ_LOG=info,pz=trace`. (A plain
    // target filter: no regex engine in the binary.)
    let filter: Targets = std::env::var("PZ_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let started = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(Mutex::new(OneLine(file)))
                .with_ansi(false),
        )
        .with(filter)
        .try_init()
        .is_ok();
    if tightened {
        tracing::warn!(
            "{} was readable by others: its mode is now 0600 (earlier records may have been read)",
            path.display()
        );
    }
    started
}

/// A writer that keeps each record on one line: the formatter hands it one
/// whole record per write, ending in a newline; every other control
/// character in it is written as a visible escape.
pub struct OneLine<W>(pub W);

impl<W: Write> Write for OneLine<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let (body, end) = match text.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (text.as_ref(), ""),
        };
        let safe = crate::sanitize::line(body);
        self.0.write_all(safe.as_bytes())?;
        self.0.write_all(end.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newline_inside_a_record_cannot_forge_another() {
        let mut w = OneLine(Vec::new());
        w.write_all(b"INFO zone=evil\nERROR forged \x1b[2J record\n")
            .unwrap();
        w.write_all(b"INFO next\n").unwrap();
        let out = String::from_utf8(w.0).unwrap();
        assert_eq!(
            out,
            "INFO zone=evil\\nERROR forged \\e[2J record\nINFO next\n"
        );
        assert_eq!(out.lines().count(), 2);
    }
}
