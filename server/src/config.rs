//! The eniscope config file (TOML, documented in `eniscope.example.toml`), with `ENISCOPE_*`
//! environment overrides and CLI flags on top: flags beat env, env beats the file.

use crate::aws::real::Credentials;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_SCAN_INTERVAL_SECONDS: u64 = 300;
const MIN_SCAN_INTERVAL_SECONDS: u64 = 10;
const MAX_SCAN_INTERVAL_SECONDS: u64 = 7 * 24 * 3600;
pub const DEFAULT_ACCOUNT_NAME: &str = "default";

/// `amazon-vpc-cni` ConfigMap keys that steer Windows IPAM (domain.md §2.1).
pub const WINDOWS_IPAM_KEYS: [&str; 8] = [
    "enable-windows-ipam",
    "enable-windows-prefix-delegation",
    "windows-warm-ip-target",
    "warm-ip-target",
    "windows-minimum-ip-target",
    "minimum-ip-target",
    "windows-warm-prefix-target",
    "warm-prefix-target",
];

/// The file as written. Every key is optional; unknown keys are an error (typos must not be silent).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    listen: Option<String>,
    scan_interval_seconds: Option<u64>,
    regions: Option<Vec<String>>,
    endpoint_url: Option<String>,
    concurrency: Option<usize>,
    #[serde(default)]
    accounts: Vec<AccountFile>,
    #[serde(default)]
    clusters: Vec<ClusterOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountFile {
    name: String,
    profile: Option<String>,
    role_arn: Option<String>,
    external_id: Option<String>,
}

/// What we cannot read from AWS (no Kubernetes API access), given per cluster in the config.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterOverride {
    pub name: String,
    /// Only for the cluster of this name in this region (all regions if absent).
    #[serde(default)]
    pub region: Option<String>,
    /// `kube-system/amazon-vpc-cni` ConfigMap data, e.g. `enable-windows-prefix-delegation = "true"`.
    #[serde(default)]
    pub windows_ipam_config: Option<BTreeMap<String, String>>,
    /// Number of Services in the cluster (Windows port-exhaustion risk without DSR).
    #[serde(default)]
    pub service_count: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub name: String,
    pub credentials: Credentials,
}

/// The resolved configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The file read, if any.
    pub path: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub scan_interval: Duration,
    /// Empty: use the SDK's default region (AWS_REGION / profile), see `scan::resolve_regions`.
    pub regions: Vec<String>,
    pub endpoint_url: Option<String>,
    pub concurrency: usize,
    /// Never empty: without `[[accounts]]`, one `default` account on the standard credential chain.
    pub accounts: Vec<Account>,
    pub cluster_overrides: Vec<ClusterOverride>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            path: None,
            listen: None,
            scan_interval: Duration::from_secs(DEFAULT_SCAN_INTERVAL_SECONDS),
            regions: Vec::new(),
            endpoint_url: None,
            concurrency: crate::aws::collect::DEFAULT_CONCURRENCY,
            accounts: vec![Account {
                name: DEFAULT_ACCOUNT_NAME.into(),
                credentials: Credentials::DefaultChain,
            }],
            cluster_overrides: Vec::new(),
        }
    }
}

/// Values given on the command line; they win over env and file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CliOverrides {
    pub config: Option<PathBuf>,
    pub regions: Option<Vec<String>>,
    pub endpoint_url: Option<String>,
    pub scan_interval_seconds: Option<u64>,
    pub listen: Option<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error(
        "cannot read config file {path}: {reason} (pass an existing file with --config, or leave it out)"
    )]
    Read { path: String, reason: String },
    #[error(
        "config file {path} is not valid TOML: {reason} (see eniscope.example.toml for every key)"
    )]
    Parse { path: String, reason: String },
    #[error("{origin}: `{key}` {problem}; {fix}")]
    Invalid {
        origin: String,
        key: String,
        problem: String,
        fix: String,
    },
}

fn invalid(
    origin: &str,
    key: &str,
    problem: impl Into<String>,
    fix: impl Into<String>,
) -> ConfigError {
    ConfigError::Invalid {
        origin: origin.to_string(),
        key: key.to_string(),
        problem: problem.into(),
        fix: fix.into(),
    }
}

/// Load the configuration: file (from `--config` or `ENISCOPE_CONFIG`), then `ENISCOPE_*` env, then
/// flags. `env` is injected so tests do not touch the process environment.
pub fn load(
    cli: &CliOverrides,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let path = cli.config.clone().or_else(|| {
        env("ENISCOPE_CONFIG")
            .filter(|p| !p.is_empty())
            .map(PathBuf::from)
    });
    let (file, origin) = match &path {
        Some(path) => (read_file(path)?, path.display().to_string()),
        None => (ConfigFile::default(), "config".to_string()),
    };
    let mut config = from_file(file, &origin)?;
    config.path = path;

    // Environment overrides.
    if let Some(regions) = env("ENISCOPE_REGIONS").filter(|v| !v.trim().is_empty()) {
        config.regions = parse_region_list(&regions, "ENISCOPE_REGIONS")?;
    }
    if let Some(url) = env("ENISCOPE_ENDPOINT_URL").filter(|v| !v.is_empty()) {
        config.endpoint_url = Some(check_endpoint_url(
            &url,
            "environment",
            "ENISCOPE_ENDPOINT_URL",
        )?);
    }
    if let Some(seconds) = env("ENISCOPE_SCAN_INTERVAL_SECONDS").filter(|v| !v.is_empty()) {
        let seconds = seconds.trim().parse::<u64>().map_err(|_| {
            invalid(
                "environment",
                "ENISCOPE_SCAN_INTERVAL_SECONDS",
                format!("is {seconds:?}, not a whole number of seconds"),
                "set e.g. ENISCOPE_SCAN_INTERVAL_SECONDS=300",
            )
        })?;
        config.scan_interval =
            check_interval(seconds, "environment", "ENISCOPE_SCAN_INTERVAL_SECONDS")?;
    }
    if let Some(listen) = env("ENISCOPE_LISTEN").filter(|v| !v.is_empty()) {
        config.listen = Some(check_listen(&listen, "environment", "ENISCOPE_LISTEN")?);
    }

    // Command-line flags.
    if let Some(regions) = &cli.regions {
        config.regions = check_regions(regions.clone(), "command line", "--regions")?;
    }
    if let Some(url) = &cli.endpoint_url {
        config.endpoint_url = Some(check_endpoint_url(url, "command line", "--endpoint-url")?);
    }
    if let Some(seconds) = cli.scan_interval_seconds {
        config.scan_interval = check_interval(seconds, "command line", "--scan-interval-seconds")?;
    }
    if let Some(listen) = &cli.listen {
        config.listen = Some(check_listen(listen, "command line", "--listen")?);
    }
    Ok(config)
}

fn read_file(path: &Path) -> Result<ConfigFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse(&text, &path.display().to_string())
}

fn parse(text: &str, origin: &str) -> Result<ConfigFile, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: origin.to_string(),
        reason: e.to_string().trim().replace('\n', " "),
    })
}

/// Parse and validate config text (tests; `load` reads files).
#[cfg(test)]
pub fn from_str(text: &str, origin: &str) -> Result<Config, ConfigError> {
    from_file(parse(text, origin)?, origin)
}

fn from_file(file: ConfigFile, origin: &str) -> Result<Config, ConfigError> {
    let mut config = Config::default();
    if let Some(listen) = &file.listen {
        config.listen = Some(check_listen(listen, origin, "listen")?);
    }
    if let Some(seconds) = file.scan_interval_seconds {
        config.scan_interval = check_interval(seconds, origin, "scan_interval_seconds")?;
    }
    if let Some(regions) = file.regions {
        config.regions = check_regions(regions, origin, "regions")?;
    }
    if let Some(url) = &file.endpoint_url {
        config.endpoint_url = Some(check_endpoint_url(url, origin, "endpoint_url")?);
    }
    if let Some(concurrency) = file.concurrency {
        if !(1..=32).contains(&concurrency) {
            return Err(invalid(
                origin,
                "concurrency",
                format!("is {concurrency}"),
                "use 1 to 32 (default 4)",
            ));
        }
        config.concurrency = concurrency;
    }
    if !file.accounts.is_empty() {
        config.accounts = check_accounts(file.accounts, origin)?;
    }
    for (i, cluster) in file.clusters.iter().enumerate() {
        let key = format!("clusters[{i}]");
        if cluster.name.trim().is_empty() {
            return Err(invalid(
                origin,
                &format!("{key}.name"),
                "is empty",
                "give the EKS cluster name",
            ));
        }
        if let Some(region) = &cluster.region {
            check_region(region, origin, &format!("{key}.region"))?;
        }
        for ipam_key in cluster.windows_ipam_config.iter().flat_map(|m| m.keys()) {
            if !WINDOWS_IPAM_KEYS.contains(&ipam_key.as_str()) {
                return Err(invalid(
                    origin,
                    &format!("{key}.windows_ipam_config.{ipam_key}"),
                    "is not an amazon-vpc-cni Windows IPAM key",
                    format!("use one of {}", WINDOWS_IPAM_KEYS.join(", ")),
                ));
            }
        }
    }
    config.cluster_overrides = file.clusters;
    Ok(config)
}

fn check_accounts(accounts: Vec<AccountFile>, origin: &str) -> Result<Vec<Account>, ConfigError> {
    let mut out: Vec<Account> = Vec::new();
    for (i, account) in accounts.into_iter().enumerate() {
        let key = format!("accounts[{i}]");
        let name = account.name.trim().to_string();
        if name.is_empty() {
            return Err(invalid(
                origin,
                &format!("{key}.name"),
                "is empty",
                "name each account, e.g. name = \"prod\"",
            ));
        }
        if out.iter().any(|a| a.name == name) {
            return Err(invalid(
                origin,
                &format!("{key}.name"),
                format!("repeats {name:?}"),
                "give each [[accounts]] entry its own name",
            ));
        }
        let credentials = match (account.profile, account.role_arn) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    origin,
                    &key,
                    "has both profile and role_arn",
                    "use profile for a named AWS profile, or role_arn to assume a role with the default credentials, not both",
                ));
            }
            (Some(profile), None) => {
                if account.external_id.is_some() {
                    return Err(invalid(
                        origin,
                        &format!("{key}.external_id"),
                        "is set without role_arn",
                        "external_id only applies when assuming role_arn",
                    ));
                }
                if profile.trim().is_empty() {
                    return Err(invalid(
                        origin,
                        &format!("{key}.profile"),
                        "is empty",
                        "name a profile from ~/.aws/config",
                    ));
                }
                Credentials::Profile(profile)
            }
            (None, Some(role_arn)) => {
                if !(role_arn.starts_with("arn:aws")
                    && role_arn.contains(":iam::")
                    && role_arn.contains(":role/"))
                {
                    return Err(invalid(
                        origin,
                        &format!("{key}.role_arn"),
                        format!("is {role_arn:?}, not an IAM role ARN"),
                        "use arn:aws:iam::<account-id>:role/<name>",
                    ));
                }
                Credentials::AssumeRole {
                    role_arn,
                    external_id: account.external_id,
                }
            }
            (None, None) => {
                if account.external_id.is_some() {
                    return Err(invalid(
                        origin,
                        &format!("{key}.external_id"),
                        "is set without role_arn",
                        "external_id only applies when assuming role_arn",
                    ));
                }
                Credentials::DefaultChain
            }
        };
        out.push(Account { name, credentials });
    }
    Ok(out)
}

fn check_listen(value: &str, origin: &str, key: &str) -> Result<SocketAddr, ConfigError> {
    value.trim().parse().map_err(|_| {
        invalid(
            origin,
            key,
            format!("is {value:?}, not an address:port"),
            "use e.g. 127.0.0.1:8080 or 0.0.0.0:8080",
        )
    })
}

fn check_interval(seconds: u64, origin: &str, key: &str) -> Result<Duration, ConfigError> {
    if !(MIN_SCAN_INTERVAL_SECONDS..=MAX_SCAN_INTERVAL_SECONDS).contains(&seconds) {
        return Err(invalid(
            origin,
            key,
            format!("is {seconds}"),
            format!(
                "use {MIN_SCAN_INTERVAL_SECONDS} to {MAX_SCAN_INTERVAL_SECONDS} seconds (default {DEFAULT_SCAN_INTERVAL_SECONDS})"
            ),
        ));
    }
    Ok(Duration::from_secs(seconds))
}

fn check_endpoint_url(url: &str, origin: &str, key: &str) -> Result<String, ConfigError> {
    let url = url.trim();
    if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() <= "https://".len()
    {
        return Err(invalid(
            origin,
            key,
            format!("is {url:?}, not an http(s) URL"),
            "use e.g. http://127.0.0.1:5000 for an emulator, or leave it out for AWS",
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

fn parse_region_list(list: &str, key: &str) -> Result<Vec<String>, ConfigError> {
    check_regions(
        list.split(',')
            .map(|r| r.trim().to_string())
            .filter(|r| !r.is_empty())
            .collect(),
        "environment",
        key,
    )
}

fn check_regions(
    regions: Vec<String>,
    origin: &str,
    key: &str,
) -> Result<Vec<String>, ConfigError> {
    let mut out: Vec<String> = Vec::new();
    for region in regions {
        let region = region.trim().to_string();
        check_region(&region, origin, key)?;
        if !out.contains(&region) {
            out.push(region);
        }
    }
    Ok(out)
}

/// Region names are lowercase words and a number joined by hyphens (`eu-west-1`, `us-gov-east-1`).
fn check_region(region: &str, origin: &str, key: &str) -> Result<(), ConfigError> {
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit()));
    if well_formed {
        Ok(())
    } else {
        Err(invalid(
            origin,
            key,
            format!("has {region:?}, not an AWS region name"),
            "use names like eu-west-1 or us-east-1",
        ))
    }
}

/// `--regions eu-west-1,us-east-1` for clap.
pub fn split_regions(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn example_file_parses_and_documents_every_key() {
        let text = include_str!("../../eniscope.example.toml");
        let config =
            from_str(text, "eniscope.example.toml").expect("the shipped example must be valid");
        assert_eq!(config.scan_interval, Duration::from_secs(300));
        assert_eq!(
            config.regions,
            vec!["eu-west-1".to_string(), "us-east-1".to_string()]
        );
        assert_eq!(config.accounts.len(), 3);
        assert!(
            matches!(config.accounts[1].credentials, Credentials::Profile(ref p) if p == "prod-readonly")
        );
        assert!(matches!(
            config.accounts[2].credentials,
            Credentials::AssumeRole {
                external_id: Some(_),
                ..
            }
        ));
        assert_eq!(config.cluster_overrides[0].service_count, Some(240));
        for key in [
            "listen",
            "scan_interval_seconds",
            "regions",
            "endpoint_url",
            "concurrency",
            "[[accounts]]",
            "profile",
            "role_arn",
            "external_id",
            "[[clusters]]",
            "windows_ipam_config",
            "service_count",
        ] {
            assert!(text.contains(key), "example does not mention {key}");
        }
    }

    #[test]
    fn defaults_without_a_file() {
        let config = load(&CliOverrides::default(), &no_env).expect("no file is fine");
        assert_eq!(
            config.scan_interval,
            Duration::from_secs(DEFAULT_SCAN_INTERVAL_SECONDS)
        );
        assert_eq!(
            config.accounts,
            vec![Account {
                name: "default".into(),
                credentials: Credentials::DefaultChain
            }]
        );
        assert!(config.regions.is_empty());
    }

    #[test]
    fn flags_beat_env_beat_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("eniscope.toml");
        std::fs::write(
            &path,
            "regions = [\"eu-west-1\"]\nscan_interval_seconds = 60\nlisten = \"127.0.0.1:1\"\n",
        )
        .expect("write");
        let env = |key: &str| match key {
            "ENISCOPE_REGIONS" => Some("us-east-1, us-west-2".to_string()),
            "ENISCOPE_SCAN_INTERVAL_SECONDS" => Some("120".to_string()),
            "ENISCOPE_ENDPOINT_URL" => Some("http://127.0.0.1:5000/".to_string()),
            _ => None,
        };
        let cli = CliOverrides {
            config: Some(path.clone()),
            ..CliOverrides::default()
        };
        let from_env = load(&cli, &env).expect("valid");
        assert_eq!(
            from_env.regions,
            vec!["us-east-1".to_string(), "us-west-2".to_string()]
        );
        assert_eq!(from_env.scan_interval, Duration::from_secs(120));
        assert_eq!(
            from_env.endpoint_url.as_deref(),
            Some("http://127.0.0.1:5000")
        );
        assert_eq!(from_env.listen, Some("127.0.0.1:1".parse().expect("addr")));

        let cli = CliOverrides {
            config: Some(path),
            regions: Some(vec!["ap-south-1".into()]),
            endpoint_url: Some("http://localhost:9".into()),
            scan_interval_seconds: Some(30),
            listen: Some("0.0.0.0:8081".into()),
        };
        let from_flags = load(&cli, &env).expect("valid");
        assert_eq!(from_flags.regions, vec!["ap-south-1".to_string()]);
        assert_eq!(from_flags.scan_interval, Duration::from_secs(30));
        assert_eq!(
            from_flags.endpoint_url.as_deref(),
            Some("http://localhost:9")
        );
        assert_eq!(
            from_flags.listen,
            Some("0.0.0.0:8081".parse().expect("addr"))
        );
    }

    #[test]
    fn bad_config_names_file_key_and_fix() {
        let typo = from_str("regoins = [\"eu-west-1\"]", "my.toml").expect_err("unknown key");
        let text = typo.to_string();
        assert!(
            text.contains("my.toml") && text.contains("regoins"),
            "{text}"
        );

        let region = from_str("regions = [\"EU-WEST-1\"]", "my.toml")
            .expect_err("bad region")
            .to_string();
        assert!(
            region.contains("my.toml")
                && region.contains("`regions`")
                && region.contains("eu-west-1"),
            "{region}"
        );

        let both = from_str(
            "[[accounts]]\nname = \"a\"\nprofile = \"p\"\nrole_arn = \"arn:aws:iam::1:role/r\"\n",
            "my.toml",
        )
        .expect_err("both")
        .to_string();
        assert!(
            both.contains("accounts[0]") && both.contains("not both"),
            "{both}"
        );

        let arn = from_str(
            "[[accounts]]\nname = \"a\"\nrole_arn = \"my-role\"\n",
            "my.toml",
        )
        .expect_err("arn")
        .to_string();
        assert!(
            arn.contains("accounts[0].role_arn") && arn.contains("arn:aws:iam::"),
            "{arn}"
        );

        let interval = from_str("scan_interval_seconds = 1", "my.toml")
            .expect_err("too short")
            .to_string();
        assert!(
            interval.contains("scan_interval_seconds") && interval.contains("default 300"),
            "{interval}"
        );

        let ipam = from_str(
            "[[clusters]]\nname = \"c\"\n[clusters.windows_ipam_config]\nwarm-ip = \"3\"\n",
            "my.toml",
        )
        .expect_err("unknown ipam key")
        .to_string();
        assert!(
            ipam.contains("clusters[0].windows_ipam_config.warm-ip")
                && ipam.contains("windows-warm-ip-target"),
            "{ipam}"
        );

        let env = |key: &str| (key == "ENISCOPE_SCAN_INTERVAL_SECONDS").then(|| "five".to_string());
        let env_err = load(&CliOverrides::default(), &env)
            .expect_err("not a number")
            .to_string();
        assert!(
            env_err.contains("ENISCOPE_SCAN_INTERVAL_SECONDS"),
            "{env_err}"
        );

        let missing = load(
            &CliOverrides {
                config: Some("/nonexistent/eniscope.toml".into()),
                ..CliOverrides::default()
            },
            &no_env,
        )
        .expect_err("missing file")
        .to_string();
        assert!(
            missing.contains("/nonexistent/eniscope.toml") && missing.contains("--config"),
            "{missing}"
        );

        let truncated = from_str("regions = [\"eu-west-1\"", "my.toml")
            .expect_err("truncated")
            .to_string();
        assert!(
            truncated.contains("my.toml") && truncated.contains("not valid TOML"),
            "{truncated}"
        );
    }
}
