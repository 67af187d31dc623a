//! What every handler shares.

use std::sync::Arc;

use habilis_core::Services;

use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub services: Arc<Services>,
    pub metrics: Arc<Metrics>,
}
