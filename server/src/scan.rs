//! `eniscope scan` (one collection → a snapshot file) and the background scan loop of
//! `eniscope serve`. Both use `aws::collect` over `aws::real::SdkApi`.

use crate::aws::collect::{self, CollectContext, CollectOutcome, DEFAULT_CONCURRENCY, Scope};
use crate::aws::real::{self, Credentials, SdkApi};
use crate::cli::CliError;
use crate::config::{self, CliOverrides, Config};
use crate::state::{AppState, ScanPhase as StatusPhase};
use anyhow::Context as _;
use clap::Args;
use shared::snapshot::{ErrorKind, Snapshot, SnapshotSource, SourceKind};
use shared::{InstanceTypeTable, Os};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

pub use crate::aws::collect::{InstanceTypeCache, ProgressView, ScanProgress};

const EXAMPLES: &str = "\
Examples:
  # Every cluster in two regions, with the standard credential chain (AWS_PROFILE, env keys, SSO, IRSA)
  eniscope scan --regions eu-west-1,us-east-1 --output fleet.json
  eniscope serve --snapshot fleet.json

  # Accounts, regions and per-cluster overrides from a config file (see eniscope.example.toml)
  eniscope scan --config eniscope.toml --output fleet.json

  # Against a local AWS emulator (moto)
  AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \\
    eniscope scan --endpoint-url http://127.0.0.1:5000 --regions us-east-1 --output fleet.json

eniscope only reads (Describe*/List*/Get*); iam-policy.json lists every IAM action it uses.
A summary (clusters, nodes, errors, AWS calls by operation, time) goes to stderr. The exit code is 0
when anything was collected (per-source errors are inside the snapshot), 1 when nothing could be read.";

#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct ScanArgs {
    /// TOML configuration file: accounts, regions, per-cluster overrides (see eniscope.example.toml).
    #[arg(long, value_name = "FILE", env = "ENISCOPE_CONFIG")]
    pub config: Option<PathBuf>,

    /// Send every EKS and EC2 call to this endpoint (an emulator such as moto). Env: ENISCOPE_ENDPOINT_URL.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Comma-separated regions to scan; overrides the config file and ENISCOPE_REGIONS.
    #[arg(long, value_name = "R1,R2", value_delimiter = ',')]
    pub regions: Option<Vec<String>>,

    /// Where to write the snapshot JSON (`-` for stdout).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: PathBuf,
}

/// `eniscope scan`.
pub async fn run(args: ScanArgs) -> Result<(), CliError> {
    let overrides = CliOverrides {
        config: args.config.clone(),
        regions: args.regions.clone().map(|r| {
            r.into_iter()
                .flat_map(|s| config::split_regions(&s))
                .collect()
        }),
        endpoint_url: args.endpoint_url.clone(),
        ..CliOverrides::default()
    };
    let config = config::load(&overrides, &|key| std::env::var(key).ok())
        .map_err(|e| CliError::Input(e.to_string()))?;
    let table =
        crate::state::embedded_instance_types().context("loading the instance-type table")?;
    let started = Instant::now();
    let regions = resolve_regions(&config).await.map_err(CliError::Input)?;
    let scopes = build_scopes(&config, &regions).await;
    let cache = InstanceTypeCache::default();
    let progress = ScanProgress::default();
    let outcome = scan_once(&config, &regions, &scopes, &cache, &table, &progress).await;
    eprint!("{}", summary(&outcome, started.elapsed()));
    if outcome.nothing_collected() {
        return Err(CliError::Runtime(anyhow::anyhow!(
            "{}; nothing written to {}",
            nothing_collected_reason(&outcome),
            args.output.display()
        )));
    }
    write_snapshot(&outcome.snapshot, &args.output)?;
    if args.output != Path::new("-") {
        eprintln!("wrote {}", args.output.display());
    }
    Ok(())
}

/// The regions from the config; else the SDK's default region (AWS_REGION, profile).
pub async fn resolve_regions(config: &Config) -> Result<Vec<String>, String> {
    if !config.regions.is_empty() {
        return Ok(config.regions.clone());
    }
    let mut chain = aws_config::default_provider::region::DefaultRegionChain::builder();
    if let Some(Credentials::Profile(profile)) = config.accounts.first().map(|a| &a.credentials) {
        chain = chain.profile_name(profile);
    }
    match chain.build().region().await {
        Some(region) => Ok(vec![region.to_string()]),
        None => Err(
            "no region to scan: set `regions` in the config file, ENISCOPE_REGIONS=eu-west-1,…, --regions eu-west-1,…, or AWS_REGION"
                .to_string(),
        ),
    }
}

/// One scope per account × region. Built once and reused across scans so credentials stay cached.
pub async fn build_scopes(config: &Config, regions: &[String]) -> Vec<Scope<SdkApi>> {
    let mut scopes = Vec::new();
    for account in &config.accounts {
        for region in regions {
            let sdk =
                real::sdk_config(&account.credentials, region, config.endpoint_url.as_deref())
                    .await;
            scopes.push(Scope {
                account_label: account.name.clone(),
                region: region.clone(),
                api: SdkApi::new(&sdk),
            });
        }
    }
    scopes
}

/// Run one collection over prepared scopes.
pub async fn scan_once(
    config: &Config,
    regions: &[String],
    scopes: &[Scope<SdkApi>],
    cache: &InstanceTypeCache,
    table: &InstanceTypeTable,
    progress: &ScanProgress,
) -> CollectOutcome {
    let accounts: Vec<&str> = config.accounts.iter().map(|a| a.name.as_str()).collect();
    let mut description = format!(
        "accounts {} × regions {}",
        accounts.join(", "),
        regions.join(", ")
    );
    if let Some(url) = &config.endpoint_url {
        let _ = write!(description, " via {url}");
    }
    let ctx = CollectContext {
        type_cache: cache,
        embedded_types: table,
        overrides: &config.cluster_overrides,
        progress,
        concurrency: if config.concurrency == 0 {
            DEFAULT_CONCURRENCY
        } else {
            config.concurrency
        },
        description,
    };
    collect::collect(scopes, &ctx).await
}

/// Why nothing could be collected, with what to do.
pub fn nothing_collected_reason(outcome: &CollectOutcome) -> String {
    let errors = &outcome.snapshot.errors;
    if !errors.is_empty() && errors.iter().all(|e| e.kind == ErrorKind::Credentials) {
        return "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_REGION), \
                or run `eniscope serve --demo` to explore the demo fleet"
            .to_string();
    }
    let first = errors
        .first()
        .map(|e| e.message.as_str())
        .unwrap_or("no error was reported");
    format!(
        "no account/region could be read ({} of {} failed); first error: {first}",
        outcome.sources_total - outcome.sources_reached,
        outcome.sources_total
    )
}

/// The stderr summary of a scan.
pub fn summary(outcome: &CollectOutcome, wall: Duration) -> String {
    let snapshot = &outcome.snapshot;
    let nodes: Vec<_> = snapshot.clusters.iter().flat_map(|c| &c.nodes).collect();
    let windows = nodes.iter().filter(|n| n.os == Os::Windows).count();
    let nodegroups: usize = snapshot.clusters.iter().map(|c| c.nodegroups.len()).sum();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scanned {} (reached {} of {} account×region sources) in {:.1} s",
        snapshot.source.description,
        outcome.sources_reached,
        outcome.sources_total,
        wall.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "clusters {}, nodegroups {nodegroups}, nodes {} (windows {windows}, linux {}), subnets {}, instance types {}",
        snapshot.clusters.len(),
        nodes.len(),
        nodes.len() - windows,
        snapshot.subnets.len(),
        snapshot.instance_types.len()
    );
    let _ = writeln!(out, "errors {}", snapshot.errors.len());
    for error in &snapshot.errors {
        let place: Vec<&str> = [
            error.account.as_deref(),
            error.region.as_deref(),
            error.cluster.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        let kind = serde_json::to_value(error.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(out, "  [{kind}] {}: {}", place.join("/"), error.message);
    }
    let total: u64 = snapshot.api_calls.values().sum();
    let _ = writeln!(out, "AWS calls {total}");
    for (operation, count) in &snapshot.api_calls {
        let _ = writeln!(out, "  {operation:<36} {count:>6}");
    }
    out
}

fn write_snapshot(snapshot: &Snapshot, output: &Path) -> Result<(), CliError> {
    let json = serde_json::to_string_pretty(snapshot).context("serializing the snapshot")?;
    if output == Path::new("-") {
        println!("{json}");
        return Ok(());
    }
    // Write then rename, so a reader (`serve --snapshot`) never sees half a file.
    let mut temporary = output.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, json + "\n").with_context(|| {
        format!(
            "cannot write {}: check the directory exists and is writable",
            temporary.display()
        )
    })?;
    std::fs::rename(&temporary, output).with_context(|| {
        format!(
            "cannot move {} to {}",
            temporary.display(),
            output.display()
        )
    })?;
    Ok(())
}

/// Can `serve` scan live? `Ok(regions)` if a region is known and the first account's credentials
/// resolve; `Err(why not)` otherwise (then `serve` falls back to the demo fleet and says so).
pub async fn live_scan_available(config: &Config) -> Result<Vec<String>, String> {
    let regions = resolve_regions(config).await?;
    let account = config.accounts.first().ok_or("no account configured")?;
    let Some(region) = regions.first() else {
        return Err("no region to scan".into());
    };
    let sdk = real::sdk_config(&account.credentials, region, config.endpoint_url.as_deref()).await;
    real::check_credentials(&sdk).await.map_err(|e| {
        format!(
            "no AWS credentials found for account {} ({e}): set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or pass --snapshot FILE",
            account.name
        )
    })?;
    Ok(regions)
}

/// `eniscope serve` without `--demo` or `--snapshot`: scan AWS in the background when a region and
/// credentials are found; otherwise serve the demo fleet, saying why in its source description (the
/// UI shows it). `config` is what `serve` loaded (flags > ENISCOPE_* > file).
pub async fn serve_live_or_demo(state: &AppState, config: Config) -> Result<(), CliError> {
    match live_scan_available(&config).await {
        Ok(regions) => {
            tracing::info!(
                regions = %regions.join(","),
                interval_seconds = config.scan_interval.as_secs(),
                "scanning AWS in the background"
            );
            // The loop runs for the life of the process.
            drop(spawn_scan_loop(state.clone(), config));
        }
        Err(why) => {
            tracing::warn!(%why, "no live AWS access: serving the demo fleet");
            let mut snapshot = crate::demo::demo_snapshot();
            snapshot.source.description =
                format!("{}, shown because {why}", snapshot.source.description);
            let source = snapshot.source.clone();
            state.fleet.write().await.install(snapshot, source);
        }
    }
    Ok(())
}

/// Run the collector every `config.scan_interval` in the background, installing each snapshot in
/// `state.fleet` (the last good one stays when a scan reads nothing) with progress in `fleet.scan`.
pub fn spawn_scan_loop(state: AppState, config: Config) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let cache = InstanceTypeCache::default();
        let progress = Arc::new(ScanProgress::default());
        let mut prepared: Option<(Vec<String>, Vec<Scope<SdkApi>>)> = None;
        loop {
            {
                let mut fleet = state.fleet.write().await;
                fleet.scan.phase = StatusPhase::Running;
                fleet.scan.started_at = Some(collect::rfc3339(SystemTime::now()));
                fleet.scan.sources_done = 0;
                fleet.scan.sources_total = None;
                fleet.scan.current = Some("starting".into());
            }
            if prepared.is_none() {
                match resolve_regions(&config).await {
                    Ok(regions) => {
                        let scopes = build_scopes(&config, &regions).await;
                        prepared = Some((regions, scopes));
                    }
                    Err(why) => finish(&state, Err(why)).await,
                }
            }
            if let Some((regions, scopes)) = &prepared {
                let reporter = tokio::spawn(report_progress(state.clone(), Arc::clone(&progress)));
                let started = Instant::now();
                let outcome = scan_once(
                    &config,
                    regions,
                    scopes,
                    &cache,
                    &state.instance_types,
                    &progress,
                )
                .await;
                reporter.abort();
                tracing::info!(
                    clusters = outcome.snapshot.clusters.len(),
                    errors = outcome.snapshot.errors.len(),
                    calls = outcome.snapshot.api_calls.values().sum::<u64>(),
                    seconds = started.elapsed().as_secs_f64(),
                    "scan finished"
                );
                if outcome.nothing_collected() {
                    let why = nothing_collected_reason(&outcome);
                    tracing::warn!(%why, "scan read nothing; keeping the last snapshot");
                    finish(&state, Err(why)).await;
                } else {
                    finish(&state, Ok(outcome.snapshot)).await;
                }
            }
            tokio::time::sleep(config.scan_interval).await;
        }
    })
}

async fn finish(state: &AppState, result: Result<Snapshot, String>) {
    let mut fleet = state.fleet.write().await;
    fleet.scan.finished_at = Some(collect::rfc3339(SystemTime::now()));
    fleet.scan.current = None;
    match result {
        Ok(snapshot) => {
            let source = SnapshotSource {
                kind: SourceKind::Aws,
                description: snapshot.source.description.clone(),
            };
            fleet.install(snapshot, source);
            fleet.scan.phase = StatusPhase::Succeeded;
        }
        Err(why) => {
            fleet.last_error = Some(why);
            fleet.scan.phase = StatusPhase::Failed;
        }
    }
}

/// Copy the collector's progress into the fleet state once a second while a scan runs.
async fn report_progress(state: AppState, progress: Arc<ScanProgress>) {
    loop {
        let view = progress.view();
        {
            let mut fleet = state.fleet.write().await;
            fleet.scan.sources_done = u32::try_from(view.clusters_done).unwrap_or(u32::MAX);
            fleet.scan.sources_total = Some(u32::try_from(view.clusters_total).unwrap_or(u32::MAX));
            fleet.scan.current = Some(progress_text(&view));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// "reading clusters: 3 of 10 clusters, 1 of 2 account×region sources".
pub fn progress_text(view: &ProgressView) -> String {
    let phase = serde_json::to_value(view.phase)
        .ok()
        .and_then(|v| v.as_str().map(|s| s.replace('-', " ")))
        .unwrap_or_default();
    format!(
        "{phase}: {} of {} clusters, {} of {} account×region sources",
        view.clusters_done, view.clusters_total, view.sources_done, view.sources_total
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::collect::ScanPhase;

    #[test]
    fn scan_flags_parse() {
        use clap::Parser as _;
        let cli = crate::cli::Cli::try_parse_from([
            "eniscope",
            "scan",
            "--endpoint-url",
            "http://127.0.0.1:5000",
            "--regions",
            "eu-west-1,us-east-1",
            "--output",
            "fleet.json",
        ])
        .expect("valid flags");
        let crate::cli::Command::Scan(args) = cli.command else {
            panic!("scan expected")
        };
        assert_eq!(
            args.regions,
            Some(vec!["eu-west-1".to_string(), "us-east-1".to_string()])
        );
        assert_eq!(args.output, PathBuf::from("fleet.json"));
        assert!(
            crate::cli::Cli::try_parse_from(["eniscope", "scan"]).is_err(),
            "--output is required"
        );
    }

    #[tokio::test]
    async fn configured_regions_win_over_the_sdk_default() {
        let config = Config {
            regions: vec!["eu-west-1".into()],
            ..Config::default()
        };
        assert_eq!(
            resolve_regions(&config).await,
            Ok(vec!["eu-west-1".to_string()])
        );
    }

    #[test]
    fn progress_reads_like_a_sentence() {
        let view = ProgressView {
            phase: ScanPhase::ReadingClusters,
            started_at: None,
            sources_total: 2,
            sources_done: 1,
            clusters_total: 10,
            clusters_done: 3,
        };
        assert_eq!(
            progress_text(&view),
            "reading clusters: 3 of 10 clusters, 1 of 2 account×region sources"
        );
    }
}
