//! The subcommands and the HTTP API: every subcommand against the sandbox, pipelines (apply/wait/diff/watch), the API client, the sandbox's conformance to the vendor's OpenAPI document, and the zone lifecycle.

#[path = "../common/mod.rs"]
mod common;

mod api_client;
mod cli;
mod conformance;
mod generations;
mod lifecycle;
mod pipelines;
