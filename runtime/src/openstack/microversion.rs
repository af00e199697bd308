//! API microversions: each action names the version of each service's API it relies on,
//! and every request to that service says so, so a cloud upgrade cannot change the answers
//! the action reads.

/// `(service type as in the catalog, version)` pairs an action relies on.
pub type Microversions = &'static [(&'static str, &'static str)];

/// The `OpenStack-API-Version` value for a request to `service` (a catalog type or one of
/// its aliases), or `None` when the action names no version for it. The header names the
/// service by its API name (`volume` for Cinder's `volumev3`/`block-storage`).
pub fn header(microversions: Microversions, service: &str) -> Option<String> {
    let api = api_name(service)?;
    microversions
        .iter()
        .find(|(s, _)| api_name(s) == Some(api))
        .map(|(_, version)| format!("{api} {version}"))
}

/// The services that take microversions, by the name their `OpenStack-API-Version` header
/// uses; Glance and Trove have none.
pub fn api_name(service: &str) -> Option<&'static str> {
    match service {
        "compute" => Some("compute"),
        "volumev3" | "block-storage" | "volume" => Some("volume"),
        "placement" => Some("placement"),
        "identity" => Some("identity"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_share_the_header() {
        let m: Microversions = &[("volumev3", "3.0"), ("compute", "2.1")];
        assert_eq!(header(m, "block-storage").as_deref(), Some("volume 3.0"));
        assert_eq!(header(m, "compute").as_deref(), Some("compute 2.1"));
        assert_eq!(header(m, "image"), None);
        assert_eq!(header(&[], "compute"), None);
    }
}
