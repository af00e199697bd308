//! prettyplease's printer (`algorithm.rs`, Oppen's algorithm as in rustc's `pp.rs`),
//! less its debugging aids: boxes, breaks and words in, lines out, breaking where
//! prettyplease breaks. Ported rather than called: prettyplease only prints syn trees.

use std::collections::VecDeque;

pub(super) const MARGIN: isize = 89;
pub(super) const INDENT: isize = 4;
const MIN_SPACE: isize = 60;
const SIZE_INFINITY: isize = 0xffff;

#[derive(Clone, Copy, PartialEq)]
enum Breaks {
    Consistent,
    Inconsistent,
}

#[derive(Clone, Copy, Default)]
pub(super) struct Break {
    pub(super) offset: isize,
    pub(super) blank_space: usize,
    pub(super) pre_break: Option<char>,
    pub(super) post_break: &'static str,
    pub(super) no_break: Option<char>,
    pub(super) if_nonempty: bool,
    pub(super) never_break: bool,
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

pub(super) struct Printer {
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
    pub(super) fn new(indent: usize) -> Printer {
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

    pub(super) fn ibox(&mut self, offset: isize) {
        self.scan_begin(Begin {
            offset,
            breaks: Breaks::Inconsistent,
        });
    }

    pub(super) fn cbox(&mut self, offset: isize) {
        self.scan_begin(Begin {
            offset,
            breaks: Breaks::Consistent,
        });
    }

    pub(super) fn end(&mut self) {
        self.scan_end();
    }

    pub(super) fn word(&mut self, s: &str) {
        self.scan_string(s.to_string());
    }

    pub(super) fn brk(
        &mut self,
        offset: isize,
        blank_space: usize,
        pre: Option<char>,
        post: &'static str,
    ) {
        self.scan_break(Break {
            offset,
            blank_space,
            pre_break: pre,
            post_break: post,
            ..Break::default()
        });
    }

    pub(super) fn zerobreak(&mut self) {
        self.brk(0, 0, None, "");
    }

    pub(super) fn space(&mut self) {
        self.brk(0, 1, None, "");
    }

    pub(super) fn brk_if_nonempty(&mut self) {
        self.scan_break(Break {
            blank_space: 1,
            if_nonempty: true,
            ..Break::default()
        });
    }

    pub(super) fn neverbreak(&mut self) {
        self.scan_break(Break {
            never_break: true,
            ..Break::default()
        });
    }

    pub(super) fn trailing_comma(&mut self, is_last: bool) {
        if is_last {
            self.brk(0, 0, Some(','), "");
        } else {
            self.word(",");
            self.space();
        }
    }

    pub(super) fn offset(&mut self, offset: isize) {
        if let Some(Entry {
            token: Token::Break(b),
            ..
        }) = self.buf.back_mut()
        {
            b.offset += offset;
        }
    }

    pub(super) fn eof(mut self) -> String {
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

    pub(super) fn scan_break(&mut self, token: Break) {
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

    pub(super) fn end_with_max_width(&mut self, max: isize) {
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

    pub(super) fn ends_with(&self, ch: char) -> bool {
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
