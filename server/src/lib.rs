//! `mistral-actions-server`: the HTTP server Mistral's `std.http` calls to run the
//! generated actions. `POST /v1/actions/{name}` with the input as a JSON object answers
//! `200 {"result": …}` or a non-2xx `{"error": {"kind", "message"}}` (statuses:
//! `mistral_actions_runtime::error`); `GET /v1/actions` lists the actions with their
//! signatures; `GET /healthz` needs no token.

pub mod app;
pub mod config;
pub mod tls;

use std::sync::Arc;

use mistral_actions_runtime::{Context, OpenStack};

pub use app::{router, AppState};
pub use config::Config;

/// The shared state for a resolved configuration.
pub fn state(config: &Config) -> Result<Arc<AppState>, mistral_actions_runtime::ActionError> {
    let openstack = match &config.cloud {
        Some(c) => Some(Arc::new(OpenStack::new(c.clone())?)),
        None => None,
    };
    let ctx = Context {
        openstack,
        exec: config.exec.clone(),
        ..Context::default()
    };
    Ok(AppState::new(ctx, config.token.clone()))
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
