//! `eniscope`: pod-IP capacity, prefix delegation and DSR for EKS Windows and Linux nodes.
//! The command line lives in `cli`, HTTP handlers in `api`, shared handler state in `state`.

mod api;
mod aws;
mod cli;
mod config;
mod demo;
mod scan;
mod state;
mod static_files;

use clap::Parser as _;
use cli::{Cli, Command};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.command.default_log_filter());
    let result = match cli.command {
        Command::Serve(args) => cli::serve::run(args).await,
        Command::MaxPods(args) => cli::max_pods::run(&args),
        Command::Scan(args) => scan::run(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // `{:#}` prints the whole context chain: "cannot use snapshot file x: snapshot is not valid JSON …".
            eprintln!("error: {error:#}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// Logs to stderr (stdout is for results such as `--output json`), filtered by RUST_LOG.
fn init_tracing(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    // Colours only on a terminal: log files and CI output stay plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .init();
}
