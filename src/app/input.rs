//! The one single-line text input, for every field typed into: the list
//! filter, the `:` command line, the word that confirms a delete, the path
//! a secret is saved to, the wizard's topic search, alias rename and limits.
//! It is `ratatui-textarea` kept to one line, so the editing keys are the
//! same everywhere: ←/→, Home/End (ctrl-a/e), Backspace/Delete, ctrl-w and
//! alt-backspace (a word), ctrl-k (to the end), ctrl-u undo, ctrl-r redo,
//! alt-b/alt-f (by word). A key with ctrl or alt that is not one of those
//! is never typed as text.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui_textarea::{CursorMove, DataCursor, TextArea};

#[derive(Clone, Debug)]
pub struct TextInput {
    area: TextArea<'static>,
}

impl Default for TextInput {
    fn default() -> Self {
        TextInput::new("")
    }
}

impl From<&str> for TextInput {
    fn from(text: &str) -> Self {
        TextInput::new(text)
    }
}

impl PartialEq for TextInput {
    fn eq(&self, other: &Self) -> bool {
        self.text() == other.text() && self.cursor() == other.cursor()
    }
}

impl TextInput {
    /// An input holding `text`, the cursor at its end.
    pub fn new(text: &str) -> Self {
        let one_line = text.replace(['\n', '\r'], " ");
        let mut area = TextArea::new(vec![one_line]);
        area.move_cursor(CursorMove::End);
        TextInput { area }
    }

    pub fn text(&self) -> String {
        self.area.lines().first().cloned().unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.area.lines().first().is_none_or(String::is_empty)
    }

    /// The cursor's position, in characters.
    pub fn cursor(&self) -> usize {
        let DataCursor(_, col) = self.area.cursor();
        col
    }

    /// Applies an editing key; true when the text changed. Enter, Tab and
    /// the keys that would add a line are ignored (one line only).
    pub fn input(&mut self, key: KeyEvent) -> bool {
        if key.kind == KeyEventKind::Release {
            return false;
        }
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab => return false,
            KeyCode::Char('m' | 'j') if ctrl => return false,
            // Mouse reports and other ctrl/alt chords are not text.
            KeyCode::Char(c) if (ctrl || alt) && !"aebfwkurhd".contains(c) => return false,
            _ => {}
        }
        let before = self.text();
        self.area.input(key);
        self.text() != before
    }

    /// The text with the cursor drawn as `▏` where it stands.
    pub fn with_cursor(&self) -> String {
        let text = self.text();
        let at = text
            .char_indices()
            .nth(self.cursor())
            .map_or(text.len(), |(i, _)| i);
        format!("{}▏{}", &text[..at], &text[at..])
    }
}

/// A plain character as a key press (tests, demos, scripted input).
pub fn char_key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

/// Backspace as a key press.
pub fn backspace() -> KeyEvent {
    KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    fn typed(s: &str) -> TextInput {
        let mut t = TextInput::default();
        for c in s.chars() {
            t.input(k(KeyCode::Char(c)));
        }
        t
    }

    #[test]
    fn the_same_editing_keys_everywhere() {
        let mut t = typed("orders payments");
        assert_eq!(t.with_cursor(), "orders payments▏");
        t.input(ctrl('w'));
        assert_eq!(t.text(), "orders ");
        t.input(ctrl('u'));
        assert_eq!(t.text(), "orders payments");
        t.input(k(KeyCode::Home));
        t.input(k(KeyCode::Delete));
        assert_eq!(t.with_cursor(), "▏rders payments");
        t.input(k(KeyCode::End));
        t.input(k(KeyCode::Left));
        t.input(k(KeyCode::Backspace));
        assert_eq!(t.with_cursor(), "rders paymen▏s");
    }

    #[test]
    fn one_line_and_no_stray_chords() {
        let mut t = typed("a");
        for key in [
            k(KeyCode::Enter),
            k(KeyCode::Tab),
            ctrl('m'),
            ctrl('j'),
            ctrl('x'),
            KeyEvent::new(KeyCode::Char('z'), KeyModifiers::ALT),
        ] {
            assert!(!t.input(key), "{key:?}");
        }
        assert_eq!(t.text(), "a");
        assert_eq!(TextInput::new("x\ny").text(), "x y");
    }
}
