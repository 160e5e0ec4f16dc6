//! What the clock alone changes on screen. A tick (once a second when
//! nothing animates) only moves `app.now`; the event loop draws after it
//! only when this face changed, so an idle console with 1,000 zones draws
//! once per refresh instead of every second.

use ratatui::layout::Rect;

use super::{areas, chrome, zone_list};
use crate::app::{App, Screen};

/// Every text on screen that depends on the time, or `None` when a tick
/// always redraws: something animates (a PENDING zone, a toast), a
/// countdown runs (the retry after a failure, the arming of a delete), an
/// overlay or a screen other than the list and a zone's detail is open.
#[derive(Debug, PartialEq)]
pub struct Face(Vec<String>);

pub fn face(app: &App) -> Option<Face> {
    if app.animating() || app.trouble.is_some() || app.overlay.is_some() {
        return None;
    }
    let mut texts = vec![chrome::indicator(app).content.into_owned()];
    let (w, h) = app.size;
    let body = areas(app, Rect::new(0, 0, w, h)).body;
    match &app.screen {
        Screen::List => texts.extend(zone_list::updated_on_screen(
            app,
            zone_list::table_inner(body),
        )),
        Screen::Detail { .. } => texts.extend(
            app.current_zone()
                .map(|z| super::widgets::updated_ago(z.metadata.updated_at.as_deref(), app.now)),
        ),
        Screen::Wizard(_) | Screen::Everywhere(_) => return None,
    }
    Some(Face(texts))
}

/// Whether a tick must draw: the face changed since `drawn` (the face of
/// the last frame), or there is none.
pub fn changed(drawn: &Option<Face>, now: &Option<Face>) -> bool {
    now.is_none() || drawn != now
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ConnectionInfo, PartnerZone};
    use crate::app::Action;
    use chrono::{DateTime, Duration, Utc};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Zones updated 0 s, 8 s, 55 s, 59 min 50 s, 23 h 59 min 30 s and
    /// 364 days ago: each crosses a unit of `relative` within 2 minutes.
    fn app(w: u16, h: u16) -> App {
        let mut app = App::new(
            crate::theme::Theme::default(),
            ConnectionInfo::default(),
            t0(),
        );
        app.update(Action::Resize(w, h));
        let ages = [0, 8, 55, 3_590, 86_370, 31_535_990];
        let zones: Vec<PartnerZone> = ages
            .iter()
            .enumerate()
            .map(|(i, age)| {
                let mut z = crate::app::zone_list::tests::zone(
                    &format!("zone-{i}"),
                    crate::api::ZoneStatus::Ready,
                    1,
                    "main",
                );
                z.metadata.updated_at = Some((t0() - Duration::seconds(*age)).to_rfc3339().into());
                z
            })
            .collect();
        app.update(Action::ZonesLoaded(Ok(zones.into())));
        app.update(Action::ZonesUnchanged);
        app
    }

    fn screen(app: &App, terminal: &mut Terminal<TestBackend>) -> ratatui::buffer::Buffer {
        terminal
            .draw(|f| super::super::render(f, app))
            .unwrap()
            .buffer
            .clone()
    }

    /// The promise the event loop relies on: over two minutes of ticks, on
    /// the list and on a zone's detail, at 80x24 and 120x40, a frame that
    /// would differ from the last one drawn always has a different face.
    #[test]
    fn the_screen_changes_with_the_clock_only_when_the_face_does() {
        for (w, h) in [(80, 24), (120, 40)] {
            for detail in [false, true] {
                let mut app = app(w, h);
                if detail {
                    app.update(Action::Open);
                }
                assert!(
                    matches!(app.screen, Screen::List) != detail,
                    "on the screen wanted"
                );
                let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
                let mut drawn = screen(&app, &mut terminal);
                let mut drawn_face = face(&app);
                assert!(drawn_face.is_some(), "an idle list has a face");
                let mut draws = 0;
                for s in 1..=120 {
                    app.update(Action::Tick(t0() + Duration::seconds(s)));
                    let now = face(&app);
                    let frame = screen(&app, &mut terminal);
                    if changed(&drawn_face, &now) {
                        draws += 1;
                        drawn = frame;
                        drawn_face = now;
                    } else {
                        assert_eq!(
                            frame, drawn,
                            "{w}x{h} detail={detail} at +{s}s: the screen changed, the face did not"
                        );
                    }
                }
                assert!(
                    (2..120).contains(&draws),
                    "the clock moved texts, and most ticks drew nothing ({draws} draws)"
                );
            }
        }
    }

    #[test]
    fn animation_countdowns_and_overlays_always_draw() {
        let mut app = app(120, 40);
        assert!(face(&app).is_some());
        app.update(Action::ToggleHelp);
        assert!(face(&app).is_none(), "an overlay");
        assert!(changed(&None, &None));
    }
}
