//! `Pattern::describe`: the catalog's words for a pattern.

use mistral_actions_cron::Pattern;

fn words(text: &str) -> String {
    Pattern::parse(text).unwrap().describe()
}

#[test]
fn common_shapes_read_short() {
    for (text, expected) in [
        ("0 2 * * *", "at 02:00 UTC every day"),
        ("*/15 * * * *", "every 15 minutes"),
        ("0 3 * * 1-5", "at 03:00 UTC, Monday through Friday"),
        ("* * * * *", "every minute"),
        ("0 * * * *", "every hour at minute 0"),
        (
            "30 8,12,17 * * *",
            "at 08:30, 12:30 and 17:30 UTC every day",
        ),
        (
            "0 */6 * * *",
            "at 00:00, 06:00, 12:00 and 18:00 UTC every day",
        ),
        ("15 */2 * * *", "every 2 hours from 00:15 UTC"),
        (
            "*/15 9-17 * * mon-fri",
            "every 15 minutes during hours 9 through 17 UTC, Monday through Friday",
        ),
        ("0 0 * * sat,sun", "at 00:00 UTC on Saturday and Sunday"),
        (
            "0 12 * * mon,wed,fri",
            "at 12:00 UTC on Monday, Wednesday and Friday",
        ),
        ("@daily", "at 00:00 UTC every day"),
        ("@weekly", "at 00:00 UTC on Sunday"),
        ("@monthly", "at 00:00 UTC on day 1 of the month"),
        ("@yearly", "at 00:00 UTC on day 1 of January"),
        ("@hourly", "every hour at minute 0"),
        ("* * * * * */10", "every 10 seconds"),
        ("0 0 * * * 30", "at 00:00:30 UTC every day"),
    ] {
        assert_eq!(words(text), expected, "{text}");
    }
}

#[test]
fn special_days() {
    for (text, expected) in [
        ("0 0 L * *", "at 00:00 UTC on the last day of the month"),
        (
            "0 0 15,L * *",
            "at 00:00 UTC on day 15 and the last day of the month",
        ),
        (
            "0 0 15W * *",
            "at 00:00 UTC on the weekday nearest day 15 of the month",
        ),
        (
            "0 0 * * 1#2",
            "at 00:00 UTC on the second Monday of the month",
        ),
        (
            "0 0 * * 1#2,1#4,L5",
            "at 00:00 UTC on the second and fourth Monday and the last Friday of the month",
        ),
        ("0 0 29 2 *", "at 00:00 UTC on day 29 of February"),
        (
            "0 0 * 2 1#5",
            "at 00:00 UTC on the fifth Monday of February",
        ),
        (
            "0 0 1,15 1-3 *",
            "at 00:00 UTC on days 1 and 15 of January through March",
        ),
        (
            "0 0 1 1,7 * 0 2024-2026",
            "at 00:00 UTC on day 1 of January and July in 2024 through 2026",
        ),
    ] {
        assert_eq!(words(text), expected, "{text}");
    }
}

#[test]
fn says_what_croniter_does_not_what_the_text_suggests() {
    for (text, expected) in [
        // Both day fields restricted: either day.
        (
            "0 0 13 * 5",
            "at 00:00 UTC on day 13 of the month or on Friday",
        ),
        // An equal range is the whole field; a start at the end of the field is itself.
        ("5-5 * * * *", "every minute"),
        ("59/15 * * * *", "every hour at minute 59"),
        // Wrapping ranges.
        (
            "0 22-2 * * *",
            "at 00:00, 01:00, 02:00, 22:00 and 23:00 UTC every day",
        ),
        (
            "0 0 1 apr-jan/3 *",
            "at 00:00 UTC on day 1 of January, April, July and October",
        ),
        // A step that does not divide the hour restarts at each hour.
        (
            "*/7 * * * *",
            "every hour at minutes 0 through 56 in steps of 7",
        ),
        // Every day of the month next to a weekday is every day.
        ("0 0 1-31 * mon", "at 00:00 UTC every day"),
        // A #-weekday with a day of month: the #-weekday, if the two can meet at all.
        (
            "0 0 8-14 * 1#2",
            "at 00:00 UTC on the second Monday of the month",
        ),
        (
            "0 0 1 * 1#2",
            "never (croniter finds no date on which it fires)",
        ),
        (
            "0 0 31 2 *",
            "never (croniter finds no date on which it fires)",
        ),
    ] {
        assert_eq!(words(text), expected, "{text}");
    }
}
