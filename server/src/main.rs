//! `mistral-actions-server [--config FILE] [--listen ADDR] [--insecure-no-auth]`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mistral_actions_server::config::{Config, Overrides};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

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

fn init_logs() {
    let filter: Targets = std::env::var("MISTRAL_ACTIONS_LOG")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    init_logs();
    let overrides = Overrides {
        config: args.config,
        listen: args.listen,
        insecure_no_auth: args.insecure_no_auth,
    };
    match run(overrides).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(overrides: Overrides) -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::load(overrides, &|k| std::env::var(k).ok())?;
    if config.token.is_none() {
        tracing::warn!("running WITHOUT authentication (--insecure-no-auth)");
    }
    if config.cloud.is_none() {
        tracing::warn!("no OpenStack cloud configured: OpenStack actions will fail");
    }
    if config.exec.allow.is_empty() {
        tracing::info!("system.exec is disabled (empty exec.allow)");
    }
    let state = mistral_actions_server::state(&config)?;
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
