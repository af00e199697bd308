//! Who is calling, from the bearer token. The server's own token acts in the configured
//! project and those the operator lists; a project's token (`tokens:`) only in its project
//! (see `reach`).
//!
//! Tokens read from files are rotated without downtime: on SIGHUP every file is read again
//! at once, and a poll notices a changed file by itself (applied once two reads agree, so
//! a file caught half-written is never taken). The token a file held before stays valid
//! for the configured overlap: executions that started before the rotation carry it in
//! their environment until they end.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use mistral_actions_runtime::logsafe::clean;
use mistral_actions_runtime::Secret;
use subtle::ConstantTimeEq;

use crate::config::{read_token, Access, Config, ConfigError};

/// Whose token a request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// The server's own token (or any request under `--insecure-no-auth`).
    Server,
    /// A token of `tokens:`, which acts in this project only.
    Project(String),
}

impl Caller {
    fn describe(&self) -> String {
        match self {
            Caller::Server => "the server's token".into(),
            Caller::Project(p) => format!("the token of project '{}'", clean(p)),
        }
    }
}

struct Key {
    caller: Caller,
    token: Secret<String>,
    /// `None` while it is the token its file holds; else when it stops being accepted.
    retires: Option<Instant>,
}

/// How often token files are checked for a change (cheap: a few bytes each).
const POLL: Duration = Duration::from_secs(2);

pub struct Auth {
    insecure: bool,
    overlap: Duration,
    /// The token files, with the caller each one's token authenticates.
    files: Vec<(Caller, PathBuf)>,
    keys: RwLock<Vec<Key>>,
    /// A changed file as the last poll read it, not applied yet.
    pending: Mutex<HashMap<PathBuf, String>>,
}

impl Auth {
    pub fn new(config: &Config, access: &Access) -> Result<Auth, ConfigError> {
        let mut keys = Vec::new();
        let mut files = Vec::new();
        if let Some(t) = &config.token {
            keys.push(Key {
                caller: Caller::Server,
                token: t.clone(),
                retires: None,
            });
            if let Some(path) = &access.token_file {
                files.push((Caller::Server, path.clone()));
            }
        }
        for (project, path) in &access.project_tokens {
            let caller = Caller::Project(project.clone());
            keys.push(Key {
                caller: caller.clone(),
                token: Secret::new(read_token(path)?),
                retires: None,
            });
            files.push((caller, path.clone()));
        }
        for (i, k) in keys.iter().enumerate() {
            if keys[..i]
                .iter()
                .any(|o| o.token.expose() == k.token.expose())
            {
                return Err(ConfigError::Invalid(format!(
                    "{} is also another caller's: each project needs a token of its own",
                    k.caller.describe()
                )));
            }
        }
        Ok(Auth {
            insecure: access.insecure_no_auth,
            overlap: access.overlap,
            files,
            keys: RwLock::new(keys),
            pending: Mutex::new(HashMap::new()),
        })
    }

    /// Whether requests go without a token.
    pub fn is_open(&self) -> bool {
        self.insecure
    }

    /// The caller `given` (the bearer token of a request) authenticates, if any. Every
    /// live token is compared, in constant time each.
    pub fn caller(&self, given: Option<&[u8]>) -> Option<Caller> {
        if self.insecure {
            return Some(Caller::Server);
        }
        let given = given?;
        let now = Instant::now();
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        let mut found = None;
        for k in keys.iter() {
            let live = k.retires.is_none_or(|t| now < t);
            if bool::from(given.ct_eq(k.token.expose().as_bytes())) && live {
                found = Some(k.caller.clone());
            }
        }
        found
    }

    /// Reads every token file again (SIGHUP) and applies what changed.
    pub fn reload(&self) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        for (caller, path) in &self.files {
            match read_token(path) {
                Ok(token) => self.apply(caller, path, token),
                Err(e) => tracing::error!(
                    caller = %caller.describe(),
                    error = %clean(&e.to_string()),
                    "token file unreadable; the tokens in use stay"
                ),
            }
        }
    }

    /// One poll: a file whose token differs from the one in use is applied when the
    /// previous poll read the same text.
    fn poll(&self) {
        for (caller, path) in &self.files {
            let Ok(token) = read_token(path) else {
                continue;
            };
            if self.current(caller).as_deref() == Some(token.as_str()) {
                continue;
            }
            let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            if pending.get(path) == Some(&token) {
                pending.remove(path);
                drop(pending);
                self.apply(caller, path, token);
            } else {
                pending.insert(path.clone(), token);
            }
        }
    }

    fn current(&self, caller: &Caller) -> Option<String> {
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .find(|k| &k.caller == caller && k.retires.is_none())
            .map(|k| k.token.expose().clone())
    }

    /// Makes `token` the one `caller`'s file holds; the one before retires after the
    /// overlap.
    fn apply(&self, caller: &Caller, path: &Path, token: String) {
        let now = Instant::now();
        let mut keys = self.keys.write().unwrap_or_else(|e| e.into_inner());
        keys.retain(|k| k.retires.is_none_or(|t| now < t));
        if keys
            .iter()
            .any(|k| &k.caller == caller && k.retires.is_none() && *k.token.expose() == token)
        {
            return;
        }
        if keys
            .iter()
            .any(|k| &k.caller != caller && *k.token.expose() == token)
        {
            tracing::error!(
                caller = %caller.describe(),
                file = %clean(&path.display().to_string()),
                "the new token is also another caller's; not taken"
            );
            return;
        }
        let retires = now + self.overlap;
        for k in keys.iter_mut().filter(|k| &k.caller == caller) {
            k.retires = Some(k.retires.map_or(retires, |t| t.min(retires)));
        }
        keys.push(Key {
            caller: caller.clone(),
            token: Secret::new(token),
            retires: None,
        });
        tracing::info!(
            caller = %caller.describe(),
            overlap_secs = self.overlap.as_secs_f64(),
            "bearer token rotated; the previous one is accepted for the overlap"
        );
    }

    /// Re-reads the token files on SIGHUP, and polls them for changes.
    pub fn watch(self: &Arc<Self>) {
        if self.files.is_empty() {
            return;
        }
        let auth = self.clone();
        tokio::spawn(async move {
            let mut poll = tokio::time::interval(POLL);
            poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            #[cfg(unix)]
            let mut hangup =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
            loop {
                #[cfg(unix)]
                let signalled = async {
                    match hangup.as_mut() {
                        Some(s) => s.recv().await,
                        None => std::future::pending().await,
                    }
                };
                #[cfg(not(unix))]
                let signalled = std::future::pending::<Option<()>>();
                tokio::select! {
                    _ = signalled => {
                        tracing::info!("SIGHUP: reading the token files again");
                        auth.reload();
                    }
                    _ = poll.tick() => auth.poll(),
                }
            }
        });
    }
}
