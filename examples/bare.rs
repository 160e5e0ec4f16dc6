//! A bare ratatui app: raw mode, the alternate screen, one frame with the
//! words pz's header shows, then `q` quits. The yardstick for pz's first
//! frame (`cargo run --release --example perf` runs both in a pty).

use crossterm::event::{Event, KeyCode, read};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

fn main() -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    terminal
        .draw(|f| f.render_widget(Paragraph::new(Line::from(" pz  Partner Zones")), f.area()))?;
    loop {
        if let Event::Key(k) = read()?
            && k.code == KeyCode::Char('q')
        {
            break;
        }
    }
    ratatui::restore();
    Ok(())
}
