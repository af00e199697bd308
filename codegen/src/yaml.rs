//! A YAML tree whose every node knows where it came from.
//!
//! serde_yaml reports the first error and forgets positions; spec validation needs the
//! `line:col` of every value and must report all problems at once, so specs are read into
//! this tree first. Aliases are expanded here, under a node budget, so an alias bomb is an
//! error instead of an out-of-memory kill.

mod fast;
#[cfg(test)]
mod fast_tests;

use std::collections::HashMap;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position in a source file: 1-based line and column, and the character offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord, Hash)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
    pub char_offset: usize,
}

impl Pos {
    fn from_marker(m: &Marker) -> Pos {
        Pos {
            line: m.line(),
            col: m.col() + 1,
            char_offset: m.index(),
        }
    }

    /// The position of the `n`th character (0-based) of `text`.
    pub fn of_char(text: &str, n: usize) -> Pos {
        let mut pos = Pos {
            line: 1,
            col: 1,
            char_offset: 0,
        };
        for c in text.chars().take(n) {
            pos.char_offset += 1;
            if c == '\n' {
                pos.line += 1;
                pos.col = 1;
            } else {
                pos.col += 1;
            }
        }
        pos
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub pos: Pos,
}

impl Node {
    /// What this node is, in the words an error message uses.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The value of `key` when this node is a mapping holding it.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Counts this node and everything under it; the unit of the alias budget.
    fn weight(&self) -> usize {
        1 + match &self.kind {
            Kind::Seq(items) => items.iter().map(Node::weight).sum(),
            Kind::Map(pairs) => pairs.iter().map(|(k, v)| k.weight() + v.weight()).sum(),
            _ => 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum YamlError {
    Syntax { pos: Pos, message: String },
    AliasBudget { pos: Pos, budget: usize },
    MultipleDocuments { pos: Pos },
}

/// Parses one YAML document. An empty file is `Null`.
/// `node_budget` bounds the number of nodes after alias expansion.
///
/// Specs in the block-YAML subset [`fast`] reads (nearly all of them) are read by it; the
/// rest, and every error, by yaml-rust2. Both give the same tree and positions.
pub fn parse(text: &str, node_budget: usize) -> Result<Node, YamlError> {
    match fast::parse(text, node_budget) {
        Some(node) => Ok(node),
        None => parse_events(text, node_budget),
    }
}

/// [`parse`] through yaml-rust2's parser events.
fn parse_events(text: &str, node_budget: usize) -> Result<Node, YamlError> {
    let mut builder = Builder {
        stack: Vec::new(),
        anchors: HashMap::new(),
        docs: Vec::new(),
        nodes: 0,
        budget: node_budget,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut builder, true) {
        return Err(YamlError::Syntax {
            pos: Pos::from_marker(e.marker()),
            message: e.info().to_string(),
        });
    }
    if let Some(e) = builder.error {
        return Err(e);
    }
    let mut docs = builder.docs.into_iter();
    let first = docs.next().unwrap_or(Node {
        kind: Kind::Null,
        pos: Pos {
            line: 1,
            col: 1,
            char_offset: 0,
        },
    });
    if let Some(second) = docs.next() {
        return Err(YamlError::MultipleDocuments { pos: second.pos });
    }
    Ok(first)
}

enum Open {
    Seq(Node, usize),
    Map(Node, usize, Option<Node>),
}

struct Builder {
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    docs: Vec<Node>,
    nodes: usize,
    budget: usize,
    error: Option<YamlError>,
}

impl Builder {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Open::Seq(seq, _)) => {
                if let Kind::Seq(items) = &mut seq.kind {
                    items.push(node);
                }
            }
            Some(Open::Map(map, _, pending_key)) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => {
                    if let Kind::Map(pairs) = &mut map.kind {
                        pairs.push((key, node));
                    }
                }
            },
        }
    }

    fn count(&mut self, n: usize, pos: Pos) -> bool {
        self.nodes += n;
        if self.nodes > self.budget {
            self.error.get_or_insert(YamlError::AliasBudget {
                pos,
                budget: self.budget,
            });
            return false;
        }
        true
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = Pos::from_marker(&mark);
        match ev {
            Event::Scalar(value, style, anchor, tag) => {
                if !self.count(1, pos) {
                    return;
                }
                let kind = resolve_scalar(value, style, tag.as_ref());
                self.push_value(Node { kind, pos }, anchor);
            }
            Event::SequenceStart(anchor, _) => {
                if self.count(1, pos) {
                    let node = Node {
                        kind: Kind::Seq(Vec::new()),
                        pos,
                    };
                    self.stack.push(Open::Seq(node, anchor));
                }
            }
            Event::MappingStart(anchor, _) => {
                if self.count(1, pos) {
                    let node = Node {
                        kind: Kind::Map(Vec::new()),
                        pos,
                    };
                    self.stack.push(Open::Map(node, anchor, None));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(Open::Seq(node, anchor) | Open::Map(node, anchor, _)) = self.stack.pop()
                {
                    self.push_value(node, anchor);
                }
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id).cloned() else {
                    self.error = Some(YamlError::Syntax {
                        pos,
                        message: "alias names no anchor defined before it".into(),
                    });
                    return;
                };
                if self.count(target.weight(), pos) {
                    // The alias keeps its own position so errors point at the use.
                    self.push_value(
                        Node {
                            kind: target.kind,
                            pos,
                        },
                        0,
                    );
                }
            }
            Event::Nothing
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd => {}
        }
    }
}

/// YAML 1.2 core schema resolution for plain scalars; quoted scalars are strings.
fn resolve_scalar(value: String, style: TScalarStyle, tag: Option<&Tag>) -> Kind {
    if let Some(tag) = tag {
        if tag.suffix == "str" {
            return Kind::Str(value);
        }
    }
    if style != TScalarStyle::Plain {
        return Kind::Str(value);
    }
    match value.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Kind::Null,
        "true" | "True" | "TRUE" => return Kind::Bool(true),
        "false" | "False" | "FALSE" => return Kind::Bool(false),
        _ => {}
    }
    if let Ok(i) = value.parse::<i64>() {
        return Kind::Int(i);
    }
    let looks_numeric = value
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
        && value.chars().any(|c| c.is_ascii_digit());
    if looks_numeric {
        if let Ok(f) = value.parse::<f64>() {
            return Kind::Float(f);
        }
    }
    Kind::Str(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based() {
        let node = parse("a:\n  b: 1\n", 100).unwrap();
        let Kind::Map(pairs) = node.kind else {
            panic!("not a map")
        };
        let Kind::Map(inner) = &pairs[0].1.kind else {
            panic!("not a map")
        };
        assert_eq!((inner[0].1.pos.line, inner[0].1.pos.col), (2, 6));
        assert_eq!(inner[0].1.kind, Kind::Int(1));
    }

    #[test]
    fn scalars_follow_the_core_schema() {
        let node = parse("[~, true, '1', 1, 1.5, yes]", 100).unwrap();
        let Kind::Seq(items) = node.kind else {
            panic!()
        };
        let kinds: Vec<_> = items.into_iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            vec![
                Kind::Null,
                Kind::Bool(true),
                Kind::Str("1".into()),
                Kind::Int(1),
                Kind::Float(1.5),
                Kind::Str("yes".into())
            ]
        );
    }

    #[test]
    fn alias_bomb_hits_the_budget() {
        let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
        match parse(bomb, 5000) {
            Err(YamlError::AliasBudget { pos, .. }) => assert_eq!(pos.line, 4),
            other => panic!("expected a budget error, got {other:?}"),
        }
    }
}
