//! prettyplease's layout for the few expressions the Rust emitter writes, without syn.
//!
//! The generated crate must read exactly as `prettyplease::unparse` prints it (the team's
//! style; `emit/rust/tests.rs` re-formats every emitted file with prettyplease and
//! requires the same bytes). Most of a module has a fixed layout and is written as text;
//! only expression statements break lines depending on their width. For those, this
//! module feeds the same boxes and breaks prettyplease 0.2 feeds its printer (`expr.rs`,
//! `stmt.rs`) into a port of that printer (`algorithm.rs`, Oppen's algorithm as in rustc's
//! `pp.rs`), so the line breaks come out the same, at a fraction of the cost of building,
//! parsing and printing syn trees (see [`super`] for the figures).

use super::printer::{Break, Printer, INDENT};

/// The expressions the emitter builds (no parentheses are ever needed between them).
pub enum Expr {
    /// A path, literal or identifier: printed as one word.
    Word(String),
    Call(Box<Expr>, Vec<Expr>),
    Method(Box<Expr>, &'static str, Vec<Expr>),
    Await(Box<Expr>),
    Try(Box<Expr>),
    Ref(Box<Expr>),
    Field(Box<Expr>, String),
    Array(Vec<Expr>),
    Tuple(Vec<Expr>),
    /// `|param| body`, body not block-like.
    Closure(&'static str, Box<Expr>),
    /// `Path { field: value, … }`.
    Struct(String, Vec<(&'static str, Expr)>),
}

pub fn word(s: impl Into<String>) -> Expr {
    Expr::Word(s.into())
}

pub fn call(f: impl Into<String>, args: Vec<Expr>) -> Expr {
    Expr::Call(Box::new(word(f)), args)
}

pub fn method(receiver: Expr, name: &'static str, args: Vec<Expr>) -> Expr {
    Expr::Method(Box::new(receiver), name, args)
}

pub fn reference(e: Expr) -> Expr {
    Expr::Ref(Box::new(e))
}

pub fn field(base: Expr, name: impl Into<String>) -> Expr {
    Expr::Field(Box::new(base), name.into())
}

/// A Rust string literal as proc-macro2 writes one (`Literal::string`).
pub fn str_lit(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\0' if chars
                .as_str()
                .starts_with(|n: char| ('0'..='7').contains(&n)) =>
            {
                out.push_str("\\x00")
            }
            '\0' => out.push_str("\\0"),
            '\'' => out.push('\''),
            c => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
    out
}

/// The statement kinds the emitter writes, each printed from the start of a line at
/// `indent` columns, ending with a newline.
pub enum Stmt<'a> {
    /// `let <pattern> = <expr>;` (`prefix` is `let <pattern> = `).
    Let(&'a str, Expr),
    /// `<expr>;`
    Semi(Expr),
    /// `<expr>` ending a block.
    Tail(Expr),
}

pub fn stmt(out: &mut String, indent: usize, s: Stmt) {
    let mut p = Printer::new(indent);
    match s {
        Stmt::Let(prefix, e) => {
            p.ibox(0);
            p.word(prefix);
            p.neverbreak();
            p.expr(&e);
            p.end();
            p.word(";");
        }
        Stmt::Semi(e) => {
            p.ibox(0);
            p.expr_bol(&e, true);
            p.word(";");
            p.end();
        }
        Stmt::Tail(e) => {
            p.ibox(0);
            p.expr_bol(&e, true);
            p.end();
        }
    }
    out.push_str(&p.eof());
    out.push('\n');
}

impl Printer {
    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Word(w) => self.word(w),
            Expr::Call(f, args) => {
                self.expr_bol(f, false);
                self.call_tail(args);
            }
            Expr::Method(..) | Expr::Await(_) | Expr::Field(..) => self.chain(e, false),
            Expr::Try(inner) => {
                self.expr_bol(inner, false);
                self.word("?");
            }
            Expr::Ref(inner) => {
                self.word("&");
                self.expr(inner);
            }
            Expr::Array(items) if items.is_empty() => self.word("[]"),
            Expr::Array(items) => {
                self.word("[");
                self.cbox(INDENT);
                self.zerobreak();
                for (i, item) in items.iter().enumerate() {
                    self.expr(item);
                    self.trailing_comma(i + 1 == items.len());
                }
                self.offset(-INDENT);
                self.end();
                self.word("]");
            }
            Expr::Tuple(items) => {
                self.word("(");
                self.cbox(INDENT);
                self.zerobreak();
                for (i, item) in items.iter().enumerate() {
                    self.expr(item);
                    if items.len() == 1 {
                        self.word(",");
                        self.zerobreak();
                    } else {
                        self.trailing_comma(i + 1 == items.len());
                    }
                }
                self.offset(-INDENT);
                self.end();
                self.word(")");
            }
            Expr::Closure(param, body) => {
                self.ibox(0);
                self.cbox(INDENT);
                self.word("|");
                self.zerobreak();
                self.word(param);
                self.word("|");
                self.space();
                self.offset(-INDENT);
                self.end();
                self.neverbreak();
                // The body is no block: prettyplease may wrap it in braces when it breaks.
                self.cbox(INDENT);
                self.brk(0, 0, Some('{'), "");
                self.expr(body);
                self.brk(-INDENT, 0, None, "}");
                self.end();
                self.end();
            }
            Expr::Struct(path, fields) => {
                self.cbox(INDENT);
                self.ibox(-INDENT);
                self.word(path);
                self.end();
                self.word(" {");
                self.brk_if_nonempty();
                for (i, (name, value)) in fields.iter().enumerate() {
                    self.word(name);
                    self.word(": ");
                    self.ibox(0);
                    self.expr(value);
                    self.end();
                    if i + 1 == fields.len() {
                        self.brk(0, 1, Some(','), "");
                    } else {
                        self.word(",");
                        self.space();
                    }
                }
                self.offset(-INDENT);
                self.end_with_max_width(34);
                self.word("}");
            }
        }
    }

    /// prettyplease's `expr_beginning_of_line`.
    fn expr_bol(&mut self, e: &Expr, bol: bool) {
        match e {
            Expr::Method(..) | Expr::Await(_) | Expr::Field(..) => self.chain(e, bol),
            Expr::Try(inner) => {
                self.expr_bol(inner, bol);
                self.word("?");
            }
            _ => self.expr(e),
        }
    }

    /// A method call, field or `.await` chain in its own box (`expr_method_call` & co).
    fn chain(&mut self, e: &Expr, bol: bool) {
        self.cbox(INDENT);
        let unindent = match e {
            Expr::Method(receiver, ..) => bol && is_short_ident(receiver),
            _ => false,
        };
        self.prefix(e, bol, unindent);
        self.end();
    }

    /// prettyplease's `prefix_subexpr*`: a link of a chain.
    fn prefix(&mut self, e: &Expr, bol: bool, unindent: bool) {
        match e {
            Expr::Method(receiver, name, args) => {
                self.prefix(receiver, bol, false);
                self.dot_break(bol, receiver);
                self.word(".");
                self.word(name);
                self.cbox(if unindent { -INDENT } else { 0 });
                self.call_tail(args);
                self.end();
            }
            Expr::Await(base) => {
                self.prefix(base, bol, false);
                self.dot_break(bol, base);
                self.word(".await");
            }
            Expr::Field(base, name) => {
                self.prefix(base, bol, false);
                self.dot_break(bol, base);
                self.word(".");
                self.word(name);
            }
            Expr::Call(f, args) => {
                self.prefix(f, false, false);
                self.call_tail(args);
            }
            Expr::Try(inner) => {
                self.prefix(inner, bol, false);
                self.word("?");
            }
            _ => {
                self.cbox(-INDENT);
                self.expr(e);
                self.end();
            }
        }
    }

    fn dot_break(&mut self, bol: bool, base: &Expr) {
        if !(bol && is_short_ident(base)) {
            let no_break = self.ends_with('.').then_some(' ');
            self.scan_break(Break {
                no_break,
                ..Break::default()
            });
        }
    }

    /// `(args)`, prettyplease's `call_args`.
    fn call_tail(&mut self, args: &[Expr]) {
        self.word("(");
        match args {
            [one] if is_blocklike(one) => self.expr(one),
            _ => {
                self.cbox(INDENT);
                self.zerobreak();
                for (i, arg) in args.iter().enumerate() {
                    self.expr(arg);
                    self.trailing_comma(i + 1 == args.len());
                }
                self.offset(-INDENT);
                self.end();
            }
        }
        self.word(")");
    }
}

fn is_short_ident(e: &Expr) -> bool {
    matches!(e, Expr::Word(w) if w.len() as isize <= INDENT
        && w.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

fn is_blocklike(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Array(_) | Expr::Tuple(_) | Expr::Closure(..) | Expr::Struct(..)
    )
}
