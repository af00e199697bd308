//! Every item of a listing, page after page, whichever way the service links its pages:
//! Glance's `next` (a path with the query in it), Cinder's and Nova's `<items>_links` and
//! Trove's `links` (`[{"rel": "next", "href": …}]`). Only the query of a next link is
//! used: it carries the marker and the filters, and the host in `href` may be one the
//! service believes it has rather than the catalog endpoint we reach it at.

use serde_json::Value;

use super::request::Scoped;
use crate::helpers::{field, missing_field};
use crate::ActionError;

/// At most this many pages are followed: a runaway `next` link must not loop forever.
const MAX_PAGES: usize = 1000;

impl Scoped<'_> {
    /// GETs `path` with `query`, follows next links, and returns the items at `items` of
    /// every page, in the order the service listed them.
    pub async fn get_all(
        &self,
        service: &str,
        path: &str,
        query: &[(&str, String)],
        items: &str,
    ) -> Result<Vec<Value>, ActionError> {
        let mut found = Vec::new();
        let mut page_query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect();
        for _ in 0..MAX_PAGES {
            let borrowed: Vec<(&str, String)> = page_query
                .iter()
                .map(|(k, v)| (k.as_str(), v.clone()))
                .collect();
            let body = self.get(service, path, &borrowed).await?;
            match field(&body, items) {
                Some(Value::Array(list)) => found.extend(list.iter().cloned()),
                _ => return Err(missing_field(service, path, items)),
            }
            match next_query(&body, items) {
                // A link back to the page just read (Mistral sends one) ends the walk too.
                Some(next) if next != page_query => page_query = next,
                _ => return Ok(found),
            }
        }
        Err(ActionError::Upstream {
            log: format!("{service}: a listing still had a next page after {MAX_PAGES} pages"),
            message: format!("{service}: GET {path} still had a next page after {MAX_PAGES} pages"),
        })
    }
}

/// The query of the page after `body`, or `None` on the last page.
fn next_query(body: &Value, items: &str) -> Option<Vec<(String, String)>> {
    let href = body
        .get("next")
        .and_then(Value::as_str)
        .or_else(|| next_link(body.get(format!("{items}_links").as_str())))
        .or_else(|| next_link(body.get("links")))?;
    let base = reqwest::Url::parse("http://next.invalid/").expect("a valid base URL");
    let url = base.join(href).ok()?;
    Some(
        url.query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect(),
    )
}

fn next_link(links: Option<&Value>) -> Option<&str> {
    links?
        .as_array()?
        .iter()
        .find(|l| l.get("rel").and_then(Value::as_str) == Some("next"))?
        .get("href")?
        .as_str()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn pairs(q: &[(&str, &str)]) -> Vec<(String, String)> {
        q.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn each_convention_gives_the_next_query() {
        // Glance v2 (glance/api/v2/images.py, ImagesController.index view `next`).
        let glance = json!({"images": [], "next": "/v2/images?marker=abc&name=img%201"});
        assert_eq!(
            next_query(&glance, "images"),
            Some(pairs(&[("marker", "abc"), ("name", "img 1")]))
        );
        // Cinder (cinder/api/common.py, ViewBuilder._get_collection_links).
        let cinder = json!({"backups": [], "backups_links": [
            {"href": "http://c:8776/v3/p/backups/detail?limit=1&marker=b1&volume_id=v", "rel": "next"}
        ]});
        assert_eq!(
            next_query(&cinder, "backups"),
            Some(pairs(&[
                ("limit", "1"),
                ("marker", "b1"),
                ("volume_id", "v")
            ]))
        );
        // Trove (trove/common/pagination.py, SimplePaginatedDataView links).
        let trove = json!({"backups": [], "links": [
            {"rel": "next", "href": "https://t/v1.0/p/backups?instance_id=i&marker=20"}
        ]});
        assert_eq!(
            next_query(&trove, "backups"),
            Some(pairs(&[("instance_id", "i"), ("marker", "20")]))
        );
        assert_eq!(
            next_query(&json!({"backups": [], "links": []}), "backups"),
            None
        );
        assert_eq!(next_query(&json!({"images": []}), "images"), None);
    }
}
