//! A stub OpenStack, for fault injection only: what the real services the tests start
//! (`cargo xtask ci`, `server/tests/real_openstack/`) cannot be made to do on demand. A
//! service that answers 5xx ([`World::fail_next`]) or too slowly ([`World::delay`]), tokens
//! that are about to expire ([`World::token_ttl`]) or are revoked ([`World::tokens`]), a
//! second region ([`REGION_TWO`]), a second project ([`PROJECT_TWO_ID`]), and counts of
//! what reached it (logins, requests per project and region).
//!
//! Every action's behaviour, Keystone's answers to good and bad credentials, Glance, Trove
//! and the rest of Nova and Cinder are tested against the real services instead; the stub
//! has only what the stub-based tests (`server/tests/actions/`, `cli/tests/cli.rs`) and
//! `cargo harness bench-server` use:
//!
//! - Keystone `POST /v3/auth/tokens` ([`keystone`]): password and application-credential
//!   logins, a token scoped to one of two projects, its catalog;
//! - Nova `GET /servers/{id}` ([`compute`]);
//! - Cinder `GET /v3/{project}/volumes/{id}` ([`volume`]);
//! - keystonemiddleware's refusal of a missing, unknown or expired token at both.
//!
//! Everything these answer is copied from the real service's source (the releases the
//! tests run: keystone 30.0.0, keystonemiddleware 13.0.0, nova 34.0.0, cinder 29.0.0),
//! cited next to it as `Real: <file> <function>`. A stub written from our own reading
//! only agrees with our own mistakes. Anything else answers 501, saying the stub does
//! not model it.
//!
//! Endpoints: `{base}/identity/v3`, `{base}/compute/v2.1` (and `{base}/r2/compute/v2.1`
//! in [`REGION_TWO`]), `{base}/volume/v3/{project}`; the catalog also lists Glance and
//! Trove, which readiness wants listed, but nothing answers there.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;

pub mod compute;
pub mod keystone;
pub mod volume;

pub const PROJECT_ID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
pub const PROJECT_NAME: &str = "admin";
/// A second project the password user may scope to (the application credential may not).
pub const PROJECT_TWO_ID: &str = "2e2e2e2e2e2e4e2e8e2e2e2e2e2e2e2e";
pub const PROJECT_TWO_NAME: &str = "second";
/// The domain of every user and project here.
pub const DOMAIN: (&str, &str) = ("default", "Default");
pub const USERNAME: &str = "admin";
pub const PASSWORD: &str = "stub-password";
pub const APP_CRED_ID: &str = "stub-app-cred";
pub const APP_CRED_SECRET: &str = "stub-app-secret";
pub const REGION: &str = "RegionOne";
/// A second region; only Nova has an endpoint there (`{base}/r2/compute/v2.1`).
pub const REGION_TWO: &str = "RegionTwo";

/// Ids of the resources [`World::with_fixtures`] creates.
pub mod fixtures {
    /// A Cinder volume of [`super::PROJECT_ID`], `available`.
    pub const VOLUME: &str = "11111111-1111-4111-8111-111111111111";
    /// A Nova server of [`super::PROJECT_ID`], `ACTIVE`.
    pub const SERVER: &str = "22222222-2222-4222-8222-222222222222";
    /// A Nova server of [`super::PROJECT_TWO_ID`], `SHUTOFF`.
    pub const PROJECT_TWO_SERVER: &str = "88888888-8888-4888-8888-888888888888";
    /// A Cinder volume of [`super::PROJECT_TWO_ID`], `available`.
    pub const PROJECT_TWO_VOLUME: &str = "99999999-9999-4999-8999-999999999999";

    /// The default project's fixture ids by name; the binary prints them as
    /// `STUB_FIXTURE_<NAME>=<id>` so programs driving it never copy the ids.
    pub const ALL: [(&str, &str); 2] = [("VOLUME", VOLUME), ("SERVER", SERVER)];
}

/// A token Keystone issued.
#[derive(Debug, Clone)]
pub struct Issued {
    pub expires: SystemTime,
    /// The id of the project it is scoped to.
    pub project: String,
}

/// Everything the stub knows; tests change it through [`Stub::world`].
#[derive(Debug)]
pub struct World {
    /// Lifetime of the tokens Keystone issues.
    pub token_ttl: Duration,
    /// Issued tokens; clear it to revoke every token.
    pub tokens: BTreeMap<String, Issued>,
    /// Successful `POST /auth/tokens` so far.
    pub logins: usize,
    /// Requests to services (not Keystone) so far, refused ones included.
    pub service_requests: usize,
    /// Of those, requests that came through a [`REGION_TWO`] endpoint.
    pub region_two_requests: usize,
    /// Service requests per project id of their (valid) token.
    pub project_requests: BTreeMap<String, usize>,
    /// The next service request answers this status (then it is cleared).
    pub fail_next: Option<u16>,
    /// Every service request waits this long first.
    pub delay: Option<Duration>,
    pub servers: BTreeMap<String, compute::Server>,
    pub volumes: BTreeMap<String, volume::Volume>,
}

impl Default for World {
    fn default() -> Self {
        World {
            // Real: keystone/conf/token.py `expiration` defaults to 3600 s.
            token_ttl: Duration::from_secs(3600),
            tokens: BTreeMap::new(),
            logins: 0,
            service_requests: 0,
            region_two_requests: 0,
            project_requests: BTreeMap::new(),
            fail_next: None,
            delay: None,
            servers: BTreeMap::new(),
            volumes: BTreeMap::new(),
        }
    }
}

impl World {
    /// The resources named in [`fixtures`], each in its project.
    pub fn with_fixtures() -> World {
        let mut w = World::default();
        for (id, name, project, state) in [
            (fixtures::SERVER, "web", PROJECT_ID, compute::ACTIVE),
            (
                fixtures::PROJECT_TWO_SERVER,
                "batch",
                PROJECT_TWO_ID,
                compute::STOPPED,
            ),
        ] {
            w.servers
                .insert(id.into(), compute::Server::new(id, name, project, state));
        }
        for (id, name, project) in [
            (fixtures::VOLUME, "data", PROJECT_ID),
            (fixtures::PROJECT_TWO_VOLUME, "scratch", PROJECT_TWO_ID),
        ] {
            w.volumes
                .insert(id.into(), volume::Volume::new(id, name, project));
        }
        w
    }
}

type Shared = Arc<Mutex<World>>;

/// A running stub; it stops when dropped.
pub struct Stub {
    pub addr: SocketAddr,
    world: Shared,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Stub {
    /// Starts on 127.0.0.1 with an OS-chosen port.
    pub async fn start(world: World) -> Stub {
        Stub::start_on("127.0.0.1:0".parse().expect("an address"), world)
            .await
            .expect("binding a loopback port")
    }

    pub async fn start_on(addr: SocketAddr, world: World) -> std::io::Result<Stub> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let world: Shared = Arc::new(Mutex::new(world));
        let app = router(world.clone(), format!("http://{addr}"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Stub {
            addr,
            world,
            _stop: stop,
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Keystone's URL, for `OS_AUTH_URL`.
    pub fn auth_url(&self) -> String {
        keystone::auth_url(&self.base_url())
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().expect("stub world lock")
    }
}

pub fn router(world: Shared, base: String) -> Router {
    Router::new()
        .route("/identity/v3/auth/tokens", post(keystone::login))
        .fallback(service)
        .with_state((world, Arc::new(base)))
}

type AppState = (Shared, Arc<String>);

/// A request to Nova or Cinder: keystonemiddleware's token check, then the injected
/// delay and failure, then the service.
async fn service(
    State((world, base)): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (delay, fail, project) = {
        let mut w = world.lock().expect("stub world lock");
        w.service_requests += 1;
        let token = headers.get("x-auth-token").and_then(|v| v.to_str().ok());
        let Some(project) = token
            .and_then(|t| w.tokens.get(t))
            .filter(|issued| issued.expires > SystemTime::now())
            .map(|issued| issued.project.clone())
        else {
            return keystone::unauthorized(&base);
        };
        *w.project_requests.entry(project.clone()).or_default() += 1;
        (w.delay, w.fail_next.take(), project)
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    let mut segs: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let mut w = world.lock().expect("stub world lock");
    let mut root = base.to_string();
    if segs.first() == Some(&"r2") {
        segs.remove(0);
        root.push_str("/r2");
        w.region_two_requests += 1;
    }
    let service = match segs.first() {
        Some(&"compute") => Service::Compute,
        Some(&"volume") => Service::Volume,
        _ => return unmodelled(&method, &uri),
    };
    if let Some(code) = fail {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return fault(service, status, "injected failure");
    }
    match (service, &segs[1..]) {
        (Service::Compute, ["v2.1", "servers", id]) if method == Method::GET => {
            compute::show(&w, &format!("{root}/compute/v2.1"), &project, id)
        }
        (Service::Volume, ["v3", url_project, "volumes", id]) if method == Method::GET => {
            let endpoint = format!("{root}/volume/v3/{url_project}");
            volume::show(&w, &endpoint, &project, url_project, id)
        }
        _ => unmodelled(&method, &uri),
    }
}

/// Nova and Cinder, which render their errors alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Service {
    Compute,
    Volume,
}

/// The error body Nova and Cinder answer: `{"<fault name>": {"code": …, "message": …}}`.
// Real: nova/api/openstack/wsgi.py Fault._fault_names, Fault.__call__ (nova 34.0.0).
// Real: cinder/api/openstack/wsgi.py Fault._fault_names, Fault.__call__ (cinder 29.0.0);
// the same names, less 429.
fn fault(service: Service, status: StatusCode, message: &str) -> Response {
    let name = match status.as_u16() {
        400 => "badRequest",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "itemNotFound",
        405 => "badMethod",
        409 => "conflictingRequest",
        413 => "overLimit",
        415 => "badMediaType",
        429 if service == Service::Compute => "overLimit",
        501 => "notImplemented",
        503 => "serviceUnavailable",
        _ => "computeFault",
    };
    let body = serde_json::json!({ name: {"code": status.as_u16(), "message": message} });
    (status, axum::Json(body)).into_response()
}

/// What no real service said here: a request the stub does not model.
fn unmodelled(method: &Method, uri: &Uri) -> Response {
    (
        StatusCode::NOT_IMPLEMENTED,
        format!("the stub OpenStack does not model {method} {}", uri.path()),
    )
        .into_response()
}
