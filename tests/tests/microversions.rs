//! The generator accepts `microversions` for exactly the services whose requests the
//! runtime gives an `OpenStack-API-Version` header.

use mistral_actions_runtime::openstack::microversion::api_name;

/// Every catalog service type the seed actions, Keystone and Placement use, and a few
/// others operators meet.
const CATALOG_TYPES: &[&str] = &[
    "block-storage",
    "compute",
    "database",
    "identity",
    "image",
    "network",
    "object-store",
    "placement",
    "volume",
    "volumev2",
    "volumev3",
];

#[test]
fn generator_and_runtime_agree_on_microversioned_services() {
    for ty in CATALOG_TYPES {
        assert_eq!(
            codegen::spec::MICROVERSION_SERVICES.contains(ty),
            api_name(ty).is_some(),
            "{ty}"
        );
    }
    for ty in codegen::spec::MICROVERSION_SERVICES {
        assert!(api_name(ty).is_some(), "{ty}");
    }
}
