//! Scalars and one-line flow collections for the fast reader: plain and quoted scalars,
//! literal and folded block scalars (yaml-rust2's algorithm), `[a, b]` and `{k: v}`.

use super::super::{resolve_scalar, Kind, Node};
use super::{blank_or_break, is_flow, Reader};
use yaml_rust2::scanner::TScalarStyle;

impl Reader<'_> {
    /// A one-line scalar at the reader, plain or quoted; the reader after it.
    pub(super) fn scalar(&mut self, flow: bool) -> Option<(String, TScalarStyle)> {
        match self.s[self.i] {
            b'\'' => self.quoted(flow).map(|v| (v, TScalarStyle::SingleQuoted)),
            b'"' => self.quoted(flow).map(|v| (v, TScalarStyle::DoubleQuoted)),
            _ => self.plain(flow).map(|v| (v, TScalarStyle::Plain)),
        }
    }

    fn plain(&mut self, flow: bool) -> Option<String> {
        let s = self.s;
        let start = self.i;
        let c = s[start];
        let special = c == b'-';
        if matches!(
            c,
            b'[' | b']'
                | b'{'
                | b'}'
                | b','
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
                | b'?'
                | b':'
                | b' '
                | b'\n'
        ) || special && (blank_or_break(s.get(start + 1)) || flow)
        {
            return None;
        }
        let ends = |j: usize| {
            let b = s[j];
            b == b'\n'
                || b == b':' && (blank_or_break(s.get(j + 1)) || flow && is_flow(s[j + 1]))
                || flow && is_flow(b)
        };
        let mut j = start;
        let mut end = start;
        loop {
            while s[j] != b' ' && !ends(j) {
                j += 1;
            }
            end = end.max(j);
            if s[j] != b' ' {
                break;
            }
            while s[j] == b' ' {
                j += 1;
            }
            if s[j] == b'#' || ends(j) {
                break;
            }
        }
        self.i = end;
        Some(self.text[start..end].to_owned())
    }

    /// A one-line quoted scalar: `''` is a quote between single quotes, `\` escapes
    /// between double quotes.
    fn quoted(&mut self, flow: bool) -> Option<String> {
        let s = self.s;
        let quote = s[self.i];
        let mut j = self.i + 1;
        let mut out = String::new();
        let mut from = j;
        loop {
            match s[j] {
                b'\n' => return None,
                b'\'' if quote == b'\'' && s[j + 1] == b'\'' => {
                    out.push_str(&self.text[from..=j]);
                    j += 2;
                    from = j;
                }
                b'\\' if quote == b'"' => {
                    out.push_str(&self.text[from..j]);
                    let (c, len) = escape(&s[j + 1..])?;
                    out.push(c);
                    j += 1 + len;
                    from = j;
                }
                c if c == quote => break,
                _ => j += 1,
            }
        }
        out.push_str(&self.text[from..j]);
        self.i = j + 1;
        self.after_quote(flow).then_some(out)
    }

    /// What may follow a closing quote on its line.
    fn after_quote(&self, flow: bool) -> bool {
        let mut j = self.i;
        while self.s[j] == b' ' {
            j += 1;
        }
        match self.s[j] {
            b'\n' | b':' => true,
            b'#' => j > self.i,
            b',' | b']' | b'}' => flow,
            _ => false,
        }
    }

    /// A one-line flow sequence or mapping of scalars, `open` at the reader.
    pub(super) fn flow(&mut self, open: u8) -> Option<Node> {
        let pos = self.pos(self.i);
        self.node(Kind::Null, pos)?;
        let close = if open == b'[' { b']' } else { b'}' };
        self.i += 1;
        self.skip_spaces();
        let mut items = Vec::new();
        let mut pairs = Vec::new();
        if self.s[self.i] != close {
            loop {
                let item = self.flow_scalar()?;
                self.skip_spaces();
                if open == b'{' {
                    if self.s[self.i] != b':' || self.at(self.i + 1) != Some(&b' ') {
                        return None;
                    }
                    self.i += 1;
                    self.skip_spaces();
                    let value = self.flow_scalar()?;
                    self.skip_spaces();
                    pairs.push((item, value));
                } else {
                    items.push(item);
                }
                match self.s[self.i] {
                    b',' => {
                        self.i += 1;
                        self.skip_spaces();
                        if self.s[self.i] == close {
                            return None;
                        }
                    }
                    c if c == close => break,
                    _ => return None,
                }
            }
        }
        self.i += 1;
        let kind = if open == b'[' {
            Kind::Seq(items)
        } else {
            Kind::Map(pairs)
        };
        Some(Node { kind, pos })
    }

    fn flow_scalar(&mut self) -> Option<Node> {
        let start = self.i;
        if matches!(
            self.s[start],
            b'[' | b'{' | b'\n' | b',' | b']' | b'}' | b':'
        ) {
            return None;
        }
        let (value, style) = self.scalar(true)?;
        let pos = self.pos(start);
        self.node(resolve_scalar(value, style, None), pos)
    }

    /// A literal or folded block scalar, its indicator at the reader, in a block collection
    /// at column `parent`: yaml-rust2's `scan_block_scalar`, for ASCII content lines. Leaves
    /// the reader on the line after it.
    pub(super) fn block_scalar(&mut self, parent: isize) -> Option<Node> {
        let s = self.s;
        let literal = s[self.i] == b'|';
        let mut j = self.i + 1;
        let (mut keep, mut strip, mut increment) = (false, false, 0);
        for _ in 0..2 {
            match s[j] {
                b'+' if !keep && !strip => keep = true,
                b'-' if !keep && !strip => strip = true,
                b'1'..=b'9' if increment == 0 => increment = usize::from(s[j] - b'0'),
                _ => break,
            }
            j += 1;
        }
        self.i = j;
        self.end_line()?;
        let mut indent = if increment > 0 {
            usize::try_from(parent.max(0)).ok()? + increment
        } else {
            0
        };
        let mut breaks = 0;
        let mut col;
        if indent == 0 {
            let mut max = 0;
            loop {
                col = self.spaces(usize::MAX);
                max = max.max(col);
                if self.at(self.i) != Some(&b'\n') {
                    break;
                }
                breaks += 1;
                self.newline(self.i);
            }
            indent = max.max(usize::try_from(parent + 1).ok()?);
        } else {
            col = self.skip_indent(indent, &mut breaks);
        }
        if self.i == s.len() || col != indent {
            return None;
        }
        let pos = self.pos(self.i);
        let mut out = String::new();
        let (mut leading_break, mut leading_blank) = (false, false);
        while col == indent && self.i < s.len() {
            let blank = s[self.i] == b' ';
            if !literal && leading_break && !leading_blank && !blank {
                push_breaks(&mut out, breaks);
                if breaks == 0 {
                    out.push(' ');
                }
            } else {
                push_breaks(&mut out, usize::from(leading_break) + breaks);
            }
            leading_blank = blank;
            let end = self.eol(self.i);
            let line = &self.text[self.i..end];
            if !line.is_ascii() {
                return None;
            }
            out.push_str(line);
            self.newline(end);
            leading_break = true;
            breaks = 0;
            col = self.skip_indent(indent, &mut breaks);
        }
        if !strip {
            push_breaks(&mut out, usize::from(leading_break));
        }
        if keep {
            push_breaks(&mut out, breaks);
        }
        let style = if literal {
            TScalarStyle::Literal
        } else {
            TScalarStyle::Folded
        };
        self.node(resolve_scalar(out, style, None), pos)
    }

    /// Up to `max` spaces from the reader; how many.
    fn spaces(&mut self, max: usize) -> usize {
        let start = self.i;
        while self.i - start < max && self.at(self.i) == Some(&b' ') {
            self.i += 1;
        }
        self.i - start
    }

    /// yaml-rust2's `skip_block_scalar_indent`: indentation up to `indent` and empty lines;
    /// the column reached.
    fn skip_indent(&mut self, indent: usize, breaks: &mut usize) -> usize {
        loop {
            let col = self.spaces(indent);
            if self.at(self.i) != Some(&b'\n') {
                return col;
            }
            *breaks += 1;
            self.newline(self.i);
        }
    }

    fn skip_spaces(&mut self) {
        while self.s[self.i] == b' ' {
            self.i += 1;
        }
    }
}

fn push_breaks(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push('\n');
    }
}

/// The character a double-quoted escape stands for, and the bytes it takes after the `\`.
fn escape(rest: &[u8]) -> Option<(char, usize)> {
    let c = match *rest.first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' | b'u' | b'U' => {
            let len = match rest[0] {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let hex = rest.get(1..=len)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
            return Some((char::from_u32(code)?, 1 + len));
        }
        _ => return None,
    };
    Some((c, 1))
}
