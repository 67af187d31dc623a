//! Prometheus metrics: requests, decisions, and the engine's state.

use habilis_domain::decision::DenyReason;
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

/// Every reason a decision can be denied for, in the order of `slot` (test below).
const DENY_CODES: [&str; 10] = [
    "unknown_application",
    "unknown_subject",
    "unknown_action",
    "unknown_resource",
    "user_suspended",
    "organization_suspended",
    "no_grant",
    "outside_scope",
    "not_owner",
    "step_up",
];

/// Where a decision is counted: 0 for a permit, then one slot per deny reason.
fn slot(reason: Option<&DenyReason>) -> usize {
    match reason {
        None => 0,
        Some(reason) => match reason {
            DenyReason::UnknownApplication => 1,
            DenyReason::UnknownSubject => 2,
            DenyReason::UnknownAction => 3,
            DenyReason::UnknownResource => 4,
            DenyReason::UserSuspended => 5,
            DenyReason::OrganizationSuspended => 6,
            DenyReason::NoGrant => 7,
            DenyReason::OutsideScope => 8,
            DenyReason::NotOwner => 9,
            DenyReason::StepUp { .. } => 10,
        },
    }
}

const SLOTS: usize = DENY_CODES.len() + 1;

/// Decisions of one request counted locally, added to the shared counters once.
#[derive(Default)]
pub struct DecisionTally([u64; SLOTS]);

impl DecisionTally {
    pub fn count(&mut self, reason: Option<&DenyReason>) {
        if let Some(count) = self.0.get_mut(slot(reason)) {
            *count += 1;
        }
    }

    pub fn record(&self, metrics: &Metrics) {
        for (counter, count) in metrics.decision_counters.iter().zip(self.0) {
            if count > 0 {
                counter.inc_by(count);
            }
        }
    }
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub decisions: Family<DecisionLabels, Counter>,
    /// The counters of `decisions`, created up front: counting a decision on the hot path
    /// is then an atomic add, not a locked lookup of its labels.
    decision_counters: Vec<Counter>,
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
        let label = |decision, reason| DecisionLabels { decision, reason };
        let decision_counters = std::iter::once(label("permit", "granted"))
            .chain(DENY_CODES.iter().map(|code| label("deny", code)))
            .map(|labels| decisions.get_or_create(&labels).clone())
            .collect();
        Metrics {
            registry,
            requests,
            decisions,
            decision_counters,
            revision,
            grants,
            resources,
        }
    }

    /// Counts `count` decisions: permits (`None`) or denials for `reason`.
    pub fn count_decisions(&self, reason: Option<&DenyReason>, count: u64) {
        if let Some(counter) = self.decision_counters.get(slot(reason)) {
            counter.inc_by(count);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_deny_reason_is_counted_under_its_own_code() {
        let reasons = [
            DenyReason::UnknownApplication,
            DenyReason::UnknownSubject,
            DenyReason::UnknownAction,
            DenyReason::UnknownResource,
            DenyReason::UserSuspended,
            DenyReason::OrganizationSuspended,
            DenyReason::NoGrant,
            DenyReason::OutsideScope,
            DenyReason::NotOwner,
            DenyReason::StepUp { rank: 2 },
        ];
        let metrics = Metrics::new();
        for reason in &reasons {
            metrics.count_decisions(Some(reason), 1);
        }
        let mut tally = DecisionTally::default();
        tally.count(None);
        tally.count(None);
        tally.record(&metrics);
        let text = metrics.render();
        for reason in &reasons {
            let line = format!(
                r#"habilis_decisions_total{{decision="deny",reason="{}"}} 1"#,
                reason.code()
            );
            assert!(text.contains(&line), "missing {line} in\n{text}");
        }
        assert!(text.contains(r#"habilis_decisions_total{decision="permit",reason="granted"} 2"#));
    }
}
