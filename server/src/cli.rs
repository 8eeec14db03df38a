//! The `eniscope` command line. One `Command` variant and one module per subcommand: to add `scan`,
//! write `cli/scan.rs` with `ScanArgs` (clap `Args`) and `run(args) -> Result<(), CliError>`, then add a
//! variant below and one arm in `main.rs`.

pub mod max_pods;
pub mod serve;

use clap::{Parser, Subcommand};

const ABOUT: &str =
    "Pod IPs, max pods and prefix delegation for Windows and Linux nodes on Amazon EKS";

const LONG_ABOUT: &str = "\
eniscope answers: how many pod IPs does each node use, hold and can ever hold; what if we turned on
prefix delegation or picked another instance type; is DSR on for every Windows node.

Every number comes from the formulas of the VPC Resource Controller (Windows) and the VPC CNI /
max-pods-calculator (Linux); `--output json` and the web UI explain each one.";

const EXAMPLES: &str = "\
Examples:
  # Web UI and API on http://127.0.0.1:8080 with the built-in demo fleet (no AWS needed)
  eniscope serve --demo

  # Serve a snapshot written earlier by `eniscope scan --output fleet.json`
  eniscope serve --snapshot fleet.json --listen 0.0.0.0:8080

  # How many Windows pods fit on an m5.large, with and without prefix delegation?
  eniscope max-pods --instance-type m5.large --os windows
  eniscope max-pods --instance-type m5.large --os windows --prefix-delegation

  # Every x86_64 type, as JSON, for a script
  eniscope max-pods --instance-type all --os windows --output json

Run `eniscope <command> --help` for the options of one command.
Logs go to stderr; set RUST_LOG (e.g. RUST_LOG=debug) for more detail.";

#[derive(Debug, Parser)]
#[command(name = "eniscope", version, about = ABOUT, long_about = LONG_ABOUT, after_long_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web UI and the JSON API (/api/v1) over a fleet snapshot.
    Serve(serve::ServeArgs),
    /// Print how many pods fit on instance types, for Windows or Linux nodes.
    MaxPods(max_pods::MaxPodsArgs),
    /// Read every EKS cluster, nodegroup, node, ENI and subnet from AWS (read-only) into a snapshot file.
    Scan(crate::scan::ScanArgs),
}

impl Command {
    /// The default log filter when RUST_LOG is unset: the server narrates, one-shot commands stay quiet.
    pub fn default_log_filter(&self) -> &'static str {
        match self {
            Command::Serve(_) => "info",
            Command::MaxPods(_) => "warn",
            Command::Scan(_) => "warn",
        }
    }
}

/// How a command failed; decides the exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The input has no answer (unknown instance type, Windows on arm64): exit code 2, like a usage error.
    #[error("{0}")]
    Input(String),
    /// Something broke while running (unreadable file, port in use): exit code 1.
    #[error(transparent)]
    Runtime(#[from] anyhow::Error),
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Input(_) => 2,
            CliError::Runtime(_) => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn max_pods_flags_parse() {
        let cli = Cli::try_parse_from([
            "eniscope",
            "max-pods",
            "--instance-type",
            "m5.large,c5.large",
            "--os",
            "windows",
            "--prefix-delegation",
            "--kubelet-max-pods",
            "250",
            "--output",
            "json",
        ])
        .expect("valid flags");
        let Command::MaxPods(args) = cli.command else {
            panic!("max-pods expected")
        };
        assert_eq!(args.instance_types, ["m5.large,c5.large"]);
        assert!(args.prefix_delegation && !args.custom_networking);
        assert_eq!(args.kubelet_max_pods, Some(250));
    }

    #[test]
    fn bad_flags_are_usage_errors() {
        for argv in [
            &[
                "eniscope",
                "max-pods",
                "--instance-type",
                "m5.large",
                "--os",
                "macos",
            ][..],
            &["eniscope", "max-pods", "--instance-type", "m5.large"],
            &[
                "eniscope",
                "max-pods",
                "--instance-type",
                "m5.large",
                "--os",
                "linux",
                "--kubelet-max-pods",
                "0",
            ],
            &["eniscope", "serve", "--demo", "--snapshot", "fleet.json"],
        ] {
            assert!(
                Cli::try_parse_from(argv).is_err(),
                "{argv:?} should be refused"
            );
        }
    }
}
