//! `mistral-actions-server [--config FILE] [--listen ADDR] [--log-format text|json]
//! [--insecure-no-auth]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use mistral_actions_runtime::logsafe::clean;
use mistral_actions_server::config::{Overrides, Settings};
use mistral_actions_server::logs::Format;

/// Runs the generated Mistral actions behind HTTP for Mistral's std.http.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// YAML configuration file (also MISTRAL_ACTIONS_CONFIG).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Address to listen on (also MISTRAL_ACTIONS_LISTEN; default 127.0.0.1:8989).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Log lines as text or as one JSON object each, for log shippers (also
    /// MISTRAL_ACTIONS_LOG_FORMAT; default text).
    #[arg(long, value_name = "FORMAT")]
    log_format: Option<Format>,
    /// Accept requests without a bearer token. Only for tests on a trusted host.
    #[arg(long)]
    insecure_no_auth: bool,
}

/// `--log-format`, else `MISTRAL_ACTIONS_LOG_FORMAT`, else text. Read before anything is
/// logged, so it cannot come from the configuration file.
fn log_format(flag: Option<Format>) -> Result<Format, String> {
    if let Some(f) = flag {
        return Ok(f);
    }
    match std::env::var("MISTRAL_ACTIONS_LOG_FORMAT") {
        Ok(v) if !v.is_empty() => Format::from_str(&v, true)
            .map_err(|_| format!("MISTRAL_ACTIONS_LOG_FORMAT: expected text or json, got {v:?}")),
        _ => Ok(Format::default()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let format = match log_format(args.log_format) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    mistral_actions_server::logs::init(format);
    let overrides = Overrides {
        config: args.config,
        listen: args.listen,
        insecure_no_auth: args.insecure_no_auth,
    };
    match run(overrides).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %clean(&e.to_string()), "cannot start");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(overrides: Overrides) -> Result<(), Box<dyn std::error::Error>> {
    let Settings { config, access } = Settings::load(overrides, &|k| std::env::var(k).ok())?;
    if access.insecure_no_auth {
        tracing::warn!("running WITHOUT authentication (--insecure-no-auth)");
    }
    if config.cloud.is_none() {
        tracing::warn!("no OpenStack cloud configured: OpenStack actions will fail");
    }
    if config.exec.allow.is_empty() {
        tracing::info!("system.exec is disabled (empty exec.allow)");
    }
    let state = mistral_actions_server::state_with(&config, &access)?;
    state.auth.watch();
    let app = mistral_actions_server::router(state);
    let tcp = tokio::net::TcpListener::bind(config.listen).await?;
    let local = tcp.local_addr()?;
    match &config.tls {
        Some(tls) => {
            let acceptor = mistral_actions_server::tls::acceptor(tls)?;
            tracing::info!(%local, "listening (https)");
            let listener = mistral_actions_server::tls::TlsListener::new(tcp, acceptor)?;
            axum::serve(listener, app)
                .with_graceful_shutdown(mistral_actions_server::shutdown_signal())
                .await?;
        }
        None => {
            tracing::info!(%local, "listening (http)");
            axum::serve(tcp, app)
                .with_graceful_shutdown(mistral_actions_server::shutdown_signal())
                .await?;
        }
    }
    Ok(())
}
