//! `generated/actions/src/`: the sources of the Rust crate the action server runs (its
//! manifest, `actions/Cargo.toml`, is not generated, so the workspace loads without
//! generated/). One module per spec file
//! with a typed input struct and a handler per action, and `ACTIONS`, the table the server
//! looks actions up in. Files are excluded from rustfmt: prettyplease's layout is the
//! checked-in one. Written as text in that layout ([`text`], [`pretty`]); built as syn
//! trees and printed with prettyplease ([`action`]) only where a line might be long
//! enough for the text writer to be unsure, and in the tests that hold the two equal.

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
use crate::output::{content_key, FileSet, Lazy};
use crate::prior::Prior;
use crate::Error;

/// The module holding `ACTIONS` (a `_` is appended if a spec file takes the name).
const TABLE_MODULE: &str = "registry";

/// Directory of the crate under `generated/`.
pub const DIR: &str = "actions";

/// `specs/actions/cinder/backups.yaml` → `cinder_backups`.
fn module_name(action: &Action) -> String {
    let file = crate::spec::slash_path(&action.origin.file);
    let rel = file.to_string_lossy();
    let rel = rel.strip_prefix("specs/actions/").unwrap_or(&rel);
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

pub fn emit(model: &Model, _prior: &Prior) -> Result<FileSet, Error> {
    let mut modules: BTreeMap<String, Vec<&Action>> = BTreeMap::new();
    for a in model.actions.iter() {
        modules.entry(module_name(a)).or_default().push(a);
    }

    let mut set = FileSet::default();
    let mut table = TABLE_MODULE.to_string();
    while modules.contains_key(&table) {
        table.push('_');
    }
    set.insert(format!("{DIR}/src/lib.rs"), lib_rs(modules.keys(), &table));

    // Each module is built and printed on its own, when output/ needs it (proc-macro2's
    // token streams cannot cross threads, so each render builds its own).
    let indices: BTreeMap<&str, usize> = model
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| (a.name.as_str(), i))
        .collect();
    let mut entries = Vec::new();
    for (module, actions) in &modules {
        let picked: Vec<usize> = actions.iter().map(|a| indices[a.name.as_str()]).collect();
        let each = &model.digests().each;
        let key = content_key(
            "rust-module",
            &picked.iter().map(|&i| &each[i]).collect::<Vec<_>>(),
        );
        let model = model.clone();
        set.insert_lazy(
            format!("{DIR}/src/{module}.rs"),
            Lazy::new(key, move |w| {
                let actions: Vec<&Action> = picked.iter().map(|&i| &model.actions[i]).collect();
                w.write_all(module_rs(&actions).as_bytes())
            }),
        );
        for a in actions {
            entries.push(Entry {
                module: module.to_string(),
                name: a.name.clone(),
                summary: a.summary().to_string(),
                input: a.signature(),
                handler: action::handler(a).to_string(),
                services: a.services().into_iter().map(str::to_string).collect(),
            });
        }
    }
    let key = content_key("rust-registry", &entries);
    set.insert_lazy(
        format!("{DIR}/src/{table}.rs"),
        Lazy::new(key, move |w| w.write_all(registry(&entries).as_bytes())),
    );
    Ok(set)
}

/// The module of one spec file's actions: written as text, or printed through syn when
/// the text writer is unsure of a line.
fn module_rs(actions: &[&Action]) -> String {
    let source = crate::spec::slash_path(&actions[0].origin.file)
        .to_string_lossy()
        .into_owned();
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
    let source = crate::spec::slash_path(&actions[0].origin.file)
        .to_string_lossy()
        .into_owned();
    let module_doc = format!(" Actions of `{source}`.");
    let mut tokens = quote! {
        #![doc = #module_doc]
        use mistral_actions_runtime as rt;
    };
    tokens.extend(actions.iter().map(|a| action::emit(a).items));
    header(&source) + &print(tokens)
}

/// One row of the action table.
#[derive(serde::Serialize)]
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
