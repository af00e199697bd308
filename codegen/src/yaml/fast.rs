//! A fast reader for the block-YAML subset specs are written in: block mappings and
//! sequences, plain and quoted one-line scalars, literal and folded block scalars, one-line
//! flow sequences and mappings of scalars, comments. It builds the same [`Node`] tree, with
//! the same positions, as the yaml-rust2 path in the parent module, and gives up (`None`)
//! on anything else: anchors, aliases, tags, complex keys, documents markers, tabs, CRs,
//! multi-line plain or quoted scalars, odd indentation, and every error. The yaml-rust2
//! path then reads the file, so errors are always its errors.
//!
//! Positions follow yaml-rust2's marks, quirks included: a block scalar is where its
//! first content line starts (not its `|`), an empty value is where the next token is.

mod scalars;

use super::{resolve_scalar, Kind, Node, Pos};

/// Longer keys trip yaml-rust2's simple-key limit (1024 characters); leave them to it.
const MAX_KEY_CHARS: usize = 1000;

/// The tree of `text`, or `None` when the text is not in the subset this reader handles.
pub fn parse(text: &str, node_budget: usize) -> Option<Node> {
    if !text.ends_with('\n') || !plain_chars(text) {
        return None;
    }
    let mut r = Reader {
        s: text.as_bytes(),
        text,
        ascii: text.is_ascii(),
        i: 0,
        line: 1,
        line_start: 0,
        line_char: 0,
        nodes: 0,
        budget: node_budget,
    };
    let col = r.next_content()?;
    let root = r.block_node(-1, col)?;
    match r.next_content() {
        None if r.i == r.s.len() => Some(root),
        _ => None,
    }
}

/// No tabs, CRs, control or odd line-break characters, byte-order marks or document
/// markers anywhere: the text is one document of spaces, newlines and printable text.
fn plain_chars(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.iter().any(|&b| (b < 0x20 && b != b'\n') || b == 0x7f) {
        return false;
    }
    if !text.is_ascii()
        && text.chars().any(|c| {
            c != '\n' && c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
        })
    {
        return false;
    }
    let marker = |at: usize| {
        let rest = &bytes[at..];
        (rest.starts_with(b"---") || rest.starts_with(b"..."))
            && matches!(rest.get(3), None | Some(b' ' | b'\n'))
    };
    !marker(0) && !memchr::memchr_iter(b'\n', bytes).any(|nl| marker(nl + 1))
}

struct Reader<'a> {
    s: &'a [u8],
    text: &'a str,
    ascii: bool,
    /// The byte the reader is at.
    i: usize,
    /// The current line (1-based), the byte it starts at and its character offset.
    line: usize,
    line_start: usize,
    line_char: usize,
    nodes: usize,
    budget: usize,
}

fn blank_or_break(b: Option<&u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\n'))
}

fn is_flow(b: u8) -> bool {
    matches!(b, b',' | b'[' | b']' | b'{' | b'}')
}

impl Reader<'_> {
    fn at(&self, i: usize) -> Option<&u8> {
        self.s.get(i)
    }

    /// The 0-based column of byte `i` of the current line.
    fn col_of(&self, i: usize) -> usize {
        if self.ascii {
            i - self.line_start
        } else {
            self.text[self.line_start..i].chars().count()
        }
    }

    fn pos(&self, i: usize) -> Pos {
        let col = self.col_of(i);
        Pos {
            line: self.line,
            col: col + 1,
            char_offset: self.line_char + col,
        }
    }

    /// Moves past the newline at byte `nl`.
    fn newline(&mut self, nl: usize) {
        self.line_char += self.col_of(nl) + 1;
        self.line += 1;
        self.line_start = nl + 1;
        self.i = nl + 1;
    }

    fn eol(&self, from: usize) -> usize {
        memchr::memchr(b'\n', &self.s[from..]).map_or(self.s.len(), |n| from + n)
    }

    fn node(&mut self, kind: Kind, pos: Pos) -> Option<Node> {
        self.nodes += 1;
        (self.nodes <= self.budget).then_some(Node { kind, pos })
    }

    /// From the start of a line, skips blank and comment lines; the column of the next
    /// content (the reader at it), or `None` at the end of the text.
    fn next_content(&mut self) -> Option<usize> {
        while self.i < self.s.len() {
            let mut j = self.i;
            while self.s[j] == b' ' {
                j += 1;
            }
            match self.s[j] {
                b'\n' => self.newline(j),
                b'#' => self.newline(self.eol(j)),
                _ => {
                    self.i = j;
                    return Some(j - self.line_start);
                }
            }
        }
        None
    }

    /// After a token: spaces, maybe a comment, then the line break.
    fn end_line(&mut self) -> Option<()> {
        let mut j = self.i;
        while self.at(j) == Some(&b' ') {
            j += 1;
        }
        match self.at(j) {
            Some(b'\n') => self.newline(j),
            Some(b'#') if j > self.i => self.newline(self.eol(j)),
            _ => return None,
        }
        Some(())
    }

    /// Where an empty value is: at the next token, or at the end of the text.
    fn empty(&mut self, next: Option<usize>) -> Option<Node> {
        let pos = match next {
            Some(_) => self.pos(self.i),
            None => Pos {
                line: self.line,
                col: 1,
                char_offset: self.line_char,
            },
        };
        self.node(Kind::Null, pos)
    }

    fn is_entry(&self, i: usize) -> bool {
        self.s[i] == b'-' && blank_or_break(self.at(i + 1))
    }

    /// A block node whose content starts at the reader, in column `col`, inside a block
    /// collection at column `parent` (-1 at the top). Leaves the reader at the next content.
    fn block_node(&mut self, parent: isize, col: usize) -> Option<Node> {
        let c = self.s[self.i];
        if self.is_entry(self.i) {
            return self.block_seq(col, false);
        }
        match c {
            b'|' | b'>' => {
                let node = self.block_scalar(parent)?;
                self.i = self.line_start;
                return Some(node);
            }
            b'[' | b'{' => {
                let node = self.flow(c)?;
                self.end_line()?;
                return Some(node);
            }
            _ => {}
        }
        let start = self.i;
        let (value, style) = self.scalar(false)?;
        if self.key_colon() {
            self.i = start;
            return self.block_map(col);
        }
        let pos = self.pos(start);
        let node = self.node(resolve_scalar(value, style, None), pos)?;
        self.end_line()?;
        Some(node)
    }

    /// After a key: optional spaces, then `:` followed by a blank or line break; the reader
    /// past the `:` when there is one.
    fn key_colon(&mut self) -> bool {
        let mut j = self.i;
        while self.at(j) == Some(&b' ') {
            j += 1;
        }
        if self.at(j) == Some(&b':') && blank_or_break(self.at(j + 1)) {
            self.i = j + 1;
            return true;
        }
        false
    }

    /// A block mapping whose first key is at the reader, in column `col`.
    fn block_map(&mut self, col: usize) -> Option<Node> {
        // yaml-rust2 marks a block mapping where the `:` of its first key is.
        let mut map_pos = None;
        let mut pairs = Vec::new();
        loop {
            let start = self.i;
            if matches!(self.s[start], b'-' | b'?' | b':') && blank_or_break(self.at(start + 1)) {
                return None;
            }
            let (key, style) = self.scalar(false)?;
            if self.col_of(self.i) - self.col_of(start) > MAX_KEY_CHARS || !self.key_colon() {
                return None;
            }
            if map_pos.is_none() {
                let colon = self.pos(self.i - 1);
                map_pos = Some(self.node(Kind::Null, colon)?.pos);
            }
            let key_pos = self.pos(start);
            let key = self.node(resolve_scalar(key, style, None), key_pos)?;
            let mut j = self.i;
            while self.s[j] == b' ' {
                j += 1;
            }
            let (value, next) = if self.s[j] == b'\n' || self.s[j] == b'#' {
                self.end_line()?;
                let next = self.next_content();
                let value = match next {
                    Some(c) if c > col => self.block_node(col as isize, c)?,
                    Some(c) if c == col && self.is_entry(self.i) => self.block_seq(col, true)?,
                    _ => self.empty(next)?,
                };
                (value, self.next_content())
            } else {
                self.i = j;
                let value = self.inline_value(col)?;
                (value, self.next_content())
            };
            pairs.push((key, value));
            match next {
                Some(c) if c == col && !self.is_entry(self.i) => {}
                Some(c) if c < col => break,
                None => break,
                _ => return None,
            }
        }
        Some(Node {
            kind: Kind::Map(pairs),
            pos: map_pos?,
        })
    }

    /// A value on the line of its key (in a mapping at column `col`).
    fn inline_value(&mut self, col: usize) -> Option<Node> {
        let c = self.s[self.i];
        match c {
            b'|' | b'>' => {
                let node = self.block_scalar(col as isize)?;
                self.i = self.line_start;
                Some(node)
            }
            b'[' | b'{' => {
                let node = self.flow(c)?;
                self.end_line()?;
                Some(node)
            }
            _ => {
                if self.is_entry(self.i) {
                    return None;
                }
                let start = self.i;
                let (value, style) = self.scalar(false)?;
                if self.key_colon() {
                    return None;
                }
                let pos = self.pos(start);
                let node = self.node(resolve_scalar(value, style, None), pos)?;
                self.end_line()?;
                Some(node)
            }
        }
    }

    /// A block sequence whose first `-` is at the reader, in column `col`; `indentless`
    /// when it is the value of a key in the same column.
    fn block_seq(&mut self, col: usize, indentless: bool) -> Option<Node> {
        // yaml-rust2 marks an indentless sequence where its first entry's token ends.
        let seq_pos = if indentless {
            self.entry_end(self.i)
        } else {
            self.pos(self.i)
        };
        self.node(Kind::Null, seq_pos)?;
        let mut items = Vec::new();
        loop {
            self.i += 1;
            let mut j = self.i;
            while self.s[j] == b' ' {
                j += 1;
            }
            let item = if self.s[j] == b'\n' || self.s[j] == b'#' {
                self.end_line()?;
                match self.next_content() {
                    Some(c) if c > col => self.block_node(col as isize, c)?,
                    Some(c) if c == col && self.is_entry(self.i) => {
                        let pos = self.entry_end(self.i);
                        self.node(Kind::Null, pos)?
                    }
                    next => self.empty(next)?,
                }
            } else {
                self.i = j;
                let c = self.col_of(j);
                self.block_node(col as isize, c)?
            };
            items.push(item);
            match self.next_content() {
                Some(c) if c == col && self.is_entry(self.i) => {}
                Some(c) if c == col && indentless => break,
                Some(c) if c < col => break,
                None => break,
                _ => return None,
            }
        }
        Some(Node {
            kind: Kind::Seq(items),
            pos: seq_pos,
        })
    }

    /// Where yaml-rust2's token for the `-` at byte `i` is: past the `-`, the spaces and
    /// any comment after it.
    fn entry_end(&self, i: usize) -> Pos {
        let mut j = i + 1;
        while self.s[j] == b' ' {
            j += 1;
        }
        if self.s[j] == b'#' {
            j = self.eol(j);
        }
        self.pos(j)
    }
}
