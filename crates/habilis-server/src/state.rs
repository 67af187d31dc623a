//! What every handler shares.

use std::sync::Arc;

use habilis_core::Services;

use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub metrics: Arc<Metrics>,
    /// The address clients reach Habilis at, when configured (`public_url`): what the
    /// AuthZEN metadata announces. Without it, the address each request reached.
    pub public_url: Option<Arc<str>>,
}
