//! The HTTP surface: auth, input validation, listing, ids.

use serde_json::{json, Value};
use stub_openstack::fixtures;

use crate::support::{conforming, Harness, Options, TOKEN};

const ASSERT: &str = "int32bit.cinder.volumes.assert_status";

async fn post_raw(h: &Harness, auth: Option<String>, body: &'static str) -> (u16, Value) {
    let mut req = h
        .client
        .post(format!("{}/v1/actions/{ASSERT}", h.url))
        .header("content-type", "application/json")
        .body(body);
    if let Some(a) = auth {
        req = req.header("authorization", a);
    }
    let r = req.send().await.unwrap();
    conforming("POST", r).await
}

const GOOD: &str = r#"{"volume_id": "11111111-1111-4111-8111-111111111111"}"#;

#[tokio::test]
async fn a_missing_or_wrong_token_is_refused() {
    let h = Harness::start().await;
    let (status, body) = post_raw(&h, None, GOOD).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["kind"], "unauthorized");
    let (status, _) = post_raw(&h, Some("Bearer not-the-token".into()), GOOD).await;
    assert_eq!(status, 401);
    // A prefix of the right token is still wrong.
    let (status, _) = post_raw(&h, Some(format!("Bearer {}", &TOKEN[..8])), GOOD).await;
    assert_eq!(status, 401);
    let (status, _) = post_raw(&h, Some(format!("Basic {TOKEN}")), GOOD).await;
    assert_eq!(status, 401);
    let (status, body) = post_raw(&h, Some(format!("Bearer {TOKEN}")), GOOD).await;
    assert_eq!((status, &body["result"]), (200, &json!(true)), "{body}");
    // Listing needs the token too; health does not.
    let r = h
        .client
        .get(format!("{}/v1/actions", h.url))
        .send()
        .await
        .unwrap();
    assert_eq!(conforming("GET", r).await.0, 401);
    let r = h
        .client
        .get(format!("{}/healthz", h.url))
        .send()
        .await
        .unwrap();
    assert_eq!(conforming("GET", r).await.0, 200);
}

#[tokio::test]
async fn without_a_token_only_when_configured_so() {
    let h = Harness::with(Options {
        token: None,
        ..Options::default()
    })
    .await;
    let (status, body) = post_raw(&h, None, GOOD).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn bad_input_is_400_naming_the_input() {
    let h = Harness::start().await;
    let auth = || Some(format!("Bearer {TOKEN}"));
    let (status, body) = post_raw(&h, auth(), "{not json").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["kind"], "bad_input");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not JSON"),
        "{body}"
    );

    let (status, body) = post_raw(&h, auth(), "[1, 2]").await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("JSON object"),
        "{body}"
    );

    let m = h
        .fails(
            ASSERT,
            json!({"volume_id": fixtures::VOLUME, "colour": "red"}),
            400,
        )
        .await;
    assert!(m.contains("unknown field `colour`"), "{m}");
    let m = h.fails(ASSERT, json!({"status": "available"}), 400).await;
    assert!(m.contains("missing field `volume_id`"), "{m}");
    let m = h
        .fails(
            ASSERT,
            json!({"volume_id": fixtures::VOLUME, "status": 3}),
            400,
        )
        .await;
    // The input's name, the type it expects, the JSON type it got; never the value, as
    // the message is logged too.
    assert_eq!(m, "input `status`: expected a string, got a number");
    let m = h
        .fails(ASSERT, json!({"volume_id": "not-a-uuid"}), 400)
        .await;
    assert_eq!(
        m,
        "input `volume_id`: expected a UUID (8-4-4-4-12 hex digits)"
    );
    let m = h
        .fails(
            "int32bit.nova.servers.assert_power_status",
            json!({"server_id": fixtures::SERVER, "status": "flying"}),
            400,
        )
        .await;
    assert!(
        m.starts_with("input `status`: expected one of `nostate`, `running`"),
        "{m}"
    );
    assert!(!m.contains("flying"), "{m}");
    // Nothing reached OpenStack.
    assert_eq!(h.stub.world().service_requests, 0);
}

#[tokio::test]
async fn unknown_actions_are_404() {
    let h = Harness::start().await;
    let (status, body) = h.call("int32bit.nope", json!({})).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["kind"], "unknown_action");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("int32bit.nope"));
}

#[tokio::test]
async fn the_listing_shows_every_action_with_its_signature() {
    let h = Harness::start().await;
    let r = h
        .client
        .get(format!("{}/v1/actions", h.url))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    let (_, body) = conforming("GET", r).await;
    let actions = body["actions"].as_array().unwrap();
    assert_eq!(actions.len(), mistral_actions::ACTIONS.len());
    assert!(actions.len() >= 14);
    let find = |n: &str| actions.iter().find(|a| a["name"] == n).unwrap().clone();
    assert_eq!(find(ASSERT)["input"], r#"volume_id, status="available""#);
    assert_eq!(find("int32bit.system.exec")["input"], "cmd");
    let names: Vec<&str> = actions
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let h = Harness::start().await;
    let r = h
        .client
        .get(format!("{}/healthz", h.url))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "abc-123");
    let r = h
        .client
        .get(format!("{}/healthz", h.url))
        .send()
        .await
        .unwrap();
    assert!(r.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req-"));
}
