//! A stub OpenStack for tests: Keystone v3 (password and application-credential auth, a
//! catalog), Nova, Cinder v3, Glance v2 and Trove, all from one in-memory [`World`] on one
//! loopback port. Tests arrange the world, inject failures (a status, a delay, revoked
//! tokens), and read back what was created.
//!
//! Two projects: [`PROJECT_ID`] (`admin`, the default scope) and [`PROJECT_TWO_ID`]
//! ([`PROJECT_TWO_NAME`]), both open to the password user; a token is scoped to one of
//! them, its catalog points at that project's Cinder and Trove URLs, and resources carrying
//! a `tenant_id` are visible only in that project.
//!
//! Endpoints: `{base}/identity/v3`, `{base}/compute/v2.1`, `{base}/volume/v3/{project}`,
//! `{base}/image`, `{base}/database/v1.0/{project}`. Nova and Cinder also answer the
//! version documents python-novaclient and python-cinderclient read to pick a microversion,
//! and Nova's `createImage` server action (a new Glance image), for Mistral's own actions.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

pub const PROJECT_ID: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
pub const PROJECT_NAME: &str = "admin";
/// A second project the password user may scope to (the application credential may not).
pub const PROJECT_TWO_ID: &str = "2e2e2e2e2e2e4e2e8e2e2e2e2e2e2e2e";
pub const PROJECT_TWO_NAME: &str = "second";
const PROJECTS: &[(&str, &str)] = &[
    (PROJECT_ID, PROJECT_NAME),
    (PROJECT_TWO_ID, PROJECT_TWO_NAME),
];
/// The domain of every user and project here.
pub const DOMAIN: (&str, &str) = ("default", "Default");
pub const USERNAME: &str = "admin";
pub const PASSWORD: &str = "stub-password";
pub const APP_CRED_ID: &str = "stub-app-cred";
pub const APP_CRED_SECRET: &str = "stub-app-secret";
pub const REGION: &str = "RegionOne";
/// Nova's newest microversion here (what Nova 2024.1 serves, python-novaclient's newest).
pub const NOVA_MAX_MICROVERSION: &str = "2.96";
/// Cinder's newest microversion here (Cinder 2024.1's, python-cinderclient's newest).
pub const CINDER_MAX_MICROVERSION: &str = "3.71";
/// A second region; only Nova has an endpoint there (`{base}/r2/compute/v2.1`).
pub const REGION_TWO: &str = "RegionTwo";

/// Ids of the resources [`World::with_fixtures`] creates.
pub mod fixtures {
    pub const VOLUME: &str = "11111111-1111-4111-8111-111111111111";
    pub const SERVER: &str = "22222222-2222-4222-8222-222222222222";
    pub const IMAGE: &str = "33333333-3333-4333-8333-333333333333";
    pub const BACKUP: &str = "44444444-4444-4444-8444-444444444444";
    pub const SNAPSHOT: &str = "55555555-5555-4555-8555-555555555555";
    pub const TROVE_INSTANCE: &str = "66666666-6666-4666-8666-666666666666";
    pub const TROVE_BACKUP: &str = "77777777-7777-4777-8777-777777777777";
    /// A server of the second project ([`super::PROJECT_TWO_ID`]), `SHUTOFF`.
    pub const PROJECT_TWO_SERVER: &str = "88888888-8888-4888-8888-888888888888";

    /// The default project's fixture ids by name; the binary prints them as
    /// `STUB_FIXTURE_<NAME>=<id>` so programs driving it never copy the ids.
    pub const ALL: [(&str, &str); 7] = [
        ("VOLUME", VOLUME),
        ("SERVER", SERVER),
        ("IMAGE", IMAGE),
        ("BACKUP", BACKUP),
        ("SNAPSHOT", SNAPSHOT),
        ("TROVE_INSTANCE", TROVE_INSTANCE),
        ("TROVE_BACKUP", TROVE_BACKUP),
    ];
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
    /// Issued tokens; clear it to make every token invalid.
    pub tokens: BTreeMap<String, Issued>,
    /// Successful `POST /auth/tokens` so far.
    pub logins: usize,
    /// Requests to services (not Keystone) so far.
    pub service_requests: usize,
    /// Of those, requests that came through a [`REGION_TWO`] endpoint.
    pub region_two_requests: usize,
    /// Service requests per project id of their token.
    pub project_requests: BTreeMap<String, usize>,
    /// The next service request answers this status (then it is cleared).
    pub fail_next: Option<u16>,
    /// Every service request waits this long first.
    pub delay: Option<Duration>,
    pub volumes: BTreeMap<String, Value>,
    pub snapshots: BTreeMap<String, Value>,
    /// Cinder backups in creation order (listed newest first, like Cinder).
    pub backups: Vec<Value>,
    pub servers: BTreeMap<String, Value>,
    /// Glance images in creation order.
    pub images: Vec<Value>,
    /// Glance page size (`next` links beyond it).
    pub image_page_size: usize,
    pub trove_instances: BTreeMap<String, Value>,
    pub trove_backups: Vec<Value>,
    /// `(path, body)` of every accepted POST to a service.
    pub posts: Vec<(String, Value)>,
    next_id: u64,
}

impl Default for World {
    fn default() -> Self {
        World {
            token_ttl: Duration::from_secs(3600),
            tokens: BTreeMap::new(),
            logins: 0,
            service_requests: 0,
            region_two_requests: 0,
            project_requests: BTreeMap::new(),
            fail_next: None,
            delay: None,
            volumes: BTreeMap::new(),
            snapshots: BTreeMap::new(),
            backups: Vec::new(),
            servers: BTreeMap::new(),
            images: Vec::new(),
            image_page_size: 25,
            trove_instances: BTreeMap::new(),
            trove_backups: Vec::new(),
            posts: Vec::new(),
            next_id: 1,
        }
    }
}

impl World {
    /// One resource of each kind, with the ids in [`fixtures`], all in their "good" state.
    pub fn with_fixtures() -> World {
        let mut w = World::default();
        w.add_volume(fixtures::VOLUME, "data", "available");
        w.add_server(fixtures::SERVER, "web", "ACTIVE", 1);
        w.add_server(fixtures::PROJECT_TWO_SERVER, "batch", "SHUTOFF", 4);
        w.servers
            .get_mut(fixtures::PROJECT_TWO_SERVER)
            .expect("just added")["tenant_id"] = json!(PROJECT_TWO_ID);
        w.add_image(
            json!({"id": fixtures::IMAGE, "name": "cirros", "status": "active",
            "container_format": "bare", "disk_format": "qcow2"}),
        );
        w.snapshots.insert(
            fixtures::SNAPSHOT.into(),
            json!({"id": fixtures::SNAPSHOT, "volume_id": fixtures::VOLUME, "status": "available"}),
        );
        w.backups.push(
            json!({"id": fixtures::BACKUP, "volume_id": fixtures::VOLUME,
            "status": "available", "parent_id": null, "description": "by hand"}),
        );
        w.add_trove_instance(fixtures::TROVE_INSTANCE, "db", "ACTIVE");
        w.trove_backups.push(
            json!({"id": fixtures::TROVE_BACKUP, "instance_id": fixtures::TROVE_INSTANCE,
            "status": "COMPLETED", "parent_id": null, "description": "by hand"}),
        );
        w
    }

    pub fn new_id(&mut self) -> String {
        let n = self.next_id;
        self.next_id += 1;
        format!("aaaaaaaa-0000-4000-8000-{n:012x}")
    }

    pub fn add_volume(&mut self, id: &str, name: &str, status: &str) {
        self.volumes
            .insert(id.into(), json!({"id": id, "name": name, "status": status}));
    }

    pub fn add_server(&mut self, id: &str, name: &str, status: &str, power_state: u64) {
        self.servers.insert(
            id.into(),
            json!({"id": id, "name": name, "status": status, "OS-EXT-STS:power_state": power_state}),
        );
    }

    pub fn add_image(&mut self, image: Value) {
        self.images.push(image);
    }

    pub fn add_trove_instance(&mut self, id: &str, name: &str, status: &str) {
        self.trove_instances
            .insert(id.into(), json!({"id": id, "name": name, "status": status}));
    }

    /// A Cinder backup; returns its id.
    pub fn add_backup(
        &mut self,
        volume_id: &str,
        parent: Option<&str>,
        description: &str,
    ) -> String {
        let id = self.new_id();
        self.backups.push(
            json!({"id": id, "volume_id": volume_id, "status": "available",
            "parent_id": parent, "description": description}),
        );
        id
    }

    /// A Trove backup; returns its id.
    pub fn add_trove_backup(
        &mut self,
        instance_id: &str,
        parent: Option<&str>,
        description: &str,
    ) -> String {
        let id = self.new_id();
        self.trove_backups.push(
            json!({"id": id, "instance_id": instance_id, "status": "COMPLETED",
            "parent_id": parent, "description": description}),
        );
        id
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
        format!("{}/identity/v3", self.base_url())
    }

    pub fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().expect("stub world lock")
    }
}

pub fn router(world: Shared, base: String) -> Router {
    Router::new()
        .route("/identity/v3/auth/tokens", post(login))
        .fallback(service)
        .with_state((world, Arc::new(base)))
}

type AppState = (Shared, Arc<String>);

fn unix_to_iso(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000000Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

fn error(status: StatusCode, message: &str) -> Response {
    let key = match status.as_u16() {
        400 => "badRequest",
        401 => "unauthorized",
        404 => "itemNotFound",
        _ => "computeFault",
    };
    (
        status,
        Json(json!({ key: {"message": message, "code": status.as_u16()} })),
    )
        .into_response()
}

async fn login(State((world, base)): State<AppState>, Json(body): Json<Value>) -> Response {
    let identity = &body["auth"]["identity"];
    let method = identity["methods"][0].clone();
    let scope = body["auth"].get("scope").map(|s| &s["project"]);
    let project = match method.as_str() {
        Some("password") => {
            let user = &identity["password"]["user"];
            let known = user["name"] == USERNAME && user["password"] == PASSWORD;
            // Unscoped logins get the default project, which suits the stub's callers.
            known
                .then(|| scope.map_or(Some(PROJECT_ID), scoped_project))
                .flatten()
        }
        // Like Keystone, an application credential brings its own scope and takes no other.
        Some("application_credential") => {
            let c = &identity["application_credential"];
            (c["id"] == APP_CRED_ID && c["secret"] == APP_CRED_SECRET && scope.is_none())
                .then_some(PROJECT_ID)
        }
        _ => None,
    };
    let Some(project) = project else {
        return error(
            StatusCode::UNAUTHORIZED,
            "The request you have made requires authentication.",
        );
    };
    let project_name = PROJECTS
        .iter()
        .find(|(id, _)| *id == project)
        .map_or("", |p| p.1);
    let mut w = world.lock().expect("stub world lock");
    w.logins += 1;
    let token = format!("stub-token-{}", w.logins);
    let expires = SystemTime::now() + w.token_ttl;
    w.tokens.insert(
        token.clone(),
        Issued {
            expires,
            project: project.to_string(),
        },
    );
    let endpoint = |ty: &str, url: String| {
        json!({"type": ty, "name": ty, "endpoints": [
            {"interface": "public", "region": REGION, "region_id": REGION, "url": url},
            {"interface": "internal", "region": REGION, "region_id": REGION, "url": format!("{url}/internal-unused")},
        ]})
    };
    let mut compute = endpoint("compute", format!("{base}/compute/v2.1"));
    compute["endpoints"]
        .as_array_mut()
        .expect("endpoints")
        .push(
            json!({"interface": "public", "region": REGION_TWO, "region_id": REGION_TWO,
            "url": format!("{base}/r2/compute/v2.1")}),
        );
    let catalog = json!([
        endpoint("identity", format!("{base}/identity/v3")),
        compute,
        endpoint("volumev3", format!("{base}/volume/v3/{project}")),
        endpoint("image", format!("{base}/image")),
        endpoint("database", format!("{base}/database/v1.0/{project}")),
    ]);
    (
        StatusCode::CREATED,
        [("x-subject-token", token)],
        Json(json!({"token": {
            // Clients (keystoneclient's ServiceCatalog) recognise a v3 token by `methods`.
            "methods": [method],
            "expires_at": unix_to_iso(expires),
            "project": {"id": project, "name": project_name,
                "domain": {"id": DOMAIN.0, "name": DOMAIN.1}},
            "catalog": catalog,
        }})),
    )
        .into_response()
}

/// The id of the project a password login's `scope.project` names (by id, or by name in
/// its domain), if it is one of [`PROJECTS`].
fn scoped_project(project: &Value) -> Option<&'static str> {
    if let Some(id) = project["id"].as_str() {
        return PROJECTS.iter().find(|p| p.0 == id).map(|p| p.0);
    }
    let domain = &project["domain"];
    let in_domain = domain["id"] == DOMAIN.0 || domain["name"] == DOMAIN.1;
    let name = project["name"].as_str()?;
    PROJECTS
        .iter()
        .find(|p| in_domain && p.1 == name)
        .map(|p| p.0)
}

/// Resources with a `tenant_id` belong to that project; the others to every project.
fn visible<'v>(resource: Option<&'v Value>, project: &str) -> Option<&'v Value> {
    resource.filter(|r| r.get("tenant_id").is_none_or(|t| t == project))
}

fn query_pairs(uri: &Uri) -> BTreeMap<String, String> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter(|s| !s.is_empty())
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            Some((decode(k)?, decode(v)?))
        })
        .collect()
}

fn decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = s.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Like a real Cinder, a new backup or snapshot is `creating` for a while: the first read
/// shows `creating`, later reads `available`, so a `retry:` that waits for it succeeds.
fn finish_creating(resource: &mut Value) {
    if resource["status"] == "creating" {
        resource["status"] = json!("available");
    }
}

/// Like a real Glance, an image a server snapshot creates is `saving` until it has been
/// read once, then `active`, so a `retry:` that waits for it succeeds.
fn finish_saving(images: &mut [Value]) {
    for image in images.iter_mut().filter(|i| i["status"] == "saving") {
        image["status"] = json!("active");
    }
}

/// A version document, which clients read to pick a microversion: Nova's at its versioned
/// root (novaclient), Cinder's list at the unversioned root (cinderclient).
fn version(id: &str, version: &str, min_version: &str, href: String) -> Value {
    json!({
        "id": id, "status": "CURRENT", "version": version, "min_version": min_version,
        "updated": "2013-07-23T11:33:21Z", "links": [{"rel": "self", "href": href}],
    })
}

fn found(v: Option<&Value>, key: &str, what: &str, id: &str) -> Response {
    match v {
        Some(v) => Json(json!({ key: v })).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            &format!("{what} {id} could not be found."),
        ),
    }
}

async fn service(
    State((world, base)): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
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
            return error(
                StatusCode::UNAUTHORIZED,
                "The request you have made requires authentication.",
            );
        };
        *w.project_requests.entry(project.clone()).or_default() += 1;
        (w.delay, w.fail_next.take(), project)
    };
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    if let Some(code) = fail {
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return error(status, "injected failure");
    }
    let body: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
        }
    };
    let query = query_pairs(&uri);
    let mut segs: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let mut w = world.lock().expect("stub world lock");
    let w = &mut *w;
    if segs.first() == Some(&"r2") {
        segs.remove(0);
        w.region_two_requests += 1;
    }
    let is_get = method == Method::GET;
    match segs.as_slice() {
        ["compute", "v2.1"] if is_get => {
            let v = version(
                "v2.1",
                NOVA_MAX_MICROVERSION,
                "2.1",
                format!("{base}/compute/v2.1/"),
            );
            Json(json!({ "version": v })).into_response()
        }
        ["volume"] if is_get => {
            let v = version(
                "v3.0",
                CINDER_MAX_MICROVERSION,
                "3.0",
                format!("{base}/volume/v3/"),
            );
            Json(json!({ "versions": [v] })).into_response()
        }
        ["compute", "v2.1", "servers", id] if is_get => found(
            visible(w.servers.get(*id), &project),
            "server",
            "Instance",
            id,
        ),
        ["compute", "v2.1", "servers", id, "action"] if method == Method::POST => {
            let Some(create) = body.get("createImage") else {
                return error(StatusCode::BAD_REQUEST, "the stub only knows createImage");
            };
            if visible(w.servers.get(*id), &project).is_none() {
                return error(
                    StatusCode::NOT_FOUND,
                    &format!("Instance {id} could not be found."),
                );
            }
            let image_id = w.new_id();
            w.add_image(
                json!({"id": image_id, "name": create["name"], "status": "saving",
                "container_format": "bare", "disk_format": "qcow2"}),
            );
            w.posts.push((uri.path().to_string(), body.clone()));
            // Microversion 2.45 and later answer the image id in the body.
            (StatusCode::ACCEPTED, Json(json!({"image_id": image_id}))).into_response()
        }
        // Like Cinder and Trove, the project in the URL must be the token's.
        ["volume" | "database", _, p, ..] if *p != project => {
            error(StatusCode::BAD_REQUEST, "Malformed request url")
        }
        ["volume", "v3", _, rest @ ..] => match rest {
            ["volumes", id] if is_get => found(
                visible(w.volumes.get(*id), &project),
                "volume",
                "Volume",
                id,
            ),
            ["snapshots", id] if is_get => {
                let shown = w.snapshots.get(*id).cloned();
                if let Some(s) = w.snapshots.get_mut(*id) {
                    finish_creating(s);
                }
                found(shown.as_ref(), "snapshot", "Snapshot", id)
            }
            ["backups", "detail"] if is_get => {
                let list: Vec<&Value> = w
                    .backups
                    .iter()
                    .rev()
                    .filter(|b| {
                        query
                            .get("volume_id")
                            .is_none_or(|v| b["volume_id"] == v.as_str())
                    })
                    .collect();
                Json(json!({"backups": list})).into_response()
            }
            ["backups", id] if is_get => {
                let backup = w.backups.iter_mut().find(|b| b["id"] == *id);
                let shown = backup.as_ref().map(|b| (**b).clone());
                if let Some(b) = backup {
                    finish_creating(b);
                }
                found(shown.as_ref(), "backup", "Backup", id)
            }
            ["backups"] if method == Method::POST => {
                let b = &body["backup"];
                let volume_id = b["volume_id"].as_str().unwrap_or("");
                if !w.volumes.contains_key(volume_id) {
                    return error(
                        StatusCode::NOT_FOUND,
                        &format!("Volume {volume_id} could not be found."),
                    );
                }
                let id = w.new_id();
                let parent = if b["incremental"] == true {
                    b["backup_id"].clone()
                } else {
                    Value::Null
                };
                let backup = json!({"id": id, "volume_id": volume_id, "name": b["name"],
                    "description": b["description"], "status": "creating", "parent_id": parent,
                    "is_incremental": b["incremental"] == true});
                w.backups.push(backup.clone());
                w.posts.push((uri.path().to_string(), body.clone()));
                (StatusCode::ACCEPTED, Json(json!({"backup": backup}))).into_response()
            }
            ["snapshots"] if method == Method::POST => {
                let s = &body["snapshot"];
                let volume_id = s["volume_id"].as_str().unwrap_or("");
                if !w.volumes.contains_key(volume_id) {
                    return error(
                        StatusCode::NOT_FOUND,
                        &format!("Volume {volume_id} could not be found."),
                    );
                }
                let id = w.new_id();
                let snap = json!({"id": id, "volume_id": volume_id, "name": s["name"],
                    "description": s["description"], "status": "creating"});
                w.snapshots.insert(id, snap.clone());
                w.posts.push((uri.path().to_string(), body.clone()));
                (StatusCode::ACCEPTED, Json(json!({"snapshot": snap}))).into_response()
            }
            _ => error(StatusCode::NOT_FOUND, "no such resource"),
        },
        ["image", "v2", "images", id] if is_get => {
            let shown = match w.images.iter().find(|i| i["id"] == *id) {
                Some(i) => Json(i.clone()).into_response(),
                None => error(
                    StatusCode::NOT_FOUND,
                    &format!("No image found with ID {id}"),
                ),
            };
            finish_saving(&mut w.images);
            shown
        }
        ["image", "v2", "images"] if is_get => {
            let filters = ["container_format", "disk_format", "id", "name", "status"];
            let matching: Vec<&Value> = w
                .images
                .iter()
                .filter(|i| {
                    filters
                        .iter()
                        .all(|f| query.get(*f).is_none_or(|v| i[*f] == v.as_str()))
                })
                .collect();
            let start = match query.get("marker") {
                Some(m) => matching
                    .iter()
                    .position(|i| i["id"] == m.as_str())
                    .map_or(0, |p| p + 1),
                None => 0,
            };
            let page: Vec<&Value> = matching
                .iter()
                .skip(start)
                .take(w.image_page_size)
                .copied()
                .collect();
            let mut out = json!({"images": page});
            if start + page.len() < matching.len() {
                let mut next = format!(
                    "/v2/images?marker={}",
                    page.last().map_or("", |i| i["id"].as_str().unwrap_or(""))
                );
                for f in filters {
                    if let Some(v) = query.get(f) {
                        next.push_str(&format!("&{f}={v}"));
                    }
                }
                out["next"] = Value::String(next);
            }
            finish_saving(&mut w.images);
            Json(out).into_response()
        }
        ["database", "v1.0", _, rest @ ..] => match rest {
            ["instances", id] if is_get => {
                found(w.trove_instances.get(*id), "instance", "Instance", id)
            }
            ["backups"] if is_get => {
                let list: Vec<&Value> = w.trove_backups.iter().rev().collect();
                Json(json!({"backups": list})).into_response()
            }
            ["backups", id] if is_get => found(
                w.trove_backups.iter().find(|b| b["id"] == *id),
                "backup",
                "Backup",
                id,
            ),
            ["backups"] if method == Method::POST => {
                let b = &body["backup"];
                let instance = b["instance"].as_str().unwrap_or("");
                if !w.trove_instances.contains_key(instance) {
                    return error(
                        StatusCode::NOT_FOUND,
                        &format!("Instance {instance} could not be found."),
                    );
                }
                let id = w.new_id();
                let backup = json!({"id": id, "instance_id": instance, "name": b["name"],
                    "description": b["description"], "status": "NEW", "parent_id": b["parent_id"]});
                w.trove_backups.push(backup.clone());
                w.posts.push((uri.path().to_string(), body.clone()));
                (StatusCode::ACCEPTED, Json(json!({"backup": backup}))).into_response()
            }
            _ => error(StatusCode::NOT_FOUND, "no such resource"),
        },
        _ => error(StatusCode::NOT_FOUND, "no such resource"),
    }
}
