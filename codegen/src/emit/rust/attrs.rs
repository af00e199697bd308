//! Attributes: doc comments and `#[name(tokens)]`, built as syn's parser would build
//! them (see [`super::syntax`]).

use proc_macro2::{Literal, Punct, Spacing, TokenStream, TokenTree};
use syn::{AttrStyle, Attribute, Expr, Meta};

use super::syntax::{ident, lit, path, string};

fn attribute(style: AttrStyle, meta: Meta) -> Attribute {
    Attribute {
        pound_token: Default::default(),
        style,
        bracket_token: Default::default(),
        meta,
    }
}

/// `#[doc = " line"]` for each line of `text` (trailing blank lines dropped), as `///`
/// comments build them.
pub fn doc(text: &str) -> impl Iterator<Item = Attribute> + '_ {
    text.trim_end().lines().map(|line| {
        let space = if line.is_empty() { "" } else { " " };
        doc_attr(AttrStyle::Outer, space, line)
    })
}

/// `#![doc = value]`
pub fn inner_doc(value: &str) -> Attribute {
    doc_attr(AttrStyle::Inner(Default::default()), "", value)
}

/// `#[doc = "<space><line>"]`
fn doc_attr(style: AttrStyle, space: &str, line: &str) -> Attribute {
    let meta = Meta::NameValue(syn::MetaNameValue {
        path: path("doc"),
        eq_token: Default::default(),
        value: doc_value(space, line),
    });
    attribute(style, meta)
}

/// A doc comment's text as a literal. prettyplease reads the text back to print it as a
/// `///` line; a raw string (`r" text"`) is neither escaped here nor unescaped there, which
/// halves the cost of a doc line. Only for text printed as a `///` line (one line, not
/// starting with `/`), where the literal's form cannot show.
fn doc_value(space: &str, line: &str) -> Expr {
    let one_line = !line.contains(['\n', '\r', '\0']);
    // `/// /…` would print as `////…`, a plain comment: prettyplease keeps the attribute.
    let slash = space.is_empty() && line.starts_with('/');
    if one_line && !slash {
        // Enough `#` that no `"` in the text closes the literal.
        let after_quotes = line.split('"').skip(1);
        let hashes = after_quotes
            .map(|after| after.len() - after.trim_start_matches('#').len() + 1)
            .max()
            .unwrap_or(0);
        let mut raw = String::with_capacity(line.len() + 4 + 2 * hashes);
        raw.push('r');
        raw.extend(std::iter::repeat_n('#', hashes));
        raw.push('"');
        raw.push_str(space);
        raw.push_str(line);
        raw.push('"');
        raw.extend(std::iter::repeat_n('#', hashes));
        if let Ok(raw) = raw.parse::<Literal>() {
            return lit(raw);
        }
    }
    string(&[space, line].concat())
}

/// `#[name(tokens)]`
pub fn attr(name: &str, tokens: TokenStream) -> Attribute {
    let meta = Meta::List(syn::MetaList {
        path: path(name),
        delimiter: syn::MacroDelimiter::Paren(Default::default()),
        tokens,
    });
    attribute(AttrStyle::Outer, meta)
}

/// `tokens` built once per thread and shared: a token stream is reference-counted, so each
/// use costs a count, not the tokens (it cannot cross threads).
macro_rules! once_per_thread {
    ($tokens:expr) => {{
        thread_local!(static TOKENS: proc_macro2::TokenStream = $tokens);
        TOKENS.with(proc_macro2::TokenStream::clone)
    }};
}
pub(super) use once_per_thread;

/// The tokens of `a::b, c` (the paths of a `derive`).
pub fn path_list<'a>(paths: impl IntoIterator<Item = &'a str>) -> TokenStream {
    let mut out = Vec::new();
    for (i, p) in paths.into_iter().enumerate() {
        if i > 0 {
            out.push(punct(',', Spacing::Alone));
        }
        for (j, seg) in p.split(':').filter(|seg| !seg.is_empty()).enumerate() {
            if j > 0 {
                out.push(punct(':', Spacing::Joint));
                out.push(punct(':', Spacing::Alone));
            }
            out.push(TokenTree::Ident(ident(seg)));
        }
    }
    out.into_iter().collect()
}

/// The tokens of `name = "value"`.
pub fn name_value(name: &str, value: &str) -> TokenStream {
    TokenStream::from_iter([
        TokenTree::Ident(ident(name)),
        punct('=', Spacing::Alone),
        TokenTree::Literal(Literal::string(value)),
    ])
}

fn punct(c: char, spacing: Spacing) -> TokenTree {
    TokenTree::Punct(Punct::new(c, spacing))
}
