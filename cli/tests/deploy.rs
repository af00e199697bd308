//! `mistral-actions plan`, `apply` and `schedules` against the real Mistral 23 of `cargo xtask ci`
//! (Keystone auth, cron triggers through trusts, the periodic task in its own process):
//! `MA_TEST_MISTRAL` names it, and every test fails, saying how to start it, without it.
//!
//! Each test builds a small spec project in a temporary directory, generates it with the
//! generator, and runs the built `mistral-actions` as an operator would (clouds.yaml of
//! the harness). Names start with the test's own prefix, so the tests run side by side in
//! one project; each cleans its names up before and after. Tests that prune (which
//! deletes everything of ours in a project) work in the second test project alone.
//! Write requests are counted by a recording proxy between the tool and Mistral.

mod deploy {
    pub mod mistral;
    pub mod proxy;
    pub mod support;

    mod changes;
    mod first_apply;
    mod ownership;
    mod scopes;
    mod trust;
    mod watch;
}
