//! The oracle: python croniter 7.0.0 from the Mistral venv (`MA_MISTRAL_PYTHON`, which
//! `cargo xtask ci` sets) reads every pattern of `tests/corpus.txt` and a few hundred
//! generated ones, from every start below; ours must refuse the same patterns and find
//! the same next fires. The one chosen difference, `R`, must come out as that.

use std::io::Write;
use std::process::{Command, Stdio};

use mistral_actions_cron::{DateTime, ParseError, Pattern, Problem};
use serde_json::{json, Value};

/// Leap day and its eve, month and year ends, century years, on and off slot, and
/// sub-second parts (croniter drops them; so does [`DateTime::parse`]).
const STARTS: [&str; 13] = [
    "2024-02-28 23:59:30",
    "2024-02-29 00:00:00",
    "2023-02-28 23:59:59",
    "2024-01-31 23:59:00",
    "2023-12-31 23:59:59",
    "2024-12-31 23:59:59.999999",
    "2025-06-15 12:34:56.123456",
    "2000-02-29 12:00:00",
    "2100-02-28 23:00:00",
    "2026-03-01 00:00:00",
    "1999-12-31 23:59:59",
    "2024-09-30 02:00:00",
    "2030-01-01 00:00:00.5",
];
const FIRES: usize = 5;
const GENERATED: usize = 400;

fn hand_picked() -> Vec<String> {
    include_str!("corpus.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("corpus line {l}: {e}")))
        .collect()
}

/// splitmix64: a fixed sequence, so the generated corpus is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// One field's text: mostly valid shapes, with values a little past the bounds, names,
/// croniter's specials and some garbage.
fn field(rng: &mut Rng, index: usize) -> String {
    let (lo, hi): (i64, i64) = [
        (0, 59),
        (0, 23),
        (1, 31),
        (1, 12),
        (0, 6),
        (0, 59),
        (2020, 2060),
    ][index];
    let mut number = |rng: &mut Rng| -> String {
        let spread = (hi - lo + 3) as u64;
        let v = lo - 1 + rng.below(spread) as i64;
        match (index, rng.below(8)) {
            (3, 0) => rng.pick(&["jan", "Feb", "MAR", "jun", "dec", "sep"]).into(),
            (4, 0) => rng.pick(&["sun", "Mon", "TUE", "fri", "sat", "7"]).into(),
            _ => v.max(0).to_string(),
        }
    };
    let atom = |rng: &mut Rng, number: &mut dyn FnMut(&mut Rng) -> String| -> String {
        match rng.below(16) {
            0..=3 => number(rng),
            4..=5 => format!("{}-{}", number(rng), number(rng)),
            6 => format!("{}-{}/{}", number(rng), number(rng), 1 + rng.below(9)),
            7 => format!(
                "*/{}",
                rng.pick(&["1", "2", "3", "5", "7", "15", "25", "61", "0"])
            ),
            8 => format!("{}/{}", number(rng), 1 + rng.below(20)),
            9 => match index {
                2 => rng
                    .pick(&["L", "15W", "W1", "31W", "LW", "15-L", "?"])
                    .into(),
                4 => {
                    let w = rng.below(8);
                    match rng.below(4) {
                        0 => format!("L{w}"),
                        1 => format!("{w}L"),
                        _ => format!("{w}#{}", rng.below(7)),
                    }
                }
                _ => rng.pick(&["?", "L", "-5", "x"]).into(),
            },
            _ => "*".into(),
        }
    };
    match rng.below(10) {
        0..=5 => atom(rng, &mut number),
        6..=7 => {
            let n = 2 + rng.below(2);
            (0..n)
                .map(|_| atom(rng, &mut number))
                .collect::<Vec<_>>()
                .join(",")
        }
        _ => "*".into(),
    }
}

fn generated() -> Vec<String> {
    let mut rng = Rng(19);
    (0..GENERATED)
        .map(|_| {
            let count = match rng.below(10) {
                0..=6 => 5,
                7..=8 => 6,
                _ => 7,
            };
            (0..count)
                .map(|i| field(&mut rng, i))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// croniter's verdict on each pattern (see tests/croniter_oracle.py).
fn croniter(patterns: &[String]) -> Vec<Value> {
    let python = std::env::var_os("MA_MISTRAL_PYTHON").unwrap_or_else(|| {
        panic!(
            "MA_MISTRAL_PYTHON is not set: this test holds the cron reader to python \
             croniter 7.0.0 as Mistral 23 installs it. Run `cargo xtask ci`, which installs \
             mistral==23.0.0 into target/mistral-venv and sets it, or set it yourself: \
             MA_MISTRAL_PYTHON=target/mistral-venv/bin/python cargo test -p mistral-actions-cron"
        )
    });
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/croniter_oracle.py");
    let mut child = Command::new(&python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {python:?}: {e}"));
    let request = json!({"patterns": patterns, "starts": STARTS, "count": FIRES});
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "the croniter oracle failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: Value = serde_json::from_slice(&out.stdout).expect("the oracle prints JSON");
    assert_eq!(
        answer["croniter"], "7.0.0",
        "this reader is a port of croniter 7.0.0, the one Mistral 23.0.0 installs"
    );
    answer["results"].as_array().expect("results").clone()
}

/// Our next fires from `start`, written as the oracle writes them.
fn our_fires(pattern: &Pattern, start: &str) -> Vec<String> {
    let mut t = DateTime::parse(start).unwrap();
    let mut fires = Vec::new();
    for _ in 0..FIRES {
        match pattern.next_after(t) {
            Some(next) => {
                fires.push(next.to_string());
                t = next;
            }
            None => {
                fires.push("none".to_string());
                break;
            }
        }
    }
    fires
}

#[test]
fn reads_patterns_as_croniter_does() {
    let mut patterns = hand_picked();
    let hand = patterns.len();
    patterns.extend(generated());
    let verdicts = croniter(&patterns);
    assert_eq!(verdicts.len(), patterns.len());

    let (mut accepted, mut refused, mut random, mut never, mut fires) = (0, 0, 0, 0, 0);
    let mut mismatches = Vec::new();
    for (text, verdict) in patterns.iter().zip(&verdicts) {
        let theirs = verdict["error"].as_str();
        match (Pattern::parse(text), theirs) {
            (Err(_), Some(_)) => refused += 1,
            (
                Err(ParseError::Field {
                    problem: Problem::Random,
                    ..
                }),
                None,
            ) => random += 1,
            (Err(ours), None) => {
                mismatches.push(format!("{text:?}: croniter accepts, we refuse: {ours}"))
            }
            (Ok(_), Some(theirs)) => {
                mismatches.push(format!("{text:?}: we accept, croniter refuses: {theirs}"))
            }
            (Ok(pattern), None) => {
                accepted += 1;
                let can_fire = pattern.can_fire();
                never += usize::from(!can_fire);
                assert!(!pattern.describe().is_empty());
                let has_years = text.split_ascii_whitespace().count() == 7;
                for (start, theirs) in STARTS.iter().zip(verdict["fires"].as_array().unwrap()) {
                    let theirs: Vec<String> = serde_json::from_value(theirs.clone()).unwrap();
                    // can_fire: no start finds a fire, or (without a year field) every
                    // start does.
                    let found = theirs[0] != "none";
                    if found && !can_fire || !found && can_fire && !has_years {
                        mismatches.push(format!(
                            "{text:?}: can_fire() is {can_fire}, croniter from {start}: {theirs:?}"
                        ));
                    }
                    let ours = our_fires(&pattern, start);
                    fires += theirs.len();
                    if ours != theirs {
                        mismatches.push(format!(
                            "{text:?} from {start}:\n  croniter {theirs:?}\n  ours     {ours:?}"
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "{} patterns ({hand} hand-picked, {GENERATED} generated) x {} starts: {accepted} \
         accepted ({never} never fire), {refused} refused by both, {random} R refused by \
         us only; {fires} fire times compared; {} mismatches",
        patterns.len(),
        STARTS.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} differences from croniter, the first:\n{}",
        mismatches.len(),
        mismatches
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(accepted > 300 && refused > 100 && never > 5 && random >= 3);
}
