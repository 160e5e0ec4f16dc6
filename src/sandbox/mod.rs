//! The sandbox: a local server that implements the Partner Zone API with the
//! Console's paths, JSON, errors and auth, for demos, tests and training.

pub mod access;
pub mod auth;
pub mod clock;
pub mod controls;
pub mod gateway;
pub mod kafka_session;
pub mod keys;
pub mod listen;
pub mod oauth;
pub mod openapi;
pub mod pki;
pub mod rules;
pub mod seed;
pub mod server;
pub mod store;
pub mod token;
pub mod world;

pub use server::{RunningSandbox, SandboxError, SandboxOptions, start};
pub use world::World;

pub use keys::generate_key;
