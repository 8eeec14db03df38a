//! `eniscope serve`: load the fleet (demo, file), bind, serve the API and the frontend until Ctrl-C or
//! SIGTERM, then finish in-flight requests and exit.

use crate::cli::CliError;
use crate::config::CliOverrides;
use crate::state::{AppState, embedded_instance_types, read_snapshot_file};
use anyhow::Context as _;
use clap::Args;
use std::io::Write as _;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  eniscope serve --demo                                  # demo fleet on http://127.0.0.1:8080
  eniscope serve --snapshot fleet.json --listen 0.0.0.0:9000
  eniscope serve --listen 127.0.0.1:0                    # any free port; the address is printed
  ENISCOPE_DIST=/srv/eniscope/dist eniscope serve --demo

Routes: the web UI at /, the JSON API under /api/v1 (instance-types, max-pods, what-if, ...),
/healthz, /readyz and /metrics (Prometheus).

On startup the server prints one line to stdout, `eniscope listening on http://ADDR`; logs go to stderr.";

/// Where `serve` listens when neither `--listen`, ENISCOPE_LISTEN nor the config file says.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ServeArgs {
    /// Serve the demo fleet built into eniscope (several clusters, Windows and Linux nodegroups); no AWS access needed.
    #[arg(long, conflicts_with = "snapshot")]
    pub demo: bool,

    /// Serve a snapshot file written by `eniscope scan --output FILE`.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,

    /// TOML configuration file (accounts, regions, scan interval; see the README).
    #[arg(long, value_name = "FILE", env = "ENISCOPE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Address to listen on [default: 127.0.0.1:8080]. Port 0 picks a free port. Beats ENISCOPE_LISTEN,
    /// which beats `listen` in the config file.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,

    /// Directory of the built frontend (index.html, <entry>.js, <entry>_bg.wasm, CSS); `cargo xtask build` writes it.
    #[arg(
        long,
        value_name = "DIR",
        default_value = "dist",
        env = "ENISCOPE_DIST"
    )]
    pub dist: PathBuf,
}

pub async fn run(args: ServeArgs) -> Result<(), CliError> {
    let table = embedded_instance_types().context("loading the instance-type table")?;
    let state = AppState::new(table, args.dist.clone());

    // Flags beat ENISCOPE_* variables beat the config file (config::load); a bad file stops here.
    let overrides = CliOverrides {
        config: args.config.clone(),
        listen: args.listen.clone(),
        ..CliOverrides::default()
    };
    let config = crate::config::load(&overrides, &|key| std::env::var(key).ok())
        .map_err(|e| CliError::Input(e.to_string()))?;
    let listen = config
        .listen
        .map_or_else(|| DEFAULT_LISTEN.to_string(), |address| address.to_string());

    // Load the fleet before binding, so a bad file fails the start instead of serving nothing.
    if let Some(path) = &args.snapshot {
        let snapshot = read_snapshot_file(path)?;
        tracing::info!(path = %path.display(), clusters = snapshot.clusters.len(), "snapshot loaded");
        state.fleet.write().await.install_file(snapshot, path);
    } else if args.demo {
        let snapshot = crate::demo::demo_snapshot();
        let source = snapshot.source.clone();
        tracing::info!(clusters = snapshot.clusters.len(), "demo fleet loaded");
        state.fleet.write().await.install(snapshot, source);
    } else {
        crate::scan::serve_live_or_demo(&state, config).await?;
    }

    if !args.dist.join("index.html").is_file() {
        tracing::warn!(
            dist = %args.dist.display(),
            "frontend bundle not found: the API works, the UI shows how to build it (`cargo xtask run`)"
        );
    }

    let listener = tokio::net::TcpListener::bind(&listen).await.with_context(|| {
        format!("cannot listen on {listen}: is another process using it? pick another with --listen 127.0.0.1:PORT")
    })?;
    let address = listener.local_addr().context("reading the bound address")?;
    // The one line on stdout: scripts and tests read the address from it (useful with port 0).
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "eniscope listening on http://{address}")
        .and_then(|()| stdout.flush())
        .ok();
    drop(stdout);
    tracing::info!(%address, dist = %args.dist.display(), "serving");

    axum::serve(listener, crate::api::router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("the HTTP server stopped with an error")?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` and Kubernetes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sigterm) => {
                sigterm.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C: finishing in-flight requests"),
        () = terminate => tracing::info!("SIGTERM: finishing in-flight requests"),
    }
}
