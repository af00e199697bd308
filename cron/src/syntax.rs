//! croniter's regular expressions, as plain matchers (no regex engine for a handful of
//! fixed shapes). Each says which expression of `croniter.py` it stands for; all run on
//! lowercased text and, like croniter's (`re.ASCII`), know only ASCII digits and letters.

/// `field_re = \S+` with `re.ASCII`: the separators are these six, not Unicode spaces.
pub(crate) fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

/// `only_int_re = ^\d+$`.
pub(crate) fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The value of ASCII digits, saturating: croniter's Python ints are unbounded, and any
/// value past `u64::MAX` is out of every range just as `u64::MAX` is.
pub(crate) fn number(digits: &str) -> u64 {
    digits.bytes().fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    })
}

pub(crate) const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
pub(crate) const WEEKDAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// `hash_expression_re = ^(h|r)(\((\d+)-(\d+)\))?(\/(\d+))?$`, its first letter.
pub(crate) fn hash_kind(expr: &str) -> Option<char> {
    let kind = expr.chars().next().filter(|c| matches!(c, 'h' | 'r'))?;
    let mut rest = &expr[1..];
    if let Some(inner) = rest.strip_prefix('(') {
        let close = inner.find(')')?;
        let (a, b) = inner[..close].split_once('-')?;
        if !is_digits(a) || !is_digits(b) {
            return None;
        }
        rest = &inner[close + 1..];
    }
    match rest.strip_prefix('/') {
        Some(divisor) if is_digits(divisor) => Some(kind),
        None if rest.is_empty() => Some(kind),
        _ => None,
    }
}

/// What `special_dow_re` takes out of a day-of-week value.
pub(crate) enum SpecialDow<'a> {
    /// `he#last`: the weekday (or weekday range) and n.
    Nth { weekday: &'a str, n: &'a str },
    /// `l<last>`: the last such weekday of the month.
    Last { weekday: &'a str },
}

/// `special_dow_re = ^(?P<pre>((?P<he>(WEEKDAY(-WEEKDAY)?)|(MONTH(-MONTH)?)|\w+)#)|l)(?P<last>\d+)$`.
/// The month names are in croniter's expression too; they fail later, as names of no
/// weekday.
pub(crate) fn special_dow(e: &str) -> Option<SpecialDow<'_>> {
    if let Some((he, n)) = e.split_once('#') {
        let name_range = |names: &[&str]| match he.split_once('-') {
            Some((a, b)) => names.contains(&a) && names.contains(&b),
            None => names.contains(&he),
        };
        let word = !he.is_empty() && he.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let he_ok = word || name_range(&WEEKDAYS) || name_range(&MONTHS);
        return (he_ok && is_digits(n)).then_some(SpecialDow::Nth { weekday: he, n });
    }
    let weekday = e.strip_prefix('l')?;
    is_digits(weekday).then_some(SpecialDow::Last { weekday })
}

/// `nearest_weekday_re = ^(?:(\d+)w|w(\d+))$`, the day's digits.
pub(crate) fn nearest_weekday(e: &str) -> Option<&str> {
    e.strip_suffix('w')
        .filter(|d| is_digits(d))
        .or_else(|| e.strip_prefix('w').filter(|d| is_digits(d)))
}

/// `step_search_re = ^([^-]+)-([^-/]+)(/(\d+))?$`: low, high and the step's digits.
pub(crate) fn step_search(t: &str) -> Option<(&str, &str, Option<&str>)> {
    let (low, rest) = t.split_once('-')?;
    if low.is_empty() || rest.contains('-') {
        return None;
    }
    let (high, step) = match rest.split_once('/') {
        Some((high, step)) if is_digits(step) => (high, Some(step)),
        Some(_) => return None,
        None => (rest, None),
    };
    (!high.is_empty()).then_some((low, high, step))
}

/// `^(.+)\/(.+)$` (greedy, so at the last `/`): the start and the step of `start/step`.
pub(crate) fn start_and_step(t: &str) -> Option<(&str, &str)> {
    let (start, step) = t.rsplit_once('/')?;
    (!start.is_empty() && !step.is_empty()).then_some((start, step))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matchers_take_what_the_expressions_take() {
        assert_eq!(hash_kind("h"), Some('h'));
        assert_eq!(hash_kind("r(0-5)/3"), Some('r'));
        assert_eq!(hash_kind("h/3"), Some('h'));
        assert_eq!(hash_kind("h(0-5"), None);
        assert_eq!(hash_kind("h(a-5)"), None);
        assert_eq!(hash_kind("hh"), None);
        assert_eq!(hash_kind("r/"), None);

        assert!(matches!(
            special_dow("mon-wed#2"),
            Some(SpecialDow::Nth {
                weekday: "mon-wed",
                n: "2"
            })
        ));
        assert!(matches!(
            special_dow("1_x#9"),
            Some(SpecialDow::Nth {
                weekday: "1_x",
                n: "9"
            })
        ));
        assert!(matches!(
            special_dow("l#5"),
            Some(SpecialDow::Nth {
                weekday: "l",
                n: "5"
            })
        ));
        assert!(matches!(
            special_dow("l5"),
            Some(SpecialDow::Last { weekday: "5" })
        ));
        assert!(special_dow("1-3#2").is_none());
        assert!(special_dow("mon-jan#2").is_none());
        assert!(special_dow("#2").is_none());
        assert!(special_dow("5l").is_none());
        assert!(special_dow("l").is_none());

        assert_eq!(nearest_weekday("15w"), Some("15"));
        assert_eq!(nearest_weekday("w15"), Some("15"));
        assert_eq!(nearest_weekday("w"), None);
        assert_eq!(nearest_weekday("lw"), None);

        assert_eq!(step_search("1-5/2"), Some(("1", "5", Some("2"))));
        assert_eq!(step_search("a/b-c"), Some(("a/b", "c", None)));
        assert_eq!(step_search("1-5/x"), None);
        assert_eq!(step_search("1-5/2/3"), None);
        assert_eq!(step_search("-5"), None);
        assert_eq!(step_search("1-"), None);
        assert_eq!(step_search("1--5"), None);

        assert_eq!(start_and_step("5/2/3"), Some(("5/2", "3")));
        assert_eq!(start_and_step("*/"), None);
        assert_eq!(number("99999999999999999999999"), u64::MAX);
    }
}
