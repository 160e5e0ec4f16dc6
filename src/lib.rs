//! pz: a keyboard-driven terminal console for Conduktor Partner Zones.

pub mod api;
pub mod app;
pub mod backend;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod credentials;
pub mod demo;
pub mod effects;
pub mod format;
pub mod logging;
pub mod sandbox;
pub mod sanitize;
pub mod secret;
pub mod theme;
pub mod tui;
pub mod ui;
