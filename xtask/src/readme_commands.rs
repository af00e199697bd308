//! Every `cargo xtask …` (or `cargo harness …`) command line the README or `docs/` shows is one the
//! command line accepts: each is parsed by the real parser, as it is written and with its
//! synopsis spelled out (`[--format json]` with and without, `a|b` each, `<rev>`/`NAME`/`N`
//! a sample value), without running anything. Each tool's tests call [`problems`] with
//! its own parser.

use std::path::Path;

/// A command line and where the README shows it.
#[derive(Debug)]
struct Shown {
    line: usize,
    text: String,
}

/// Values for the README's placeholders.
fn sample(placeholder: &str) -> Option<&'static str> {
    Some(match placeholder.trim_end_matches('…') {
        "<rev>" => "HEAD",
        "NAME" => "int32bit.nova.servers.get_status",
        "N" => "10",
        "C" => "2",
        "M" => "3",
        "R" => "1",
        "S" => "4",
        "URL" => "http://127.0.0.1:8989/v2",
        "DIR" => "/tmp",
        _ => return None,
    })
}

/// `<tool> …` (`cargo xtask …`) in the README: lines of shell blocks (up to a comment, a
/// pipe or a redirection) and code spans elsewhere (tables escape `|` as `\|`).
fn shown(readme: &str, tool: &str) -> Vec<Shown> {
    let mut found = Vec::new();
    let mut in_shell = false;
    for (i, line) in readme.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_shell = !in_shell && trimmed.trim_start_matches('`').starts_with("sh");
            continue;
        }
        let candidates: Vec<String> = if in_shell {
            let mut cmd = trimmed;
            for cut in [" #", " | ", " < ", " > "] {
                cmd = cmd.split(cut).next().unwrap_or_default();
            }
            vec![cmd.to_string()]
        } else {
            line.split('`')
                .skip(1)
                .step_by(2)
                .map(|span| span.replace("\\|", "|"))
                .collect()
        };
        for c in candidates {
            // A bare `cargo xtask` names the tool, `cargo xtask <TAB>` shows typing: no
            // command lines.
            if c.trim() == tool || c.contains("<TAB>") {
                continue;
            }
            if let Some(at) = c.find(tool) {
                let mut text = c[at..].trim();
                // `source <(cargo xtask completions bash)`: the command inside.
                if c[..at].ends_with("<(") {
                    text = text.trim_end_matches(')');
                }
                found.push(Shown {
                    line: i + 1,
                    text: text.to_string(),
                });
            }
        }
    }
    found
}

/// The argument lists a synopsis (after the tool's name) stands for. `…` alone means
/// arguments are left out.
fn expand(synopsis: &str) -> Result<(Vec<Vec<String>>, bool), String> {
    let words: Vec<&str> = synopsis.split_whitespace().collect();
    let mut lines: Vec<Vec<String>> = vec![Vec::new()];
    let mut elided = false;
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if word == "…" {
            elided = true;
            i += 1;
            continue;
        }
        if let Some(first) = word.strip_prefix('[') {
            // An optional group, up to the word that closes it.
            let mut group = vec![first];
            while !group.last().unwrap().ends_with(']') {
                i += 1;
                group.push(words.get(i).ok_or("unclosed [")?);
            }
            let last = group.pop().unwrap().trim_end_matches(']');
            group.push(last);
            let (inner, inner_elided) = expand(&group.join(" "))?;
            elided |= inner_elided;
            let mut more = Vec::new();
            for base in &lines {
                for option in &inner {
                    more.push(base.iter().cloned().chain(option.iter().cloned()).collect());
                }
            }
            lines.extend(more);
            i += 1;
            continue;
        }
        let choices: Vec<String> = if let Some(value) = sample(word) {
            vec![value.to_string()]
        } else if (word.starts_with('<') && !word.contains('|'))
            || word.chars().all(|c| c.is_ascii_uppercase())
        {
            return Err(format!("no sample value for the placeholder {word}"));
        } else {
            word.trim_matches(|c| c == '<' || c == '>')
                .split('|')
                .map(str::to_string)
                .collect()
        };
        lines = lines
            .into_iter()
            .flat_map(|base| {
                choices.iter().map(move |c| {
                    let mut next = base.clone();
                    next.push(c.clone());
                    next
                })
            })
            .collect();
        i += 1;
    }
    Ok((lines, elided))
}

/// What a command line with arguments left out (`…`) may lack.
fn incomplete(kind: clap::error::ErrorKind) -> bool {
    use clap::error::ErrorKind::*;
    matches!(
        kind,
        MissingRequiredArgument | MissingSubcommand | DisplayHelpOnMissingArgumentOrSubcommand
    )
}

/// The documents whose command lines are checked: the README and `docs/*.md`, sorted.
fn documents(root: &Path) -> Vec<(String, String)> {
    let mut names = vec!["README.md".to_string()];
    if let Ok(entries) = std::fs::read_dir(root.join("docs")) {
        let mut docs: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .map(|n| format!("docs/{n}"))
            .collect();
        docs.sort();
        names.extend(docs);
    }
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(root.join(&name))
                .unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
            (name, text)
        })
        .collect()
}

/// What is wrong with the `<tool> …` command lines the README and `docs/` show (in `root`),
/// each parsed by `parse` (the tool's arguments, without its name); empty when all are
/// accepted. Fewer than `at_least` found is a problem too (the extraction would be broken).
pub fn problems(
    root: &Path,
    tool: &str,
    at_least: usize,
    parse: impl Fn(&[String]) -> Result<(), clap::Error>,
) -> Vec<String> {
    let shown: Vec<(String, Shown)> = documents(root)
        .into_iter()
        .flat_map(|(name, text)| {
            shown(&text, tool)
                .into_iter()
                .map(move |s| (name.clone(), s))
        })
        .collect();
    if shown.len() < at_least {
        return vec![format!(
            "only {} `{tool}` command lines found (at least {at_least} expected), is the extraction broken? {shown:#?}",
            shown.len()
        )];
    }
    let mut problems = Vec::new();
    for (file, s) in &shown {
        let synopsis = s.text.strip_prefix(tool).unwrap_or(&s.text);
        let (lines, elided) = match expand(synopsis) {
            Ok(x) => x,
            Err(e) => {
                problems.push(format!("{file}:{}: `{}`: {e}", s.line, s.text));
                continue;
            }
        };
        for args in lines {
            match parse(&args) {
                Ok(()) => {}
                Err(e) if elided && incomplete(e.kind()) => {}
                Err(e) => problems.push(format!(
                    "{file}:{}: `{}` as `{tool} {}`: {}",
                    s.line,
                    s.text,
                    args.join(" "),
                    e.render()
                )),
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synopses_are_spelled_out() {
        let (lines, elided) =
            expand("catalog-diff <rev> [--format json] [--allow-breaking]").unwrap();
        assert!(!elided);
        assert_eq!(lines.len(), 4);
        assert!(lines.contains(
            &["catalog-diff", "HEAD", "--format", "json"]
                .map(String::from)
                .to_vec()
        ));
        let (lines, elided) = expand("sql register|unregister …").unwrap();
        assert!(elided);
        assert_eq!(
            lines,
            [["sql", "register"], ["sql", "unregister"]].map(|l| l.map(String::from).to_vec())
        );
        assert!(expand("frob WIDGET").is_err());
    }
}
