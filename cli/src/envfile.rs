//! The variables of a systemd `EnvironmentFile=`: `KEY=VALUE` lines, `#` and `;` comments,
//! values optionally in single or double quotes, `export ` not understood (as systemd).

use std::collections::BTreeMap;
use std::path::Path;

pub fn read(path: &Path) -> Result<BTreeMap<String, String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

pub fn parse(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut vars = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .ok_or_else(|| format!("line {}: not KEY=VALUE", n + 1))?;
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("line {}: not a variable name: {key:?}", n + 1));
        }
        let value = value.trim();
        let unquoted = ['"', '\'']
            .iter()
            .find_map(|q| value.strip_prefix(*q).and_then(|v| v.strip_suffix(*q)))
            .unwrap_or(value);
        vars.insert(key.to_string(), unquoted.to_string());
    }
    Ok(vars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systemd_syntax() {
        let vars = parse("# c\n; c\nOS_CLOUD=prod\nA = \"x y\"\nB='z'\n\n").unwrap();
        assert_eq!(vars["OS_CLOUD"], "prod");
        assert_eq!(vars["A"], "x y");
        assert_eq!(vars["B"], "z");
        assert!(parse("nonsense").unwrap_err().contains("line 1"));
        assert!(parse("a b=c").is_err());
    }
}
