//! The HTTP surface: routes, bearer-token check, request ids, the log line and metrics of
//! each request. What they are (paths, headers, envelope, kinds and statuses) is
//! `mistral_actions_contract`; how a request fails is `error`, who is calling is `auth`,
//! where a call may act is `reach`, whether calls can work is `ready`, what is counted is
//! `metrics`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Extension, Path, Request, State};
use axum::http::{header as http_header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mistral_actions_contract::{envelope, header, media, route, ErrorKind};
use mistral_actions_runtime::logsafe::is_plain_id;
use mistral_actions_runtime::{ActionDef, ActionError, Context};
use serde_json::{json, Value};
use tracing::Instrument;

use crate::auth::{Auth, Caller};
use crate::error::HttpError;
use crate::metrics::{Metrics, OK, UNKNOWN_ACTION};
use crate::reach::Reach;
use crate::ready::Readiness;

/// What every request shares.
pub struct AppState {
    pub ctx: Context,
    pub auth: Arc<Auth>,
    pub reach: Reach,
    pub metrics: Arc<Metrics>,
    pub readiness: Readiness,
    /// `metrics.public`: `/metrics` without the bearer token.
    metrics_public: bool,
    next_id: AtomicU64,
}

impl AppState {
    pub fn new(
        ctx: Context,
        auth: Arc<Auth>,
        reach: Reach,
        metrics: Arc<Metrics>,
        metrics_public: bool,
    ) -> Arc<AppState> {
        Arc::new(AppState {
            ctx,
            auth,
            reach,
            metrics,
            readiness: Readiness::default(),
            metrics_public,
            next_id: AtomicU64::new(1),
        })
    }
}

/// The target of every log line of a request, its failure's included (`error`), so that
/// one `MISTRAL_ACTIONS_LOG` directive selects them all.
pub(crate) const LOG_TARGET: &str = module_path!();

/// A contract header as axum names it (lower case).
fn header_name(name: &str) -> HeaderName {
    HeaderName::from_bytes(name.as_bytes()).expect("the contract's header names are valid")
}

static REQUEST_ID: LazyLock<HeaderName> = LazyLock::new(|| header_name(header::REQUEST_ID));
static REGION: LazyLock<HeaderName> = LazyLock::new(|| header_name(header::REGION));
static PROJECT: LazyLock<HeaderName> = LazyLock::new(|| header_name(header::PROJECT));

pub fn router(state: Arc<AppState>) -> Router {
    let mut protected = Router::new()
        .route(route::ACTIONS, get(list_actions))
        .route(route::ACTION, post(run_action));
    let mut open = Router::new()
        .route(
            route::HEALTH,
            get(|| async { Json(json!({ envelope::STATUS: envelope::OK })) }),
        )
        .route(route::READY, get(crate::ready::answer));
    if state.metrics_public {
        open = open.route(route::METRICS, get(metrics));
    } else {
        protected = protected.route(route::METRICS, get(metrics));
    }
    let protected =
        protected.route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    open.merge(protected)
        .fallback(|| async { HttpError::NoSuchEndpoint })
        .layer(middleware::from_fn_with_state(state.clone(), request_id))
        .with_state(state)
}

/// The `action` label and log field of a request: a registry name for a call of a known
/// action, [`UNKNOWN_ACTION`] for any other name (the caller's text), `None` for other
/// routes.
fn action_of(req: &Request) -> Option<&'static str> {
    if req.method() != axum::http::Method::POST {
        return None;
    }
    let name = req
        .uri()
        .path()
        .strip_prefix(route::ACTIONS)?
        .strip_prefix('/')?;
    Some(mistral_actions::find(name).map_or(UNKNOWN_ACTION, |a| a.name))
}

/// Takes the caller's `X-Request-Id` when it is short and printable, else numbers the
/// request; logs one line per request inside a span carrying the id and the action;
/// counts the request in flight and, for an action call, its outcome and duration.
async fn request_id(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let request_id = REQUEST_ID.clone();
    let id = req
        .headers()
        .get(&request_id)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_plain_id(v))
        .map(str::to_string)
        .unwrap_or_else(|| format!("req-{}", state.next_id.fetch_add(1, Ordering::Relaxed)));
    let action = action_of(&req);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        action = tracing::field::Empty,
    );
    if let Some(a) = action {
        span.record("action", a);
    }
    let value = HeaderValue::from_str(&id).expect("checked printable ASCII");
    req.headers_mut().insert(request_id.clone(), value.clone());
    let _in_flight = state.metrics.in_flight();
    async move {
        let started = Instant::now();
        let mut response = next.run(req).await;
        let took = started.elapsed();
        if let Some(a) = action {
            let outcome = response
                .extensions()
                .get::<ErrorKind>()
                .map_or(OK, |k| k.as_str());
            state.metrics.call(a, outcome, took);
        }
        tracing::info!(
            status = response.status().as_u16(),
            duration_ms = took.as_secs_f64() * 1e3,
            "done"
        );
        response.headers_mut().insert(request_id, value);
        response
    }
    .instrument(span)
    .await
}

/// The metrics exposition.
async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let headers = [(http_header::CONTENT_TYPE, media::METRICS)];
    (headers, state.metrics.encode()).into_response()
}

/// `Authorization: Bearer <token>`: the request goes on with its [`Caller`].
async fn require_token(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Result<Response, HttpError> {
    let given = req
        .headers()
        .get(http_header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(header::BEARER.as_bytes()))
        .and_then(|rest| rest.strip_prefix(b" "));
    let caller = state.auth.caller(given).ok_or(HttpError::Unauthorized {
        given: given.is_some(),
    })?;
    req.extensions_mut().insert(caller);
    Ok(next.run(req).await)
}

async fn list_actions() -> Json<Value> {
    let actions: Vec<Value> = mistral_actions::ACTIONS
        .iter()
        .map(|a| {
            json!({
                envelope::NAME: a.name,
                envelope::INPUT: a.input,
                envelope::DESCRIPTION: a.summary,
            })
        })
        .collect();
    Json(json!({ envelope::ACTIONS: actions }))
}

/// Mistral sends these headers empty when the workflow's environment names no override.
fn override_header<'h>(headers: &'h HeaderMap, name: &HeaderName) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Runs one action; a failure is answered and logged by [`HttpError`].
async fn run_action(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>, HttpError> {
    let action = mistral_actions::find(&name).ok_or(HttpError::UnknownAction(name))?;
    let result = call(&state, action, &caller, &headers, &body)
        .await
        .map_err(|error| HttpError::Action {
            action: action.name,
            error,
        })?;
    Ok(Json(json!({ envelope::RESULT: result })))
}

/// Calls `action` in the scope its headers select, with the body as its input. Inputs
/// are never logged: they may hold secrets.
async fn call(
    state: &AppState,
    action: &ActionDef,
    caller: &Caller,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, ActionError> {
    let scope = state.reach.scope(
        caller,
        override_header(headers, &PROJECT),
        override_header(headers, &REGION),
    )?;
    let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
        // An action without inputs may be called with no body at all.
        Value::Object(Default::default())
    } else {
        // serde_json's syntax errors give a position, never the text.
        serde_json::from_slice(body)
            .map_err(|e| ActionError::BadInput(format!("the body is not JSON: {e}")))?
    };
    let scoped;
    let ctx = if scope.project.is_none() && scope.region.is_none() {
        &state.ctx
    } else {
        scoped = Context {
            region: scope.region,
            project: scope.project,
            ..state.ctx.clone()
        };
        &scoped
    };
    // The request's span names the action already.
    (action.handler)(ctx, input).await
}
