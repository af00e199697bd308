//! `generated/actions/src/`: the sources of the Rust crate the action server runs (its
//! manifest, `actions/Cargo.toml`, is not generated, so the workspace loads without
//! generated/). One module per spec file with a typed input struct and a handler per
//! action, and `ACTIONS`, the table the server looks actions up in. Files are excluded
//! from rustfmt: prettyplease's layout is the checked-in one.
//!
//! The reference renderer builds each action as `quote!` tokens, parsed by syn and printed
//! by prettyplease ([`action`]). Modules are written as text in that layout instead
//! ([`text`], with prettyplease's line breaking ported in [`pretty`] and [`printer`]),
//! falling back to the reference for a module where a line might be long enough for the
//! text writer to be unsure, or that holds an implementation kind it does not write;
//! `tests.rs` holds the two byte-equal and to prettyplease's re-formatting.
//!
//! Why two writers: the `quote!` path alone cannot hold the bench's cold run (`cargo
//! xtask bench`, 10,000 actions, target ≤ 1.5 s on 2 cores; the text writer's run takes
//! 0.86 s wall, 1.62 s CPU on a quiet machine). Measured with both renderers in one
//! binary, every module and the registry through `quote!`, each action printed on its
//! own and a module's actions spread over the cores:
//!
//! | cold run | text writer | `quote!` → syn → prettyplease |
//! | --- | --- | --- |
//! | instructions (callgrind) | 14.75 G | 22.02 G (+7.3 G) |
//! | CPU, 2 cores at load 3.6–5.6 (6 interleaved runs) | 2.6–5.1 s, median 3.0 s | 5.8–7.8 s, median 6.6 s |
//! | peak RSS | 98 MB | 129 MB |
//! | the modules alone, one thread | 0.15–0.35 s | 1.4–2.2 s (syn's parser 57%, `quote!` 22%, prettyplease 19%) |
//! | the registry alone | 0.05–0.10 s | 0.2–0.6 s |
//!
//! Scaled by the text writer's quiet run (SHA-256 counted at its hardware speed), that is
//! ≈ +1.5 s of CPU, 3.1 s in all, nearly twice the run's CPU: ≈ 1.65 s wall at the cold
//! run's parallelism (1.9 cores), over the target. Warm and `--check` runs render no Rust
//! and are the same for both.

mod action;
mod names;
mod pretty;
mod printer;
mod text;

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

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

/// Pretty-printed with prettyplease, items spaced as [`space_items`] does.
fn print(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("the emitter builds valid Rust");
    space_items(&prettyplease::unparse(&file))
}

/// A blank line after each top-level item that ends in a brace (prettyplease puts items
/// back to back).
fn space_items(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        out.push_str(line);
        out.push('\n');
        let ends_item =
            line == "}" || line == "];" || (line.starts_with("use ") && line.ends_with(';'));
        let next_starts_item = lines
            .peek()
            .is_some_and(|n| !n.is_empty() && !n.starts_with("use "));
        if ends_item && next_starts_item {
            out.push('\n');
        }
    }
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
        |table, w| w.write_all(registry(&entries(table)).as_bytes()),
    );
    Ok(set)
}

/// The rows of the action table, by module, in order.
fn entries(table: &Table) -> Vec<Entry> {
    let mut out = Vec::new();
    for (module, actions) in &table.modules {
        for a in actions.iter() {
            out.push(Entry {
                module: module.clone(),
                name: a.name.clone(),
                summary: a.summary().to_string(),
                input: a.signature(),
                handler: action::handler(a).to_string(),
                services: a.services().into_iter().map(str::to_string).collect(),
            });
        }
    }
    out
}

/// The module of one spec file's actions: written as text, or printed through syn when
/// the text writer is unsure of a line.
fn module_rs(actions: &[&Action]) -> String {
    let source = actions[0].origin.file.clone();
    let mut items = format!(
        "//! Actions of `{}`.\nuse mistral_actions_runtime as rt;\n",
        source
    );
    let written = !source.contains('\n')
        && actions
            .iter()
            .all(|a| text::action(&mut items, a).is_some());
    if written {
        header(&source) + &space_items(&items)
    } else {
        module_rs_syn(actions)
    }
}

/// [`module_rs`] through syn and prettyplease.
pub(crate) fn module_rs_syn(actions: &[&Action]) -> String {
    let source = &actions[0].origin.file;
    let module_doc = format!(" Actions of `{source}`.");
    let mut tokens = quote! {
        #![doc = #module_doc]
        use mistral_actions_runtime as rt;
    };
    tokens.extend(actions.iter().map(|a| action::emit(a).items));
    header(source) + &print(tokens)
}

/// One row of the action table.
pub(crate) struct Entry {
    pub(crate) module: String,
    pub(crate) name: String,
    pub(crate) summary: String,
    pub(crate) input: String,
    pub(crate) handler: String,
    /// [`Action::services`].
    pub(crate) services: Vec<String>,
}

/// The table of every action, by module, in order.
fn registry(entries: &[Entry]) -> String {
    let mut out = String::from(
        "//! The table of every action, sorted by name.\nuse mistral_actions_runtime as rt;\n/// Every action the specs define, sorted by name.\n",
    );
    text::registry_static(&mut out, entries);
    out.push_str("/// The action called `name`.\npub fn find(name: &str) -> Option<&'static rt::ActionDef> {\n    rt::registry::find(ACTIONS, name)\n}\n");
    header("specs/actions/") + &space_items(&out)
}

/// [`registry`] through syn and prettyplease (the tests hold the two equal).
#[cfg(test)]
pub(crate) fn registry_syn(entries: &[Entry]) -> String {
    let entries = entries.iter().map(|e| {
        let module_ident = names::ident(&e.module);
        let handler = quote::format_ident!("{}", e.handler);
        let (name, summary, input, services) = (&e.name, &e.summary, &e.input, &e.services);
        quote! {
            rt::ActionDef {
                name: #name,
                summary: #summary,
                input: #input,
                services: &[#(#services),*],
                handler: crate::#module_ident::#handler,
            }
        }
    });
    let registry = quote! {
        //! The table of every action, sorted by name.
        use mistral_actions_runtime as rt;

        /// Every action the specs define, sorted by name.
        pub static ACTIONS: &[rt::ActionDef] = &[#(#entries),*];

        /// The action called `name`.
        pub fn find(name: &str) -> Option<&'static rt::ActionDef> {
            rt::registry::find(ACTIONS, name)
        }
    };
    header("specs/actions/") + &print(registry)
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
