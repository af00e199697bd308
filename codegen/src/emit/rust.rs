//! `generated/actions/src/`: the sources of the Rust crate the action server runs (its
//! manifest, `actions/Cargo.toml`, is not generated, so the workspace loads without
//! generated/). One module per spec file with a typed input struct and a handler per
//! action, and `ACTIONS`, the table the server looks actions up in. Files are excluded
//! from rustfmt: prettyplease's layout is the checked-in one.
//!
//! One renderer: each action's items are built as syn's tree directly ([`action`],
//! [`input`], with the small constructors of [`syntax`] and [`attrs`]) and printed by
//! prettyplease; `tests.rs` holds every file to prettyplease's re-formatting of it. The
//! parts that are the same in every action are built once and reused ([`shells`]).
//!
//! Building the tree directly, not as `quote!` tokens parsed by syn (+7.3 G instructions,
//! nearly twice the cold run's CPU: syn's parser was over half of it), is what keeps the
//! cold run close to the hand-written text writer it replaced. `cargo xtask bench`'s
//! corpus (10,000 actions), cold run; instructions counted by `valgrind --tool=callgrind`:
//!
//! | cold run | text writer | syn tree → prettyplease |
//! | --- | --- | --- |
//! | instructions | 14.59 G | 15.91 G (+9%) |
//! | instructions without SHA-256 (7.44 G here, in hardware outside valgrind) | 7.15 G | 8.47 G (+18%) |
//! | user CPU, median of 10 interleaved runs at load 2.2–3.4 | 1.68 s | 1.93 s |
//! | peak RSS | 94 MB | 96 MB |
//!
//! Of the crate's rendering, prettyplease's printing is about half; building the tree
//! (identifiers, string literals, allocations) the rest. Warm and `--check` runs render
//! no Rust.

pub(crate) mod action;
mod attrs;
mod input;
mod names;
mod registry;
mod shells;
pub(crate) mod syntax;

use std::collections::BTreeMap;

use syn::Item;
use syntax::ident;

use super::DO_NOT_EDIT;
use crate::model::{Action, Model};
use crate::output::{FileSet, List, Picked};
use crate::prior::Prior;
use crate::Error;

/// The module holding `ACTIONS` (a `_` is appended if a spec file takes the name).
const TABLE_MODULE: &str = "registry";

/// Directory of the crate under `generated/`.
pub const DIR: &str = "actions";

/// `specs/actions/cinder/backups.yaml` → `cinder_backups`.
fn module_name(action: &Action) -> String {
    let rel = &action.origin.file;
    let rel = rel.strip_prefix("specs/actions/").unwrap_or(rel);
    let rel = rel
        .strip_suffix(".yaml")
        .or_else(|| rel.strip_suffix(".yml"))
        .unwrap_or(rel);
    names::snake(&rel.replace('/', "_"))
}

fn header(source: &str) -> String {
    format!("// {DO_NOT_EDIT}\n// Source: {source}\n\n")
}

/// A file of `items` after `use mistral_actions_runtime as rt;`, with the inner doc
/// comment `doc`, as prettyplease prints it (items not yet spaced).
fn print(doc: &str, items: impl IntoIterator<Item = Item>) -> String {
    let use_rt = Item::Use(syn::ItemUse {
        attrs: vec![],
        vis: syn::Visibility::Inherited,
        use_token: Default::default(),
        leading_colon: None,
        tree: syn::UseTree::Rename(syn::UseRename {
            ident: ident("mistral_actions_runtime"),
            as_token: Default::default(),
            rename: ident("rt"),
        }),
        semi_token: Default::default(),
    });
    prettyplease::unparse(&file(
        vec![attrs::inner_doc(doc)],
        std::iter::once(use_rt).chain(items).collect(),
    ))
}

fn file(attrs: Vec<syn::Attribute>, items: Vec<Item>) -> syn::File {
    syn::File {
        shebang: None,
        attrs,
        items,
    }
}

/// A blank line after each top-level item that ends in a brace (prettyplease puts items
/// back to back): after a line `}`, `];` or `use …;` when the next line is neither blank
/// nor another `use`. (Lines end in `\n` alone: the specs' strings hold no `\r`.)
fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    // Copied in runs between the few places that change, not line by line.
    let mut copied = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()) {
        let line = &text[start..end];
        start = end + 1;
        let ends_item =
            line == "}" || line == "];" || (line.starts_with("use ") && line.ends_with(';'));
        let next = &text[start..];
        if ends_item && !next.is_empty() && !next.starts_with('\n') && !next.starts_with("use ") {
            out.push_str(&text[copied..start]);
            out.push('\n');
            copied = start;
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// What the table is made of: each module's actions, in order.
#[derive(serde::Serialize)]
struct Table {
    modules: Vec<(String, Picked<Action>)>,
}

pub fn emit(model: &Model, _prior: &Prior) -> Result<FileSet, Error> {
    let mut modules: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in model.actions.iter().enumerate() {
        modules.entry(module_name(a)).or_default().push(i);
    }

    let mut set = FileSet::default();
    let mut table = TABLE_MODULE.to_string();
    while modules.contains_key(&table) {
        table.push('_');
    }
    set.insert(format!("{DIR}/src/lib.rs"), lib_rs(modules.keys(), &table));

    // Each module is built and printed on its own, when output/ needs it.
    let actions = List::of(&model.actions);
    let mut rows = Vec::new();
    for (module, picked) in modules {
        let picked = actions.pick(picked);
        set.render(
            format!("{DIR}/src/{module}.rs"),
            picked.clone(),
            |actions: &Picked<Action>, w| {
                let actions: Vec<&Action> = actions.iter().collect();
                w.write_all(module_rs(&actions).as_bytes())
            },
        );
        rows.push((module, picked));
    }
    set.render(
        format!("{DIR}/src/{table}.rs"),
        Table { modules: rows },
        |table, w| w.write_all(registry(table).as_bytes()),
    );
    Ok(set)
}

/// The module of one spec file's actions. Each action is printed on its own (prettyplease
/// starts every item on a new line, so the text is the same as the whole module's), which
/// lets the next action reuse its [`Shells`](shells::Shells).
fn module_rs(actions: &[&Action]) -> String {
    let source = &actions[0].origin.file;
    let mut text = print(&format!(" Actions of `{source}`."), []);
    let mut shells = shells::Shells::default();
    for a in actions {
        let printed = file(vec![], action::items(a, &mut shells));
        text.push_str(&prettyplease::unparse(&printed));
        shells.take_back(printed.items);
    }
    header(source) + &space_items(&text)
}

/// The table of every action, by module, in order.
fn registry(table: &Table) -> String {
    let items = registry::items(&table.modules);
    let text = print(" The table of every action, sorted by name.", items);
    header("specs/actions/") + &space_items(&text)
}

#[cfg(test)]
mod tests;

/// Written as text, not printed: rustfmt checks this file (the modules it declares are
/// skipped), so it must already be in rustfmt's layout.
fn lib_rs<'a>(modules: impl Iterator<Item = &'a String>, table: &str) -> String {
    let mut out = header("specs/actions/");
    out.push_str(
        "//! The actions the specs define: per spec file a module with each action's typed input\n\
//! and handler, and [`ACTIONS`], the table the action server looks names up in.\n\
// Doc comments are the specs' descriptions, written for people, not for clippy.\n\
#![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]\n\n",
    );
    for m in modules {
        out.push_str(&format!("#[rustfmt::skip]\npub mod {};\n", names::ident(m)));
    }
    out.push_str(&format!(
        "#[rustfmt::skip]\nmod {table};\n\npub use {table}::*;\n"
    ));
    out
}
