//! What Mistral accepts as action and input names.

use super::reader::Ctx;
use crate::diagnostics::Code;
use crate::yaml::Pos;

/// `action_definitions_v2.name` is `varchar(255)`.
pub const MAX_ACTION_NAME: usize = 255;

/// Python keywords (an input becomes a Python keyword argument inside Mistral) and the
/// YAQL words that cannot be used as `$.name` (`$.null` is not a variable).
const RESERVED: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield", "true", "false", "null", "mod",
];

pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A name segment: what may stand between two dots of an action name.
///
/// Mistral splits `action: <name> k=v` with `^[\w\.]+[^=\(\s"]*`, so a name must start
/// with a word character and hold no `=`, `(`, `"` or whitespace. We allow the portable
/// subset: ASCII letters, digits, `_` and `-`.
pub fn is_name_segment(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub fn check_action_name(ctx: &mut Ctx, name: &str, pos: Pos) {
    if let Some(bad) = name.split('.').find(|seg| !is_name_segment(seg)) {
        ctx.error(
            Code::InvalidActionName,
            pos,
            format!("action name `{name}` has an invalid part `{bad}`"),
            "each dot-separated part must start with a letter, digit or `_` and hold only ASCII letters, digits, `_` and `-`",
        );
    }
    if name.len() > MAX_ACTION_NAME {
        ctx.error(
            Code::ActionNameTooLong,
            pos,
            format!(
                "action name is {} characters long; Mistral stores at most {MAX_ACTION_NAME}",
                name.len()
            ),
            "shorten the action key or the file path it is derived from",
        );
    }
}

pub fn check_input_name(ctx: &mut Ctx, name: &str, pos: Pos) {
    if !is_identifier(name) {
        ctx.error(
            Code::InvalidInputName,
            pos,
            format!("input name `{name}` is not an identifier"),
            "use ASCII letters, digits and `_`, not starting with a digit",
        );
    } else if RESERVED.contains(&name) {
        ctx.error(
            Code::KeywordInputName,
            pos,
            format!("input name `{name}` is a Python or YAQL keyword"),
            &format!("rename it, e.g. `{name}_`"),
        );
    }
}

/// `a::b::c`, each segment an identifier.
pub fn is_rust_path(s: &str) -> bool {
    let segments: Vec<&str> = s.split("::").collect();
    segments.len() >= 2 && segments.iter().all(|seg| is_identifier(seg))
}

/// `cron_triggers_v2.name` and `environments_v2.name` are `varchar(200)`.
pub const MAX_DEPLOYMENT_NAME: usize = 200;

/// A schedule's or environment's name: stored by Mistral, used by apply in URLs and by
/// generate as a file name under generated/mistral/.
pub fn check_deployment_name(ctx: &mut Ctx, what: &str, name: &str, pos: Pos) {
    let portable = !name.is_empty()
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !portable {
        ctx.error(
            Code::InvalidDeploymentName,
            pos,
            format!("{what} name `{name}` is not usable as a Mistral name and a file name"),
            "use ASCII letters, digits, `_`, `-` and `.`, not starting with `.`",
        );
    } else if name.len() > MAX_DEPLOYMENT_NAME {
        ctx.error(
            Code::InvalidDeploymentName,
            pos,
            format!(
                "{what} name is {} characters long; Mistral stores at most {MAX_DEPLOYMENT_NAME}",
                name.len()
            ),
            "shorten the name",
        );
    } else if crate::model::is_uuid(name) {
        ctx.error(
            Code::InvalidDeploymentName,
            pos,
            format!("{what} name `{name}` looks like a UUID"),
            "Mistral looks up such names as ids: choose a name that is not a UUID",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments() {
        assert!(is_name_segment("assert_status"));
        assert!(is_name_segment("v2-beta"));
        assert!(!is_name_segment(""));
        assert!(!is_name_segment("-x"));
        assert!(!is_name_segment("a b"));
        assert!(!is_name_segment("a=b"));
    }

    #[test]
    fn rust_paths() {
        assert!(is_rust_path("cinder::create_backup"));
        assert!(!is_rust_path("create_backup"));
        assert!(!is_rust_path("a::2b"));
    }
}
