//! What every request handler can see: the instance-type table, the current fleet snapshot (if any)
//! with its provenance and scan status, request metrics, and where the frontend bundle lives.
//!
//! The fleet slot is written by whoever produces snapshots (`--snapshot FILE`, `--demo`, the background
//! collector) and read by the fleet endpoints; a `tokio::sync::RwLock` keeps readers cheap while a scan
//! swaps in a new `Arc<Snapshot>` atomically.

use crate::api::ops::Metrics;
use serde::Serialize;
use shared::limits::LimitsError;
use shared::snapshot::{SnapshotSource, SourceKind};
use shared::{InstanceTypeTable, Snapshot};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::{Instant, SystemTime};
use tokio::sync::RwLock;

/// The instance-type table compiled into the binary (`cargo xtask gen-instance-types` writes it).
const EMBEDDED_INSTANCE_TYPES_JSON: &str = include_str!("../../assets/instance-types.json");

/// The embedded table, parsed once per process. A parse failure is returned (not a panic) so the CLI
/// can say which file is broken and how to regenerate it.
pub fn embedded_instance_types() -> Result<Arc<InstanceTypeTable>, EmbeddedTableError> {
    static TABLE: OnceLock<Result<Arc<InstanceTypeTable>, LimitsError>> = OnceLock::new();
    TABLE
        .get_or_init(|| InstanceTypeTable::from_json(EMBEDDED_INSTANCE_TYPES_JSON).map(Arc::new))
        .as_ref()
        .map(Arc::clone)
        .map_err(|e| EmbeddedTableError(e.to_string()))
}

/// The embedded `assets/instance-types.json` could not be used.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "the instance-type table built into eniscope (assets/instance-types.json) is broken: {0}; regenerate it with `cargo xtask gen-instance-types` and rebuild"
)]
pub struct EmbeddedTableError(pub String);

/// Shared state handed to every handler. Cloning is cheap (all `Arc`s).
#[derive(Clone)]
pub struct AppState {
    pub instance_types: Arc<InstanceTypeTable>,
    pub fleet: Arc<RwLock<FleetState>>,
    pub metrics: Arc<Metrics>,
    /// Directory holding the built frontend (`index.html`, `<entry>.js` + `<entry>_bg.wasm` per entry, CSS).
    pub dist_dir: PathBuf,
    pub started_at: Instant,
    /// The analysis of the current snapshot (`api::fleet::current`), computed once per snapshot.
    pub analysis: Arc<std::sync::Mutex<Option<Arc<Analysis>>>>,
}

/// A snapshot, the instance-type table and what `shared` derives from the two: `fleet::analyze`, the
/// DSR board and the findings. Filters are applied per request; these are computed once per snapshot.
#[derive(Debug)]
pub struct Analysis {
    pub snapshot: Arc<Snapshot>,
    pub table: Arc<InstanceTypeTable>,
    pub view: shared::fleet::FleetView,
    pub dsr_board: Vec<shared::fleet::DsrBoardRow>,
    pub findings: Vec<shared::findings::Finding>,
}

impl AppState {
    pub fn new(instance_types: Arc<InstanceTypeTable>, dist_dir: PathBuf) -> Self {
        Self {
            instance_types,
            fleet: Arc::new(RwLock::new(FleetState::default())),
            metrics: Arc::new(Metrics::default()),
            dist_dir,
            started_at: Instant::now(),
            analysis: Arc::default(),
        }
    }

    /// The current snapshot, if one is loaded (a cheap `Arc` clone; the lock is released at once).
    pub async fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.fleet.read().await.snapshot.clone()
    }
}

/// The fleet slot: the last good snapshot and what is happening to it.
#[derive(Debug, Default)]
pub struct FleetState {
    /// The last good snapshot. A failed scan never clears it: stale data with an error beats no data.
    pub snapshot: Option<Arc<Snapshot>>,
    /// Where the current snapshot came from (demo, file path, AWS scan).
    pub source: Option<SnapshotSource>,
    /// When this process installed the current snapshot (not when it was collected: that is
    /// `Snapshot::collected_at`).
    pub loaded_at: Option<SystemTime>,
    /// Background collector progress; `ScanStatus::default()` when no collector runs.
    pub scan: ScanStatus,
    /// The last error while producing a snapshot (scan failure, unreadable file), if the most recent
    /// attempt failed. Cleared by the next successful install.
    pub last_error: Option<String>,
}

impl FleetState {
    /// Install a new snapshot as the current one.
    pub fn install(&mut self, snapshot: Snapshot, source: SnapshotSource) {
        self.snapshot = Some(Arc::new(snapshot));
        self.source = Some(source);
        self.loaded_at = Some(SystemTime::now());
        self.last_error = None;
    }

    /// Install a snapshot read from `path` (`--snapshot FILE`).
    pub fn install_file(&mut self, snapshot: Snapshot, path: &std::path::Path) {
        let source = SnapshotSource {
            kind: SourceKind::File,
            description: path.display().to_string(),
        };
        self.install(snapshot, source);
    }
}

/// State of the background collector, for the UI's progress bar and `/metrics`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ScanStatus {
    pub phase: ScanPhase,
    /// RFC 3339 time the current or last scan started.
    pub started_at: Option<String>,
    /// RFC 3339 time the last scan finished (successfully or not).
    pub finished_at: Option<String>,
    /// Sources (account × region × cluster) done so far and in total, when known.
    pub sources_done: u32,
    pub sources_total: Option<u32>,
    /// What the collector is reading right now, e.g. "prod / eu-west-1: DescribeInstances".
    pub current: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScanPhase {
    /// No collector configured, or waiting for the next interval.
    #[default]
    Idle,
    Running,
    /// The last scan produced a snapshot (perhaps with per-source errors inside it).
    Succeeded,
    /// The last scan produced nothing usable; see `FleetState::last_error`.
    Failed,
}

/// Read a snapshot file with an error that names the file and says what to do.
pub fn read_snapshot_file(path: &std::path::Path) -> anyhow::Result<Snapshot> {
    use anyhow::Context as _;
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read snapshot file {}: check the path (write one with `eniscope scan --output fleet.json`)", path.display()))?;
    Snapshot::from_json(&text)
        .with_context(|| format!("cannot use snapshot file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_table_parses_and_has_the_domain_rows() {
        let table = embedded_instance_types().expect("embedded table");
        let m5 = table.get("m5.large").expect("m5.large is in every table");
        assert_eq!((m5.enis, m5.ipv4_per_eni), (3, 10));
    }

    #[test]
    fn snapshot_file_errors_name_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("nope.json");
        let err = read_snapshot_file(&missing).expect_err("missing file");
        assert!(format!("{err:#}").contains("nope.json"), "{err:#}");

        let truncated = dir.path().join("fleet.json");
        std::fs::write(&truncated, r#"{"schema_version": 1, "clusters": ["#).expect("write");
        let err = format!(
            "{:#}",
            read_snapshot_file(&truncated).expect_err("truncated")
        );
        assert!(
            err.contains("fleet.json") && err.contains("truncated"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn install_replaces_snapshot_and_clears_error() {
        let table = embedded_instance_types().expect("embedded table");
        let state = AppState::new(table, PathBuf::from("dist"));
        state.fleet.write().await.last_error = Some("scan failed".into());
        let snapshot = Snapshot::from_json(
            r#"{"schema_version":1,"collected_at":"2026-11-26T00:00:00Z","source":{"kind":"file","description":"x"},
                "clusters":[],"subnets":[],"instance_types":[]}"#,
        )
        .expect("snapshot");
        state
            .fleet
            .write()
            .await
            .install_file(snapshot, std::path::Path::new("fleet.json"));
        let fleet = state.fleet.read().await;
        assert!(fleet.snapshot.is_some());
        assert_eq!(fleet.last_error, None);
        assert_eq!(
            fleet.source.as_ref().map(|s| s.kind),
            Some(SourceKind::File)
        );
    }
}
