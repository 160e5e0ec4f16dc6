//! The layout rules of CONTRIBUTING.md, checked: which module may use which
//! (the allowed-imports matrix), every source file says what it is for, and
//! none grows past about 600 lines of non-test code.

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

/// Which of pz's modules each module may use (`crate::X` in its non-test
/// code). A new module, or a new dependency between two, is a decision:
/// add it here, and to CONTRIBUTING.md's picture.
const ALLOWED: &[(&str, &[&str])] = &[
    // The foundations: nothing of pz's above them.
    ("secret", &[]),
    ("sanitize", &[]),
    ("format", &[]),
    ("theme", &[]),
    ("files", &[]),
    ("process", &[]),
    ("logging", &["files", "sanitize"]),
    // The contract and the wire.
    ("api", &["secret", "sanitize"]),
    ("kafka", &["sanitize", "secret"]),
    ("credentials", &["files", "kafka", "secret"]),
    ("clipboard", &["process", "secret"]),
    ("config", &["api", "files", "process", "secret"]),
    // Rotating a partner's credentials (`pz rotate`, the console's `R`).
    (
        "rotation",
        &["api", "config", "credentials", "files", "secret"],
    ),
    // A zone's YAML in the user's editor (`pz edit`, the console's `E`).
    ("editing", &["api", "config", "files", "sanitize"]),
    // The sandbox: a server on the contract; no console, no command line.
    ("sandbox", &["api", "files", "kafka", "secret", "sanitize"]),
    // The console's state: no I/O, no drawing, no command line.
    (
        "app",
        &[
            "api",
            "clipboard",
            "credentials",
            "editing",
            "kafka",
            "rotation",
            "secret",
            "theme",
            "sanitize",
        ],
    ),
    // Drawing: reads the state.
    (
        "ui",
        &[
            "api",
            "app",
            "credentials",
            "format",
            "kafka",
            "sanitize",
            "theme",
        ],
    ),
    // Connecting and carrying out effects.
    ("backend", &["api", "config", "sandbox", "secret"]),
    (
        "effects",
        &[
            "api",
            "app",
            "backend",
            "clipboard",
            "config",
            "credentials",
            "editing",
            "files",
            "kafka",
            "rotation",
            "secret",
        ],
    ),
    ("event_loop", &["app", "effects", "secret", "ui"]),
    ("demo", &["api", "app", "sandbox", "secret", "theme"]),
    // The terminal and the command line tie everything together.
    (
        "tui",
        &[
            "api",
            "app",
            "backend",
            "cli",
            "clipboard",
            "config",
            "editing",
            "effects",
            "event_loop",
            "rotation",
            "sanitize",
            "secret",
            "theme",
            "ui",
        ],
    ),
    (
        "cli",
        &[
            "api",
            "backend",
            "config",
            "credentials",
            "editing",
            "files",
            "format",
            "kafka",
            "rotation",
            "sandbox",
            "sanitize",
            "secret",
        ],
    ),
];

/// The top-level module a source file belongs to (`src/app/keys.rs`: app).
fn module_of(rel: &Path) -> Option<String> {
    let mut parts = rel.components().skip(1);
    let first = parts.next()?.as_os_str().to_string_lossy().into_owned();
    Some(first.trim_end_matches(".rs").to_string())
}

#[test]
fn each_module_uses_only_what_the_matrix_allows() {
    for path in all_sources() {
        let rel = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap();
        let module = module_of(rel).unwrap();
        if module == "lib" || module == "main" {
            continue;
        }
        let allowed = ALLOWED
            .iter()
            .find(|(m, _)| *m == module)
            .map(|(_, a)| *a)
            .unwrap_or_else(|| panic!("{module} ({}) is not in the matrix", rel.display()));
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (i, _) in code.match_indices("crate::") {
            let used: String = code[i + 7..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if used != module && !used.is_empty() {
                assert!(
                    allowed.contains(&used.as_str()),
                    "{} uses crate::{used}, which {module} may not",
                    rel.display()
                );
            }
        }
    }
}
