//! `X-OpenStack-Project`: a call acts in another project with a token scoped to it.

use serde_json::{json, Value};
use stub_openstack::{fixtures, PROJECT_ID, PROJECT_NAME, PROJECT_TWO_ID, PROJECT_TWO_NAME};

use crate::support::{Harness, Options, TOKEN};

const GET_STATUS: &str = "int32bit.nova.servers.get_status";

/// Calls `action` with `headers` added; returns status and body.
async fn call(h: &Harness, action: &str, input: Value, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut req = h
        .client
        .post(format!("{}/v1/actions/{action}", h.url))
        .bearer_auth(TOKEN)
        .json(&input);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.expect("the server answers");
    crate::support::conforming("POST", r).await
}

async fn status_in(h: &Harness, project: &str, server: &str) -> (u16, Value) {
    call(
        h,
        GET_STATUS,
        json!({"server_id": server}),
        &[("x-openstack-project", project)],
    )
    .await
}

fn requests_in(h: &Harness, project: &str) -> usize {
    h.stub
        .world()
        .project_requests
        .get(project)
        .copied()
        .unwrap_or(0)
}

/// A server that may act in the second project (by name and by id), in a project the
/// user has no role in, and in region two.
async fn reaching_second() -> Harness {
    Harness::with(Options {
        projects: &[PROJECT_TWO_NAME, PROJECT_TWO_ID, "nowhere"],
        regions: &[stub_openstack::REGION_TWO],
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn the_project_header_scopes_the_call_to_that_project_by_name_or_id() {
    let h = reaching_second().await;
    // The configured project does not see the second project's server.
    let (status, body) = status_in(&h, "", fixtures::PROJECT_TWO_SERVER).await;
    assert_eq!(status, 502, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("404"));

    let (status, body) = status_in(&h, PROJECT_TWO_NAME, fixtures::PROJECT_TWO_SERVER).await;
    assert_eq!(
        (status, &body["result"]),
        (200, &json!("SHUTOFF")),
        "{body}"
    );
    let (status, body) = status_in(&h, PROJECT_TWO_ID, fixtures::PROJECT_TWO_SERVER).await;
    assert_eq!(
        (status, &body["result"]),
        (200, &json!("SHUTOFF")),
        "{body}"
    );
    assert_eq!(requests_in(&h, PROJECT_TWO_ID), 2);

    // Cinder's URL carries the project: it comes from the scoped token's catalog (Cinder
    // refuses a URL naming another project than the token's, and shows a volume to its
    // own project only).
    let (status, body) = call(
        &h,
        "int32bit.cinder.volumes.assert_status",
        json!({"volume_id": fixtures::PROJECT_TWO_VOLUME}),
        &[("x-openstack-project", PROJECT_TWO_NAME)],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(requests_in(&h, PROJECT_TWO_ID), 3);

    // Region and project combine.
    let (status, body) = call(
        &h,
        GET_STATUS,
        json!({"server_id": fixtures::PROJECT_TWO_SERVER}),
        &[
            ("x-openstack-project", PROJECT_TWO_NAME),
            ("x-openstack-region", stub_openstack::REGION_TWO),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(h.stub.world().region_two_requests, 1);
    assert_eq!(requests_in(&h, PROJECT_TWO_ID), 4);

    // A project the user cannot log in to: Keystone's refusal, naming the header.
    let (status, body) = status_in(&h, "nowhere", fixtures::SERVER).await;
    assert_eq!(status, 502, "{body}");
    let m = body["error"]["message"].as_str().unwrap();
    assert!(
        m.contains("401") && m.contains("'nowhere'") && m.contains("X-OpenStack-Project"),
        "{m}"
    );
    assert!(!m.contains(stub_openstack::PASSWORD), "{m}");
}

#[tokio::test]
async fn tokens_are_cached_per_project() {
    let h = reaching_second().await;
    for _ in 0..2 {
        let (status, body) = status_in(&h, PROJECT_TWO_NAME, fixtures::PROJECT_TWO_SERVER).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(h.stub.world().logins, 1, "one login for the second project");
    for _ in 0..2 {
        let (status, body) = status_in(&h, "", fixtures::SERVER).await;
        assert_eq!(status, 200, "{body}");
    }
    assert_eq!(
        h.stub.world().logins,
        2,
        "one more for the configured project"
    );
    // Naming the configured project is the configured session.
    let (status, body) = status_in(&h, PROJECT_NAME, fixtures::SERVER).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = status_in(&h, PROJECT_TWO_NAME, fixtures::PROJECT_TWO_SERVER).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(h.stub.world().logins, 2, "both tokens stay cached");
    assert_eq!(requests_in(&h, PROJECT_ID), 3);
    assert_eq!(requests_in(&h, PROJECT_TWO_ID), 3);

    // A refused scoped token is renewed for that project.
    h.stub.world().tokens.clear();
    let (status, body) = status_in(&h, PROJECT_TWO_NAME, fixtures::PROJECT_TWO_SERVER).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(h.stub.world().logins, 3);
    assert_eq!(requests_in(&h, PROJECT_TWO_ID), 4);
}

#[tokio::test]
async fn an_application_credential_cannot_switch_projects() {
    let h = Harness::with(Options {
        cloud: Some(Box::new(crate::support::app_credential_cloud)),
        projects: &[PROJECT_ID, PROJECT_NAME, PROJECT_TWO_NAME],
        ..Options::default()
    })
    .await;
    let (status, body) = status_in(&h, PROJECT_TWO_NAME, fixtures::PROJECT_TWO_SERVER).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["kind"], "bad_input");
    let m = body["error"]["message"].as_str().unwrap();
    assert!(
        m.contains("X-OpenStack-Project") && m.contains("'second'") && m.contains("'admin'"),
        "{m}"
    );
    assert!(!m.contains(stub_openstack::APP_CRED_SECRET), "{m}");
    assert_eq!(requests_in(&h, PROJECT_TWO_ID), 0);
    // Its own project, by id or name, is fine.
    for own in [PROJECT_ID, PROJECT_NAME] {
        let (status, body) = status_in(&h, own, fixtures::SERVER).await;
        assert_eq!(status, 200, "{own}: {body}");
    }
    assert_eq!(h.stub.world().logins, 1);
}

#[tokio::test]
async fn an_empty_project_header_means_the_configured_project() {
    let h = Harness::start().await;
    let (status, body) = status_in(&h, "", fixtures::SERVER).await;
    assert_eq!((status, &body["result"]), (200, &json!("ACTIVE")), "{body}");
    let (status, _) = status_in(&h, "  ", fixtures::PROJECT_TWO_SERVER).await;
    assert_eq!(status, 502, "not visible in the configured project");
    assert_eq!(requests_in(&h, PROJECT_ID), 2);
    assert_eq!(requests_in(&h, PROJECT_TWO_ID), 0);
    assert_eq!(h.stub.world().logins, 1);
}
