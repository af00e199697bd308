//! `specs/project.yaml`: settings shared by every emitter.

use super::names;
use super::reader::{Ctx, Fields};
use crate::diagnostics::Code;
use crate::model::{Dialect, Project, SchemaGeneration, Scope};
use crate::yaml::{Kind, Node};

const KEYS: &[&str] = &[
    "prefix",
    "server_url",
    "schema_generations",
    "dialects",
    "catalog_title",
    "max_file_bytes",
    "sql_takeover",
    "version",
    "namespace",
    "scope",
];

/// Reads the project file; anything it leaves out keeps its default.
pub fn parse(ctx: &mut Ctx, root: &Node) -> Project {
    let mut project = Project::default();
    if root.kind == Kind::Null {
        return project;
    }
    let Some(mut f) = Fields::new(ctx, root, "the project file") else {
        return project;
    };
    if let Some(n) = f.get("prefix") {
        if let Some(prefix) = ctx.string(n, "prefix") {
            if !names::is_name_segment(&prefix) {
                ctx.error(
                    Code::InvalidActionName,
                    n.pos,
                    format!("prefix `{prefix}` cannot start an action name"),
                    "use ASCII letters, digits, `_` and `-`, without dots",
                );
            }
            project.prefix = prefix;
        }
    }
    if let Some(n) = f.get("server_url") {
        if let Some(url) = ctx.string(n, "server_url") {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.ends_with('/') {
                ctx.error(
                    Code::InvalidValue,
                    n.pos,
                    format!("server_url `{url}` is not an http(s) base URL"),
                    "write it as `http://host:port` or `https://host:port/prefix`, without a trailing `/`",
                );
            }
            project.server_url = url;
        }
    }
    if let Some(n) = f.get("schema_generations") {
        project.schema_generations = one_of_each(
            ctx,
            n,
            "schema_generations",
            &SchemaGeneration::ALL,
            SchemaGeneration::as_str,
        );
    }
    if let Some(n) = f.get("dialects") {
        project.dialects = one_of_each(ctx, n, "dialects", &Dialect::ALL, Dialect::as_str);
    }
    if let Some(n) = f.get("catalog_title") {
        if let Some(title) = ctx.string(n, "catalog_title") {
            project.catalog_title = title;
        }
    }
    if let Some(n) = f.get("version") {
        if let Some(version) = ctx.string(n, "version") {
            if version.trim().is_empty() || version.chars().any(char::is_whitespace) {
                ctx.error(
                    Code::InvalidValue,
                    n.pos,
                    format!("version `{version}` is empty or holds whitespace"),
                    "write a release version such as `0.2.0`",
                );
            }
            project.version = version;
        }
    }
    if let Some(n) = f.get("max_file_bytes") {
        match n.kind {
            Kind::Int(i) if i > 0 => project.max_file_bytes = i as u64,
            _ => ctx.wrong_type(n, "max_file_bytes", "a positive integer"),
        }
    }
    if let Some(n) = f.get("sql_takeover") {
        match n.kind {
            Kind::Bool(b) => project.sql_takeover = b,
            _ => ctx.wrong_type(n, "sql_takeover", "true or false"),
        }
    }
    if let Some(n) = f.get("namespace") {
        if let Some(namespace) = ctx.string(n, "namespace") {
            // `workflow_definitions_v2.namespace` is varchar(255); apply passes it in URLs.
            let fits = namespace.len() <= 255
                && namespace
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !fits {
                ctx.error(
                    Code::InvalidValue,
                    n.pos,
                    format!("namespace `{namespace}` is not a usable Mistral namespace"),
                    "use at most 255 ASCII letters, digits, `_`, `-` and `.`, or `''` for Mistral's default namespace",
                );
            }
            project.namespace = namespace;
        }
    }
    if let Some(n) = f.get("scope") {
        if let Some(word) = ctx.string(n, "scope") {
            match Scope::ALL.into_iter().find(|s| s.as_str() == word) {
                Some(scope) => project.scope = scope,
                None => ctx.error(
                    Code::InvalidValue,
                    n.pos,
                    format!("unknown scope `{word}`"),
                    "use `private` (only your project sees what apply creates) or `public` (every project; Mistral lets only admins do this)",
                ),
            }
        }
    }
    f.finish(ctx, KEYS);
    project
}

/// A non-empty list of known words, sorted and deduplicated.
fn one_of_each<T: Clone + Ord>(
    ctx: &mut Ctx,
    node: &Node,
    what: &str,
    all: &[T],
    word: fn(&T) -> &'static str,
) -> Vec<T> {
    let mut out = Vec::new();
    for item in ctx.seq(node, what) {
        let Some(s) = ctx.string(item, what) else {
            continue;
        };
        match all.iter().find(|t| word(t) == s) {
            Some(t) => out.push(t.clone()),
            None => {
                let known: Vec<_> = all.iter().map(word).collect();
                ctx.error(
                    Code::InvalidValue,
                    item.pos,
                    format!("unknown {what} entry `{s}`"),
                    &format!("use some of: {}", known.join(", ")),
                );
            }
        }
    }
    if out.is_empty() {
        ctx.error(
            Code::InvalidValue,
            node.pos,
            format!("`{what}` selects nothing"),
            "list at least one entry, or remove the key to get all of them",
        );
        return all.to_vec();
    }
    out.sort();
    out.dedup();
    out
}
