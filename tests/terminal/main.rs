//! Real terminal emulators: xterm under Xvfb and tmux, their clipboards (OSC 52, the keeper), and what pz writes to them.

#[path = "../common/mod.rs"]
mod common;

mod terminal;
