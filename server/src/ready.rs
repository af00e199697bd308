//! `GET /readyz`: 200 when calls can work now (a Keystone token for the configured
//! project, and every service the actions use in its catalog), else 503 with the reason.
//! `/healthz` stays the liveness probe: a server that is not ready still runs, and
//! restarting it would not bring Keystone back. No token needed, like `/healthz`: load
//! balancers probe it; the reason holds no secret (Keystone's refusal, missing services).
//!
//! The services are the registry's (each action's implementation service,
//! microversions and custom `services`). How often Keystone is asked is the runtime's
//! business (`OpenStack::ready`: a cached token is reused, a failed login remembered).

use std::sync::{Arc, LazyLock, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use mistral_actions_contract::{envelope, NOT_READY_STATUS};
use mistral_actions_runtime::logsafe::clean;
use serde_json::json;

use crate::app::AppState;

/// Every catalog service type some action calls, sorted, once.
pub static SERVICES: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut all: Vec<&'static str> = mistral_actions::ACTIONS
        .iter()
        .flat_map(|a| a.services.iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
});

/// The last answer, so the log says when readiness changes rather than at every probe.
#[derive(Default)]
pub struct Readiness {
    last: Mutex<Option<bool>>,
}

impl Readiness {
    fn note(&self, result: &Result<(), String>) {
        let ready = result.is_ok();
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if *last == Some(ready) {
            return;
        }
        *last = Some(ready);
        match result {
            Ok(()) => tracing::info!("ready"),
            Err(why) => tracing::warn!(reason = %clean(why), "not ready"),
        }
    }
}

pub async fn answer(State(state): State<Arc<AppState>>) -> Response {
    let result = match &state.ctx.openstack {
        Some(os) => os.ready(&SERVICES).await,
        None if SERVICES.is_empty() => Ok(()),
        None => Err(format!(
            "no OpenStack cloud is configured, and the actions use {}",
            SERVICES.join(", ")
        )),
    };
    state.readiness.note(&result);
    match result {
        Ok(()) => Json(json!({
            envelope::STATUS: envelope::READY,
            envelope::SERVICES: *SERVICES,
        }))
        .into_response(),
        Err(reason) => {
            let status = StatusCode::from_u16(NOT_READY_STATUS).expect("a valid status");
            let body = json!({ envelope::STATUS: envelope::NOT_READY, envelope::REASON: reason });
            (status, Json(body)).into_response()
        }
    }
}
