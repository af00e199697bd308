//! Nova servers: status and power state as real Nova reports them after real lifecycle
//! actions (FakeDriver underneath, reporting what libvirt would: see the harness).

use serde_json::json;

use crate::support::{unique, user_server, Fixtures, MISSING};

const POWER: &str = "int32bit.nova.servers.assert_power_status";
const GET_STATUS: &str = "int32bit.nova.servers.get_status";

#[tokio::test]
async fn power_states_follow_real_stop_and_pause() {
    let f = Fixtures::user();
    let s = user_server().await;
    let running = f.server(&unique("power")).await;
    let paused = f.server(&unique("power")).await;
    // The default expectation is `running`.
    assert_eq!(s.ok(POWER, json!({"server_id": running})).await, true);
    assert_eq!(
        s.ok(GET_STATUS, json!({"server_id": running})).await,
        "ACTIVE"
    );

    f.server_action(&running, json!({"os-stop": null}), "SHUTOFF")
        .await;
    assert_eq!(
        s.ok(POWER, json!({"server_id": running, "status": "shutdown"}))
            .await,
        true
    );
    assert_eq!(
        s.fails(POWER, json!({"server_id": running}), 409).await,
        "server status is 'shutdown', expect 'running'"
    );
    assert_eq!(
        s.ok(GET_STATUS, json!({"server_id": running})).await,
        "SHUTOFF"
    );

    f.server_action(&paused, json!({"pause": null}), "PAUSED")
        .await;
    assert_eq!(
        s.ok(POWER, json!({"server_id": paused, "status": "paused"}))
            .await,
        true
    );
    assert_eq!(
        s.ok(GET_STATUS, json!({"server_id": paused})).await,
        "PAUSED"
    );
}

#[tokio::test]
async fn a_server_in_error_always_fails() {
    let f = Fixtures::user();
    let s = user_server().await;
    let server = f.server(&unique("error")).await;
    // An operator's reset-state (admin only), as a failed hypervisor call leaves it.
    Fixtures::admin()
        .server_action(
            &server,
            json!({"os-resetState": {"state": "error"}}),
            "ERROR",
        )
        .await;
    assert_eq!(
        s.fails(POWER, json!({"server_id": server}), 409).await,
        "The server is in ERROR status"
    );
    assert_eq!(
        s.ok(GET_STATUS, json!({"server_id": server})).await,
        "ERROR"
    );
}

#[tokio::test]
async fn a_missing_server_is_nova_s_404() {
    let s = user_server().await;
    for action in [POWER, GET_STATUS] {
        let m = s.fails(action, json!({"server_id": MISSING}), 502).await;
        assert!(m.contains("404"), "{action}: {m}");
    }
}
