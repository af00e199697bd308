//! The HTTP surface: routes, bearer-token check, request ids, error bodies. What they are
//! (paths, headers, envelope, kinds and statuses) is `mistral_actions_contract`; who is
//! calling is `auth`, where a call may act is `reach`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Extension, Path, Request, State};
use axum::http::{header as http_header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mistral_actions_contract::{envelope, header, route, ErrorKind};
use mistral_actions_runtime::{ActionError, Context};
use serde_json::{json, Value};
use tracing::Instrument;

use crate::auth::{Auth, Caller};
use crate::reach::Reach;

/// What every request shares.
pub struct AppState {
    pub ctx: Context,
    pub auth: Arc<Auth>,
    pub reach: Reach,
    next_id: AtomicU64,
}

impl AppState {
    pub fn new(ctx: Context, auth: Arc<Auth>, reach: Reach) -> Arc<AppState> {
        Arc::new(AppState {
            ctx,
            auth,
            reach,
            next_id: AtomicU64::new(1),
        })
    }
}

/// A contract header as axum names it (lower case).
fn header_name(name: &str) -> HeaderName {
    HeaderName::from_bytes(name.as_bytes()).expect("the contract's header names are valid")
}

static REQUEST_ID: LazyLock<HeaderName> = LazyLock::new(|| header_name(header::REQUEST_ID));
static REGION: LazyLock<HeaderName> = LazyLock::new(|| header_name(header::REGION));
static PROJECT: LazyLock<HeaderName> = LazyLock::new(|| header_name(header::PROJECT));

pub fn router(state: Arc<AppState>) -> Router {
    let protected = Router::new()
        .route(route::ACTIONS, get(list_actions))
        .route(route::ACTION, post(run_action))
        .route_layer(middleware::from_fn_with_state(state.clone(), require_token));
    Router::new()
        .route(
            route::HEALTH,
            get(|| async { Json(json!({ envelope::STATUS: envelope::OK })) }),
        )
        .merge(protected)
        .fallback(|| async { error_response(ErrorKind::NotFound, "no such endpoint") })
        .layer(middleware::from_fn_with_state(state.clone(), request_id))
        .with_state(state)
}

fn error_response(kind: ErrorKind, message: &str) -> Response {
    let status = StatusCode::from_u16(kind.status()).expect("the contract's statuses are valid");
    let body =
        json!({ envelope::ERROR: { envelope::KIND: kind.as_str(), envelope::MESSAGE: message } });
    (status, Json(body)).into_response()
}

fn action_error(e: &ActionError) -> Response {
    error_response(e.kind(), &e.to_string())
}

/// Takes the caller's `X-Request-Id` when it is short and printable, else numbers the
/// request; logs one line per request inside a span carrying the id.
async fn request_id(State(state): State<Arc<AppState>>, mut req: Request, next: Next) -> Response {
    let request_id = REQUEST_ID.clone();
    let id = req
        .headers()
        .get(&request_id)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("req-{}", state.next_id.fetch_add(1, Ordering::Relaxed)));
    let span =
        tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path());
    let value = HeaderValue::from_str(&id).expect("checked printable ASCII");
    req.headers_mut().insert(request_id.clone(), value.clone());
    async move {
        let started = Instant::now();
        let mut response = next.run(req).await;
        tracing::info!(
            status = response.status().as_u16(),
            ms = started.elapsed().as_secs_f64() * 1e3,
            "done"
        );
        response.headers_mut().insert(request_id, value);
        response
    }
    .instrument(span)
    .await
}

/// `Authorization: Bearer <token>`: the request goes on with its [`Caller`].
async fn require_token(
    State(state): State<Arc<AppState>>,
    mut req: Request,
    next: Next,
) -> Response {
    let given = req
        .headers()
        .get(http_header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(header::BEARER.as_bytes()))
        .and_then(|rest| rest.strip_prefix(b" "));
    let caller = state.auth.caller(given);
    let Some(caller) = caller else {
        tracing::warn!(
            reason = if given.is_some() {
                "wrong token"
            } else {
                "no bearer token"
            },
            "unauthorised"
        );
        let mut r = error_response(ErrorKind::Unauthorized, "a valid bearer token is required");
        r.headers_mut().insert(
            http_header::WWW_AUTHENTICATE,
            HeaderValue::from_static(header::BEARER),
        );
        return r;
    };
    req.extensions_mut().insert(caller);
    next.run(req).await
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

/// Runs one action. Inputs are never logged: they may hold secrets; of an error, only
/// [`ActionError::log_note`] is.
async fn run_action(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(action) = mistral_actions::find(&name) else {
        return action_error(&ActionError::UnknownAction(name));
    };
    let scope = state.reach.scope(
        &caller,
        override_header(&headers, &PROJECT),
        override_header(&headers, &REGION),
    );
    let scope = match scope {
        Ok(s) => s,
        Err(e) => return failed(action.name, &e),
    };
    let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
        // An action without inputs may be called with no body at all.
        Value::Object(Default::default())
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => {
                // serde_json's syntax errors give a position, never the text.
                let e = ActionError::BadInput(format!("the body is not JSON: {e}"));
                return failed(action.name, &e);
            }
        }
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
    match (action.handler)(ctx, input)
        .instrument(tracing::info_span!("action", name = action.name))
        .await
    {
        Ok(result) => Json(json!({ envelope::RESULT: result })).into_response(),
        Err(e) => failed(action.name, &e),
    }
}

/// Logs what may be logged of `e` and answers it.
fn failed(action: &str, e: &ActionError) -> Response {
    let kind = e.kind().as_str();
    match e.log_note() {
        note if note.is_empty() => tracing::warn!(action, kind, "action failed"),
        note => tracing::warn!(action, kind, detail = %note, "action failed"),
    }
    action_error(e)
}
