//! Idempotent installers for what the build and the tests need. Each one checks first, says what it found,
//! and installs only what is missing (toolchain.md §3).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};

use crate::bundle::WASM_TARGET;
use crate::util::{self, timed};

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The AWS emulator the integration tests start (toolchain.md §7).
pub const MOTO_REQUIREMENT: &str = "moto[server]==5.2.5";

/// `rustup target add wasm32-unknown-unknown` unless the target's std is already installed.
pub fn wasm_target() -> Result<()> {
    if let Some(installed) = util::output("rustup", &["target", "list", "--installed"]) {
        if installed.lines().any(|l| l.trim() == WASM_TARGET) {
            println!("    {WASM_TARGET}: installed");
            return Ok(());
        }
        return timed("rustup target add", || {
            util::run(Command::new("rustup").args(["target", "add", WASM_TARGET]).stdin(Stdio::null())).context(
                "could not add the wasm32 target; rustup downloads it from static.rust-lang.org (check the \
                 network) — there is no Debian fallback",
            )
        });
    }
    // No rustup: accept a toolchain that ships the wasm32 std some other way.
    let sysroot = util::output("rustc", &["--print", "sysroot"])
        .context("rustc is not on PATH: install rustup")?;
    if Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(WASM_TARGET)
        .is_dir()
    {
        println!("    {WASM_TARGET}: installed (no rustup)");
        return Ok(());
    }
    bail!(
        "the {WASM_TARGET} target is missing and rustup is not installed: install rustup (https://rustup.rs)"
    )
}

/// Debian `chromium` + `chromium-driver` for the UI tests, when chromedriver is absent.
pub fn chromium() -> Result<()> {
    if Path::new(CHROMEDRIVER).is_file() && Path::new(CHROMIUM).is_file() {
        println!("    chromium + chromedriver: installed ({CHROMIUM}, {CHROMEDRIVER})");
        return Ok(());
    }
    timed("apt-get install chromium chromium-driver", || {
        apt_install(&["chromium", "chromium-driver"])
    })
}

/// `.venv` with moto's server, when `.venv/bin/moto_server` is absent.
pub fn moto_venv(repo: &Path) -> Result<PathBuf> {
    let venv = repo.join(".venv");
    let moto_server = venv.join("bin").join("moto_server");
    if moto_server.is_file() {
        println!("    moto: installed ({})", moto_server.display());
        return Ok(moto_server);
    }
    timed("python venv + moto", || {
        if !venv.join("bin").join("pip").is_file() {
            if util::output("python3", &["-m", "venv", "--help"]).is_none()
                || util::output("python3", &["-c", "import ensurepip"]).is_none()
            {
                apt_install(&["python3", "python3-venv"])?;
            }
            util::run(
                Command::new("python3")
                    .arg("-m")
                    .arg("venv")
                    .arg(&venv)
                    .stdin(Stdio::null()),
            )
            .context("could not create the Python venv .venv")?;
        }
        util::run(
            Command::new(venv.join("bin").join("pip"))
                .args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    MOTO_REQUIREMENT,
                ])
                .stdin(Stdio::null()),
        )
        .context("pip could not install moto: check that PyPI is reachable")
    })?;
    if !moto_server.is_file() {
        bail!(
            "pip installed moto but {} is missing",
            moto_server.display()
        );
    }
    Ok(moto_server)
}

/// npm binaryen (wasm-opt) via `npm ci`; installs Debian's nodejs + npm first when they are missing.
/// Without them the bundle still builds, about twice as big (over the size budget), so a failed
/// install is a warning, not an error.
pub fn binaryen(repo: &Path) -> Result<()> {
    let present = repo.join("node_modules/.bin/wasm-opt").is_file();
    if !present
        && (util::output("node", &["--version"]).is_none()
            || util::output("npm", &["--version"]).is_none())
        && let Err(error) = apt_install(&["nodejs", "npm"])
    {
        println!(
            "    warning: could not install nodejs + npm ({error:#}); wasm-opt will be skipped"
        );
    }
    match timed("npm binaryen", || crate::bundle::wasm_opt(repo))? {
        Some(path) if present => println!("    wasm-opt: installed ({})", path.display()),
        Some(path) => println!("    wasm-opt: installed now ({})", path.display()),
        None => println!("    note: node/npm not found; the bundle will be built without wasm-opt"),
    }
    Ok(())
}

/// `apt-get update && apt-get install -y PKGS` as root (or through passwordless sudo).
fn apt_install(packages: &[&str]) -> Result<()> {
    if util::output("apt-get", &["--version"]).is_none() {
        bail!(
            "{} missing and this is not a Debian/Ubuntu machine: install them by hand",
            packages.join(" ")
        );
    }
    let is_root = util::output("id", &["-u"]).is_some_and(|uid| uid.trim() == "0");
    let sudo = !is_root && util::output("sudo", &["-n", "true"]).is_some();
    if !is_root && !sudo {
        bail!(
            "{} missing; installing needs root: run `sudo apt-get update && sudo apt-get install -y {}`",
            packages.join(" "),
            packages.join(" ")
        );
    }
    let apt = |args: &[&str]| {
        let mut cmd = if sudo {
            let mut c = Command::new("sudo");
            c.args(["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
            c
        } else {
            Command::new("apt-get")
        };
        cmd.args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .stdin(Stdio::null());
        cmd
    };
    util::run(&mut apt(&["update", "-qq"]))
        .context("apt-get update failed: check the Debian mirror")?;
    let mut install = apt(&["install", "-y", "-qq"]);
    install.args(packages);
    util::run(&mut install)
        .with_context(|| format!("apt-get could not install {}", packages.join(" ")))
}
