//! Nova: `GET /v2.1/servers/{id}`, at microversion 2.1 (what the actions ask for), for a
//! user with a role in the server's project and no admin role.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::{fault, Service, World};

/// A server's `vm_state`, its power state and the status Nova shows for them.
// Real: nova/compute/vm_states.py, nova/compute/power_state.py, and
// nova/api/openstack/common.py _STATE_MAP (no task state) (nova 34.0.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub vm_state: &'static str,
    pub power_state: u8,
    pub status: &'static str,
}

/// Running: `vm_states.ACTIVE`, `power_state.RUNNING`.
pub const ACTIVE: State = State {
    vm_state: "active",
    power_state: 1,
    status: "ACTIVE",
};
/// Stopped: `vm_states.STOPPED`, `power_state.SHUTDOWN`.
pub const STOPPED: State = State {
    vm_state: "stopped",
    power_state: 4,
    status: "SHUTOFF",
};

#[derive(Debug, Clone)]
pub struct Server {
    pub id: String,
    pub name: String,
    /// The project it belongs to; only a token of that project sees it.
    pub project: String,
    pub state: State,
}

impl Server {
    pub fn new(id: &str, name: &str, project: &str, state: State) -> Server {
        Server {
            id: id.into(),
            name: name.into(),
            project: project.into(),
            state,
        }
    }

    /// The `server` object of `GET /servers/{id}`; `endpoint` is the URL of Nova the
    /// request came to. Fixed values stand for what the stub has no model of (the flavor,
    /// the image, times, the host); no network (Neutron), so no addresses and no
    /// `security_groups`.
    // Real: nova/api/openstack/compute/views/servers.py ViewBuilder.show, the keys shown at
    // 2.1 to a project reader (no OS-EXT-SRV-ATTR:*, which need admin); `progress` only
    // in _progress_statuses; links from nova/api/openstack/common.py ViewBuilder._get_links
    // and _get_bookmark_link (the bookmark drops the version) (nova 34.0.0).
    fn view(&self, endpoint: &str) -> Value {
        let unversioned = endpoint.trim_end_matches("/v2.1");
        let bookmark = |collection: &str, id: &str| {
            let href = format!("{unversioned}/{collection}/{id}");
            json!([{"rel": "bookmark", "href": href}])
        };
        let mut server = json!({
            "accessIPv4": "",
            "accessIPv6": "",
            "addresses": {},
            "created": "2025-01-01T00:00:00Z",
            "flavor": {"id": "1", "links": bookmark("flavors", "1")},
            "hostId": "0c3d6c8ac6f8b3e1d4d1e1a3b9a7e5c2f0d2a4b6c8e0f2a4b6c8e0f2",
            "id": self.id,
            "image": {
                "id": "33333333-3333-4333-8333-333333333333",
                "links": bookmark("images", "33333333-3333-4333-8333-333333333333"),
            },
            "links": [
                {"rel": "self", "href": format!("{endpoint}/servers/{}", self.id)},
                {"rel": "bookmark", "href": format!("{unversioned}/servers/{}", self.id)},
            ],
            "metadata": {},
            "name": self.name,
            "status": self.state.status,
            "tenant_id": self.project,
            "user_id": crate::keystone::USER_ID,
            "updated": "2025-01-01T00:00:05Z",
            "OS-DCF:diskConfig": "MANUAL",
            "OS-EXT-AZ:availability_zone": "nova",
            "config_drive": "",
            "key_name": null,
            "OS-SRV-USG:launched_at": "2025-01-01T00:00:05.000000",
            "OS-SRV-USG:terminated_at": null,
            "OS-EXT-STS:task_state": null,
            "OS-EXT-STS:vm_state": self.state.vm_state,
            "OS-EXT-STS:power_state": self.state.power_state,
            "os-extended-volumes:volumes_attached": [],
        });
        if self.state == ACTIVE {
            server["progress"] = json!(0);
        }
        server
    }
}

/// `GET {endpoint}/servers/{id}` by a token of `project`.
pub(crate) fn show(w: &World, endpoint: &str, project: &str, id: &str) -> Response {
    // Real: nova/db/main/api.py _build_instance_get queries with project_only=True, so a
    // server of another project is not found for a non-admin, like an unknown one:
    // nova/compute/api.py API.get raises InstanceNotFound ("Instance %(instance_id)s could
    // not be found.", nova/exception.py) and nova/api/openstack/common.py get_instance
    // turns it into a 404 (nova 34.0.0).
    match w.servers.get(id).filter(|s| s.project == project) {
        Some(s) => Json(json!({"server": s.view(endpoint)})).into_response(),
        None => fault(
            Service::Compute,
            StatusCode::NOT_FOUND,
            &format!("Instance {id} could not be found."),
        ),
    }
}
