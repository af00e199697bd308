//! `mistral-actions-server [--config FILE] [--listen ADDR] [--insecure-no-auth]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mistral_actions_runtime::logsafe::clean;
use mistral_actions_server::config::{Overrides, Settings};

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
    /// Accept requests without a bearer token. Only for tests on a trusted host.
    #[arg(long)]
    insecure_no_auth: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    mistral_actions_server::logs::init();
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
