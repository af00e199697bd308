//! `GET /metrics`: what the server did, in the OpenMetrics text format Prometheus scrapes.
//! The only module that knows the metrics crate (`prometheus-client`, the Prometheus
//! project's own); the runtime reports its events through
//! [`mistral_actions_runtime::Observer`], which [`Metrics`] implements.
//!
//! Label values are bounded and never the caller's text: action names from the registry
//! (any other name is [`UNKNOWN_ACTION`]), error kinds, catalog service types and methods
//! the code names, HTTP statuses, allowlisted programs and exit codes. Every metric and
//! label is listed in server/README.md ("Metrics").

use std::time::Duration;

use mistral_actions_runtime::observe::{Answer, Exit, Login, Renewal};
use mistral_actions_runtime::Observer;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

/// The `action` label of a call to a name no action has: the name is the caller's text,
/// and a label per name would let callers grow the series without bound.
pub const UNKNOWN_ACTION: &str = "(unknown)";
/// The `outcome` label of a call that succeeded (else its error kind).
pub const OK: &str = "ok";
/// The `program` label of a refused exec run: its name is the caller's text.
pub const REFUSED_PROGRAM: &str = "(refused)";

/// Seconds, from a cached assert (milliseconds) to a backup chain walked over many pages.
const BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
];

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    action: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabel {
    action: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    service: String,
    method: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ServiceLabel {
    service: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ExecLabels {
    program: String,
    exit: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// Every metric of one server, registered once. (Help texts end without a full stop:
/// the encoder adds one.)
pub struct Metrics {
    registry: Registry,
    calls: Family<CallLabels, Counter>,
    call_seconds: Histograms<ActionLabel>,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Histograms<ServiceLabel>,
    logins: Family<OutcomeLabel, Counter>,
    renewals: Family<ReasonLabel, Counter>,
    exec_runs: Family<ExecLabels, Counter>,
    in_flight: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("mistral_actions");
        let m = Metrics {
            calls: Family::default(),
            call_seconds: Family::new_with_constructor(histogram),
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(histogram),
            logins: Family::default(),
            renewals: Family::default(),
            exec_runs: Family::default(),
            in_flight: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register(
            "calls",
            "Action calls by action and outcome (ok, or the error kind)",
            m.calls.clone(),
        );
        registry.register_with_unit(
            "call_duration",
            "Time to answer an action call, by action",
            Unit::Seconds,
            m.call_seconds.clone(),
        );
        registry.register(
            "openstack_requests",
            "Requests to OpenStack by service, method and status (the HTTP status, timeout or unreachable)",
            m.requests.clone(),
        );
        registry.register_with_unit(
            "openstack_request_duration",
            "Time OpenStack took to answer, by service",
            Unit::Seconds,
            m.request_seconds.clone(),
        );
        registry.register(
            "keystone_logins",
            "Keystone logins by outcome (ok, failed)",
            m.logins.clone(),
        );
        registry.register(
            "keystone_token_renewals",
            "Cached Keystone tokens replaced, by reason (expiring, refused)",
            m.renewals.clone(),
        );
        registry.register(
            "exec_runs",
            "Programs run by system.exec, by program (allowlisted; a refused one is (refused)) and exit (the code, signal, timeout, not_started, refused)",
            m.exec_runs.clone(),
        );
        registry.register(
            "http_requests_in_flight",
            "Requests being answered now",
            m.in_flight.clone(),
        );
        registry.register(
            "build",
            "The running build",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        Metrics { registry, ..m }
    }

    /// One answered action call; `action` is a registry name or [`UNKNOWN_ACTION`].
    pub fn call(&self, action: &str, outcome: &str, took: Duration) {
        self.calls
            .get_or_create(&CallLabels {
                action: action.to_string(),
                outcome: outcome.to_string(),
            })
            .inc();
        self.call_seconds
            .get_or_create(&ActionLabel {
                action: action.to_string(),
            })
            .observe(took.as_secs_f64());
    }

    /// Counts a request in flight until the guard drops.
    pub fn in_flight(&self) -> InFlight {
        self.in_flight.inc();
        InFlight(self.in_flight.clone())
    }

    /// The exposition: every metric, then `# EOF`.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)
            .expect("writing to a String cannot fail");
        out
    }
}

/// Decrements the in-flight gauge when the request ends, however it ends.
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

impl Observer for Metrics {
    fn openstack_request(
        &self,
        service: &str,
        method: &'static str,
        answer: Answer,
        took: Duration,
    ) {
        let status = match answer {
            Answer::Status(s) => s.to_string(),
            Answer::Timeout => "timeout".into(),
            Answer::Unreachable => "unreachable".into(),
        };
        self.requests
            .get_or_create(&RequestLabels {
                service: service.to_string(),
                method: method.to_string(),
                status,
            })
            .inc();
        self.request_seconds
            .get_or_create(&ServiceLabel {
                service: service.to_string(),
            })
            .observe(took.as_secs_f64());
    }

    fn keystone_login(&self, login: Login) {
        let outcome = match login {
            Login::Ok => "ok",
            Login::Failed => "failed",
        };
        self.logins.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    fn token_renewal(&self, why: Renewal) {
        self.renewals
            .get_or_create(&ReasonLabel {
                reason: why.as_str(),
            })
            .inc();
    }

    fn exec_run(&self, program: Option<&str>, exit: Exit) {
        let exit = match exit {
            Exit::Code(c) => c.to_string(),
            Exit::Signal => "signal".into(),
            Exit::Timeout => "timeout".into(),
            Exit::NotStarted => "not_started".into(),
            Exit::Refused => "refused".into(),
        };
        self.exec_runs
            .get_or_create(&ExecLabels {
                program: program.unwrap_or(REFUSED_PROGRAM).to_string(),
                exit,
            })
            .inc();
    }
}
