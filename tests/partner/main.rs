//! The partner's side: the sandbox's Gateways with real Kafka clients (kcat, kafka-python) and `pz check`, the security pass (a hostile Gateway, links, floods, names, secrets), and TLS to the Console.

#[path = "../common/mod.rs"]
mod common;

mod kafka;
mod security;
mod tls;
