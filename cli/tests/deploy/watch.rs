//! `mistral-actions schedules` on a real trigger: two fires counted, then, with the
//! trigger's environment deleted behind apply's back, fires that fail to start (Mistral
//! writes no row for them) reported `MISSED` with exit 1 within two slots.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use harness_contract::USER_CLOUD;
use mistral_actions_cron::DateTime;
use mistral_actions_deploy::schedules::render::STATES;
use serde_json::Value;

use super::mistral::Api;
use super::support::{operator, schedule, workflow, Env, Project, Run};

const NAME: &str = "dtwatch_minutely";

/// An execution the trigger started: id, state, start.
struct Fire {
    id: String,
    state: String,
    started: DateTime,
}

impl Fire {
    /// The slot it stands for: Mistral starts a fire at most 2 s early, and these on
    /// time (a minutely pattern).
    fn slot(&self) -> DateTime {
        DateTime::from_unix((self.started.unix() + 3).div_euclid(60) * 60).unwrap()
    }
}

/// The executions whose description names trigger `id`, oldest first.
fn fires(member: &Api, id: &str) -> Vec<Fire> {
    let listed = member.get(&format!("/executions?description=has:{id}"))["executions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut fires: Vec<Fire> = listed
        .iter()
        .filter(|e| {
            let description: Value =
                serde_json::from_str(e["description"].as_str().unwrap_or("{}")).unwrap();
            description["triggered_by"]["id"] == id
        })
        .map(|e| Fire {
            id: e["id"].as_str().unwrap().to_string(),
            state: e["state"].as_str().unwrap().to_string(),
            started: DateTime::parse(e["created_at"].as_str().unwrap()).unwrap(),
        })
        .collect();
    fires.sort_by_key(|f| f.started);
    fires
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// `mistral-actions schedules NAME --format <format>` as the member.
fn schedules(env: &Env, p: &Project, format: &str) -> Run {
    operator(
        env,
        USER_CLOUD,
        p.root(),
        &["schedules", NAME, "--format", format],
        &[],
    )
}

/// The output after its two lines of where and when (the time of the run).
fn body(run: &Run) -> String {
    run.stdout
        .lines()
        .skip(2)
        .map(|l| format!("{l}\n"))
        .collect()
}

fn openmetrics(last_success: i64, missed: usize, fired: usize) -> String {
    let states: String = STATES
        .iter()
        .map(|s| {
            format!(
                "mistral_actions_schedule_last_state{{schedule=\"{NAME}\",state=\"{s}\"}} {}\n",
                u8::from(*s == "SUCCESS")
            )
        })
        .collect();
    format!(
        "\
# HELP mistral_actions_schedule_last_success_timestamp_seconds Start of the schedule's newest execution that ended SUCCESS in the window (Unix time; 0: none).
# TYPE mistral_actions_schedule_last_success_timestamp_seconds gauge
mistral_actions_schedule_last_success_timestamp_seconds{{schedule=\"{NAME}\"}} {last_success}
# HELP mistral_actions_schedule_missed_slots Slots in the window with no execution of the schedule (a fire Mistral failed to start leaves no row).
# TYPE mistral_actions_schedule_missed_slots gauge
mistral_actions_schedule_missed_slots{{schedule=\"{NAME}\"}} {missed}
# HELP mistral_actions_schedule_fired_slots Slots in the window with an execution of the schedule.
# TYPE mistral_actions_schedule_fired_slots gauge
mistral_actions_schedule_fired_slots{{schedule=\"{NAME}\"}} {fired}
# HELP mistral_actions_schedule_last_state State of the schedule's newest execution in the window: 1 for its state, 0 for the others (NONE: no run).
# TYPE mistral_actions_schedule_last_state gauge
{states}# EOF
"
    )
}

#[test]
fn schedules_counts_two_fires_then_reports_the_missed_ones_of_a_deleted_environment() {
    let env = Env::get();
    let member = env.member();
    member.clean("dtwatch");
    let p = Project::new("dtwatch", "private");
    p.file("workflows/flow.yaml", &workflow("dtwatch_flow", None, ""))
        .file(
            "environments/e.yaml",
            "environments:\n  dtwatch_env:\n    description: Test.\n    variables: {greeting: hello}\n",
        )
        .file(
            "schedules/s.yaml",
            &format!(
                "schedules:\n{}",
                schedule(NAME, "dtwatch_flow", "* * * * *", Some("dtwatch_env"))
            ),
        )
        .generate();
    let apply = super::support::cli(&env, USER_CLOUD, &p, &["apply"], &[]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    let trigger = member.find("cron_triggers", NAME).unwrap();
    let id = trigger["id"].as_str().unwrap().to_string();
    let created = trigger["created_at"].as_str().unwrap().to_string();

    // Two fires, both ended.
    let started = Instant::now();
    let two = loop {
        let found = fires(&member, &id);
        if found.len() >= 2 && found.iter().all(|f| f.state != "RUNNING") {
            break found;
        }
        assert!(
            started.elapsed() < Duration::from_secs(200),
            "trigger {id} did not fire twice within 200 s (next fire {}); see {}",
            trigger["next_execution_time"],
            env.mistral.logs.display()
        );
        std::thread::sleep(Duration::from_secs(2));
    };
    eprintln!("two fires after {:.0}s", started.elapsed().as_secs_f32());
    assert_eq!(two.len(), 2);
    let (e1, e2) = (&two[0], &two[1]);
    assert_eq!(
        (e1.state.as_str(), e2.state.as_str()),
        ("SUCCESS", "SUCCESS")
    );

    // The next fire is about a minute away: the three renderings see the same two.
    let text = schedules(&env, &p, "text");
    let next = member.find("cron_triggers", NAME).unwrap()["next_execution_time"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(text.code, 0, "{}", text.all());
    assert_eq!(
        body(&text),
        format!(
            "
{NAME} (cron trigger {id})
  pattern \"* * * * *\": every minute; workflow dtwatch_flow
  created {created}, next fire {next}
  {}  SUCCESS    execution {} started {}
  {}  SUCCESS    execution {} started {}
  2 slots: 2 fired, 0 missed, 0 due; last run SUCCESS (execution {} started {})

OK: 1 schedule, no slot missed, no last run in ERROR.
",
            e1.slot(),
            e1.id,
            e1.started,
            e2.slot(),
            e2.id,
            e2.started,
            e2.id,
            e2.started
        ),
        "{}",
        text.all()
    );
    let json = schedules(&env, &p, "json");
    assert_eq!(json.code, 0, "{}", json.all());
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    let s = &report["schedules"][0];
    assert_eq!(
        (&s["name"], &s["fired"], &s["missed"], &s["failing"]),
        (
            &Value::from(NAME),
            &Value::from(2),
            &Value::from(0),
            &Value::from(false)
        ),
        "{}",
        json.stdout
    );
    let slots: Vec<(String, String, String)> = s["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["at"].as_str().unwrap().to_string(),
                x["state"].as_str().unwrap().to_string(),
                x["execution"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        slots,
        [e1, e2].map(|e| (e.slot().to_string(), "SUCCESS".to_string(), e.id.clone()))
    );
    assert_eq!(s["last_success"]["execution"], e2.id.as_str());
    let metrics = schedules(&env, &p, "openmetrics");
    assert_eq!(metrics.code, 0, "{}", metrics.all());
    assert_eq!(metrics.stdout, openmetrics(e2.started.unix(), 0, 2));

    // The environment deleted out of band: the next fires fail to start, and leave no
    // execution behind.
    member.delete("/environments/dtwatch_env");
    let deleted = Instant::now();
    // The first fire that cannot start: the next slot Mistral has not begun (it starts
    // up to 2 s early). Within two slots: reported once that one is GRACE (60 s, a slot)
    // past, give or take one poll.
    let first_failing = (unix_now() + 2).div_euclid(60) * 60 + 60;
    let deadline = first_failing + 60 + 10;
    let missed = loop {
        let json = schedules(&env, &p, "json");
        if json.code == 1 {
            break json;
        }
        assert_eq!(json.code, 0, "{}", json.all());
        assert!(
            unix_now() < deadline,
            "no slot reported MISSED within two slots of deleting the environment:\n{}",
            json.all()
        );
        std::thread::sleep(Duration::from_secs(3));
    };
    eprintln!(
        "MISSED reported {:.0}s after deleting the environment",
        deleted.elapsed().as_secs_f32()
    );
    let report: Value = serde_json::from_str(&missed.stdout).unwrap();
    let s = &report["schedules"][0];
    assert_eq!(s["fired"], 2, "{}", missed.stdout);
    assert_eq!(s["missed"], 1, "{}", missed.stdout);
    assert_eq!(s["failing"], true);
    assert_eq!(
        s["slots"][2]["state"], "MISSED",
        "the slot after the second fire: {}",
        missed.stdout
    );
    assert_eq!(
        fires(&member, &id).len(),
        2,
        "a fire without its environment writes no execution"
    );
    let metrics = schedules(&env, &p, "openmetrics");
    assert_eq!(metrics.code, 1, "{}", metrics.all());
    let two_missed = format!("mistral_actions_schedule_missed_slots{{schedule=\"{NAME}\"}} 2\n");
    let missed_now = if metrics.stdout.contains(&two_missed) {
        2 // a second slot turned missed between the two runs
    } else {
        1
    };
    assert_eq!(
        metrics.stdout,
        openmetrics(e2.started.unix(), missed_now, 2)
    );
    let text = schedules(&env, &p, "text");
    assert_eq!(text.code, 1, "{}", text.all());
    assert_eq!(
        text.stdout.lines().last(),
        Some(format!("FAILING: 1 of 1 schedule: {NAME} ({missed_now} missed).").as_str()),
        "{}",
        text.all()
    );
    member.clean("dtwatch");
}
