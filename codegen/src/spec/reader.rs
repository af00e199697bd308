//! Typed access to YAML nodes that records every problem instead of stopping at the first.

use std::path::Path;

use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::yaml::{Kind, Node, Pos};

/// The file being read and the problems found so far.
pub struct Ctx<'a> {
    pub file: &'a Path,
    pub diags: &'a mut Diagnostics,
}

impl Ctx<'_> {
    pub fn error(&mut self, code: Code, pos: Pos, message: impl Into<String>, help: &str) {
        let mut d = Diagnostic::error(code, self.file, pos, message);
        if !help.is_empty() {
            d = d.with_help(help);
        }
        self.diags.push(d);
    }

    pub fn wrong_type(&mut self, node: &Node, what: &str, expected: &str) {
        self.error(
            Code::WrongType,
            node.pos,
            format!("`{what}` must be {expected}, found {}", node.type_name()),
            &format!("write `{what}` as {expected}"),
        );
    }

    pub fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            Kind::Str(s) => Some(s.clone()),
            _ => {
                self.wrong_type(node, what, "a string");
                None
            }
        }
    }

    pub fn bool(&mut self, node: &Node, what: &str) -> Option<bool> {
        match node.kind {
            Kind::Bool(b) => Some(b),
            _ => {
                self.wrong_type(node, what, "`true` or `false`");
                None
            }
        }
    }

    pub fn seq<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Node] {
        match &node.kind {
            Kind::Seq(items) => items,
            _ => {
                self.wrong_type(node, what, "a list");
                &[]
            }
        }
    }

    pub fn strings(&mut self, node: &Node, what: &str) -> Vec<String> {
        self.seq(node, what)
            .iter()
            .filter_map(|n| self.string(n, what))
            .collect()
    }

    /// Converts a YAML value to JSON; mapping keys must be strings.
    pub fn json(&mut self, node: &Node, what: &str) -> Option<Value> {
        Some(match &node.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Int(i) => Value::from(*i),
            Kind::Float(f) => match serde_json::Number::from_f64(*f) {
                Some(n) => Value::Number(n),
                None => {
                    self.error(
                        Code::InvalidValue,
                        node.pos,
                        format!("`{what}` is not a finite number"),
                        "JSON, and so Mistral, cannot hold NaN or infinity",
                    );
                    return None;
                }
            },
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(self.json(item, what)?);
                }
                Value::Array(out)
            }
            Kind::Map(pairs) => {
                let mut out = serde_json::Map::new();
                for (k, v) in pairs {
                    let key = self.string(k, &format!("{what} key"))?;
                    out.insert(key, self.json(v, what)?);
                }
                Value::Object(out)
            }
        })
    }
}

/// A mapping whose keys are checked against the keys a format defines.
pub struct Fields<'n> {
    pub pos: Pos,
    what: String,
    pairs: Vec<(&'n str, &'n Node, &'n Node)>,
    taken: Vec<bool>,
}

impl<'n> Fields<'n> {
    /// Reads `node` as a mapping with string keys, reporting duplicates.
    pub fn new(ctx: &mut Ctx, node: &'n Node, what: &str) -> Option<Fields<'n>> {
        let Kind::Map(pairs) = &node.kind else {
            ctx.wrong_type(node, what, "a mapping");
            return None;
        };
        let mut out: Vec<(&'n str, &'n Node, &'n Node)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            let Kind::Str(key) = &k.kind else {
                ctx.wrong_type(k, &format!("a key of {what}"), "a string");
                continue;
            };
            if let Some((_, first, _)) = out.iter().find(|(name, _, _)| name == key) {
                ctx.error(
                    Code::DuplicateKey,
                    k.pos,
                    format!(
                        "`{key}` appears twice in {what} (first at line {})",
                        first.pos.line
                    ),
                    "remove one of them; YAML keeps only the last",
                );
                continue;
            }
            out.push((key, k, v));
        }
        // A block mapping's start mark lies after its first key; the first key is where a
        // reader looks for "this mapping".
        Some(Fields {
            pos: pairs.first().map_or(node.pos, |(k, _)| k.pos),
            what: what.to_string(),
            taken: vec![false; out.len()],
            pairs: out,
        })
    }

    /// The top-level mapping of a spec file; an empty file is reported with `fill` as help.
    pub fn of_file(ctx: &mut Ctx, root: &'n Node, what: &str, fill: &str) -> Option<Fields<'n>> {
        if root.kind == Kind::Null {
            ctx.error(Code::MissingKey, root.pos, "the file is empty", fill);
            return None;
        }
        Fields::new(ctx, root, what)
    }

    pub fn get(&mut self, key: &str) -> Option<&'n Node> {
        let i = self.pairs.iter().position(|(k, _, _)| *k == key)?;
        self.taken[i] = true;
        Some(self.pairs[i].2)
    }

    pub fn require(&mut self, ctx: &mut Ctx, key: &str) -> Option<&'n Node> {
        let found = self.get(key);
        if found.is_none() {
            ctx.error(
                Code::MissingKey,
                self.pos,
                format!("{} has no `{key}`", self.what),
                &format!("add `{key}:`"),
            );
        }
        found
    }

    /// All entries, in file order, marked as used: for mappings keyed by user names.
    pub fn entries(&mut self) -> Vec<(&'n str, &'n Node, &'n Node)> {
        self.taken.iter_mut().for_each(|t| *t = true);
        self.pairs.clone()
    }

    /// Reports every key not read, suggesting the closest known one.
    pub fn finish(self, ctx: &mut Ctx, known: &[&str]) {
        for ((key, node, _), taken) in self.pairs.iter().zip(&self.taken) {
            if *taken {
                continue;
            }
            let help = match crate::suggest::closest(key, known.iter().copied()) {
                Some(k) => format!("did you mean `{k}`?"),
                None => format!("known keys: {}", known.join(", ")),
            };
            ctx.error(
                Code::UnknownKey,
                node.pos,
                format!("unknown key `{key}` in {}", self.what),
                &help,
            );
        }
    }
}
