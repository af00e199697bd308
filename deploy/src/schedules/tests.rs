use mistral_actions_cron::DateTime;
use serde_json::json;

use super::render::{self, Report};
use super::*;
use crate::listed::ListedTrigger;

fn at(text: &str) -> DateTime {
    DateTime::parse(text).unwrap()
}

fn trigger(name: &str, pattern: &str, created: &str, first: Option<&str>) -> ListedTrigger {
    serde_json::from_value(json!({
        "id": format!("id-{name}"), "name": name, "pattern": pattern,
        "workflow_name": "flow", "created_at": created,
        "first_execution_time": first, "next_execution_time": "2026-12-07 10:06:00",
        "workflow_input": "{\"secret\": \"s3cr3t\"}",
        "workflow_params": {"mistral_actions": "managed", "env": "env"},
    }))
    .unwrap()
}

fn run(id: &str, state: &str, started: &str) -> Run {
    Run {
        id: id.into(),
        state: state.into(),
        started: at(started),
    }
}

/// Each slot as `at state [execution]`.
fn outline(w: &Watched) -> Vec<String> {
    w.slots
        .iter()
        .map(|s| match &s.outcome {
            Outcome::Fired(r) => format!("{} {} {}", s.at, r.state, r.id),
            Outcome::Missed => format!("{} MISSED", s.at),
            Outcome::Due => format!("{} DUE", s.at),
        })
        .collect()
}

const DAY: i64 = 86_400;

#[test]
fn early_late_and_missing_fires_land_on_their_slots() {
    let w = watch(
        &trigger("minutely", "* * * * *", "2026-12-07 10:00:30", None),
        vec![
            // Mistral starts a fire up to 2 s early.
            run("e1", "SUCCESS", "2026-12-07 10:00:58"),
            run("e2", "ERROR", "2026-12-07 10:02:01"),
            // A busy periodic task: 40 s late, still the 10:04 slot.
            run("e4", "RUNNING", "2026-12-07 10:04:40"),
        ],
        at("2026-12-07 10:05:20"),
        7 * DAY,
    );
    assert_eq!(
        outline(&w),
        [
            "2026-12-07 10:01:00 SUCCESS e1",
            "2026-12-07 10:02:00 ERROR e2",
            "2026-12-07 10:03:00 MISSED",
            "2026-12-07 10:04:00 RUNNING e4",
            // 20 s past: in progress, not missed.
            "2026-12-07 10:05:00 DUE",
        ]
    );
    assert_eq!((w.fired(), w.missed(), w.due()), (3, 1, 1));
    assert_eq!(w.last_run().unwrap().id, "e4");
    assert_eq!(w.last_success().unwrap().id, "e1");
    assert!(w.failing());
    assert!(w.unmatched.is_empty());
}

#[test]
fn a_fire_that_started_just_before_its_slot_counts_before_the_slot() {
    let trigger = trigger("minutely", "* * * * *", "2026-12-07 10:00:30", None);
    let w = watch(
        &trigger,
        vec![
            run("e1", "SUCCESS", "2026-12-07 10:00:58"),
            run("e2", "RUNNING", "2026-12-07 10:01:59"),
        ],
        at("2026-12-07 10:01:59"),
        7 * DAY,
    );
    assert_eq!(
        outline(&w),
        [
            "2026-12-07 10:01:00 SUCCESS e1",
            "2026-12-07 10:02:00 RUNNING e2"
        ]
    );
    let w = watch(&trigger, vec![], at("2026-12-07 10:00:58"), 7 * DAY);
    assert_eq!(outline(&w), ["2026-12-07 10:01:00 DUE"]);
}

#[test]
fn after_downtime_the_catch_up_fire_stands_for_one_swallowed_slot() {
    // Mistral was down from 10:00:30 to 10:05:58: it fires once for the stored next
    // time (10:01) just before 10:06, then 10:06 on time.
    let w = watch(
        &trigger("minutely", "* * * * *", "2026-12-07 10:00:10", None),
        vec![
            run("late", "SUCCESS", "2026-12-07 10:05:58"),
            run("on-time", "SUCCESS", "2026-12-07 10:06:00"),
        ],
        at("2026-12-07 10:08:30"),
        7 * DAY,
    );
    assert_eq!(
        outline(&w),
        [
            "2026-12-07 10:01:00 MISSED",
            "2026-12-07 10:02:00 MISSED",
            "2026-12-07 10:03:00 MISSED",
            "2026-12-07 10:04:00 MISSED",
            "2026-12-07 10:05:00 SUCCESS on-time",
            "2026-12-07 10:06:00 SUCCESS late",
            "2026-12-07 10:07:00 MISSED",
            "2026-12-07 10:08:00 DUE",
        ]
    );
}

#[test]
fn the_window_and_first_execution_time_bound_the_slots() {
    // First fire at first_execution_time, off the pattern; then the pattern's.
    let w = watch(
        &trigger(
            "hourly",
            "0 * * * *",
            "2026-12-07 09:00:00",
            Some("2026-12-07 10:30"),
        ),
        vec![
            // Before the window: not counted, not shown.
            run("old", "SUCCESS", "2026-12-07 10:30:01"),
            run("e11", "SUCCESS", "2026-12-07 11:00:01"),
            run("e12", "SUCCESS", "2026-12-07 12:00:00"),
        ],
        at("2026-12-07 12:30:00"),
        5400,
    );
    assert_eq!(
        outline(&w),
        [
            "2026-12-07 11:00:00 SUCCESS e11",
            "2026-12-07 12:00:00 SUCCESS e12"
        ]
    );
    assert!(w.unmatched.is_empty());
    assert!(!w.failing());

    let w = watch(
        &trigger(
            "hourly",
            "0 * * * *",
            "2026-12-07 09:00:00",
            Some("2026-12-07 10:30"),
        ),
        vec![],
        at("2026-12-07 11:30:00"),
        7 * DAY,
    );
    assert_eq!(
        outline(&w),
        ["2026-12-07 10:30:00 MISSED", "2026-12-07 11:00:00 MISSED"]
    );
}

#[test]
fn a_second_start_for_the_only_slot_is_set_aside_and_an_unreadable_pattern_fails() {
    let w = watch(
        &trigger("daily", "0 2 * * *", "2026-12-06 12:00:00", None),
        vec![
            run("a", "SUCCESS", "2026-12-07 02:00:00"),
            run("b", "ERROR", "2026-12-07 02:00:01"),
        ],
        at("2026-12-07 10:00:00"),
        7 * DAY,
    );
    assert_eq!(outline(&w), ["2026-12-07 02:00:00 SUCCESS a"]);
    assert_eq!(w.unmatched, [run("b", "ERROR", "2026-12-07 02:00:01")]);
    assert!(w.failing(), "the last run ended ERROR");

    let w = watch(
        &trigger("odd", "0 0 5L * *", "2026-12-06 12:00:00", None),
        vec![],
        at("2026-12-07 10:00:00"),
        7 * DAY,
    );
    assert!(w.slots.is_empty());
    assert!(w.failing());
    assert!(
        w.problem
            .as_deref()
            .unwrap()
            .starts_with("cannot read the pattern \"0 0 5L * *\""),
        "{:?}",
        w.problem
    );
}

#[test]
fn windows_read_and_print_with_their_unit() {
    for (text, secs, shown) in [
        ("7d", 7 * DAY, "7d"),
        ("36h", 36 * 3600, "36h"),
        ("90m", 5400, "90m"),
        ("2w", 14 * DAY, "14d"),
        ("45s", 45, "45s"),
    ] {
        let w: Window = text.parse().unwrap();
        assert_eq!((w.secs, w.to_string().as_str()), (secs, shown));
    }
    for bad in ["", "7", "d", "-1d", "0h", "400d", "1y"] {
        assert!(bad.parse::<Window>().is_err(), "{bad}");
    }
}

/// Two schedules: one healthy, one with a missed slot.
fn report_schedules() -> Vec<Watched> {
    let now = at("2026-12-07 10:05:20");
    vec![
        watch(
            &trigger("backup", "*/2 * * * *", "2026-12-07 10:00:30", None),
            vec![
                run("e2", "SUCCESS", "2026-12-07 10:02:00"),
                run("e4", "SUCCESS", "2026-12-07 10:03:59"),
            ],
            now,
            3600,
        ),
        watch(
            &trigger("cleanup", "* * * * *", "2026-12-07 10:02:30", None),
            vec![run("c3", "ERROR", "2026-12-07 10:03:01")],
            now,
            3600,
        ),
    ]
}

fn report(schedules: &[Watched]) -> Report<'_> {
    Report {
        header: "Mistral http://m/v2, project demo (p1) as alice",
        now: at("2026-12-07 10:05:20"),
        window: "1h".parse().unwrap(),
        schedules,
    }
}

#[test]
fn the_text_shows_each_slot_and_a_verdict_and_no_input() {
    let schedules = report_schedules();
    assert_eq!(
        render::text(&report(&schedules)),
        "\
Mistral http://m/v2, project demo (p1) as alice
Window 1h: slots from 2026-12-07 09:05:20 to 2026-12-07 10:05:20 UTC; a slot with no execution 60 s after it is MISSED.

backup (cron trigger id-backup)
  pattern \"*/2 * * * *\": every 2 minutes; workflow flow
  created 2026-12-07 10:00:30, next fire 2026-12-07 10:06:00
  2026-12-07 10:02:00  SUCCESS    execution e2 started 2026-12-07 10:02:00
  2026-12-07 10:04:00  SUCCESS    execution e4 started 2026-12-07 10:03:59
  2 slots: 2 fired, 0 missed, 0 due; last run SUCCESS (execution e4 started 2026-12-07 10:03:59)

cleanup (cron trigger id-cleanup)
  pattern \"* * * * *\": every minute; workflow flow
  created 2026-12-07 10:02:30, next fire 2026-12-07 10:06:00
  2026-12-07 10:03:00  ERROR      execution c3 started 2026-12-07 10:03:01
  2026-12-07 10:04:00  MISSED
  2026-12-07 10:05:00  due        (no execution yet)
  3 slots: 1 fired, 1 missed, 1 due; last run ERROR (execution c3 started 2026-12-07 10:03:01)

FAILING: 1 of 2 schedules: cleanup (1 missed).
"
    );
    assert_eq!(
        render::text(&report(&schedules[..1])),
        "\
Mistral http://m/v2, project demo (p1) as alice
Window 1h: slots from 2026-12-07 09:05:20 to 2026-12-07 10:05:20 UTC; a slot with no execution 60 s after it is MISSED.

backup (cron trigger id-backup)
  pattern \"*/2 * * * *\": every 2 minutes; workflow flow
  created 2026-12-07 10:00:30, next fire 2026-12-07 10:06:00
  2026-12-07 10:02:00  SUCCESS    execution e2 started 2026-12-07 10:02:00
  2026-12-07 10:04:00  SUCCESS    execution e4 started 2026-12-07 10:03:59
  2 slots: 2 fired, 0 missed, 0 due; last run SUCCESS (execution e4 started 2026-12-07 10:03:59)

OK: 1 schedule, no slot missed, no last run in ERROR.
"
    );
    assert_eq!(
        render::text(&report(&[])),
        "\
Mistral http://m/v2, project demo (p1) as alice
Window 1h: slots from 2026-12-07 09:05:20 to 2026-12-07 10:05:20 UTC; a slot with no execution 60 s after it is MISSED.

No cron trigger of this project carries mistral-actions' mark.
"
    );
}

#[test]
fn the_text_sums_up_slots_before_the_newest() {
    let runs = (1..=25)
        .map(|m| {
            run(
                &format!("e{m}"),
                "SUCCESS",
                &format!("2026-12-07 10:{m:02}:01"),
            )
        })
        .collect();
    let w = watch(
        &trigger("minutely", "* * * * *", "2026-12-07 10:00:30", None),
        runs,
        at("2026-12-07 10:26:30"),
        7 * DAY,
    );
    let text = render::text(&report(std::slice::from_ref(&w)));
    let lines: Vec<&str> = text.lines().skip(6).take(3).collect();
    assert_eq!(
        lines,
        [
            "  … 6 slots before these: 6 fired, 0 missed",
            "  2026-12-07 10:07:00  SUCCESS    execution e7 started 2026-12-07 10:07:01",
            "  2026-12-07 10:08:00  SUCCESS    execution e8 started 2026-12-07 10:08:01",
        ]
    );
}

#[test]
fn the_json_has_every_slot_and_the_counts() {
    let schedules = report_schedules();
    let value: serde_json::Value =
        serde_json::from_str(&render::json(&report(&schedules[1..]))).unwrap();
    assert_eq!(
        value,
        json!({
            "now": "2026-12-07 10:05:20",
            "window_seconds": 3600,
            "grace_seconds": 60,
            "failing": true,
            "schedules": [{
                "name": "cleanup",
                "id": "id-cleanup",
                "pattern": "* * * * *",
                "workflow": "flow",
                "created_at": "2026-12-07 10:02:30",
                "next_execution_time": "2026-12-07 10:06:00",
                "slots": [
                    {"at": "2026-12-07 10:03:00", "state": "ERROR", "execution": "c3",
                     "started": "2026-12-07 10:03:01"},
                    {"at": "2026-12-07 10:04:00", "state": "MISSED", "execution": null,
                     "started": null},
                    {"at": "2026-12-07 10:05:00", "state": "DUE", "execution": null,
                     "started": null},
                ],
                "unmatched": [],
                "fired": 1,
                "missed": 1,
                "due": 1,
                "last_run": {"execution": "c3", "state": "ERROR",
                             "started": "2026-12-07 10:03:01"},
                "last_success": null,
                "problem": null,
                "failing": true,
            }],
        })
    );
}

#[test]
fn openmetrics_has_help_type_and_eof() {
    let schedules = report_schedules();
    assert_eq!(
        render::openmetrics(&report(&schedules)),
        r#"# HELP mistral_actions_schedule_last_success_timestamp_seconds Start of the schedule's newest execution that ended SUCCESS in the window (Unix time; 0: none).
# TYPE mistral_actions_schedule_last_success_timestamp_seconds gauge
mistral_actions_schedule_last_success_timestamp_seconds{schedule="backup"} 1796637839
mistral_actions_schedule_last_success_timestamp_seconds{schedule="cleanup"} 0
# HELP mistral_actions_schedule_missed_slots Slots in the window with no execution of the schedule (a fire Mistral failed to start leaves no row).
# TYPE mistral_actions_schedule_missed_slots gauge
mistral_actions_schedule_missed_slots{schedule="backup"} 0
mistral_actions_schedule_missed_slots{schedule="cleanup"} 1
# HELP mistral_actions_schedule_fired_slots Slots in the window with an execution of the schedule.
# TYPE mistral_actions_schedule_fired_slots gauge
mistral_actions_schedule_fired_slots{schedule="backup"} 2
mistral_actions_schedule_fired_slots{schedule="cleanup"} 1
# HELP mistral_actions_schedule_last_state State of the schedule's newest execution in the window: 1 for its state, 0 for the others (NONE: no run).
# TYPE mistral_actions_schedule_last_state gauge
mistral_actions_schedule_last_state{schedule="backup",state="CANCELLED"} 0
mistral_actions_schedule_last_state{schedule="backup",state="ERROR"} 0
mistral_actions_schedule_last_state{schedule="backup",state="IDLE"} 0
mistral_actions_schedule_last_state{schedule="backup",state="NONE"} 0
mistral_actions_schedule_last_state{schedule="backup",state="PAUSED"} 0
mistral_actions_schedule_last_state{schedule="backup",state="RUNNING"} 0
mistral_actions_schedule_last_state{schedule="backup",state="SUCCESS"} 1
mistral_actions_schedule_last_state{schedule="cleanup",state="CANCELLED"} 0
mistral_actions_schedule_last_state{schedule="cleanup",state="ERROR"} 1
mistral_actions_schedule_last_state{schedule="cleanup",state="IDLE"} 0
mistral_actions_schedule_last_state{schedule="cleanup",state="NONE"} 0
mistral_actions_schedule_last_state{schedule="cleanup",state="PAUSED"} 0
mistral_actions_schedule_last_state{schedule="cleanup",state="RUNNING"} 0
mistral_actions_schedule_last_state{schedule="cleanup",state="SUCCESS"} 0
# EOF
"#
    );
}

#[test]
fn only_executions_whose_description_names_the_trigger_are_its_own() {
    let t = trigger("backup", "* * * * *", "2026-12-07 10:00:00", None);
    let by = |id: &str| {
        format!("{{\"triggered_by\": {{\"type\": \"cron_trigger\", \"id\": \"{id}\"}}}}")
    };
    let listed = vec![
        json!({"id": "x1", "state": "SUCCESS", "created_at": "2026-12-07 10:01:00",
               "description": by("id-backup")}),
        // `has:` is a LIKE: a longer id containing ours, a free text naming it.
        json!({"id": "x2", "state": "SUCCESS", "created_at": "2026-12-07 10:01:00",
               "description": by("id-backup-2")}),
        json!({"id": "x3", "state": "SUCCESS", "created_at": "2026-12-07 10:01:00",
               "description": "started by hand after id-backup failed"}),
    ];
    assert_eq!(
        run::runs_of(&t, listed),
        [run("x1", "SUCCESS", "2026-12-07 10:01:00")]
    );
}
