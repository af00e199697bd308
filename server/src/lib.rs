//! `mistral-actions-server`: the HTTP server Mistral's `std.http` calls to run the
//! generated actions. `POST /v1/actions/{name}` with the input as a JSON object answers
//! `200 {"result": …}` or a non-2xx `{"error": {"kind", "message"}}` (kinds and
//! statuses: `mistral_actions_contract::ErrorKind`, answered by `error::HttpError`); `GET /v1/actions` lists the actions with their
//! signatures; `GET /healthz` (liveness) and `GET /readyz` (readiness) need no token;
//! `GET /metrics` needs it unless `metrics.public`.

pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod logs;
pub mod metrics;
pub mod reach;
pub mod ready;
pub mod tls;

use std::sync::Arc;

use mistral_actions_runtime::{Context, Observe, OpenStack};

pub use app::{router, AppState};
pub use config::{Access, Config, ConfigError, Settings};

/// The shared state for a configuration whose calls reach only the configured project
/// and region, with its one token.
pub fn state(config: &Config) -> Result<Arc<AppState>, ConfigError> {
    state_with(config, &Access::of(config))
}

/// The shared state for a configuration and who may call it where.
pub fn state_with(config: &Config, access: &Access) -> Result<Arc<AppState>, ConfigError> {
    // Each state counts on its own: tests run several servers in one process.
    let metrics = Arc::new(metrics::Metrics::new());
    let observe = Observe::new(metrics.clone());
    let openstack = match &config.cloud {
        Some(c) => Some(Arc::new(
            OpenStack::new(c.clone())?.observed(observe.clone()),
        )),
        None => None,
    };
    let ctx = Context {
        openstack,
        exec: config.exec.clone(),
        observe,
        ..Context::default()
    };
    let auth = Arc::new(auth::Auth::new(config, access)?);
    let reach = reach::Reach::new(config.cloud.as_ref(), access);
    Ok(AppState::new(
        ctx,
        auth,
        reach,
        metrics,
        access.metrics_public,
    ))
}

/// Resolves on Ctrl-C or SIGTERM: in-flight requests then finish, new ones are refused.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
