//! The actions a stock Mistral 23.0.0 + mistral-extra 17.0.0 knows
//! (`fixtures/mistral/builtin-actions.tsv`, read off a real installation).

use std::collections::BTreeMap;
use std::sync::OnceLock;

const TSV: &str = include_str!("../fixtures/mistral/builtin-actions.tsv");

/// Builtin action name → its Mistral input string.
pub fn all() -> &'static BTreeMap<&'static str, &'static str> {
    static MAP: OnceLock<BTreeMap<&str, &str>> = OnceLock::new();
    MAP.get_or_init(|| {
        TSV.lines()
            .skip(1)
            .filter_map(|line| line.split_once('\t'))
            .collect()
    })
}

pub fn is_builtin(name: &str) -> bool {
    all().contains_key(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn fixture_is_complete() {
        assert_eq!(super::all().len(), 1214);
        assert_eq!(super::all()["std.http"].split(", ").next(), Some("url"));
    }
}
