//! Keystone v3 `POST /auth/tokens`, and keystonemiddleware's refusal of a token at the
//! services. The password user has a reader role (no admin) in both projects and
//! [`PROJECT_ID`] as its default project; the application credential is the same user's,
//! for [`PROJECT_ID`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::{
    AppState, Issued, APP_CRED_ID, APP_CRED_SECRET, DOMAIN, PASSWORD, PROJECT_ID, PROJECT_NAME,
    PROJECT_TWO_ID, PROJECT_TWO_NAME, REGION, REGION_TWO, USERNAME,
};

/// The id of the password user ([`USERNAME`]).
pub const USER_ID: &str = "5a5a5a5a5a5a4a5a8a5a5a5a5a5a5a5a";
const PROJECTS: [(&str, &str); 2] = [
    (PROJECT_ID, PROJECT_NAME),
    (PROJECT_TWO_ID, PROJECT_TWO_NAME),
];

pub fn auth_url(base: &str) -> String {
    format!("{base}/identity/v3")
}

pub(crate) async fn login(
    State((world, base)): State<AppState>,
    Json(body): Json<Value>,
) -> Response {
    let auth = &body["auth"];
    let identity = &auth["identity"];
    let scope = auth.get("scope");
    let method = identity["methods"][0].as_str().unwrap_or("");
    let project = match method {
        "password" => {
            let user = &identity["password"]["user"];
            if user.get("id").is_some() || !user["domain"].is_object() {
                return unmodelled("a user named by id or without a domain");
            }
            let known = user["name"] == USERNAME && names_domain(&user["domain"]);
            // Real: keystone/auth/plugins/password.py Password.authenticate raises
            // Unauthorized for a wrong user or password (keystone 30.0.0).
            if !(known && user["password"] == PASSWORD) {
                return unauthorized(&base);
            }
            match scope.map(|s| &s["project"]) {
                // Real: keystone/api/_shared/authentication.py
                // _check_and_set_default_scoping: a login that asks for no scope is scoped
                // to the user's default project (keystone 30.0.0).
                None => Some(PROJECT_ID),
                Some(p) if p["id"].is_string() || p["domain"].is_object() => scoped_project(p),
                Some(_) => return unmodelled("a scope other than a project by id or in a domain"),
            }
        }
        "application_credential" if scope.is_none() => {
            let c = &identity["application_credential"];
            if c["id"] != APP_CRED_ID {
                return unmodelled("application credentials other than APP_CRED_ID by id");
            }
            // Real: keystone/auth/plugins/application_credential.py
            // ApplicationCredential.authenticate raises Unauthorized for a wrong secret; the
            // token is scoped to the credential's project (keystone/auth/core.py
            // AuthInfo._set_scope_from_app_cred) (keystone 30.0.0).
            (c["secret"] == APP_CRED_SECRET).then_some(PROJECT_ID)
        }
        _ => return unmodelled("methods other than password, application_credential unscoped"),
    };
    // Real: keystone/auth/core.py AuthInfo._lookup_project turns ProjectNotFound into
    // Unauthorized, and keystone/models/token_model.py TokenModel._validate_project_scope
    // a project the user has no role in (keystone 30.0.0).
    let Some(project) = project else {
        return unauthorized(&base);
    };
    let project_name = PROJECTS.iter().find(|p| p.0 == project).map_or("", |p| p.1);
    let now = SystemTime::now();
    let (token, expires) = {
        let mut w = world.lock().expect("stub world lock");
        w.logins += 1;
        let token = format!("stub-token-{}", w.logins);
        let expires = now + w.token_ttl;
        let issued = Issued {
            expires,
            project: project.to_string(),
        };
        w.tokens.insert(token.clone(), issued);
        (token, expires)
    };
    let mut body = json!({"token": {
        "methods": [method],
        "user": {
            "domain": {"id": DOMAIN.0, "name": DOMAIN.1},
            "id": USER_ID,
            "name": USERNAME,
            "password_expires_at": null,
        },
        "audit_ids": [audit_id()],
        "expires_at": isotime(expires),
        "issued_at": isotime(now),
        "project": {
            "domain": {"id": DOMAIN.0, "name": DOMAIN.1},
            "id": project,
            "name": project_name,
        },
        "is_domain": false,
        "roles": [{"id": "7d7d7d7d7d7d4d7d8d7d7d7d7d7d7d7d", "name": "reader"}],
        "catalog": catalog(&base, project),
    }});
    if method == "application_credential" {
        body["token"]["application_credential"] =
            json!({"id": APP_CRED_ID, "name": "stub", "restricted": true});
    }
    // Real: keystone/api/auth.py AuthTokenResource.post answers 201 with the token id in
    // X-Subject-Token, the body from keystone/common/render_token.py
    // render_token_response_from_model for a project-scoped token (keystone 30.0.0).
    (
        StatusCode::CREATED,
        [("x-subject-token", token)],
        Json(body),
    )
        .into_response()
}

/// Whether `domain` (`{"id": …}` or `{"name": …}`) is [`DOMAIN`].
fn names_domain(domain: &Value) -> bool {
    domain["id"] == DOMAIN.0 || domain["name"] == DOMAIN.1
}

/// The id of the project a password login's `scope.project` names (by id, or by name in
/// its domain), if it is one of the user's.
fn scoped_project(project: &Value) -> Option<&'static str> {
    PROJECTS
        .iter()
        .find(|(id, name)| {
            project["id"] == *id || (project["name"] == *name && names_domain(&project["domain"]))
        })
        .map(|p| p.0)
}

/// The catalog of a token scoped to `project`: every service with a public and an
/// internal endpoint in [`REGION`], Nova also a public one in [`REGION_TWO`]. Cinder's and
/// Trove's URLs carry the project, as their endpoints are registered with
/// `%(project_id)s` in them.
// Real: keystone/catalog/backends/sql.py Catalog.get_v3_catalog: services with
// `endpoints`, `id`, `type`, `name`; endpoints with `id`, `interface`, `region_id`,
// `region` and `url`, the URL formatted with the token's project_id (keystone 30.0.0).
fn catalog(base: &str, project: &str) -> Value {
    let services = [
        ("identity", "keystone", auth_url(base)),
        ("compute", "nova", format!("{base}/compute/v2.1")),
        (
            "volumev3",
            "cinderv3",
            format!("{base}/volume/v3/{project}"),
        ),
        ("image", "glance", format!("{base}/image")),
        (
            "database",
            "trove",
            format!("{base}/database/v1.0/{project}"),
        ),
    ];
    let endpoint = |n: usize, interface: &str, region: &str, url: String| {
        json!({"id": format!("e{n:031x}"), "interface": interface,
            "region_id": region, "region": region, "url": url})
    };
    let list: Vec<Value> = services
        .into_iter()
        .enumerate()
        .map(|(i, (ty, name, url))| {
            let mut endpoints = vec![
                endpoint(3 * i, "public", REGION, url.clone()),
                endpoint(
                    3 * i + 1,
                    "internal",
                    REGION,
                    format!("{url}/internal-unused"),
                ),
            ];
            if ty == "compute" {
                let r2 = format!("{base}/r2/compute/v2.1");
                endpoints.push(endpoint(3 * i + 2, "public", REGION_TWO, r2));
            }
            json!({"endpoints": endpoints, "id": format!("5{i:031x}"), "type": ty, "name": name})
        })
        .collect();
    Value::Array(list)
}

/// The 401 of Keystone, and of keystonemiddleware in front of Nova and Cinder (a missing,
/// unknown or expired token): the message of `Unauthorized`, never the detail
/// (`insecure_debug` is off), and where to authenticate.
// Real: keystone/exception.py Unauthorized, SecurityError._build_message;
// keystone/server/flask/application.py _handle_keystone_exception (the body, and
// WWW-Authenticate from keystone/server/flask/common.py base_url, which ends in /v3)
// (keystone 30.0.0). keystonemiddleware/auth_token/__init__.py
// AuthProtocol.process_request and _reject_auth_headers, the same body, with
// `www_authenticate_uri` Keystone's URL (keystonemiddleware 13.0.0).
pub(crate) fn unauthorized(base: &str) -> Response {
    let body = json!({"error": {
        "code": 401,
        "title": "Unauthorized",
        "message": "The request you have made requires authentication.",
    }});
    let www = format!("Keystone uri=\"{}\"", auth_url(base));
    (
        StatusCode::UNAUTHORIZED,
        [("www-authenticate", www)],
        Json(body),
    )
        .into_response()
}

/// A login the stub does not model: a 501 saying so, rather than an answer no Keystone
/// gave.
fn unmodelled(what: &str) -> Response {
    let m = format!("the stub Keystone does not model {what}");
    (StatusCode::NOT_IMPLEMENTED, m).into_response()
}

/// A 22-character URL-safe id, like the audit ids Keystone gives each token.
// Real: keystone/token/provider.py random_urlsafe_str (keystone 30.0.0).
fn audit_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("stub-audit-{:011}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// `2016-09-14T14:01:13.000000Z`: UTC, microseconds always shown, always zero.
// Real: keystone/common/utils.py isotime(subsecond=True), used for expires_at and
// issued_at by keystone/token/provider.py (keystone 30.0.0).
fn isotime(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days. Not the runtime's `clock` on purpose: the stub
    // shares no code with what it tests, so a date bug there cannot agree with itself here.
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
