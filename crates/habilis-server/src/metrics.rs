//! Prometheus metrics: requests, decisions, and the engine's state.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    pub decision: &'static str,
    pub reason: &'static str,
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub decisions: Family<DecisionLabels, Counter>,
    pub revision: Gauge,
    pub grants: Gauge,
    pub resources: Gauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("habilis");
        let requests = Family::<RequestLabels, Counter>::default();
        let decisions = Family::<DecisionLabels, Counter>::default();
        let revision = Gauge::default();
        let grants = Gauge::default();
        let resources = Gauge::default();
        registry.register("http_requests", "HTTP requests served", requests.clone());
        registry.register("decisions", "Decisions answered", decisions.clone());
        registry.register(
            "engine_revision",
            "Revision the decision engine has applied",
            revision.clone(),
        );
        registry.register(
            "engine_grants",
            "Grants held by the decision engine",
            grants.clone(),
        );
        registry.register(
            "engine_resources",
            "Resources held by the decision engine",
            resources.clone(),
        );
        Metrics {
            registry,
            requests,
            decisions,
            revision,
            grants,
            resources,
        }
    }

    pub fn render(&self) -> String {
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &self.registry).is_err() {
            return String::new();
        }
        text
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}
