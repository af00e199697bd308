//! The action server against a stub OpenStack on loopback: every seed action, its
//! failures, and the HTTP surface.

mod binary;
mod chains;
mod config;
mod exec;
mod http;
mod openstack;
#[path = "../common/binary.rs"]
mod process;
mod projects;
mod reach;
mod rotation;
mod support;
mod tls;
