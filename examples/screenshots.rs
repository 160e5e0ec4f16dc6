//! Renders every screen with the real render code into SVG files under
//! `screenshots/`, in the default and the light theme:
//!
//!     cargo run --example screenshots
//!
//! Each screen is drawn into ratatui's TestBackend, turned into ANSI text
//! and rendered to SVG by anstyle-svg.

use std::fmt::Write;

use pz::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

fn sgr_color(c: Color, fg: bool) -> String {
    let base = if fg { 30 } else { 40 };
    let bright = if fg { 90 } else { 100 };
    match c {
        Color::Reset => format!("{}", if fg { 39 } else { 49 }),
        Color::Black => format!("{base}"),
        Color::Red => format!("{}", base + 1),
        Color::Green => format!("{}", base + 2),
        Color::Yellow => format!("{}", base + 3),
        Color::Blue => format!("{}", base + 4),
        Color::Magenta => format!("{}", base + 5),
        Color::Cyan => format!("{}", base + 6),
        Color::Gray => format!("{}", base + 7),
        Color::DarkGray => format!("{bright}"),
        Color::LightRed => format!("{}", bright + 1),
        Color::LightGreen => format!("{}", bright + 2),
        Color::LightYellow => format!("{}", bright + 3),
        Color::LightBlue => format!("{}", bright + 4),
        Color::LightMagenta => format!("{}", bright + 5),
        Color::LightCyan => format!("{}", bright + 6),
        Color::White => format!("{}", bright + 7),
        Color::Indexed(i) => format!("{};5;{i}", if fg { 38 } else { 48 }),
        Color::Rgb(r, g, b) => format!("{};2;{r};{g};{b}", if fg { 38 } else { 48 }),
    }
}

/// The buffer as text with SGR escapes.
fn to_ansi(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut last = None;
        for x in 0..buf.area.width {
            let cell = &buf[(x, y)];
            let style = (cell.fg, cell.bg, cell.modifier);
            if last != Some(style) {
                let mut codes = vec!["0".to_string()];
                if cell.modifier.contains(Modifier::BOLD) {
                    codes.push("1".into());
                }
                if cell.modifier.contains(Modifier::DIM) {
                    codes.push("2".into());
                }
                if cell.modifier.contains(Modifier::ITALIC) {
                    codes.push("3".into());
                }
                if cell.modifier.contains(Modifier::UNDERLINED) {
                    codes.push("4".into());
                }
                if cell.modifier.contains(Modifier::REVERSED) {
                    codes.push("7".into());
                }
                codes.push(sgr_color(cell.fg, true));
                codes.push(sgr_color(cell.bg, false));
                let _ = write!(out, "\x1b[{}m", codes.join(";"));
                last = Some(style);
            }
            out.push_str(cell.symbol());
        }
        out.push_str("\x1b[0m\n");
    }
    out
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
    for (theme_name, fg, bg) in [
        (
            "default",
            anstyle::RgbColor(0xd0, 0xd0, 0xd0),
            anstyle::RgbColor(0x1c, 0x1c, 0x1c),
        ),
        (
            "light",
            anstyle::RgbColor(0x20, 0x20, 0x20),
            anstyle::RgbColor(0xfa, 0xfa, 0xfa),
        ),
    ] {
        let theme = Theme::load(theme_name)?;
        let dir = root.join(theme_name);
        std::fs::create_dir_all(&dir)?;
        let term = anstyle_svg::Term::new()
            .fg_color(fg.into())
            .bg_color(bg.into());
        let mut shots = pz::demo::gallery(&theme, (80, 24));
        let mut wide = pz::demo::gallery(&theme, (120, 40));
        wide.truncate(2);
        for (name, app) in shots
            .drain(..)
            .map(|(n, a)| (n.to_string(), a))
            .chain(wide.into_iter().map(|(n, a)| (format!("{n}-120x40"), a)))
        {
            let mut t = Terminal::new(TestBackend::new(app.size.0, app.size.1))?;
            t.draw(|f| pz::ui::render(f, &app))?;
            let svg = term.render_svg(&to_ansi(t.backend().buffer()));
            let path = dir.join(format!("{name}.svg"));
            std::fs::write(&path, svg)?;
            println!("{}", path.display());
        }
    }
    Ok(())
}
