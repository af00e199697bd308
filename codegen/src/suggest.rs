//! "Did you mean …?": the closest of some known names to a misspelt one.

/// The candidate nearest to `name` by edit distance, if near enough to be a typo: at most
/// 3 edits (a quarter of the name for long ones), and never a rewrite of the whole word.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(c, name), c))
        .filter(|(d, c)| *d <= 3.max(name.len() / 4) && *d < name.len().max(c.len()))
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn near_names_are_suggested_far_ones_not() {
        assert_eq!(
            closest("descripton", ["description", "inputs"]),
            Some("description")
        );
        assert_eq!(closest("ab", ["xy", "cd"]), None);
        assert_eq!(closest("zzzzzz", ["description"]), None);
    }
}
