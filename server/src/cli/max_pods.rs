//! `eniscope max-pods`: the same numbers as `GET /api/v1/max-pods`, from the same function.

use crate::api::maxpods::{TypeSelection, max_pods_reports};
use crate::api::types::MaxPodsReport;
use crate::cli::CliError;
use crate::state::embedded_instance_types;
use anyhow::Context as _;
use clap::{Args, ValueEnum};
use shared::{MaxPodsOptions, Os};
use std::io::Write as _;

const EXAMPLES: &str = "\
Examples:
  eniscope max-pods --instance-type m5.large --os windows
  eniscope max-pods --instance-type m5.large,c5.xlarge --os linux --prefix-delegation
  eniscope max-pods --instance-type all --os windows --output json

JSON output: an array with one object per type: instance_type, os, mode (the mode in effect:
secondary-ip or prefix-delegation), eni_max_pods (limited by IPs alone), recommended_max_pods,
ip_capacity, warnings, explain (one line) and explanation (formula, inputs, caps, source).

Exit codes: 0 ok; 2 bad input (unknown type, Windows on an arm64 type, bad flag); 1 other errors.";

#[derive(Debug, Args)]
#[command(after_long_help = EXAMPLES)]
pub struct MaxPodsArgs {
    /// Instance types, comma-separated (m5.large,c5.large), or `all` for every type the OS can run.
    #[arg(
        long = "instance-type",
        short = 't',
        value_name = "TYPE[,TYPE...]|all",
        required = true
    )]
    pub instance_types: Vec<String>,

    /// Node operating system. Windows nodes are x86_64 only and use one ENI for pods.
    #[arg(long, value_enum)]
    pub os: OsArg,

    /// Prefix delegation (/28 prefixes instead of single IPs). Takes effect only on Nitro or bare-metal
    /// types; on Xen the result says secondary-ip mode and warns.
    #[arg(long)]
    pub prefix_delegation: bool,

    /// Linux custom networking (ENIConfig): the primary ENI carries no pod IPs. Not supported on Windows.
    #[arg(long)]
    pub custom_networking: bool,

    /// The kubelet's --max-pods, if you set one (Windows default 110).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub kubelet_max_pods: Option<u32>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OsArg {
    Windows,
    Linux,
}

impl From<OsArg> for Os {
    fn from(os: OsArg) -> Self {
        match os {
            OsArg::Windows => Os::Windows,
            OsArg::Linux => Os::Linux,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// An aligned table, with the explanation when few types are listed.
    Text,
    /// A JSON array, one object per type.
    Json,
}

pub fn run(args: &MaxPodsArgs) -> Result<(), CliError> {
    let table = embedded_instance_types().context("loading the instance-type table")?;
    let selection = TypeSelection::parse(args.instance_types.iter().map(String::as_str))
        .map_err(|e| CliError::Input(e.to_string()))?;
    let options = MaxPodsOptions {
        prefix_delegation: args.prefix_delegation,
        custom_networking: args.custom_networking,
        kubelet_max_pods: args.kubelet_max_pods,
    };
    // Compute everything before printing anything: an error must not leave half an answer on stdout.
    let reports = max_pods_reports(&table, &selection, args.os.into(), options)
        .map_err(|e| CliError::Input(e.to_string()))?;
    let text = match args.output {
        OutputFormat::Json => {
            let mut json = serde_json::to_string_pretty(&reports)
                .context("serializing the max-pods result")?;
            json.push('\n');
            json
        }
        OutputFormat::Text => render_text(&reports),
    };
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        // `eniscope max-pods … | head` closes the pipe early: that is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to stdout").map_err(CliError::from),
    }
}

/// Explanations are printed under the table only for short lists; long ones point to `--output json`.
const EXPLAIN_AT_MOST: usize = 10;

/// An aligned table; numbers right-aligned.
pub fn render_text(reports: &[MaxPodsReport]) -> String {
    let headers = [
        "INSTANCE TYPE",
        "OS",
        "MODE",
        "ENI MAX PODS",
        "RECOMMENDED",
        "POD IPS",
    ];
    let rows: Vec<[String; 6]> = reports
        .iter()
        .map(|r| {
            let m = &r.result;
            [
                m.instance_type.clone(),
                m.os.to_string(),
                m.mode.as_str().to_string(),
                m.eni_max_pods.to_string(),
                m.recommended_max_pods.to_string(),
                m.ip_capacity.to_string(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let numeric = [false, false, false, true, true, true];
    let format_row = |cells: [&str; 6]| -> String {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            let pad = " ".repeat(widths[i].saturating_sub(cell.chars().count()));
            if numeric[i] {
                line.push_str(&pad);
                line.push_str(cell);
            } else {
                line.push_str(cell);
                // No trailing spaces after the last column.
                if i + 1 < cells.len() {
                    line.push_str(&pad);
                }
            }
        }
        line.push('\n');
        line
    };

    let mut out = format_row(headers);
    for row in &rows {
        out.push_str(&format_row([
            &row[0], &row[1], &row[2], &row[3], &row[4], &row[5],
        ]));
    }
    if reports.is_empty() {
        out.push_str("(no instance types)\n");
    } else if reports.len() <= EXPLAIN_AT_MOST {
        for r in reports {
            out.push_str(&format!("\n{}: {}\n", r.result.instance_type, r.explain));
            for warning in &r.result.warnings {
                out.push_str(&format!("  warning: {warning}\n"));
            }
        }
    } else {
        let with_warnings = reports
            .iter()
            .filter(|r| !r.result.warnings.is_empty())
            .count();
        out.push_str(&format!(
            "\n{} types; {with_warnings} with warnings. Use --output json for each type's explanation and warnings.\n",
            reports.len()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reports(names: &[&str], os: Os, prefix_delegation: bool) -> Vec<MaxPodsReport> {
        let table = embedded_instance_types().expect("table");
        let selection = TypeSelection::Named(names.iter().map(|n| n.to_string()).collect());
        max_pods_reports(
            &table,
            &selection,
            os,
            MaxPodsOptions {
                prefix_delegation,
                ..Default::default()
            },
        )
        .expect("known types")
    }

    #[test]
    fn text_table_is_aligned_and_explains() {
        let text = render_text(&reports(&["m5.large", "m4.large"], Os::Windows, true));
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("INSTANCE TYPE  OS"), "{text}");
        // m5.large: PD in effect, 144 pod IPs, recommended 110 (kubelet default).
        assert!(
            lines[1].starts_with("m5.large") && lines[1].contains("prefix-delegation"),
            "{text}"
        );
        assert!(lines[1].ends_with("144          110      144"), "{text}");
        // m4.large is Xen: PD falls back to secondary-ip and says so.
        assert!(lines[2].contains("secondary-ip"), "{text}");
        assert!(
            text.contains("warning: prefix delegation needs Nitro"),
            "{text}"
        );
        // Columns line up: the number columns end at the same offset on every table line.
        assert_eq!(lines[0].len(), lines[1].len(), "{text}");
        assert!(
            text.lines().all(|l| !l.ends_with(' ')),
            "trailing spaces:\n{text}"
        );
    }

    #[test]
    fn long_lists_point_to_json() {
        let table = embedded_instance_types().expect("table");
        let all = max_pods_reports(
            &table,
            &TypeSelection::All,
            Os::Linux,
            MaxPodsOptions::default(),
        )
        .expect("all");
        if all.len() > EXPLAIN_AT_MOST {
            assert!(render_text(&all).contains("Use --output json"));
        }
    }
}
