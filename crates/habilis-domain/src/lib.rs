//! The Habilis model and its rules.
//!
//! This crate is pure: no I/O, no async, no clock (time is always a parameter), nothing of
//! HTTP or SQL. It holds the vocabulary (`ids`, `model`), the one way state evolves
//! (`world::Change`), the rules of who may change what (`powers`), and the reference
//! decision (`decision`) that the engine is checked against.

pub mod decision;
pub mod ids;
pub mod model;
pub mod powers;
pub mod refusal;
pub mod world;

pub use ids::*;
pub use model::*;
pub use refusal::{InvalidCode, InvalidInput, Refusal, RefusalCode};
pub use world::{Change, Settings, World};
