//! The layout rules of CONTRIBUTING.md, checked: the console does not depend
//! on the command line, every source file says what it is for, and none
//! grows past about 600 lines of non-test code.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn all_sources() -> Vec<PathBuf> {
    let mut out = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    assert!(out.len() > 30, "found only {} files", out.len());
    out
}

#[test]
fn the_console_does_not_import_the_command_line() {
    for path in all_sources() {
        let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
        let console = rel.starts_with("src/app")
            || rel.starts_with("src/ui")
            || rel.ends_with("src/effects.rs");
        if console {
            let text = std::fs::read_to_string(&path).unwrap();
            // `crate::cli` followed by anything but a name character
            // (`crate::clipboard` is fine).
            let imports_cli = text.match_indices("crate::cli").any(|(i, m)| {
                !text[i + m.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            });
            assert!(!imports_cli, "{} imports crate::cli", rel.display());
        }
    }
}

#[test]
fn every_file_has_a_module_comment_and_stays_small() {
    for path in all_sources() {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("//!"),
            "{} has no //! comment at the top",
            path.display()
        );
        let code = text
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .count();
        assert!(
            code <= 620,
            "{} has {code} lines of non-test code",
            path.display()
        );
    }
}
