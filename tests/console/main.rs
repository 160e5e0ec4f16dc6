//! The console: flows through its state and effects against the sandbox, screen snapshots at 80x24 and 120x40, first contact with every broken Console, the real binary in a pty (restore, signals, bytes), a hostile Console, and the layout rules of the code.

#[path = "../common/mod.rs"]
mod common;

mod e2e;
mod first_contact;
mod flows;
mod hostile;
mod screens;
mod structure;
