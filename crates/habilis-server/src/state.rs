//! What every handler shares.

use std::sync::Arc;

use habilis_core::Services;

use crate::metrics::Metrics;

/// The shared state, behind one reference count: axum clones the state for every request
/// (into the route, the middleware and each extractor that asks for it), and each clone of
/// an `Arc` is an atomic write that both cores' requests make to the same cache line. One
/// count instead of one for each field makes those clones a third of what they were.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

pub struct Shared {
    pub services: Arc<Services>,
    pub metrics: Arc<Metrics>,
    /// The address clients reach Habilis at, when configured (`public_url`): what the
    /// AuthZEN metadata announces. Without it, the address each request reached.
    pub public_url: Option<Arc<str>>,
}

impl AppState {
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
