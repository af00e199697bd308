//! Glance images: `filter_by` on the real image API, across pages.

use serde_json::{json, Value};

use crate::support::{env, text, unique, user_server, Fixtures};

const FILTER_BY: &str = "int32bit.glance.images.filter_by";

#[tokio::test]
async fn filter_by_reads_every_page_and_applies_every_filter() {
    let f = Fixtures::user();
    let s = user_server().await;
    // Glance lists 25 images a page unless asked otherwise (`limit_param_default`).
    let name = unique("paged");
    let mut made = Vec::new();
    for _ in 0..27 {
        let body = f
            .post(
                "image",
                "/v2/images",
                json!({"name": name, "disk_format": "raw", "container_format": "bare"}),
            )
            .await;
        made.push(text(&body["id"]));
    }
    let found = s
        .ok(FILTER_BY, json!({"name": name, "status": "queued"}))
        .await;
    let mut ids: Vec<String> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|i| text(&i["id"]))
        .collect();
    ids.sort();
    made.sort();
    assert_eq!(ids, made, "all 27 images, over two pages");

    // The seed workflow's call: `filter_by name=<image> status='active'`.
    let image = env().image_name.clone();
    let found = s
        .ok(FILTER_BY, json!({"name": image, "status": "active"}))
        .await;
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found[0]["id"], env().image_id);
    let by_id = s
        .ok(
            FILTER_BY,
            json!({"id": env().image_id, "disk_format": found[0]["disk_format"]}),
        )
        .await;
    assert_eq!(by_id.as_array().map(Vec::len), Some(1), "{by_id}");

    let m = s
        .fails(FILTER_BY, json!({"name": name, "status": "active"}), 409)
        .await;
    assert_eq!(m, format!("no images match name='{name}', status='active'"));
    assert_eq!(found[0]["status"], Value::from("active"));
}
