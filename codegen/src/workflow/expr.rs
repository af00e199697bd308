//! Expressions inside workflow strings: `<% YAQL %>`, `{{ Jinja }}`, `{% Jinja %}`.

/// One expression found in a string: its kind and the character range of its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr {
    pub jinja: bool,
    /// Character offsets of the text between the delimiters.
    pub start: usize,
    pub end: usize,
}

/// A delimiter problem at a character offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unbalanced {
    pub offset: usize,
    pub message: String,
}

const PAIRS: [(&str, &str, bool); 3] =
    [("<%", "%>", false), ("{{", "}}", true), ("{%", "%}", true)];

/// Whether the two-character ASCII delimiter `s` starts at `c[i]`.
fn at(c: &[char], i: usize, s: &str) -> bool {
    let d = s.as_bytes();
    i + 2 <= c.len() && c[i] == char::from(d[0]) && c[i + 1] == char::from(d[1])
}

/// Every delimiter holds one of these; a string without them holds no expression.
fn may_hold_delimiters(s: &str) -> bool {
    s.bytes().any(|b| matches!(b, b'%' | b'{' | b'}'))
}

/// Splits `s` into expressions, reporting openers never closed and closers never opened.
pub fn scan(s: &str) -> (Vec<Expr>, Vec<Unbalanced>) {
    debug_assert!(PAIRS
        .iter()
        .all(|(o, c, _)| o.len() == 2 && c.len() == 2 && o.is_ascii() && c.is_ascii()));
    if !may_hold_delimiters(s) {
        return (Vec::new(), Vec::new());
    }
    let c: Vec<char> = s.chars().collect();
    let (mut exprs, mut problems) = (Vec::new(), Vec::new());
    let mut i = 0;
    while i < c.len() {
        if let Some(&(open, close, jinja)) = PAIRS.iter().find(|(o, _, _)| at(&c, i, o)) {
            let body = i + 2;
            let closed = (body..c.len()).find(|&j| at(&c, j, close));
            // A second opener of the same kind before the closer is a missing closer.
            let reopened = (body..closed.unwrap_or(c.len())).find(|&j| at(&c, j, open));
            match (closed, reopened) {
                (Some(end), None) => {
                    exprs.push(Expr {
                        jinja,
                        start: body,
                        end,
                    });
                    i = end + 2;
                    continue;
                }
                _ => {
                    problems.push(Unbalanced {
                        offset: i,
                        message: format!("`{open}` is never closed with `{close}`"),
                    });
                    i = reopened.unwrap_or(c.len());
                    continue;
                }
            }
        }
        if let Some(&(open, close, _)) = PAIRS.iter().find(|(_, cl, _)| at(&c, i, cl)) {
            // `}}` closing a Jinja dict literal outside an expression is rare enough to flag.
            problems.push(Unbalanced {
                offset: i,
                message: format!("`{close}` closes no `{open}`"),
            });
            i += 2;
            continue;
        }
        i += 1;
    }
    (exprs, problems)
}

/// `$.name` (YAQL) and `_.name` (Jinja) context references in the expressions of `s`, with
/// the offset of `$`/`_`. References inside the arguments of a method call
/// (`$.list.select($.id)`) are skipped: there `$` is the lambda's item, not the context.
pub fn context_refs(s: &str) -> Vec<(usize, String)> {
    let (exprs, _) = scan(s);
    if exprs.is_empty() {
        return Vec::new();
    }
    let c: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    for e in exprs {
        let sigil = if e.jinja { '_' } else { '$' };
        let mut lambda_depth: Vec<bool> = Vec::new();
        let mut quote: Option<char> = None;
        let mut i = e.start;
        while i < e.end {
            let ch = c[i];
            if let Some(q) = quote {
                if ch == q {
                    quote = None;
                }
                i += 1;
                continue;
            }
            match ch {
                '\'' | '"' => quote = Some(ch),
                '(' => lambda_depth.push(is_method_call(&c, e.start, i)),
                ')' => {
                    lambda_depth.pop();
                }
                _ if ch == sigil
                    && i + 1 < e.end
                    && c[i + 1] == '.'
                    && (i == e.start
                        || !(c[i - 1].is_alphanumeric()
                            || c[i - 1] == '_'
                            || c[i - 1] == '.'
                            || c[i - 1] == '$'))
                    && !lambda_depth.contains(&true) =>
                {
                    let name: String = c[i + 2..e.end]
                        .iter()
                        .take_while(|ch| ch.is_alphanumeric() || **ch == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push((i, name));
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    out
}

/// Whether the `(` at `paren` follows `.ident`, a YAQL method call taking lambdas.
fn is_method_call(c: &[char], start: usize, paren: usize) -> bool {
    let mut j = paren;
    while j > start && c[j - 1].is_whitespace() {
        j -= 1;
    }
    let ident_end = j;
    while j > start && (c[j - 1].is_alphanumeric() || c[j - 1] == '_') {
        j -= 1;
    }
    j < ident_end && j > start && c[j - 1] == '.'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_and_not() {
        assert!(scan("<% $.a %> and {{ _.b }}").1.is_empty());
        assert_eq!(scan("<% $.a").1[0].offset, 0);
        assert_eq!(scan("x %>").1[0].offset, 2);
        assert_eq!(scan("<% $.a <% $.b %>").1.len(), 1);
        assert_eq!(
            scan("{{ _.a ").1[0].message,
            "`{{` is never closed with `}}`"
        );
    }

    #[test]
    fn context_references() {
        let names = |s: &str| {
            context_refs(s)
                .into_iter()
                .map(|(_, n)| n)
                .collect::<Vec<_>>()
        };
        assert_eq!(names("<% $.a + len($.b) %> {{ _.c }} $.d"), ["a", "b", "c"]);
        assert_eq!(names("<% $.list.select($.id) %>"), ["list"]);
        assert_eq!(
            names("<% task(t).result.x %> <% '$.q' %>"),
            Vec::<String>::new()
        );
        assert_eq!(context_refs("a <% $.x %>")[0].0, 5);
    }
}
