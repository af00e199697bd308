//! The package installed and purged as `apt`/`dpkg` do it, maintainer scripts included, on
//! a throwaway copy of this machine: a private mount namespace with an overlay over `/`,
//! so nothing of the install reaches the host. What an operator gets is checked inside:
//! the service user, the first token (0600, the user's), the conffiles, the packaged server
//! started as that user under the packaged configuration, and a purge that takes the token.

use std::fs;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::services::{apt_install, have, process};

/// Run inside the copy, as root, with `set -eu`: every line must hold.
const SCRIPT: &str = r#"
say() { echo "    install: $*"; }
dpkg -i "$DEB" >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; exit 1; }
say "dpkg -i: installed ($(dpkg-query -W -f='${Version}' mistral-actions))"
entry=$(getent passwd mistral-actions)
case "$entry" in
  *:/nonexistent:/usr/sbin/nologin) say "system user: $entry" ;;
  *) echo "unexpected service user: $entry"; exit 1 ;;
esac
mode=$(stat -c '%a %U:%G' /etc/mistral-actions/token)
[ "$mode" = "600 mistral-actions:mistral-actions" ] || { echo "token file: $mode"; exit 1; }
[ "$(wc -c </etc/mistral-actions/token)" -ge 64 ] || { echo "token too short"; exit 1; }
say "first token: /etc/mistral-actions/token $mode"
conffiles=$(dpkg-query -W -f='${Conffiles}' mistral-actions)
for f in /etc/mistral-actions/server.yaml /etc/default/mistral-actions-server; do
  echo "$conffiles" | grep -q " $f " || { echo "not a conffile: $f"; exit 1; }
done
say "conffiles: server.yaml, /etc/default/mistral-actions-server"
ls /usr/share/mistral-actions/sql/postgresql/*/*.up.sql >/dev/null
# What apply reads, at its default path: plan reads the whole tree before it calls Mistral
# (here, nothing listens: it must get that far and no further).
out=$(env -i PATH="$PATH" MISTRAL_ACTIONS_URL=u MISTRAL_ACTIONS_TOKEN=t \
  /usr/bin/mistral-actions plan --url http://127.0.0.1:9/v2 2>&1) && { echo "$out"; exit 1; } || true
echo "$out" | grep -q "cannot reach Mistral at http://127.0.0.1:9/v2" \
  || { echo "mistral-actions plan of the installed tree: $out"; exit 1; }
say "mistral-actions plan: reads /usr/share/mistral-actions (mistral/, workflows/, sql/state.json)"
[ -e /lib/systemd/system/mistral-actions-server.service ]
# As the unit runs it: its user, its config, its environment file (none set yet).
runuser -u mistral-actions -- /usr/bin/mistral-actions-server \
  --config /etc/mistral-actions/server.yaml --listen "127.0.0.1:$PORT" >/tmp/server.log 2>&1 &
pid=$!
up=""
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then up=yes; break; fi
  sleep 0.1
done
[ -n "$up" ] || { cat /tmp/server.log; kill $pid; exit 1; }
token=$(cat /etc/mistral-actions/token)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$PORT/v1/actions")
[ "$code" = 200 ] || { echo "GET /v1/actions with the installed token: $code"; kill $pid; exit 1; }
kill $pid; wait $pid 2>/dev/null || true
say "mistral-actions-server as user mistral-actions: /healthz, /v1/actions with the installed token 200"
dpkg --purge mistral-actions >/tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log; exit 1; }
[ ! -e /etc/mistral-actions/token ] && [ ! -e /usr/bin/mistral-actions-server ] \
  && [ ! -e /etc/mistral-actions/server.yaml ] || { echo "purge left files"; exit 1; }
say "dpkg --purge: binaries, conffiles and token gone"
"#;

/// Installs, checks and purges `deb` on an overlay copy of `/` under `scratch`.
pub fn round_trip(deb: &Path, scratch: &Path) -> Result<()> {
    if !have("curl") {
        apt_install(&["curl"])?;
    }
    let _ = fs::remove_dir_all(scratch);
    for dir in ["upper", "work", "merged"] {
        fs::create_dir_all(scratch.join(dir))
            .with_context(|| format!("cannot create {}", scratch.display()))?;
    }
    // In the copy's root (its upper layer): the checkout may be under /tmp, which the
    // copy has empty.
    let inside = "/mistral-actions-under-test.deb";
    fs::copy(deb, scratch.join("upper").join(&inside[1..]))
        .with_context(|| format!("cannot copy {}", deb.display()))?;
    let port = process::free_port(None)?;
    // The copy sees the host's files (the .deb included) and writes only to `upper`;
    // /proc, /dev and /run are the host's, /tmp its own.
    let outer = format!(
        "set -e; m={s}/merged; \
         mount -t overlay overlay -o lowerdir=/,upperdir={s}/upper,workdir={s}/work $m; \
         mount --bind /proc $m/proc; mount --bind /dev $m/dev; \
         mount -t tmpfs tmpfs $m/tmp; mount -t tmpfs tmpfs $m/run; \
         exec chroot $m /bin/sh -eu -c \"$SCRIPT\"",
        s = scratch.display()
    );
    let out = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "--fork",
            "sh",
            "-c",
            &outer,
        ])
        .env("SCRIPT", SCRIPT)
        .env("DEB", inside)
        .env("PORT", port.to_string())
        .output()
        .context("cannot run unshare")?;
    let text = String::from_utf8_lossy(&out.stdout);
    eprint!("{text}");
    let _ = fs::remove_dir_all(scratch);
    if !out.status.success() {
        bail!(
            "installing the package on a copy of this machine failed: {}{}",
            text.lines().last().unwrap_or_default(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
