//! What `Pattern::parse` accepts and refuses, and how its refusals read.

use mistral_actions_cron::{Field, ParseError, Pattern, Problem};

fn refusal(text: &str) -> ParseError {
    Pattern::parse(text).expect_err(text)
}

#[test]
fn accepts_croniters_forms() {
    for text in [
        "0 2 * * *",
        "*/61 * * * *",
        "0 0 ? * ?",
        "0 0 L * *",
        "0 0 15-L * *",
        "0 0 15W * *",
        "0 0 W15 * *",
        "0 0 * * L5",
        "0 0 * * mon#2",
        "0 0 * * mon-wed#2",
        "0 0 * * 1#2,2#3",
        "0 0 1 JAN-mar *",
        "0 0 * * 7",
        "50-10/15 * * * *",
        "59/15 * * * *",
        "0 0 * * * 30",
        "0 0 1 1 * 0 2030",
        "@daily",
        "@ANNUALLY",
        "  0\t2 *\n* *  ",
    ] {
        let pattern = Pattern::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(pattern.text(), text);
    }
}

#[test]
fn refuses_what_croniter_refuses_and_says_which_field() {
    let cases = [
        ("0 0 * * 5L", Field::DayOfWeek, "5L", Problem::NotAValue),
        ("0 0 LW * *", Field::DayOfMonth, "LW", Problem::NotAValue),
        (
            "60 * * * *",
            Field::Minute,
            "60",
            Problem::OutOfRange { value: 60 },
        ),
        (
            "0 0 0-5 * *",
            Field::DayOfMonth,
            "0-5",
            Problem::OutOfRange { value: 0 },
        ),
        (
            "0 0 1 1 * 0 1969",
            Field::Year,
            "1969",
            Problem::OutOfRange { value: 1969 },
        ),
        ("? * * * *", Field::Minute, "?", Problem::QuestionMarkHere),
        (
            "0 0 ?,1 * *",
            Field::DayOfMonth,
            "?,1",
            Problem::QuestionMarkNotAlone,
        ),
        ("-1 * * * *", Field::Minute, "-1", Problem::Negative),
        ("*/0 * * * *", Field::Minute, "*/0", Problem::ZeroStep),
        (
            "0 0 L-1 * *",
            Field::DayOfMonth,
            "L-1",
            Problem::LastStartsRange,
        ),
        (
            "0 0 * * 1#6",
            Field::DayOfWeek,
            "1#6",
            Problem::BadNth { n: 6 },
        ),
        (
            "0 0 32W * *",
            Field::DayOfMonth,
            "32W",
            Problem::NearestOutOfRange { day: 32 },
        ),
        (
            "0 0 1,15W * *",
            Field::DayOfMonth,
            "1,15W",
            Problem::NearestNotAlone,
        ),
        (
            "0 0 * * 1#2,3",
            Field::DayOfWeek,
            "1#2,3",
            Problem::MixedNth,
        ),
        ("H * * * *", Field::Minute, "H", Problem::Hashed),
        ("0 R * * *", Field::Hour, "R", Problem::Random),
        ("0 0 1 mon *", Field::Month, "mon", Problem::NotAValue),
    ];
    for (text, field, token, problem) in cases {
        match refusal(text) {
            ParseError::Field {
                field: f,
                token: t,
                problem: p,
                span,
                ..
            } => {
                assert_eq!((f, t.as_str(), &p), (field, token, &problem), "{text}");
                assert_eq!(&text[span], token, "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn refuses_other_field_counts_and_aliases_with_spaces() {
    for (text, found) in [
        ("", 0),
        ("   ", 0),
        ("*/61", 1),
        ("5L", 1),
        ("* * * *", 4),
        ("* * * * * * * *", 8),
        (" @daily", 1),
        ("@reboot", 1),
        ("0\u{a0}2 * * *", 4),
    ] {
        assert_eq!(refusal(text), ParseError::FieldCount { found }, "{text:?}");
    }
}

#[test]
fn messages_name_the_field_and_its_text_only() {
    let message = refusal("0 0 * * 5L").to_string();
    assert_eq!(
        message,
        "day-of-week field `5L`: not a number or a day name (sun…sat); croniter writes \
         the last Friday of the month as L5, not 5L"
    );
    assert!(!message.contains("0 0 * *"));
    assert_eq!(
        refusal("0 0 1,15,40 * *").to_string(),
        "day-of-month field `1,15,40`: `40`: 40 is outside 1-31"
    );
    assert_eq!(
        refusal("1,2,,3 * * * *").to_string(),
        "minute field `1,2,,3`: a value is missing (two commas in a row, or one at an end)"
    );
    assert!(refusal("R * * * *").to_string().contains("redrawn"));
    assert!(refusal("* *")
        .to_string()
        .starts_with("the pattern has 2 fields: croniter takes 5"));
    assert_eq!(refusal("0 0 * * 5L").span(), Some(8..10));
    assert_eq!(refusal("").span(), None);
}
