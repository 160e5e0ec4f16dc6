//! Rendering: a pure function of [`App`]. Each screen and overlay has its
//! own file, named for what it shows.

mod chrome;
pub mod clock;
mod contexts;
mod credentials;
mod delete_modal;
mod everywhere;
mod help;
pub mod mouse;
mod unfinished;
mod widgets;
mod wizard;
mod zone_detail;
mod zone_list;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use crate::app::{App, Overlay, Screen};

/// Draws the whole screen for `app`.
pub fn render(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < crate::app::MIN_WIDTH || area.height < crate::app::MIN_HEIGHT {
        chrome::too_small(frame, area, &app.theme);
        return;
    }
    let Areas {
        header,
        body,
        toasts,
        status,
        footer,
    } = areas(app, area);
    let toast_rows = toasts.height;
    chrome::header(frame, header, app);
    match &app.screen {
        Screen::List => zone_list::render(frame, body, app),
        Screen::Detail { scroll, .. } => zone_detail::render(frame, body, app, *scroll),
        Screen::Wizard(w) => wizard::render(frame, body, app, w),
        Screen::Everywhere(all) => everywhere::render(frame, body, app, all),
    }
    chrome::status_bar(frame, status, app);
    chrome::footer(frame, footer, app);
    chrome::toasts(frame, toasts, app);
    // Overlays keep clear of the toasts too.
    let over = if toast_rows > 0 {
        Rect {
            height: toasts.y - area.y,
            ..area
        }
    } else {
        area
    };
    match &app.overlay {
        Some(Overlay::Help) => help::render(frame, over, app),
        Some(Overlay::Delete(modal)) => delete_modal::render(frame, over, app, modal),
        Some(Overlay::Credentials(view)) => credentials::render(frame, over, app, view),
        Some(Overlay::Contexts(picker)) => contexts::render(frame, over, app, picker),
        Some(Overlay::Unfinished(u)) => unfinished::render(frame, over, app, u),
        None => {}
    }
    scrub(frame.buffer_mut());
}

/// Where each part of the screen goes.
pub(crate) struct Areas {
    pub header: Rect,
    pub body: Rect,
    pub toasts: Rect,
    pub status: Rect,
    pub footer: Rect,
}

/// The screen's parts for `app` in `area` (drawing and the mouse agree).
pub(crate) fn areas(app: &App, area: Rect) -> Areas {
    // Toasts get rows of their own above the status bar: never over a
    // border, never over the last line of a list or a detail (the body
    // shrinks instead). The newest fit; the oldest go first.
    let toast_rows = chrome::toast_rows(app, area.height);
    let [header, body, toasts, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(toast_rows),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    Areas {
        header,
        body,
        toasts,
        status,
        footer,
    }
}

/// The last guard: every screen shows outside text through the sanitiser
/// (`\e`, `\u{202e}`), and should a raw control or bidi override still be
/// in a cell, it becomes `�` here instead of reaching the terminal.
fn scrub(buf: &mut ratatui::buffer::Buffer) {
    for cell in buf.content.iter_mut() {
        if cell.symbol().chars().any(crate::sanitize::is_hostile) {
            cell.set_symbol("\u{fffd}");
        }
    }
}

/// A rectangle of at most `width` x `height`, centred in `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}
