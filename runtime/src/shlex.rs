//! Python's `shlex.split(s)` (POSIX mode, `whitespace_split`, no comment characters), so a
//! command line is cut into arguments exactly as the original tool's `shlex.split` cut it:
//! `echo #foo` keeps `#foo`, `'a'"b"` is one word, an escape outside quotes takes the next
//! character literally, inside double quotes only before `"` or `\`.
//!
//! A port of the state machine of `shlex.shlex.read_token` (CPython `Lib/shlex.py`) for
//! exactly that configuration; the tests compare it with real Python.

/// Why a line cannot be split; the texts are Python's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("No closing quotation")]
    NoClosingQuotation,
    #[error("No escaped character")]
    NoEscapedCharacter,
}

const WHITESPACE: [char; 4] = [' ', '\t', '\r', '\n'];

#[derive(Clone, Copy, PartialEq)]
enum State {
    /// Between words.
    Space,
    /// In a word.
    Word,
    /// In a quoted part opened by this quote.
    Quoted(char),
    /// After `\`; the state to return to.
    Escaped(Return),
}

#[derive(Clone, Copy, PartialEq)]
enum Return {
    Word,
    DoubleQuoted,
}

pub fn split(line: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut token = String::new();
    // A word that had quotes is a word even when empty (`''`).
    let mut quoted = false;
    let mut state = State::Space;
    let mut finish = |token: &mut String, quoted: &mut bool| {
        if !token.is_empty() || *quoted {
            words.push(std::mem::take(token));
        }
        *quoted = false;
    };
    for c in line.chars() {
        state = match state {
            State::Space | State::Word if WHITESPACE.contains(&c) => {
                finish(&mut token, &mut quoted);
                State::Space
            }
            State::Space | State::Word => match c {
                '\\' => State::Escaped(Return::Word),
                '\'' | '"' => {
                    quoted = true;
                    State::Quoted(c)
                }
                _ => {
                    token.push(c);
                    State::Word
                }
            },
            State::Quoted(q) if c == q => State::Word,
            State::Quoted('"') if c == '\\' => State::Escaped(Return::DoubleQuoted),
            State::Quoted(q) => {
                token.push(c);
                State::Quoted(q)
            }
            State::Escaped(back) => {
                // Within double quotes only the quote and the escape itself are escaped.
                if back == Return::DoubleQuoted && c != '"' && c != '\\' {
                    token.push('\\');
                }
                token.push(c);
                match back {
                    Return::Word => State::Word,
                    Return::DoubleQuoted => State::Quoted('"'),
                }
            }
        };
    }
    match state {
        State::Quoted(_) => Err(SplitError::NoClosingQuotation),
        State::Escaped(_) => Err(SplitError::NoEscapedCharacter),
        State::Space | State::Word => {
            finish(&mut token, &mut quoted);
            Ok(words)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_not_a_comment() {
        assert_eq!(split("echo #foo bar").unwrap(), ["echo", "#foo", "bar"]);
    }

    #[test]
    fn quotes_join_and_empty_quotes_count() {
        assert_eq!(split(r#"a'b c'"d e" '' """#).unwrap(), ["ab cd e", "", ""]);
        assert_eq!(split(r#""a\"b\\c\d""#).unwrap(), [r#"a"b\c\d"#]);
        assert_eq!(split(r"'a\b'").unwrap(), [r"a\b"]);
        assert_eq!(split(r"a\ b\\").unwrap(), [r"a b\"]);
    }

    #[test]
    fn errors_are_python_s() {
        assert_eq!(split("'open"), Err(SplitError::NoClosingQuotation));
        assert_eq!(split("trailing\\"), Err(SplitError::NoEscapedCharacter));
        assert_eq!(split("").unwrap(), Vec::<String>::new());
    }
}
