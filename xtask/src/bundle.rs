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
    import init from "/dashboard.js";
    await init({ module_or_path: "/dashboard_bg.wasm" });
  </script>
</body>
</html>
"#;

/// The browser entries (frontend/src/entries.rs `ENTRIES`): cargo feature of the `frontend` crate, and the
/// file stem in dist/ (`<stem>.js`, `<stem>_bg.wasm`). `assets/index.html` picks one per page.
pub const ENTRIES: [(&str, &str); 3] = [
    ("dashboard", "dashboard"),
    ("planner", "planner"),
    ("nodegroup-planner", "nodegroup_planner"),
];

/// Build the bundle into `<repo>/dist` (replaced as a whole, so nobody serves a half-written bundle).
pub fn build_dist(locked: bool) -> Result<PathBuf> {
    build_entries(locked, None)
}

/// `ENISCOPE_ENTRY=planner cargo xtask dist` builds (and reports) one entry only, for size work; the
/// value must be an entry's feature name. Only `dist` reads it: `run` and `test` always build them all.
pub fn only_entry_from_env() -> Result<Option<&'static str>> {
    let Ok(only) = std::env::var("ENISCOPE_ENTRY") else {
        return Ok(None);
    };
    if only.is_empty() {
        return Ok(None);
    }
    ENTRIES
        .iter()
        .find(|(feature, _)| *feature == only)
        .map(|(feature, _)| Some(*feature))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "ENISCOPE_ENTRY={only} is not an entry; use one of: {}",
                ENTRIES.map(|(feature, _)| feature).join(", ")
            )
        })
}

/// Build `only` or every entry into `<repo>/dist`.
pub fn build_entries(locked: bool, only: Option<&str>) -> Result<PathBuf> {
    let repo = util::repo_root();
    let dist = repo.join("dist");
    let target = util::target_dir()?;
    check_bindgen_version(&repo)?;
    crate::setup::wasm_target()?;

    let staging = target
        .join("xtask")
        .join(format!("dist-staging-{}", std::process::id()));
    if staging.exists() {
        std::fs::remove_dir_all(&staging)
            .with_context(|| format!("cannot clear {}", staging.display()))?;
    }
    std::fs::create_dir_all(&staging)
        .with_context(|| format!("cannot create {}", staging.display()))?;

    let built = (|| {
        for (feature, stem) in ENTRIES {
            if only.is_some_and(|o| o != feature) {
                continue;
            }
            let wasm = build_entry(&target, feature, stem, locked)?;
            assemble_entry(&repo, &wasm, stem, &staging)?;
        }
        step("static assets -> dist/");
        copy_assets(&repo, &staging)?;
        step("precompress (gzip -9) for the server");
        timed("precompress", || precompress(&staging))
    })();
    if let Err(e) = built {
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

/// `cargo build` of the frontend with one entry's feature; returns a copy of its wasm (the next entry's
/// build overwrites cargo's output file).
fn build_entry(target: &Path, feature: &str, stem: &str, locked: bool) -> Result<PathBuf> {
    step(&format!(
        "frontend entry `{feature}` -> wasm32 (profile wasm-release)"
    ));
    timed(&format!("cargo build (wasm32, {feature})"), || {
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
            "--no-default-features",
            "--features",
            feature,
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
    let copy = target.join("xtask").join(format!("entry-{stem}.wasm"));
    std::fs::create_dir_all(target.join("xtask"))?;
    std::fs::copy(&wasm, &copy)
        .with_context(|| format!("cannot copy {} to {}", wasm.display(), copy.display()))?;
    Ok(copy)
}

/// wasm-bindgen and wasm-opt for one entry into `staging` (`<stem>.js`, `<stem>_bg.wasm`).
fn assemble_entry(repo: &Path, wasm: &Path, stem: &str, staging: &Path) -> Result<()> {
    // `ENISCOPE_WASM_NAMES=1 cargo xtask dist` keeps the function names for `twiggy top dist/<stem>_bg.wasm`
    // (size analysis only: the names add a few hundred KB, so the size report is then over budget).
    let keep_names = std::env::var_os("ENISCOPE_WASM_NAMES").is_some_and(|v| v == "1");
    step(&format!(
        "wasm-bindgen (library, --target web) -> {stem}.js + {stem}_bg.wasm"
    ));
    timed("wasm-bindgen", || {
        wasm_bindgen_cli_support::Bindgen::new()
            .input_path(wasm)
            .web(true)?
            .typescript(false)
            // wasm-opt drops these too; this keeps the bundle small when wasm-opt is skipped.
            .remove_name_section(!keep_names)
            .remove_producers_section(true)
            .out_name(stem)
            .generate(staging)
            .with_context(|| format!("wasm-bindgen failed on {}", wasm.display()))
    })?;

    step("wasm-opt -Oz (npm binaryen 132)");
    let bg = staging.join(format!("{stem}_bg.wasm"));
    match wasm_opt(repo)? {
        Some(wasm_opt) => timed("wasm-opt", || {
            let mut cmd = Command::new(&wasm_opt);
            cmd.args(WASM_OPT_ARGS);
            if keep_names {
                cmd.arg("-g");
            }
            cmd.arg(&bg).arg("-o").arg(&bg);
            util::run(&mut cmd).context("wasm-opt failed; the unoptimised bundle is not published")
        })?,
        None => println!(
            "    note: node/npm not found, so wasm-opt is skipped (the wasm is about twice as big). Install \
             Node.js and rerun to get `npm ci` + wasm-opt."
        ),
    }
    Ok(())
}

/// `<file>.gz` (gzip -9) next to every .wasm, .js and .css, which the server sends as is to browsers
/// that accept gzip instead of compressing about a megabyte on every cold load.
fn precompress(dir: &Path) -> Result<()> {
    for rel in util::files_below(dir)? {
        let path = dir.join(&rel);
        if !matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wasm" | "js" | "css")
        ) {
            continue;
        }
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&bytes)?;
        let mut gz_name = path.clone().into_os_string();
        gz_name.push(".gz");
        std::fs::write(&gz_name, enc.finish()?)
            .with_context(|| format!("cannot write {}", PathBuf::from(&gz_name).display()))?;
    }
    Ok(())
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
            "    created a minimal {} (loads /dashboard.js)",
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

/// Print every file's raw and gzip -9 size, then what each entry makes a browser download (its JS + wasm)
/// against the budget; error when an entry is over.
pub fn size_report(dist: &Path, only: Option<&str>) -> Result<()> {
    let gzip = Gzip::detect();
    let mut rows = Vec::new();
    for rel in util::files_below(dist)? {
        let path = dist.join(&rel);
        if path.extension().is_some_and(|e| e == "gz") {
            continue; // the precompressed copies the server sends; measured below from the originals
        }
        let raw = std::fs::metadata(&path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .len();
        rows.push(FileSize {
            raw,
            gzip: gzip.size(&path)?,
            path: rel,
        });
    }
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
    let sum = |rows: &mut dyn Iterator<Item = &FileSize>| {
        rows.fold((0, 0), |(a, b), r| (a + r.raw, b + r.gzip))
    };
    let (raw, gz) = sum(&mut rows.iter());
    println!("{:<40} {:>12} {:>12}", "all files", raw, gz);
    let code = |p: &Path| matches!(p.extension().and_then(|e| e.to_str()), Some("wasm" | "js"));
    let (code_raw, code_gz) = sum(&mut rows.iter().filter(|r| code(&r.path)));
    println!(
        "{:<40} {:>12} {:>12}",
        "wasm + js, all entries", code_raw, code_gz
    );
    println!();
    println!(
        "what a browser downloads to open a page (one entry's JS + wasm; index.html and CSS come on top):"
    );
    let mut over = Vec::new();
    for (feature, stem) in ENTRIES {
        if only.is_some_and(|o| o != feature) {
            continue;
        }
        let files = [format!("{stem}.js"), format!("{stem}_bg.wasm")];
        let (entry_raw, entry_gz) = sum(&mut rows
            .iter()
            .filter(|r| files.iter().any(|f| r.path == Path::new(f))));
        if entry_raw == 0 {
            bail!("dist/ has no {stem}.js / {stem}_bg.wasm: rebuild with `cargo xtask dist`");
        }
        let percent = entry_gz as f64 * 100.0 / BUDGET_GZ_BYTES as f64;
        let ok = entry_gz <= BUDGET_GZ_BYTES;
        println!(
            "  entry {feature:<18} {entry_raw:>10} raw {entry_gz:>8} {} = {percent:.1}% of {BUDGET_GZ_BYTES} -> {}",
            gzip.label(),
            if ok { "OK" } else { "OVER BUDGET" }
        );
        if !ok {
            over.push(format!("{feature} ({entry_gz} bytes)"));
        }
    }
    if !over.is_empty() {
        bail!(
            "over the {BUDGET_GZ_BYTES}-byte budget per entry: {}; look for a large dependency or embedded data \
             in that entry's pages (`ENISCOPE_WASM_NAMES=1 cargo xtask dist`, then `twiggy top dist/<entry>_bg.wasm`)",
            over.join(", ")
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
        assert!(MINIMAL_INDEX_HTML.contains(r#"import init from "/dashboard.js""#));
        assert!(MINIMAL_INDEX_HTML.contains(r#"module_or_path: "/dashboard_bg.wasm""#));
    }

    #[test]
    fn entries_match_the_frontend_and_index_html() {
        let repo = util::repo_root();
        let entries = std::fs::read_to_string(repo.join("frontend/src/entries.rs")).unwrap();
        let cargo = std::fs::read_to_string(repo.join("frontend/Cargo.toml")).unwrap();
        let index = std::fs::read_to_string(repo.join("assets/index.html")).unwrap();
        for (feature, stem) in ENTRIES {
            assert!(
                entries.contains(&format!("(\"{feature}\", \"{stem}\")")),
                "frontend/src/entries.rs lists ({feature}, {stem})"
            );
            assert!(
                cargo.contains(&format!("\n{feature} = []")),
                "frontend/Cargo.toml has the feature {feature}"
            );
            assert!(
                index.contains(&format!("\"{stem}\"")),
                "assets/index.html can start {stem}"
            );
        }
    }
}
