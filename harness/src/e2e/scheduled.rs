//! The scheduled backup, as an operator deploys one: the real specs (copied to a
//! temporary project, their schedules replaced by one `* * * * *` schedule of the seed's
//! `create_volume_backup` for a fresh Cinder volume, their environment renamed so that
//! nothing else in the shared project is touched), generated, then deployed with the
//! packaged `mistral-actions apply` as the test user. A plan afterwards finds nothing to
//! do (exit 0) and a second apply sends no write (its own report: it plans first and
//! writes nothing when the plan is empty). Mistral's periodic task then fires the
//! trigger through the user's trust: a full backup first, an incremental one on top of
//! it (Cinder's `is_incremental`), both SUCCESS within 3 minutes of the apply, and
//! `mistral-actions schedules` counts 2 fired, 0 missed, exit 0. Its environment is then
//! deleted out of band: the third fire cannot start, Mistral writes no execution, and
//! `schedules` reports it `MISSED` with exit 1 within two slots. The trigger, backups and
//! volume are removed after.
//!
//! It runs beside the other cases ([`Backup::beside`]: it needs only the action servers'
//! address and token) and acts through the packaged CLI and the public APIs only.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use harness_contract::USER_CLOUD;
use serde_json::{json, Value};

use super::cloud::Cloud;
use crate::services::openstack::api::Api;

/// The schedule's (and cron trigger's) name.
pub const NAME: &str = "e2e_scheduled_backup";
/// Its environment: the real specs' variables under a name of its own.
const ENVIRONMENT: &str = "e2e_scheduled_env";
/// From apply to both backups SUCCESS.
const BOTH_WITHIN: Duration = Duration::from_secs(180);
/// Longest a volume (or a backup's deletion) may take to settle.
const SETTLE: Duration = Duration::from_secs(120);

/// What the scheduled backup needs of the run.
pub struct Backup<'a> {
    pub root: &'a Path,
    /// The packaged `mistral-actions`.
    pub cli: &'a Path,
    pub cloud: &'a Cloud,
    /// Mistral's API root, `…/v2`: the schedule's executions and trigger, read and
    /// deleted as the test user.
    pub mistral: &'a str,
    /// Where executions reach the action servers (HAProxy), and their bearer token:
    /// what the environment gives, read by apply from its own environment.
    pub server_url: String,
    pub server_token: String,
}

/// A service as the test user: its root and a token.
struct Service {
    api: Api,
    url: String,
}

impl Service {
    fn get(&self, path: &str) -> Result<Value> {
        self.api.get(&format!("{}{path}", self.url))
    }

    fn delete(&self, path: &str) -> Result<()> {
        self.api.delete(&format!("{}{path}", self.url))
    }

    /// Deletes what may be gone already, saying what could not be deleted.
    fn delete_quietly(&self, path: &str) {
        if let Err(e) = self.delete(path) {
            if !format!("{e:#}").contains("HTTP 404") {
                eprintln!("    note: DELETE {path}: {e:#}");
            }
        }
    }
}

/// Cinder as the test user.
struct Cinder(Service);

impl Cinder {
    fn new(api: Api, cloud: &Cloud) -> Result<Cinder> {
        let endpoint = cloud
            .env
            .endpoints
            .get("volumev3")
            .context("no volumev3 endpoint in env.json")?;
        Ok(Cinder(Service {
            api,
            url: endpoint.replace("%(project_id)s", &cloud.env.project.id),
        }))
    }

    fn get(&self, path: &str) -> Result<Value> {
        self.0.get(path)
    }

    /// Polls `path` until `pointer` reads `want`; an `error` status ends it early.
    fn wait_for(&self, path: &str, pointer: &str, want: &str) -> Result<()> {
        let started = Instant::now();
        loop {
            let now = self
                .get(path)?
                .pointer(pointer)
                .cloned()
                .unwrap_or_default();
            if now == want {
                return Ok(());
            }
            if now.as_str().is_some_and(|s| s.starts_with("error")) || started.elapsed() > SETTLE {
                bail!("{path}: {pointer} is {now}, waited for {want}");
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    }

    /// A new available 1 GB volume.
    fn volume(&self, name: &str) -> Result<String> {
        let made = self.0.api.post(
            &format!("{}/volumes", self.0.url),
            &json!({"volume": {"size": 1, "name": name}}),
        )?;
        let id = made["volume"]["id"]
            .as_str()
            .with_context(|| format!("no volume id in {made}"))?
            .to_string();
        self.wait_for(&format!("/volumes/{id}"), "/volume/status", "available")?;
        Ok(id)
    }

    /// The volume's backups, oldest first: (id, is_incremental, status).
    fn backups(&self, volume: &str) -> Result<Vec<(String, bool, String)>> {
        let listed = self.get(&format!("/backups/detail?volume_id={volume}"))?;
        let mut backups: Vec<(String, String, bool, String)> = listed["backups"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| {
                (
                    b["created_at"].as_str().unwrap_or_default().to_string(),
                    b["id"].as_str().unwrap_or_default().to_string(),
                    b["is_incremental"] == true,
                    b["status"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect();
        backups.sort();
        Ok(backups
            .into_iter()
            .map(|(_, id, incremental, status)| (id, incremental, status))
            .collect())
    }

    /// Deletes the volume's backups, newest first (Cinder keeps a backup with
    /// incrementals on top of it), then the volume. Best effort: what is left is said.
    fn remove(&self, volume: &str) {
        let result = (|| -> Result<()> {
            for (id, _, _) in self.backups(volume)?.into_iter().rev() {
                self.0.delete(&format!("/backups/{id}"))?;
                let started = Instant::now();
                while self.get(&format!("/backups/{id}")).is_ok() {
                    ensure!(started.elapsed() < SETTLE, "backup {id} is still there");
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
            self.0.delete(&format!("/volumes/{volume}"))
        })();
        if let Err(e) = result {
            eprintln!(
                "    note: the scheduled backup's volume {volume} was not all removed: {e:#}"
            );
        }
    }
}

/// The temporary project: the real specs, with the one schedule and its environment,
/// generated.
fn project(root: &Path, volume: &str) -> Result<tempfile::TempDir> {
    let dir = tempfile::tempdir().context("cannot make a temporary directory")?;
    let specs = dir.path().join("specs");
    copy_dir(&root.join("specs"), &specs)?;
    // The generator checks the custom actions' functions against their source.
    let custom = Path::new("runtime/src/custom");
    copy_dir(&root.join(custom), &dir.path().join(custom))?;
    for replaced in ["schedules", "environments"] {
        std::fs::remove_dir_all(specs.join(replaced))
            .with_context(|| format!("cannot remove the copy's specs/{replaced}"))?;
        std::fs::create_dir(specs.join(replaced))?;
    }
    std::fs::write(
        specs.join("environments/e2e.yaml"),
        format!(
            "environments:
  {ENVIRONMENT}:
    description: Where the e2e's scheduled backup reaches the action servers.
    variables:
      mistral_actions_url: {{from_env: MISTRAL_ACTIONS_URL}}
      mistral_actions_token: {{from_env: MISTRAL_ACTIONS_TOKEN}}
"
        ),
    )?;
    std::fs::write(
        specs.join("schedules/e2e.yaml"),
        format!(
            "schedules:
  {NAME}:
    description: Back up the e2e's volume every minute.
    workflow: create_volume_backup
    input: {{volume_id: {volume}, backup_name: {NAME}}}
    pattern: \"* * * * *\"
    environment: {ENVIRONMENT}
"
        ),
    )?;
    match codegen::generate(dir.path()) {
        Ok((_, _, files)) => codegen::output::apply(dir.path(), &files)
            .context("cannot write the copy's generated/")?,
        Err(e) => bail!("the copied specs with the e2e schedule do not generate: {e:?}"),
    };
    Ok(dir)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("{}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
    Ok(())
}

/// What a run of the packaged CLI gave: exit code and both streams.
struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Ran {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Backup<'_> {
    /// The packaged `mistral-actions <args>` as the test user, from `/`, with no OS_* of
    /// this environment but the cloud's, and the action servers' address and token for
    /// the environment apply writes.
    fn cli(&self, args: &[&str]) -> Result<Ran> {
        let out: Output = crate::operator_cli::command(self.cli)
            .args(args)
            .current_dir("/")
            .env("OS_CLOUD", USER_CLOUD)
            .env("OS_CLIENT_CONFIG_FILE", &self.cloud.env.clouds_yaml)
            .env("MISTRAL_ACTIONS_URL", &self.server_url)
            .env("MISTRAL_ACTIONS_TOKEN", &self.server_token)
            .output()
            .with_context(|| format!("cannot run {}", self.cli.display()))?;
        Ok(Ran {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Runs the whole check in a thread while `cases` runs (it waits minutes on Mistral's
    /// periodic task): both outcomes, the check's first.
    pub fn beside(&self, cases: impl FnOnce() -> Result<()>) -> [Result<()>; 2] {
        let (backup, cases) = std::thread::scope(|s| {
            let backup = s.spawn(|| self.run());
            let cases = cases();
            (backup.join(), cases)
        });
        let backup = match backup {
            Ok(Ok(done)) => {
                eprintln!("    {done}");
                Ok(())
            }
            Ok(Err(e)) => Err(e.context("the scheduled backup")),
            Err(_) => Err(anyhow::anyhow!("the scheduled backup panicked")),
        };
        [backup, cases]
    }

    /// The whole check; the trigger, environment, backups and volume are removed
    /// whether it passes or not.
    fn run(&self) -> Result<String> {
        let (user, _) = self.cloud.user_login()?;
        let mistral = Service {
            api: user.clone(),
            url: self.mistral.trim_end_matches('/').to_string(),
        };
        let cinder = Cinder::new(user, self.cloud)?;
        let volume = cinder.volume(NAME)?;
        let outcome = self.deploy_and_watch(&mistral, &cinder, &volume);
        mistral.delete_quietly(&format!("/cron_triggers/{NAME}"));
        mistral.delete_quietly(&format!("/environments/{ENVIRONMENT}"));
        cinder.remove(&volume);
        outcome
    }

    fn deploy_and_watch(&self, mistral: &Service, cinder: &Cinder, volume: &str) -> Result<String> {
        let project = project(self.root, volume)?;
        let generated: PathBuf = project.path().join("generated");
        let generated = generated.to_str().context("a temporary path in UTF-8")?;
        let deploy =
            |command: &str| self.cli(&[command, "--generated", generated, "--actions", "sql"]);
        let applied = deploy("apply")?;
        let applied_at = Instant::now();
        ensure!(applied.code == 0, "the first apply failed:\n{applied}");
        let plan = deploy("plan")?;
        ensure!(
            plan.code == 0,
            "plan after apply is not empty (exit 0 expected):\n{plan}"
        );
        let again = deploy("apply")?;
        ensure!(
            again.code == 0
                && again
                    .stdout
                    .lines()
                    .any(|l| l == "No changes: Mistral holds what the specs ask."),
            "the second apply was to write nothing:\n{again}"
        );
        let trigger = mistral.get(&format!("/cron_triggers/{NAME}"))?;
        let id = trigger["id"]
            .as_str()
            .context("the trigger has no id")?
            .to_string();

        // Two fires; `schedules` counts them before a third can start. Then the
        // environment goes behind apply's back: the third fire cannot start (each
        // execution took its variables when it started, so the two carry on).
        let two = wait_fires(mistral, &id, applied_at, |fires| fires.len() >= 2)?;
        let watched = self.cli(&["schedules", NAME, "--format", "json"])?;
        mistral.delete(&format!("/environments/{ENVIRONMENT}"))?;
        let first_failing = first_slot_not_begun();
        ensure!(watched.code == 0, "schedules did not exit 0:\n{watched}");
        let report: Value =
            serde_json::from_str(&watched.stdout).context("schedules printed no JSON")?;
        let counted = &report["schedules"][0];
        let slots: Vec<&str> = counted["slots"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["execution"].as_str())
            .collect();
        let ids: Vec<&str> = two.iter().take(2).map(|f| f.0.as_str()).collect();
        ensure!(
            (&counted["fired"], &counted["missed"], slots.as_slice())
                == (&json!(2), &json!(0), ids.as_slice()),
            "schedules was to count the two fires {ids:?} and nothing missed:\n{watched}"
        );

        // Both end SUCCESS: a full backup, then an incremental one on top of it.
        let ended = wait_fires(mistral, &id, applied_at, |fires| {
            fires.iter().take(2).all(|f| f.1 != "RUNNING")
        })?;
        let states: Vec<&str> = ended.iter().take(2).map(|f| f.1.as_str()).collect();
        ensure!(
            states == ["SUCCESS", "SUCCESS"],
            "the two scheduled backups ended {states:?}; see their task results in Mistral (executions {ids:?})"
        );
        let backups = cinder.backups(volume)?;
        let kinds: Vec<(bool, &str)> = backups.iter().map(|(_, i, s)| (*i, s.as_str())).collect();
        ensure!(
            kinds == [(false, "available"), (true, "available")],
            "Cinder was to hold a full backup, then an incremental one (is_incremental, status): {kinds:?}"
        );
        let both = applied_at.elapsed().as_secs_f32();
        let missed = self.wait_missed(first_failing)?;
        let fires = wait_fires(mistral, &id, applied_at, |_| true)?;
        ensure!(
            fires.len() == 2,
            "a fire without its environment was to leave no execution: {fires:?}"
        );
        Ok(format!(
            "scheduled backup: applied (then plan exit 0, a second apply without a write), fired twice, a full then an incremental backup, SUCCESS {both:.0}s after apply; schedules: 2 fired, 0 missed, exit 0; environment deleted: MISSED, exit 1, {missed}s after the first fire that could not start"
        ))
    }

    /// Polls `schedules` until it exits 1 on a missed slot, at the latest a slot (its
    /// grace) after `first_failing`, the first slot that cannot start (a Unix time);
    /// how long after that slot.
    fn wait_missed(&self, first_failing: i64) -> Result<i64> {
        loop {
            let watched = self.cli(&["schedules", NAME, "--format", "json"])?;
            let report: Value = serde_json::from_str(&watched.stdout)
                .with_context(|| format!("schedules printed no JSON:\n{watched}"))?;
            let counted = &report["schedules"][0];
            if watched.code == 1 {
                ensure!(
                    counted["fired"] == 2 && counted["missed"] == 1,
                    "schedules was to count 2 fired and 1 missed:\n{watched}"
                );
                return Ok(unix_now() - first_failing);
            }
            ensure!(
                watched.code == 0 && unix_now() < first_failing + 60 + 10,
                "schedules did not report the fire without its environment MISSED within two slots:\n{watched}"
            );
            std::thread::sleep(Duration::from_secs(3));
        }
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The next minute Mistral has not begun to fire (it starts a fire up to 2 s early), as
/// a Unix time.
fn first_slot_not_begun() -> i64 {
    (unix_now() + 2).div_euclid(60) * 60 + 60
}

/// Trigger `id`'s executions (id, state), oldest first, once `done` holds of them; an
/// error once [`BOTH_WITHIN`] has passed since `since`.
fn wait_fires(
    mistral: &Service,
    id: &str,
    since: Instant,
    done: impl Fn(&[(String, String)]) -> bool,
) -> Result<Vec<(String, String)>> {
    loop {
        let listed = mistral.get(&format!("/executions?description=has:{id}"))?;
        let mut fires: Vec<(String, String, String)> = listed["executions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                let text = |k: &str| e[k].as_str().unwrap_or_default().to_string();
                (text("created_at"), text("id"), text("state"))
            })
            .collect();
        fires.sort();
        let fires: Vec<(String, String)> = fires
            .into_iter()
            .map(|(_, id, state)| (id, state))
            .collect();
        if done(&fires) {
            return Ok(fires);
        }
        if since.elapsed() > BOTH_WITHIN {
            bail!(
                    "the schedule's executions after {}s: {fires:?} (trigger {id}); see Mistral's periodic task log",
                    BOTH_WITHIN.as_secs()
                );
        }
        std::thread::sleep(Duration::from_secs(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copied_specs_generate_the_one_schedule_and_its_environment() {
        let volume = "0b9a2f4e-6c1d-4e8a-9f3b-2d7c5e1a4b60";
        let project = project(&crate::workspace_root(), volume).unwrap();
        let mistral = project.path().join("generated/mistral");
        let names = |dir: &str| -> Vec<String> {
            let mut names: Vec<String> = std::fs::read_dir(mistral.join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names("cron_triggers"), [format!("{NAME}.json")]);
        assert_eq!(names("environments"), [format!("{ENVIRONMENT}.json")]);
        let trigger: Value = serde_json::from_str(
            &std::fs::read_to_string(mistral.join(format!("cron_triggers/{NAME}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(trigger["pattern"], "* * * * *");
        assert_eq!(trigger["workflow_name"], "create_volume_backup");
        assert_eq!(
            trigger["workflow_input"],
            json!({"volume_id": volume, "backup_name": NAME})
        );
        // The workflows the e2e uploaded before: apply finds them as they are.
        assert_eq!(
            super::super::cases::generated_workflows(project.path()).unwrap(),
            super::super::cases::generated_workflows(&crate::workspace_root()).unwrap()
        );
    }
}
