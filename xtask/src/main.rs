//! `cargo xtask …`: build glue for eniscope (the wasm bundle, dist, run, test, the instance-type table).
//! Run `cargo xtask --help`.

mod bundle;
mod instance_types;
mod setup;
mod util;

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use clap::Parser;
use shared::{Architecture, InstanceTypeTable};

use crate::util::{step, timed};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    bin_name = "cargo xtask",
    about = "Build glue for eniscope: the browser bundle, running the app, the full test suite, the instance-type table",
    after_help = "Examples:\n  cargo xtask run                       # http://127.0.0.1:8080\n  cargo xtask run -- --demo --listen 127.0.0.1:9000\n  cargo xtask test                      # installs what is missing, then every test\n  cargo xtask test -- -p shared         # extra arguments go to `cargo test`\n  cargo xtask dist                      # dist/ + size report"
)]
enum Cli {
    /// Build the browser bundle into dist/: frontend for wasm32 (profile wasm-release), wasm-bindgen,
    /// wasm-opt -Oz (npm binaryen 132, when node/npm exist), assets/index.html + *.css + *.svg.
    Build {
        /// Accepted out of habit: the wasm is always built with the size-optimised wasm-release profile.
        #[arg(long)]
        release: bool,
    },
    /// Build the bundle into dist/ and print its size report (raw + gzip -9); fails over the 250 KB budget.
    Dist,
    /// Install the wasm target if needed, build dist/ and the server (debug), then run
    /// `eniscope serve --dist dist/ ARGS` (default http://127.0.0.1:8080).
    Run {
        /// Arguments for `eniscope serve`, after `--` (e.g. `-- --demo --listen 127.0.0.1:9000`).
        #[arg(last = true)]
        serve_args: Vec<String>,
    },
    /// Install what is missing (wasm target, Chromium + chromedriver, moto venv, npm binaryen), build dist/
    /// and the server, then `cargo test --workspace --locked` with ENISCOPE_* paths set.
    Test {
        /// Extra arguments for `cargo test`, after `--` (e.g. `-- -p e2e --test ui`).
        #[arg(last = true)]
        cargo_test_args: Vec<String>,
    },
    /// Only install what is missing (the first half of `test`): wasm32 target, Debian chromium +
    /// chromium-driver, .venv with moto[server]==5.2.5, npm binaryen.
    Setup,
    /// Regenerate assets/instance-types.json from DescribeInstanceTypes output (default: the table moto
    /// bundles in .venv). For a real account: `aws ec2 describe-instance-types --output json > types.json`
    /// then `cargo xtask gen-instance-types --input types.json`.
    GenInstanceTypes {
        /// DescribeInstanceTypes output: `{"InstanceTypes":[…]}` pages, an array, or moto's
        /// instance_types.json.gz. Repeat for several pages/regions.
        #[arg(long = "input", value_name = "FILE")]
        inputs: Vec<PathBuf>,
        /// Where to write the table [default: <repo>/assets/instance-types.json].
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli {
        Cli::Build { release: _ } => bundle::build_dist(false).map(|_| 0),
        Cli::Dist => dist().map(|()| 0),
        Cli::Run { serve_args } => run(&serve_args),
        Cli::Test { cargo_test_args } => test(&cargo_test_args),
        Cli::Setup => setup_all(&util::repo_root()).map(|_| 0),
        Cli::GenInstanceTypes { inputs, output } => gen_instance_types(&inputs, output).map(|()| 0),
    };
    match result {
        Ok(0) => ExitCode::SUCCESS,
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn dist() -> Result<()> {
    let only = bundle::only_entry_from_env()?;
    let dist = bundle::build_entries(false, only)?;
    bundle::size_report(&dist, only)
}

/// Build what `eniscope serve` needs and replace this process with it (Ctrl-C and the exit code are the
/// server's own).
fn run(serve_args: &[String]) -> Result<i32> {
    let repo = util::repo_root();
    let dist = bundle::build_dist(false)?; // installs the wasm32 target when it is missing
    step("server (debug)");
    timed("cargo build -p server", || {
        util::run(util::cargo().args(["build", "-p", "server"]))
    })?;
    let bin = util::target_dir()?.join("debug").join("eniscope");
    if !bin.is_file() {
        bail!(
            "{} was not built: does server/Cargo.toml still define the `eniscope` binary?",
            bin.display()
        );
    }
    let mut cmd = Command::new(&bin);
    cmd.arg("serve")
        .arg("--dist")
        .arg(&dist)
        .args(serve_args)
        .current_dir(&repo);
    step(&format!("{} (Ctrl-C stops it)", util::show(&cmd)));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        let err = cmd.exec();
        Err(err).with_context(|| format!("cannot start {}", bin.display()))
    }
    #[cfg(not(unix))]
    {
        let status = cmd
            .status()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        Ok(util::exit_code(status))
    }
}

/// Every test, with every tool installed first; returns cargo test's exit code.
fn test(cargo_test_args: &[String]) -> Result<i32> {
    let start = Instant::now();
    let result = test_steps(cargo_test_args);
    let verdict = match &result {
        Ok(0) => "PASSED".to_owned(),
        Ok(code) => format!("FAILED (cargo test exit code {code})"),
        Err(_) => "FAILED (setup or build, see the error below)".to_owned(),
    };
    println!(
        "==> cargo xtask test: {verdict}, total wall time {}",
        util::human(start.elapsed())
    );
    result
}

/// Every installer, each idempotent; returns the moto_server path.
fn setup_all(repo: &std::path::Path) -> Result<PathBuf> {
    step("setup: install what is missing");
    setup::wasm_target()?;
    setup::chromium()?;
    let moto_server = setup::moto_venv(repo)?;
    setup::binaryen(repo)?;
    Ok(moto_server)
}

fn test_steps(cargo_test_args: &[String]) -> Result<i32> {
    let repo = util::repo_root();
    let moto_server = setup_all(&repo)?;

    let dist = bundle::build_dist(true)?;
    // The size report in every CI log; a bundle over budget is reported here (and fails `cargo xtask
    // dist`), not as a test failure: sizes are shown, never asserted in tests.
    if let Err(error) = bundle::size_report(&dist, None) {
        println!("    WARNING: {error:#}");
    }
    step("server (debug)");
    timed("cargo build -p server", || {
        util::run(util::cargo().args(["build", "-p", "server", "--locked"]))
    })?;
    let bin = util::target_dir()?.join("debug").join("eniscope");

    step("cargo test --workspace");
    let env = [
        ("ENISCOPE_DIST", dist.into_os_string()),
        ("ENISCOPE_BIN", bin.into_os_string()),
        ("ENISCOPE_MOTO_SERVER", moto_server.into_os_string()),
        ("CHROMEDRIVER", setup::CHROMEDRIVER.into()),
        ("CHROMIUM", setup::CHROMIUM.into()),
    ];
    for (k, v) in &env {
        println!("    {k}={}", v.to_string_lossy());
    }
    let mut cmd = util::cargo();
    // `-p X` after `--` narrows the run; otherwise every crate of the workspace is tested.
    let picks_packages = cargo_test_args
        .iter()
        .any(|a| a.starts_with("-p") || a.starts_with("--package"));
    cmd.args(["test", "--locked"]);
    if !picks_packages {
        cmd.arg("--workspace");
    }
    cmd.args(cargo_test_args).envs(env);
    let status = timed("cargo test", || util::status(&mut cmd))?;
    Ok(util::exit_code(status))
}

fn gen_instance_types(inputs: &[PathBuf], output: Option<PathBuf>) -> Result<()> {
    let repo = util::repo_root();
    let inputs = if inputs.is_empty() {
        vec![instance_types::default_moto_input(&repo)?]
    } else {
        inputs.to_vec()
    };
    let output = output.unwrap_or_else(|| repo.join("assets").join("instance-types.json"));

    let mut documents = Vec::new();
    for path in &inputs {
        println!("reading {}", path.display());
        documents.push(instance_types::read_json(path)?);
    }
    let mut shapes = Vec::new();
    let mut infos = Vec::new();
    for (path, doc) in inputs.iter().zip(&documents) {
        let (shape, mut found) = instance_types::instance_type_infos(doc)
            .with_context(|| format!("{}", path.display()))?;
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        shapes.push((shape, file));
        infos.append(&mut found);
    }
    let converted = instance_types::convert(infos)?;
    for s in &converted.skipped {
        eprintln!("skipped {}: {}", s.instance_type, s.reason);
    }
    if !converted.top_level_eni_fallback.is_empty() {
        eprintln!(
            "note: {} type(s) have no NetworkInfo.NetworkCards, so their ENI count is the top-level \
             MaximumNetworkInterfaces (all cards): {}",
            converted.top_level_eni_fallback.len(),
            converted.top_level_eni_fallback.join(", ")
        );
    }
    if converted.rows.is_empty() {
        bail!("no usable instance types in the input; nothing written");
    }

    // SOURCE_DATE_EPOCH (reproducible builds) wins over the clock.
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
        });
    let moto_version = inputs.first().and_then(|p| instance_types::moto_version(p));
    let source = instance_types::source_text(
        &shapes,
        moto_version.as_deref(),
        &converted,
        &instance_types::utc_date(now),
    );
    let table = InstanceTypeTable {
        source,
        types: converted.rows,
    };
    let text = instance_types::render(&table)?;
    // What the server will load must read back to exactly this table.
    let reread =
        InstanceTypeTable::from_json(&text).context("the generated table does not load back")?;
    if reread != table {
        bail!("the generated table does not load back unchanged (duplicate or unsorted names?)");
    }
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(&output, &text).with_context(|| format!("cannot write {}", output.display()))?;

    let count = |arch: Architecture| {
        table
            .types
            .iter()
            .filter(|t| t.architectures.contains(&arch))
            .count()
    };
    println!(
        "wrote {} ({} types: {} x86_64, {} arm64; {} skipped; {} bytes)\nsource: {}",
        output.display(),
        table.types.len(),
        count(Architecture::X86_64),
        count(Architecture::Arm64),
        converted.skipped.len(),
        text.len(),
        table.source
    );
    Ok(())
}
