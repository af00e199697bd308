//! `cargo xtask completions <shell>`. Users type `cargo xtask …`, so bash looks up the
//! completion of `cargo`, not of a `cargo-xtask` command: clap's script gets a `cargo`
//! completion beside it that hands `cargo xtask …` to clap's function as one command, and
//! everything else to whatever completed `cargo` before (rustup's `_cargo`, loaded on
//! demand by bash-completion).

use std::io::Write;

use clap::Command;
use clap_complete::Shell;

/// What clap's bash script completes; `_cargo_xtask` is its function.
const BASH_NAME: &str = "cargo_xtask";

/// Bash glue: the `cargo` completion that dispatches on `xtask`, handing clap's function
/// the words as if [`BASH_NAME`] (11 characters, which the cursor moves by) had been
/// typed.
const BASH_CARGO: &str = r#"
# `cargo xtask …`: complete as `cargo_xtask …`; any other `cargo …`: cargo's own
# completion, as it was before this script was sourced.
if ! complete -p cargo >/dev/null 2>&1 && declare -F _completion_loader >/dev/null; then
    _completion_loader cargo >/dev/null 2>&1
fi
__ma_xtask_before=$(complete -p cargo 2>/dev/null | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
if [[ $__ma_xtask_before != _cargo_with_xtask ]]; then
    __ma_xtask_cargo=$__ma_xtask_before
fi
unset __ma_xtask_before

_cargo_with_xtask() {
    if [[ ${COMP_CWORD} -ge 2 && ${COMP_WORDS[1]} == xtask ]]; then
        local rest=${COMP_LINE#*xtask}
        local -a COMP_WORDS=(cargo_xtask "${COMP_WORDS[@]:2}")
        local COMP_CWORD=$((COMP_CWORD - 1))
        local COMP_POINT=$((COMP_POINT - ${#COMP_LINE} + ${#rest} + 11))
        local COMP_LINE="cargo_xtask${rest}"
        _cargo_xtask cargo_xtask "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        return
    fi
    if [[ -n ${__ma_xtask_cargo:-} ]] && declare -F "$__ma_xtask_cargo" >/dev/null; then
        "$__ma_xtask_cargo" "$@"
    fi
}
complete -F _cargo_with_xtask -o bashdefault -o default cargo
"#;

pub fn print(shell: Shell, cmd: Command) {
    // clap_complete's bash script never reaches its subcommands' cases when the name has
    // a `-` or a space (it spells the name two ways); bash gets a name with neither.
    let name = if shell == Shell::Bash {
        BASH_NAME
    } else {
        "cargo-xtask"
    };
    let mut cmd = cmd.name(name).bin_name(name);
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, name, &mut script);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(&script);
    if shell == Shell::Bash {
        let _ = out.write_all(BASH_CARGO.as_bytes());
    }
}
