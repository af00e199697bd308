//! `implementation.microversions`: the API version of each service an action relies on, so
//! its requests name it (`OpenStack-API-Version`) and a cloud upgrade cannot change what
//! the action reads. A declarative action on a service that has microversions must name
//! one; the catalog shows them.

use crate::diagnostics::Code;
use crate::model::{Implementation, Microversion};
use crate::yaml::{Node, Pos};

use super::reader::{Ctx, Fields};

/// Catalog service types whose APIs take microversions (Nova, Cinder, Placement,
/// Keystone); Glance and Trove have none. The action server's runtime maps the same types
/// to the header's service names (`runtime/src/openstack/microversion.rs`); a test keeps
/// the two lists equal.
pub const SERVICES: &[&str] = &[
    "block-storage",
    "compute",
    "identity",
    "placement",
    "volume",
    "volumev3",
];

/// Reads the `microversions` mapping (absent: none), sorted by service.
pub fn parse(ctx: &mut Ctx, node: Option<&Node>) -> Vec<Microversion> {
    let Some(node) = node else {
        return Vec::new();
    };
    let Some(mut f) = Fields::new(ctx, node, "`microversions`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (service, key, value) in f.entries() {
        if !SERVICES.contains(&service) {
            ctx.error(
                Code::InvalidValue,
                key.pos,
                format!("service `{service}` takes no microversion"),
                &format!("microversions exist for: {}", SERVICES.join(", ")),
            );
            continue;
        }
        let Some(version) = ctx.string(value, "a microversion") else {
            continue;
        };
        if !is_version(&version) {
            ctx.error(
                Code::InvalidValue,
                value.pos,
                format!("`{version}` is not a microversion"),
                "write it as MAJOR.MINOR in quotes, e.g. \"2.1\" (YAML reads 2.10 as 2.1)",
            );
            continue;
        }
        out.push(Microversion {
            service: service.to_string(),
            version,
        });
    }
    out.sort_by(|a, b| a.service.cmp(&b.service));
    out
}

fn is_version(v: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    v.split_once('.')
        .is_some_and(|(major, minor)| digits(major) && digits(minor))
}

/// A declarative action calls one service; when that service has microversions, the
/// action must say which one it was written against. `declared` is the `microversions`
/// mapping as written (an entry with a bad version was reported by [`parse`] already).
pub fn check_declared(ctx: &mut Ctx, imp: &Implementation, declared: Option<&Node>, at: Pos) {
    let Some(service) = imp.service() else {
        return;
    };
    if SERVICES.contains(&service) && declared.and_then(|d| d.get(service)).is_none() {
        ctx.error(
            Code::MissingKey,
            at,
            format!("`{service}` has API microversions, and this action names none"),
            &format!(
                "add `microversions: {{{service}: \"X.Y\"}}` with the version whose answers the action reads"
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_major_dot_minor() {
        assert!(is_version("2.1") && is_version("3.71"));
        assert!(
            !is_version("2") && !is_version("2.") && !is_version("v2.1") && !is_version("2.1.0")
        );
    }
}
