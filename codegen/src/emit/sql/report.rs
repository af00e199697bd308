//! What `sql unregister` does to each name it is given, said by the script itself when it
//! runs: only the database knows whether a row of that name exists and whose it is (the
//! original tool printed NOT FOUND for a name it did not find).

use std::fmt::Write;

use super::literal::string;
use super::script::TABLE;
use super::statements::ours;
use crate::model::Dialect;

/// One result row per name: `removed` (our row), `left alone` (a row somebody else
/// registered), or `NOT FOUND`. psql and mysql print it; it changes nothing.
pub fn outcomes(out: &mut String, d: &Dialect, names: &[&str]) {
    if names.is_empty() {
        return;
    }
    let listed: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            if i == 0 {
                format!("SELECT {} AS name", string(d, n))
            } else {
                format!("SELECT {}", string(d, n))
            }
        })
        .collect();
    let _ = writeln!(
        out,
        "-- What happens to each name: our row is removed, anyone else's is left alone.\n\
         SELECT n.name AS action,\n       \
         CASE WHEN EXISTS (SELECT 1 FROM {TABLE} AS a WHERE a.name = n.name AND {})\n            \
         THEN {}\n            \
         WHEN EXISTS (SELECT 1 FROM {TABLE} AS a WHERE a.name = n.name)\n            \
         THEN {}\n            \
         ELSE 'NOT FOUND' END AS outcome\n  \
         FROM ({}) AS n;",
        ours(d, "a"),
        string(d, "removed"),
        string(d, "left alone: not registered by mistral-actions"),
        listed.join(" UNION ALL ")
    );
}
