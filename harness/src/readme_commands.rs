//! Every `cargo harness …` command line the README shows is one `cargo harness` accepts
//! (the check is xtask's, run here with this parser).

use clap::Parser;

use crate::Cli;

fn parse(args: &[String]) -> Result<(), clap::Error> {
    Cli::try_parse_from(std::iter::once("cargo harness".to_string()).chain(args.iter().cloned()))
        .map(|_| ())
}

#[test]
fn every_command_line_the_readme_shows_is_accepted() {
    let problems =
        xtask::readme_commands::problems(&crate::workspace_root(), "cargo harness", 8, parse);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
