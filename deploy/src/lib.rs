//! `plan` and `apply`: what a generated tree asks of a live Mistral (environments,
//! actions, workflows, cron triggers), through its REST API; `schedules`: whether the
//! cron triggers apply made really fire.
//!
//! - [`tree`] reads the generated tree, typed; [`secrets`] reads the values environments
//!   take when applying (never shown);
//! - [`mistral`] is the one Mistral client of the operator CLI (login, catalog, lists,
//!   writes); [`listed`] types what it lists and tells ours by our marks;
//! - [`plan`] is a pure function of the three: ordered steps with their diffs, conflicts
//!   with others' resources, what is kept or blocked;
//! - [`apply`] runs a plan's steps and reports; [`command`] is `plan` and `apply` as the
//!   CLI runs them (options, output, exit codes);
//! - [`schedules`] watches our cron triggers: each slot croniter expects, the execution
//!   that fire started or `MISSED`.

pub mod apply;
pub mod command;
mod error;
pub mod listed;
pub mod mistral;
pub mod plan;
mod progress;
pub mod schedules;
pub mod secrets;
pub mod tree;

pub use command::{run_apply, run_plan, Actions, DeployArgs, LoginArgs};
pub use error::Error;
pub use schedules::{run_schedules, SchedulesArgs};
