//! `next_after`, `can_fire` and `slots` on cases whose croniter answers are known
//! (the full comparison with croniter is tests/croniter_equality.rs).

use mistral_actions_cron::{DateTime, Pattern};

fn at(text: &str) -> DateTime {
    DateTime::parse(text).unwrap()
}

fn next(pattern: &str, from: &str) -> Option<String> {
    Pattern::parse(pattern)
        .unwrap()
        .next_after(at(from))
        .map(|t| t.to_string())
}

#[test]
fn the_next_fire_is_strictly_after_the_start() {
    assert_eq!(
        next("0 2 * * *", "2024-09-30 02:00"),
        Some("2024-10-01 02:00:00".into())
    );
    assert_eq!(
        next("0 2 * * *", "2024-09-30 01:59:59"),
        Some("2024-09-30 02:00:00".into())
    );
    assert_eq!(
        next("* * * * *", "2024-09-30 02:00:00"),
        Some("2024-09-30 02:01:00".into())
    );
    // Seconds of the start do not make a five-field fire late or early.
    assert_eq!(
        next("* * * * *", "2024-09-30 02:00:59"),
        Some("2024-09-30 02:01:00".into())
    );
    assert_eq!(
        next("* * * * *", "2024-09-30 02:00:59.999999"),
        Some("2024-09-30 02:01:00".into())
    );
    // A sixth field counts seconds.
    assert_eq!(
        next("* * * * * */10", "2024-09-30 02:00:10"),
        Some("2024-09-30 02:00:20".into())
    );
    assert_eq!(
        next("0 0 1 1 * 30", "2024-02-29 00:00"),
        Some("2025-01-01 00:00:30".into())
    );
}

#[test]
fn months_leap_days_and_year_ends() {
    assert_eq!(
        next("0 0 L * *", "2024-02-28 23:59:30"),
        Some("2024-02-29 00:00:00".into())
    );
    assert_eq!(
        next("0 0 L * *", "2023-02-28 00:00"),
        Some("2023-03-31 00:00:00".into())
    );
    assert_eq!(
        next("0 0 29 2 *", "2024-02-29 00:00"),
        Some("2028-02-29 00:00:00".into())
    );
    assert_eq!(
        next("0 0 29 2 *", "2096-03-01 00:00"),
        Some("2104-02-29 00:00:00".into())
    );
    assert_eq!(
        next("0 0 31 * *", "2024-04-01 00:00"),
        Some("2024-05-31 00:00:00".into())
    );
    assert_eq!(
        next("59 23 31 12 *", "2023-12-31 23:59"),
        Some("2024-12-31 23:59:00".into())
    );
    assert_eq!(
        next("0 0 15W * *", "2024-06-01 00:00"),
        Some("2024-06-14 00:00:00".into())
    );
    assert_eq!(
        next("0 0 * * L5", "2024-02-29 00:00"),
        Some("2024-03-29 00:00:00".into())
    );
}

#[test]
fn day_of_month_or_day_of_week() {
    // Both restricted: either will do (2024-03-01 is a Friday, the 4th a Monday).
    assert_eq!(
        next("0 0 1 * 1", "2024-02-29 00:00"),
        Some("2024-03-01 00:00:00".into())
    );
    assert_eq!(
        next("0 0 1 * 1", "2024-03-01 00:00"),
        Some("2024-03-04 00:00:00".into())
    );
    // The 31st of February never comes, Mondays of February do.
    assert_eq!(
        next("0 0 31 2 1", "2024-02-29 00:00"),
        Some("2025-02-03 00:00:00".into())
    );
    // A #-weekday narrows the day of month instead, and here nothing is left.
    assert_eq!(next("0 0 1 * 1#2", "2024-02-29 00:00"), None);
}

#[test]
fn patterns_that_never_fire() {
    for text in [
        "0 0 31 2 *",
        "0 0 30 2 *",
        "0 0 31 4,6,9,11 *",
        "0 0 1 * 1#2",
        "0 0 31 2 * 0 2030",
    ] {
        let pattern = Pattern::parse(text).unwrap();
        assert!(!pattern.can_fire(), "{text}");
        assert_eq!(pattern.next_after(at("2024-01-01 00:00")), None, "{text}");
    }
    for text in [
        "0 0 29 2 *",
        "0 0 * 2 1#5",
        "0 0 31 * *",
        "0 0 1 1 * 0 2030",
        "@yearly",
    ] {
        assert!(Pattern::parse(text).unwrap().can_fire(), "{text}");
    }
    // A year field that is over: no fire after it, though the pattern could fire.
    let past = Pattern::parse("0 0 1 1 * 0 2030").unwrap();
    assert_eq!(past.next_after(at("2030-01-01 00:00")), None);
}

#[test]
fn slots_fill_a_half_open_window() {
    let pattern = Pattern::parse("*/15 * * * *").unwrap();
    let slots: Vec<String> = pattern
        .slots(at("2024-02-29 23:30"), at("2024-03-01 00:30"))
        .map(|t| t.to_string())
        .collect();
    assert_eq!(
        slots,
        [
            "2024-02-29 23:30:00",
            "2024-02-29 23:45:00",
            "2024-03-01 00:00:00",
            "2024-03-01 00:15:00"
        ]
    );
    let off_slot: Vec<DateTime> = pattern
        .slots(at("2024-02-29 23:30:01"), at("2024-02-29 23:45:00"))
        .collect();
    assert!(off_slot.is_empty());
    let never = Pattern::parse("0 0 31 2 *").unwrap();
    assert_eq!(
        never
            .slots(at("2024-01-01 00:00"), at("2124-01-01 00:00"))
            .count(),
        0
    );
    let week = Pattern::parse("0 2 * * *").unwrap();
    assert_eq!(
        week.slots(at("2024-02-26 00:00"), at("2024-03-04 00:00"))
            .count(),
        7
    );
}

#[test]
fn slots_from_one_second_after_creation_start_with_the_first_fire() {
    for text in ["* * * * *", "*/15 * * * *", "* * * * * *", "0 0 * * * 30"] {
        let pattern = Pattern::parse(text).unwrap();
        for created in [
            "2024-02-29 12:00:00",
            "2024-02-29 12:00:29",
            "2024-02-29 12:14:59",
        ] {
            let created = at(created);
            let first = pattern
                .slots(created.plus_seconds(1).unwrap(), at("2025-01-01 00:00"))
                .next();
            assert_eq!(first, pattern.next_after(created), "{text} from {created}");
        }
    }
}
