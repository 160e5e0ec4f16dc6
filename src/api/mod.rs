//! The Partner Zone contract: types, errors and the HTTP client.

pub mod client;
pub mod diagnosis;
pub mod error;
pub mod extra;
pub mod info;
pub mod labels;
pub mod risk;
pub mod rows;
pub mod sandbox;
pub mod types;
pub mod yaml;

pub mod generation;
pub mod selector;
pub use client::{Auth, Client, Connection};
pub use error::ApiError;
pub use generation::Generation;
pub use info::ConnectionInfo;
pub use rows::{ZoneRow, ZoneRows};
pub use types::*;
