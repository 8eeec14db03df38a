//! The browser bundle: frontend wasm (profile `wasm-release`) -> wasm-bindgen -> wasm-opt -> `dist/`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, Result, bail};

use crate::util::{self, step, timed};

/// wasm + JS, gzipped, must stay within this (issue 2 target: "≤ 250 KB gzipped"; KB = 1000 bytes here).
pub const BUDGET_GZ_BYTES: u64 = 250_000;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Flags for npm binaryen 132 (toolchain.md §1/§8: these are the features rustc emits that wasm-opt must
/// accept; Debian's binaryen 108 silently breaks the module, so it is never used).
const WASM_OPT_ARGS: [&str; 3] = [
    "-Oz",
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
];

/// A minimal page until the frontend engineer's `assets/index.html` exists (they own it from then on).
const MINIMAL_INDEX_HTML: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>eniscope</title>
</head>
<body>
  <noscript>eniscope needs JavaScript and WebAssembly.</noscript>
  <script type="module">
    import init from "/frontend.js";
    await init({ module_or_path: "/frontend_bg.wasm" });
  </script>
</body>
</html>
"#;

/// Build the bundle into `<repo>/dist` (replaced as a whole, so nobody serves a half-written bundle).
pub fn build_dist(locked: bool) -> Result<PathBuf> {
    let repo = util::repo_root();
    let dist = repo.join("dist");
    let target = util::target_dir()?;
    check_bindgen_version(&repo)?;

    step("frontend -> wasm32 (profile wasm-release)");
    crate::setup::wasm_target()?;
    timed("cargo build (wasm32)", || {
        let mut cmd = util::cargo();
        cmd.args([
            "build",
            "-p",
            "frontend",
            "--lib",
            "--target",
            WASM_TARGET,
            "--profile",
            "wasm-release",
        ]);
        if locked {
            cmd.arg("--locked");
        }
        util::run(&mut cmd)
            .context("the frontend did not build for wasm32: see the compiler output above")
    })?;
    let wasm = target
        .join(WASM_TARGET)
        .join("wasm-release")
        .join("frontend.wasm");
    if !wasm.is_file() {
        bail!(
            "cargo did not produce {}: does frontend/Cargo.toml still have crate-type cdylib?",
            wasm.display()
        );
    }

    let staging = target
        .join("xtask")
        .join(format!("dist-staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot clear {}", staging.display()))?;
    }
    std::fs::create_dir_all(&staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;

    if let Err(e) = assemble(&repo, &wasm, &staging) {
        std::fs::remove_dir_all(&staging).ok();
        return Err(e);
    }

    // Swap the finished bundle in; a rename is atomic, a copy is the fallback across filesystems.
    let old = target
        .join("xtask")
        .join(format!("dist-old-{}", std::process::id()));
    if old.exists() {
        std::fs::remove_dir_all(&old).with_context(|| format!("cannot clear {}", old.display()))?;
    }
    if dist.exists() && std::fs::rename(&dist, &old).is_err() {
        std::fs::remove_dir_all(&dist)
            .with_context(|| format!("cannot replace {}", dist.display()))?;
    }
    if std::fs::rename(&staging, &dist).is_err() {
        util::copy_tree(&staging, &dist)?;
        std::fs::remove_dir_all(&staging).ok();
    }
    if old.exists() {
        std::fs::remove_dir_all(&old).ok();
    }
    println!("    bundle ready in {}", dist.display());
    Ok(dist)
}

/// wasm-bindgen, wasm-opt and the static assets into `staging`.
fn assemble(repo: &Path, wasm: &Path, staging: &Path) -> Result<()> {
    step("wasm-bindgen (library, --target web) -> frontend.js + frontend_bg.wasm");
    timed("wasm-bindgen", || {
        wasm_bindgen_cli_support::Bindgen::new()
            .input_path(wasm)
            .web(true)?
            .typescript(false)
            // wasm-opt drops these too; this keeps the bundle small when wasm-opt is skipped.
            .remove_name_section(true)
            .remove_producers_section(true)
            .out_name("frontend")
            .generate(staging)
            .with_context(|| format!("wasm-bindgen failed on {}", wasm.display()))
    })?;

    step("wasm-opt -Oz (npm binaryen 132)");
    let bg = staging.join("frontend_bg.wasm");
    match wasm_opt(repo)? {
        Some(wasm_opt) => timed("wasm-opt", || {
            let mut cmd = Command::new(&wasm_opt);
            cmd.args(WASM_OPT_ARGS).arg(&bg).arg("-o").arg(&bg);
            util::run(&mut cmd).context("wasm-opt failed; the unoptimised bundle is not published")
        })?,
        None => println!(
            "    note: node/npm not found, so wasm-opt is skipped (the wasm is about twice as big). Install \
             Node.js and rerun to get `npm ci` + wasm-opt."
        ),
    }

    step("static assets -> dist/");
    copy_assets(repo, staging)
}

/// The wasm-bindgen schema must match the `wasm-bindgen` crate the frontend links (both come from Cargo.lock).
fn check_bindgen_version(repo: &Path) -> Result<()> {
    let lock = std::fs::read_to_string(repo.join("Cargo.lock"))
        .context("Cargo.lock is missing: run `cargo generate-lockfile` (and commit it)")?;
    let crate_version = util::locked_version(&lock, "wasm-bindgen");
    let cli_version = util::locked_version(&lock, "wasm-bindgen-cli-support");
    match (crate_version, cli_version) {
        (Some(a), Some(b)) if a == b => Ok(()),
        (Some(a), Some(b)) => bail!(
            "Cargo.lock has wasm-bindgen {a} but xtask links wasm-bindgen-cli-support {b}; set \
             `wasm-bindgen-cli-support = \"={a}\"` in the root Cargo.toml so the glue matches the crate"
        ),
        _ => bail!(
            "Cargo.lock lists no wasm-bindgen / wasm-bindgen-cli-support: run `cargo build` once"
        ),
    }
}

/// `node_modules/.bin/wasm-opt`, installing npm binaryen with `npm ci` when it is missing;
/// `None` when node/npm are not installed.
pub fn wasm_opt(repo: &Path) -> Result<Option<PathBuf>> {
    let wasm_opt = repo.join("node_modules").join(".bin").join("wasm-opt");
    if wasm_opt.is_file() {
        return Ok(Some(wasm_opt));
    }
    if util::output("npm", &["--version"]).is_none()
        || util::output("node", &["--version"]).is_none()
    {
        return Ok(None);
    }
    let mut cmd = Command::new("npm");
    cmd.args(["ci", "--no-audit", "--no-fund"])
        .current_dir(repo)
        .stdin(std::process::Stdio::null());
    util::run(&mut cmd).context("`npm ci` failed: check that the npm registry is reachable")?;
    if !wasm_opt.is_file() {
        bail!(
            "`npm ci` ran but {} is missing: is binaryen still in package.json?",
            wasm_opt.display()
        );
    }
    Ok(Some(wasm_opt))
}

/// `assets/index.html`, `assets/*.css`, `assets/*.svg` -> dist; creates a minimal index.html if none exists.
fn copy_assets(repo: &Path, out: &Path) -> Result<()> {
    let assets = repo.join("assets");
    let index = assets.join("index.html");
    if !index.exists() {
        std::fs::create_dir_all(&assets)
            .with_context(|| format!("cannot create {}", assets.display()))?;
        std::fs::write(&index, MINIMAL_INDEX_HTML)
            .with_context(|| format!("cannot write {}", index.display()))?;
        println!(
            "    created a minimal {} (loads /frontend.js)",
            index.display()
        );
    }
    let mut copied = Vec::new();
    for entry in
        std::fs::read_dir(&assets).with_context(|| format!("cannot read {}", assets.display()))?
    {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let wanted = name == "index.html" || name.ends_with(".css") || name.ends_with(".svg");
        if wanted && path.is_file() {
            std::fs::copy(&path, out.join(&name))
                .with_context(|| format!("cannot copy {} into the bundle", path.display()))?;
            copied.push(name);
        }
    }
    copied.sort();
    println!("    copied {}", copied.join(", "));
    Ok(())
}

/// One line of the size report.
pub struct FileSize {
    pub path: PathBuf,
    pub raw: u64,
    pub gzip: u64,
}

/// How compressed sizes are measured: GNU `gzip -9` when it is installed (the number the budget is stated
/// in), else flate2 at level 9 (within about 1% of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gzip {
    GnuGzip,
    Flate2,
}

impl Gzip {
    pub fn detect() -> Self {
        if util::output("gzip", &["--version"]).is_some() {
            Gzip::GnuGzip
        } else {
            Gzip::Flate2
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Gzip::GnuGzip => "gzip -9",
            Gzip::Flate2 => "flate2 -9",
        }
    }

    /// Compressed size of a file in bytes.
    pub fn size(self, path: &Path) -> Result<u64> {
        if self == Gzip::GnuGzip {
            let out = Command::new("gzip")
                .args(["-9", "-c", "-n"])
                .arg(path)
                .stdin(std::process::Stdio::null())
                .output()
                .with_context(|| format!("cannot run gzip on {}", path.display()))?;
            if !out.status.success() {
                bail!(
                    "gzip -9 failed on {} ({})",
                    path.display(),
                    util::describe(out.status)
                );
            }
            return Ok(out.stdout.len() as u64);
        }
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&bytes)?;
        Ok(enc.finish()?.len() as u64)
    }
}

/// Print every file's raw and gzip -9 size and the wasm+JS total against the budget; error when over.
pub fn size_report(dist: &Path) -> Result<()> {
    let gzip = Gzip::detect();
    let mut rows = Vec::new();
    for rel in util::files_below(dist)? {
        let path = dist.join(&rel);
        let raw = std::fs::metadata(&path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .len();
        rows.push(FileSize {
            raw,
            gzip: gzip.size(&path)?,
            path: rel,
        });
    }
    let code = |p: &Path| matches!(p.extension().and_then(|e| e.to_str()), Some("wasm" | "js"));
    println!();
    println!("{:<40} {:>12} {:>12}", "dist/", "raw bytes", gzip.label());
    for r in &rows {
        println!(
            "{:<40} {:>12} {:>12}",
            r.path.display().to_string(),
            r.raw,
            r.gzip
        );
    }
    let (raw, gz) = rows
        .iter()
        .fold((0, 0), |(a, b), r| (a + r.raw, b + r.gzip));
    println!("{:<40} {:>12} {:>12}", "all files", raw, gz);
    let (code_raw, code_gz) = rows
        .iter()
        .filter(|r| code(&r.path))
        .fold((0, 0), |(a, b), r| (a + r.raw, b + r.gzip));
    println!("{:<40} {:>12} {:>12}", "wasm + js", code_raw, code_gz);
    let percent = code_gz as f64 * 100.0 / BUDGET_GZ_BYTES as f64;
    println!(
        "budget: wasm + js {} {code_gz} bytes of {BUDGET_GZ_BYTES} ({percent:.1}%) -> {}",
        gzip.label(),
        if code_gz <= BUDGET_GZ_BYTES {
            "OK"
        } else {
            "OVER BUDGET"
        }
    );
    if code_gz > BUDGET_GZ_BYTES {
        bail!(
            "the bundle is {code_gz} bytes gzipped, over the {BUDGET_GZ_BYTES}-byte budget: look for a large \
             dependency or embedded data in the frontend"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_gzip_measures_agree_within_a_few_percent() {
        let dir = std::env::temp_dir().join(format!("xtask-gzip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("sample.js");
        let text: String = (0..4000)
            .map(|i| format!("export const v{i} = {};\n", i * 7919 % 1000))
            .collect();
        std::fs::write(&file, &text).unwrap();
        let flate = Gzip::Flate2.size(&file).unwrap();
        assert!(flate > 1000 && flate < text.len() as u64 / 2, "{flate}");
        if Gzip::detect() == Gzip::GnuGzip {
            let gnu = Gzip::GnuGzip.size(&file).unwrap();
            assert!(
                flate.abs_diff(gnu) * 20 < gnu,
                "flate2 {flate} vs gzip {gnu}"
            );
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn minimal_index_loads_the_bindgen_output() {
        assert!(MINIMAL_INDEX_HTML.contains(r#"import init from "/frontend.js""#));
        assert!(MINIMAL_INDEX_HTML.contains(r#"module_or_path: "/frontend_bg.wasm""#));
    }
}
