//! Cinder: `GET /v3/{project_id}/volumes/{id}`, at microversion 3.0 (what the actions ask
//! for), for a user with a reader role in the volume's project and no admin role.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use crate::{fault, Service, World};

#[derive(Debug, Clone)]
pub struct Volume {
    pub id: String,
    pub name: String,
    /// The project it belongs to; only a token of that project sees it.
    pub project: String,
    pub status: String,
}

impl Volume {
    /// An `available` volume.
    pub fn new(id: &str, name: &str, project: &str) -> Volume {
        Volume {
            id: id.into(),
            name: name.into(),
            project: project.into(),
            status: "available".into(),
        }
    }

    /// The `volume` object of `GET /volumes/{id}`; `endpoint` is the URL of Cinder the
    /// request came to (it ends in the project id). Fixed values stand for what the stub
    /// has no model of (size, type, times).
    // Real: cinder/api/v3/views/volumes.py ViewBuilder.legacy_detail and detail (nothing
    // more at 3.0 for a non-admin), with os-vol-tenant-attr:tenant_id from
    // cinder/api/contrib/volume_tenant_attribute.py (policy SYSTEM_READER_OR_PROJECT_READER
    // in cinder/policies/volumes.py); links from cinder/api/common.py
    // ViewBuilder._get_links (the bookmark drops the version) (cinder 29.0.0).
    fn view(&self, endpoint: &str) -> Value {
        let bookmark = endpoint.replacen("/v3/", "/", 1);
        json!({
            "id": self.id,
            "status": self.status,
            "size": 1,
            "availability_zone": "nova",
            "created_at": "2025-01-01T00:00:00.000000",
            "updated_at": "2025-01-01T00:00:01.000000",
            "name": self.name,
            "description": null,
            "volume_type": "__DEFAULT__",
            "snapshot_id": null,
            "source_volid": null,
            "metadata": {},
            "links": [
                {"rel": "self", "href": format!("{endpoint}/volumes/{}", self.id)},
                {"rel": "bookmark", "href": format!("{bookmark}/volumes/{}", self.id)},
            ],
            "user_id": crate::keystone::USER_ID,
            "bootable": "false",
            "encrypted": false,
            "replication_status": null,
            "consistencygroup_id": null,
            "multiattach": false,
            "attachments": [],
            "os-vol-tenant-attr:tenant_id": self.project,
        })
    }
}

/// `GET {endpoint}/volumes/{id}` by a token of `project`, `endpoint` naming `url_project`.
pub(crate) fn show(
    w: &World,
    endpoint: &str,
    project: &str,
    url_project: &str,
    id: &str,
) -> Response {
    // Real: cinder/api/openstack/wsgi.py Resource._process_stack refuses a URL whose
    // project is not the token's before dispatching (cinder 29.0.0).
    if url_project != project {
        return fault(
            Service::Volume,
            StatusCode::BAD_REQUEST,
            "Malformed request url",
        );
    }
    // Real: cinder/db/api.py _volume_get queries with project_only=True, so another
    // project's volume is not found, like an unknown one: VolumeNotFound ("Volume
    // %(volume_id)s could not be found.", cinder/exception.py), a 404 (cinder 29.0.0).
    match w.volumes.get(id).filter(|v| v.project == project) {
        Some(v) => Json(json!({"volume": v.view(endpoint)})).into_response(),
        None => fault(
            Service::Volume,
            StatusCode::NOT_FOUND,
            &format!("Volume {id} could not be found."),
        ),
    }
}
