//! The one integration test binary: the whole stack, from HTTP to the store.

mod harness;

mod accounts;
mod api;
mod authzen;
mod bench;
mod browser;
mod cli;
mod interop;
mod reviews;
mod security;
