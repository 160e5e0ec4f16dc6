//! pz: a keyboard-driven terminal console for Conduktor Partner Zones.

pub mod api;
pub mod backend;
pub mod cli;
pub mod config;
pub mod credentials;
pub mod format;
pub mod logging;
pub mod sandbox;
pub mod secret;
