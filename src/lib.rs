//! pz: a keyboard-driven terminal console for Conduktor Partner Zones.

pub mod api;
pub mod app;
pub mod backend;
pub mod cli;
pub mod clipboard;
pub mod config;
pub mod credentials;
pub mod demo;
pub mod editing;
pub mod effects;
pub mod event_loop;
pub mod files;
pub mod format;
pub mod kafka;
pub mod logging;
pub mod process;
pub mod rotation;
pub mod sandbox;
pub mod sanitize;
pub mod secret;
pub mod theme;
pub mod tui;
pub mod ui;

/// The static (musl) build's allocator, for pz and everything linking this
/// library (the perf example measures the same code): musl's own is slow
/// for many small allocations (measured 1.9x on JSON, 3x on the sandbox).
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
