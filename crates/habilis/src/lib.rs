//! The `habilis` command: configuration and the commands of API.md, callable from tests.

pub mod bench;
pub mod cli;
pub mod config;
pub mod http_client;
