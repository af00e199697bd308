//! prettyplease's layout for the few expressions the Rust emitter writes, without syn.
//!
//! The generated crate must read exactly as `prettyplease::unparse` prints it (the team's
//! style; `tests/rust_layout.rs` re-formats every emitted file and requires the same
//! bytes). Most of a module has a fixed layout and is written as text; only expression
//! statements break lines depending on their width. For those, this module feeds the same
//! boxes and breaks prettyplease 0.2 feeds its printer (`expr.rs`, `stmt.rs`) into a port of
//! that printer (`algorithm.rs`, Oppen's algorithm as in rustc's `pp.rs`), so the line
//! breaks come out the same, at a fraction of the cost of building, parsing and printing
//! syn trees.

use std::collections::VecDeque;

const MARGIN: isize = 89;
const INDENT: isize = 4;
const MIN_SPACE: isize = 60;
const SIZE_INFINITY: isize = 0xffff;

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
                self.word(*param);
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
                    self.word(*name);
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
                self.word(*name);
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

// ---- The printer: prettyplease's `algorithm.rs`, less its debugging aids. ----

#[derive(Clone, Copy, PartialEq)]
enum Breaks {
    Consistent,
    Inconsistent,
}

#[derive(Clone, Copy, Default)]
struct Break {
    offset: isize,
    blank_space: usize,
    pre_break: Option<char>,
    post_break: &'static str,
    no_break: Option<char>,
    if_nonempty: bool,
    never_break: bool,
}

#[derive(Clone, Copy)]
struct Begin {
    offset: isize,
    breaks: Breaks,
}

enum Token {
    String(String),
    Break(Break),
    Begin(Begin),
    End,
}

#[derive(Clone, Copy)]
enum Frame {
    Fits,
    Broken(usize, Breaks),
}

struct Entry {
    token: Token,
    size: isize,
}

struct Printer {
    out: String,
    space: isize,
    buf: VecDeque<Entry>,
    /// Absolute index of `buf[0]`.
    offset: usize,
    left_total: isize,
    right_total: isize,
    scan_stack: VecDeque<usize>,
    print_stack: Vec<Frame>,
    indent: usize,
    pending_indentation: usize,
}

impl Printer {
    /// At the start of a line indented `indent` columns, as after a hard break.
    fn new(indent: usize) -> Printer {
        Printer {
            out: String::new(),
            space: (MARGIN - indent as isize).max(MIN_SPACE),
            buf: VecDeque::new(),
            offset: 0,
            left_total: 0,
            right_total: 0,
            scan_stack: VecDeque::new(),
            print_stack: Vec::new(),
            indent,
            pending_indentation: indent,
        }
    }

    fn at(&mut self, i: usize) -> &mut Entry {
        &mut self.buf[i - self.offset]
    }

    fn push(&mut self, entry: Entry) -> usize {
        self.buf.push_back(entry);
        self.offset + self.buf.len() - 1
    }

    fn pop_first(&mut self) -> Entry {
        self.offset += 1;
        self.buf.pop_front().expect("not empty")
    }

    fn ibox(&mut self, offset: isize) {
        self.scan_begin(Begin {
            offset,
            breaks: Breaks::Inconsistent,
        });
    }

    fn cbox(&mut self, offset: isize) {
        self.scan_begin(Begin {
            offset,
            breaks: Breaks::Consistent,
        });
    }

    fn end(&mut self) {
        self.scan_end();
    }

    fn word(&mut self, s: &str) {
        self.scan_string(s.to_string());
    }

    fn brk(&mut self, offset: isize, blank_space: usize, pre: Option<char>, post: &'static str) {
        self.scan_break(Break {
            offset,
            blank_space,
            pre_break: pre,
            post_break: post,
            ..Break::default()
        });
    }

    fn zerobreak(&mut self) {
        self.brk(0, 0, None, "");
    }

    fn space(&mut self) {
        self.brk(0, 1, None, "");
    }

    fn brk_if_nonempty(&mut self) {
        self.scan_break(Break {
            blank_space: 1,
            if_nonempty: true,
            ..Break::default()
        });
    }

    fn neverbreak(&mut self) {
        self.scan_break(Break {
            never_break: true,
            ..Break::default()
        });
    }

    fn trailing_comma(&mut self, is_last: bool) {
        if is_last {
            self.brk(0, 0, Some(','), "");
        } else {
            self.word(",");
            self.space();
        }
    }

    fn offset(&mut self, offset: isize) {
        if let Some(Entry {
            token: Token::Break(b),
            ..
        }) = self.buf.back_mut()
        {
            b.offset += offset;
        }
    }

    fn eof(mut self) -> String {
        if !self.scan_stack.is_empty() {
            self.check_stack(0);
            self.advance_left();
        }
        self.out
    }

    fn scan_begin(&mut self, token: Begin) {
        if self.scan_stack.is_empty() {
            self.left_total = 1;
            self.right_total = 1;
            self.buf.clear();
        }
        let size = -self.right_total;
        let right = self.push(Entry {
            token: Token::Begin(token),
            size,
        });
        self.scan_stack.push_back(right);
    }

    fn scan_end(&mut self) {
        if self.scan_stack.is_empty() {
            self.print_end();
            return;
        }
        if let Some(Entry {
            token: Token::Break(b),
            ..
        }) = self.buf.back()
        {
            let b = *b;
            let n = self.buf.len();
            if n >= 2 && matches!(self.buf[n - 2].token, Token::Begin(_)) {
                self.buf.pop_back();
                self.buf.pop_back();
                self.scan_stack.pop_back();
                self.scan_stack.pop_back();
                self.right_total -= b.blank_space as isize;
                return;
            }
            if b.if_nonempty {
                self.buf.pop_back();
                self.scan_stack.pop_back();
                self.right_total -= b.blank_space as isize;
            }
        }
        let right = self.push(Entry {
            token: Token::End,
            size: -1,
        });
        self.scan_stack.push_back(right);
    }

    fn scan_break(&mut self, token: Break) {
        if self.scan_stack.is_empty() {
            self.left_total = 1;
            self.right_total = 1;
            self.buf.clear();
        } else {
            self.check_stack(0);
        }
        let size = -self.right_total;
        let right = self.push(Entry {
            token: Token::Break(token),
            size,
        });
        self.scan_stack.push_back(right);
        self.right_total += token.blank_space as isize;
    }

    fn scan_string(&mut self, s: String) {
        if self.scan_stack.is_empty() {
            self.print_string(&s);
        } else {
            let len = s.len() as isize;
            self.push(Entry {
                token: Token::String(s),
                size: len,
            });
            self.right_total += len;
            self.check_stream();
        }
    }

    fn end_with_max_width(&mut self, max: isize) {
        let mut depth = 1;
        for &index in self.scan_stack.iter().rev() {
            let entry = &self.buf[index - self.offset];
            match entry.token {
                Token::Begin(_) => {
                    depth -= 1;
                    if depth == 0 {
                        if entry.size < 0 && entry.size + self.right_total > max {
                            self.buf.push_back(Entry {
                                token: Token::String(String::new()),
                                size: SIZE_INFINITY,
                            });
                            self.right_total += SIZE_INFINITY;
                        }
                        break;
                    }
                }
                Token::End => depth += 1,
                Token::Break(_) => {}
                Token::String(_) => unreachable!("strings are never on the scan stack"),
            }
        }
        self.scan_end();
    }

    fn ends_with(&self, ch: char) -> bool {
        for entry in self.buf.iter().rev() {
            if let Token::String(s) = &entry.token {
                return s.ends_with(ch);
            }
        }
        self.out.ends_with(ch)
    }

    fn check_stream(&mut self) {
        while self.right_total - self.left_total > self.space {
            if self.scan_stack.front() == Some(&self.offset) {
                self.scan_stack.pop_front();
                self.buf[0].size = SIZE_INFINITY;
            }
            self.advance_left();
            if self.buf.is_empty() {
                break;
            }
        }
    }

    fn advance_left(&mut self) {
        while self.buf[0].size >= 0 {
            let left = self.pop_first();
            match left.token {
                Token::String(s) => {
                    self.left_total += left.size;
                    self.print_string(&s);
                }
                Token::Break(b) => {
                    self.left_total += b.blank_space as isize;
                    self.print_break(b, left.size);
                }
                Token::Begin(b) => self.print_begin(b, left.size),
                Token::End => self.print_end(),
            }
            if self.buf.is_empty() {
                break;
            }
        }
    }

    fn check_stack(&mut self, mut depth: usize) {
        while let Some(&index) = self.scan_stack.back() {
            let right_total = self.right_total;
            let entry = self.at(index);
            match entry.token {
                Token::Begin(_) => {
                    if depth == 0 {
                        break;
                    }
                    entry.size += right_total;
                    self.scan_stack.pop_back();
                    depth -= 1;
                }
                Token::End => {
                    entry.size = 1;
                    self.scan_stack.pop_back();
                    depth += 1;
                }
                Token::Break(_) => {
                    entry.size += right_total;
                    self.scan_stack.pop_back();
                    if depth == 0 {
                        break;
                    }
                }
                Token::String(_) => unreachable!("strings are never on the scan stack"),
            }
        }
    }

    fn print_begin(&mut self, token: Begin, size: isize) {
        if size > self.space {
            self.print_stack
                .push(Frame::Broken(self.indent, token.breaks));
            self.indent = (self.indent as isize + token.offset) as usize;
        } else {
            self.print_stack.push(Frame::Fits);
        }
    }

    fn print_end(&mut self) {
        if let Some(Frame::Broken(indent, _)) = self.print_stack.pop() {
            self.indent = indent;
        }
    }

    fn print_break(&mut self, token: Break, size: isize) {
        let top = self
            .print_stack
            .last()
            .copied()
            .unwrap_or(Frame::Broken(0, Breaks::Inconsistent));
        let fits = token.never_break
            || match top {
                Frame::Fits => true,
                Frame::Broken(_, Breaks::Consistent) => false,
                Frame::Broken(_, Breaks::Inconsistent) => size <= self.space,
            };
        if fits {
            self.pending_indentation += token.blank_space;
            self.space -= token.blank_space as isize;
            if let Some(c) = token.no_break {
                self.out.push(c);
                self.space -= c.len_utf8() as isize;
            }
        } else {
            if let Some(c) = token.pre_break {
                self.print_indent();
                self.out.push(c);
            }
            self.out.push('\n');
            let indent = self.indent as isize + token.offset;
            self.pending_indentation = indent as usize;
            self.space = (MARGIN - indent).max(MIN_SPACE);
            if !token.post_break.is_empty() {
                self.print_indent();
                self.out.push_str(token.post_break);
                self.space -= token.post_break.len() as isize;
            }
        }
    }

    fn print_string(&mut self, s: &str) {
        self.print_indent();
        self.out.push_str(s);
        self.space -= s.len() as isize;
    }

    fn print_indent(&mut self) {
        self.out
            .extend(std::iter::repeat_n(' ', self.pending_indentation));
        self.pending_indentation = 0;
    }
}
