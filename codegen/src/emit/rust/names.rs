//! Rust names for spec names.

use proc_macro2::{Ident, Span};

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

/// An identifier, raw (`r#type`) when the name is a keyword.
pub fn ident(name: &str) -> Ident {
    match syn::parse_str::<Ident>(name) {
        Ok(i) => i,
        // `self`, `Self`, `super`, `crate` cannot be raw: suffix them instead.
        Err(_) if matches!(name, "self" | "Self" | "super" | "crate" | "_") => {
            Ident::new(&format!("{name}_"), Span::call_site())
        }
        Err(_) => Ident::new_raw(name, Span::call_site()),
    }
}
