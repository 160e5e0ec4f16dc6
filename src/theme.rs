//! Colour themes with semantic roles, loaded from `themes/*.yaml` (built in)
//! or a user's file. `NO_COLOR` gives the monochrome theme.

use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../themes/default.yaml")),
    ("light", include_str!("../themes/light.yaml")),
    (
        "high-contrast",
        include_str!("../themes/high-contrast.yaml"),
    ),
    ("monochrome", include_str!("../themes/monochrome.yaml")),
];

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum ColorSpec {
    Plain(String),
    Pair { fg: String, bg: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    text: String,
    muted: String,
    accent: String,
    selection: ColorSpec,
    success: String,
    warning: String,
    failure: String,
    border: String,
    #[serde(default)]
    bold: bool,
    #[serde(default)]
    monochrome: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub selection: Style,
    pub success: Style,
    pub warning: Style,
    pub failure: Style,
    pub border: Style,
}

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error(
        "unknown theme '{0}' (built in: default, light, high-contrast, monochrome; or a .yaml path)"
    )]
    Unknown(String),
    #[error("theme {0}: {1}")]
    Invalid(String, String),
}

fn color(origin: &str, text: &str) -> Result<Color, ThemeError> {
    Color::from_str(text)
        .map_err(|_| ThemeError::Invalid(origin.into(), format!("'{text}' is not a colour")))
}

impl Theme {
    pub fn names() -> impl Iterator<Item = &'static str> {
        BUILT_IN.iter().map(|(n, _)| *n)
    }

    /// A built-in theme by name, or a YAML file by path.
    pub fn load(name_or_path: &str) -> Result<Theme, ThemeError> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(n, _)| *n == name_or_path) {
            return Theme::parse(text, name_or_path);
        }
        if name_or_path.ends_with(".yaml") || name_or_path.contains('/') {
            let text = std::fs::read_to_string(name_or_path)
                .map_err(|e| ThemeError::Invalid(name_or_path.into(), e.to_string()))?;
            return Theme::parse(&text, name_or_path);
        }
        Err(ThemeError::Unknown(name_or_path.into()))
    }

    /// The theme to use: `NO_COLOR` forces monochrome, then the flag, then
    /// the config file, then the default.
    pub fn choose(
        flag: Option<&str>,
        config: Option<&str>,
        no_color: bool,
    ) -> Result<Theme, ThemeError> {
        if no_color {
            return Theme::load("monochrome");
        }
        Theme::load(flag.or(config).unwrap_or("default"))
    }

    pub fn parse(text: &str, origin: &str) -> Result<Theme, ThemeError> {
        let file: ThemeFile = serde_yaml_ng::from_str(text)
            .map_err(|e| ThemeError::Invalid(origin.into(), e.to_string()))?;
        let fg = |t: &str| -> Result<Style, ThemeError> { Ok(Style::new().fg(color(origin, t)?)) };
        let mut theme = Theme {
            name: file.name.clone(),
            text: fg(&file.text)?,
            muted: fg(&file.muted)?,
            accent: fg(&file.accent)?,
            selection: match &file.selection {
                ColorSpec::Plain(c) => Style::new().bg(color(origin, c)?),
                ColorSpec::Pair { fg, bg } => {
                    Style::new().fg(color(origin, fg)?).bg(color(origin, bg)?)
                }
            },
            success: fg(&file.success)?,
            warning: fg(&file.warning)?,
            failure: fg(&file.failure)?,
            border: fg(&file.border)?,
        };
        if file.bold {
            theme.accent = theme.accent.add_modifier(Modifier::BOLD);
            theme.failure = theme.failure.add_modifier(Modifier::BOLD);
        }
        if file.monochrome {
            theme.muted = theme.muted.add_modifier(Modifier::DIM);
            theme.accent = theme.accent.add_modifier(Modifier::BOLD);
            theme.selection = theme.selection.add_modifier(Modifier::REVERSED);
            theme.failure = theme.failure.add_modifier(Modifier::BOLD);
            theme.warning = theme.warning.add_modifier(Modifier::ITALIC);
        }
        Ok(theme)
    }
}

impl Default for Theme {
    fn default() -> Theme {
        // The built-in default is checked by the tests below.
        Theme::load("default").unwrap_or(Theme {
            name: "fallback".into(),
            text: Style::new(),
            muted: Style::new(),
            accent: Style::new(),
            selection: Style::new().add_modifier(Modifier::REVERSED),
            success: Style::new(),
            warning: Style::new(),
            failure: Style::new(),
            border: Style::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_16_colour(style: &Style) -> bool {
        [style.fg, style.bg]
            .iter()
            .flatten()
            .all(|c| !matches!(c, Color::Rgb(..) | Color::Indexed(_)))
    }

    #[test]
    fn every_built_in_theme_loads_and_uses_16_colours_only() {
        for name in Theme::names() {
            let t = Theme::load(name).unwrap();
            assert_eq!(t.name, name);
            for s in [
                t.text,
                t.muted,
                t.accent,
                t.selection,
                t.success,
                t.warning,
                t.failure,
                t.border,
            ] {
                assert!(is_16_colour(&s), "{name}: {s:?}");
            }
        }
    }

    #[test]
    fn no_color_wins() {
        let t = Theme::choose(Some("light"), None, true).unwrap();
        assert_eq!(t.name, "monochrome");
        assert!(t.selection.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(
            Theme::choose(None, Some("light"), false).unwrap().name,
            "light"
        );
    }

    #[test]
    fn bad_themes_are_explained() {
        assert!(matches!(Theme::load("nope"), Err(ThemeError::Unknown(_))));
        let err = Theme::parse("name: x\ntext: notacolour\n", "x.yaml").unwrap_err();
        assert!(err.to_string().contains("x.yaml"));
    }
}
