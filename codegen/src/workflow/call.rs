//! What a task calls: the parameters an action or workflow takes.

use serde_json::Value;

use crate::model::{Action, InputType, WorkflowInput};

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub required: bool,
    /// Known for spec'd actions only; builtins and workflows are untyped.
    pub ty: Option<InputType>,
    pub enum_values: Option<Vec<Value>>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signature {
    pub params: Vec<Param>,
    /// `**kwargs`: Mistral then validates nothing (mistral/engine/actions.py skips actions
    /// whose input has `**`), so neither unknown nor missing parameters are errors.
    pub open: bool,
}

impl Signature {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    pub fn of_action(a: &Action) -> Signature {
        Signature {
            params: a
                .inputs
                .iter()
                .map(|i| Param {
                    name: i.name.clone(),
                    required: i.required(),
                    ty: Some(i.ty),
                    enum_values: i.enum_values.clone(),
                })
                .collect(),
            open: false,
        }
    }

    pub fn of_workflow(inputs: &[WorkflowInput]) -> Signature {
        Signature {
            params: inputs
                .iter()
                .map(|i| Param {
                    name: i.name.clone(),
                    required: i.default.is_none(),
                    ty: None,
                    enum_values: None,
                })
                .collect(),
            open: false,
        }
    }

    /// A Mistral input string: `url, method="GET", *args, **kwargs`.
    pub fn parse_input_string(input: &str) -> Signature {
        let mut sig = Signature::default();
        for entry in split_top_level(input) {
            let entry = entry.trim();
            if entry.is_empty() {
                continue;
            }
            if entry.starts_with("**") {
                sig.open = true;
                continue;
            }
            if entry.starts_with('*') {
                continue;
            }
            let (name, required) = match entry.split_once('=') {
                Some((name, _)) => (name.trim(), false),
                None => (entry, true),
            };
            sig.params.push(Param {
                name: name.to_string(),
                required,
                ty: None,
                enum_values: None,
            });
        }
        sig
    }
}

/// Splits at commas outside brackets and JSON strings (defaults can be lists or text).
fn split_top_level(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut in_str, mut escaped, mut start) =
        (Vec::new(), 0i32, false, false, 0);
    for (i, ch) in s.char_indices() {
        if in_str {
            match ch {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match ch {
            '"' => in_str = true,
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_signature_parses() {
        for (name, input) in crate::builtins::all() {
            let sig = Signature::parse_input_string(input);
            for p in &sig.params {
                assert!(
                    p.name.chars().all(|c| c.is_alphanumeric() || c == '_'),
                    "{name}: {input:?} gave {:?}",
                    p.name
                );
            }
        }
        let http = Signature::parse_input_string(crate::builtins::all()["std.http"]);
        assert!(http.param("url").unwrap().required && !http.param("method").unwrap().required);
        let snap =
            Signature::parse_input_string(crate::builtins::all()["cinder.volume_snapshots_create"]);
        assert!(snap.open && snap.param("obj").unwrap().required);
        assert_eq!(
            Signature::parse_input_string(r#"a, b=["x, y"], c={"k": 1}, d"#)
                .params
                .iter()
                .map(|p| (p.name.as_str(), p.required))
                .collect::<Vec<_>>(),
            [("a", true), ("b", false), ("c", false), ("d", true)]
        );
    }
}
