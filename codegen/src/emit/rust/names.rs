//! Rust names for spec names.

/// Lower snake case with every non-identifier character replaced by `_`.
pub fn snake(s: &str) -> String {
    let mut out: String = crate::emit::name_chars(s).collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `assert_power_status` → `AssertPowerStatus`; `None` when nothing usable is left.
pub fn camel(s: &str) -> Option<String> {
    let out: String = s
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            let first = cs.next().expect("non-empty").to_ascii_uppercase();
            std::iter::once(first).chain(cs).collect::<String>()
        })
        .collect();
    (!out.is_empty() && !out.starts_with(|c: char| c.is_ascii_digit())).then_some(out)
}

/// What syn refuses as an identifier (syn 2's `accept_as_ident`, the 2018+ keywords).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl", "in",
    "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// An identifier for `name` (a [`snake`] name), raw (`r#type`) when the name is a
/// keyword.
pub fn ident(name: &str) -> String {
    // `self`, `Self`, `super`, `crate` cannot be raw: suffix them instead.
    if matches!(name, "self" | "Self" | "super" | "crate" | "_") {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}
