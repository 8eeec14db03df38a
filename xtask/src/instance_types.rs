//! `cargo xtask gen-instance-types`: EC2 `DescribeInstanceTypes` output -> `shared::InstanceTypeTable` JSON
//! (`assets/instance-types.json`, embedded by the server).
//!
//! Accepted inputs (each file may be gzip-compressed):
//! - the AWS CLI shape `{"InstanceTypes": [InstanceTypeInfo, ...]}`, one file per page or all pages in one
//!   (`aws ec2 describe-instance-types --output json > types.json`);
//! - a bare array of `InstanceTypeInfo` (`--query InstanceTypes`);
//! - moto's bundled `moto/ec2/resources/instance_types.json.gz`: an object keyed by instance type whose
//!   values are the same `InstanceTypeInfo` objects.
//!
//! Field mapping is domain.md §7. Nothing is invented: a row with a missing or unusable field is reported
//! (name + field) and skipped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use serde_json::Value;
use shared::{Architecture, Hypervisor, InstanceTypeLimits, InstanceTypeTable};

/// Why one `InstanceTypeInfo` did not become a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub instance_type: String,
    pub reason: String,
}

/// The result of converting a set of `InstanceTypeInfo` objects.
#[derive(Debug, Default)]
pub struct Converted {
    /// Sorted by name, one per type.
    pub rows: Vec<InstanceTypeLimits>,
    pub skipped: Vec<Skipped>,
    /// Types without `NetworkInfo.NetworkCards`, whose ENI count is the top-level `MaximumNetworkInterfaces`.
    pub top_level_eni_fallback: Vec<String>,
}

/// Which shape an input document had (decides the wording of `source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputShape {
    AwsCli,
    Array,
    MotoDict,
}

/// Pull the `InstanceTypeInfo` objects out of one parsed input document.
pub fn instance_type_infos(doc: &Value) -> Result<(InputShape, Vec<&Value>)> {
    match doc {
        Value::Object(map) => {
            if let Some(list) = map.get("InstanceTypes") {
                let Value::Array(items) = list else {
                    bail!("\"InstanceTypes\" is not an array");
                };
                return Ok((InputShape::AwsCli, items.iter().collect()));
            }
            if !map.is_empty() && map.values().all(|v| v.get("InstanceType").is_some()) {
                return Ok((InputShape::MotoDict, map.values().collect()));
            }
            bail!(
                "not DescribeInstanceTypes output: expected {{\"InstanceTypes\": [...]}} (from `aws ec2 \
                 describe-instance-types --output json`), an array of InstanceTypeInfo, or moto's \
                 instance_types.json.gz (an object keyed by instance type)"
            )
        }
        Value::Array(items) => Ok((InputShape::Array, items.iter().collect())),
        _ => bail!(
            "not DescribeInstanceTypes output: the document is neither a JSON object nor an array"
        ),
    }
}

/// Convert every `InstanceTypeInfo`; duplicates (the same type in several pages or regions) must agree.
pub fn convert<'a>(infos: impl IntoIterator<Item = &'a Value>) -> Result<Converted> {
    let mut by_name: BTreeMap<String, InstanceTypeLimits> = BTreeMap::new();
    let mut out = Converted::default();
    let mut conflicts = Vec::new();
    for (position, info) in infos.into_iter().enumerate() {
        match convert_one(info) {
            Ok((row, used_fallback)) => {
                if let Some(previous) = by_name.get(&row.instance_type) {
                    if previous != &row {
                        conflicts.push(row.instance_type.clone());
                    }
                    continue;
                }
                if used_fallback {
                    out.top_level_eni_fallback.push(row.instance_type.clone());
                }
                by_name.insert(row.instance_type.clone(), row);
            }
            Err(mut skipped) => {
                if skipped.instance_type.is_empty() {
                    skipped.instance_type = format!("<entry #{position} without InstanceType>");
                }
                out.skipped.push(skipped);
            }
        }
    }
    if !conflicts.is_empty() {
        bail!(
            "the inputs disagree about {} type(s) ({}); pass pages of one DescribeInstanceTypes run only",
            conflicts.len(),
            conflicts.join(", ")
        );
    }
    out.rows = by_name.into_values().collect();
    out.top_level_eni_fallback.sort();
    Ok(out)
}

/// Field lookup that records every missing or unusable field of a row, so one report names them all.
struct Fields<'a> {
    info: &'a Value,
    problems: Vec<String>,
}

impl<'a> Fields<'a> {
    fn get(&mut self, path: &str) -> Option<&'a Value> {
        let mut at = self.info;
        for key in path.split('.') {
            match at.get(key) {
                Some(Value::Null) | None => {
                    self.problems.push(format!("missing {path}"));
                    return None;
                }
                Some(v) => at = v,
            }
        }
        Some(at)
    }

    fn u32(&mut self, path: &str) -> Option<u32> {
        let v = self.get(path)?;
        match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Some(n),
            None => {
                self.problems
                    .push(format!("{path} is not a whole number: {v}"));
                None
            }
        }
    }

    fn u64(&mut self, path: &str) -> Option<u64> {
        let v = self.get(path)?;
        match v.as_u64() {
            Some(n) => Some(n),
            None => {
                self.problems
                    .push(format!("{path} is not a whole number: {v}"));
                None
            }
        }
    }

    fn bool(&mut self, path: &str) -> Option<bool> {
        let v = self.get(path)?;
        match v.as_bool() {
            Some(b) => Some(b),
            None => {
                self.problems.push(format!("{path} is not true/false: {v}"));
                None
            }
        }
    }
}

/// One `InstanceTypeInfo` -> one row; `true` when the ENI count fell back to the top-level field.
pub fn convert_one(info: &Value) -> Result<(InstanceTypeLimits, bool), Skipped> {
    let Some(name) = info.get("InstanceType").and_then(Value::as_str) else {
        return Err(Skipped {
            instance_type: String::new(),
            reason: "missing InstanceType".into(),
        });
    };
    let mut f = Fields {
        info,
        problems: Vec::new(),
    };

    // `Hypervisor` is absent for bare metal (domain.md §7).
    let hypervisor = match info.get("Hypervisor") {
        None | Some(Value::Null) => Some(Hypervisor::None),
        Some(Value::String(h)) if h == "nitro" => Some(Hypervisor::Nitro),
        Some(Value::String(h)) if h == "xen" => Some(Hypervisor::Xen),
        Some(other) => {
            f.problems.push(format!(
                "Hypervisor {other} is neither \"nitro\" nor \"xen\""
            ));
            None
        }
    };
    let bare_metal = f.bool("BareMetal");
    let vcpus = f.u32("VCpuInfo.DefaultVCpus");
    let memory_mib = f.u64("MemoryInfo.SizeInMiB");
    let architectures = f.get("ProcessorInfo.SupportedArchitectures").and_then(|v| {
        match serde_json::from_value::<Vec<Architecture>>(v.clone()) {
            Ok(list) if !list.is_empty() => Some(list),
            Ok(_) => {
                f.problems
                    .push("ProcessorInfo.SupportedArchitectures is empty".into());
                None
            }
            Err(e) => {
                f.problems
                    .push(format!("ProcessorInfo.SupportedArchitectures {v}: {e}"));
                None
            }
        }
    });
    let ipv4_per_eni = f.u32("NetworkInfo.Ipv4AddressesPerInterface");
    let total_enis = f.u32("NetworkInfo.MaximumNetworkInterfaces");
    let network_cards = f.u32("NetworkInfo.MaximumNetworkCards");
    let current_generation = f.bool("CurrentGeneration");

    // ENIs usable for pods are those on the default network card (domain.md §7: p4d.24xlarge has 15 on
    // card 0, 60 in total). Only outputs that predate `NetworkCards` fall back to the top-level count.
    let mut used_fallback = false;
    let enis = match info.pointer("/NetworkInfo/NetworkCards") {
        None | Some(Value::Null) => {
            used_fallback = true;
            total_enis
        }
        Some(Value::Array(cards)) => f.u32("NetworkInfo.DefaultNetworkCardIndex").and_then(|default_index| {
            let card = cards
                .iter()
                .find(|c| c.get("NetworkCardIndex").and_then(Value::as_u64) == Some(u64::from(default_index)));
            match card.and_then(|c| c.get("MaximumNetworkInterfaces")).and_then(Value::as_u64) {
                Some(n) => match u32::try_from(n) {
                    Ok(n) => Some(n),
                    Err(_) => {
                        f.problems.push(format!("NetworkCards[{default_index}].MaximumNetworkInterfaces is too large"));
                        None
                    }
                },
                None if card.is_none() => {
                    f.problems.push(format!(
                        "NetworkInfo.NetworkCards has no card with NetworkCardIndex {default_index} \
                         (the DefaultNetworkCardIndex)"
                    ));
                    None
                }
                None => {
                    f.problems.push(format!("missing NetworkInfo.NetworkCards[{default_index}].MaximumNetworkInterfaces"));
                    None
                }
            }
        }),
        Some(other) => {
            f.problems.push(format!("NetworkInfo.NetworkCards is not an array: {other}"));
            None
        }
    };
    // shared::InstanceTypeTable::from_json rejects these, and a type with no IP per ENI cannot run pods.
    if enis == Some(0) {
        f.problems
            .push("the default network card allows 0 network interfaces".into());
    }
    if ipv4_per_eni == Some(0) {
        f.problems
            .push("NetworkInfo.Ipv4AddressesPerInterface is 0".into());
    }

    match (
        hypervisor,
        bare_metal,
        vcpus,
        memory_mib,
        architectures,
        enis,
        ipv4_per_eni,
        total_enis,
        network_cards,
        current_generation,
    ) {
        (
            Some(hypervisor),
            Some(bare_metal),
            Some(vcpus),
            Some(memory_mib),
            Some(architectures),
            Some(enis),
            Some(ipv4_per_eni),
            Some(total_enis),
            Some(network_cards),
            Some(current_generation),
        ) if f.problems.is_empty() => Ok((
            InstanceTypeLimits {
                instance_type: name.to_owned(),
                hypervisor,
                bare_metal,
                vcpus,
                memory_mib,
                architectures,
                enis,
                ipv4_per_eni,
                total_enis,
                network_cards,
                current_generation,
            },
            used_fallback,
        )),
        _ => Err(Skipped {
            instance_type: name.to_owned(),
            reason: f.problems.join("; "),
        }),
    }
}

/// The table as JSON: sorted, one type per line, so a regeneration diffs line by line.
pub fn render(table: &InstanceTypeTable) -> Result<String> {
    let mut out = String::from("{\n");
    writeln!(
        out,
        "  \"source\": {},",
        serde_json::to_string(&table.source)?
    )?;
    out.push_str("  \"types\": [\n");
    for (i, row) in table.types.iter().enumerate() {
        let sep = if i + 1 == table.types.len() { "" } else { "," };
        writeln!(out, "    {}{sep}", serde_json::to_string(row)?)?;
    }
    out.push_str("  ]\n}\n");
    Ok(out)
}

/// Read a JSON file, gunzipping it when it starts with the gzip magic bytes.
pub fn read_json(path: &Path) -> Result<Value> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut text = String::new();
        flate2::read::GzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .with_context(|| {
                format!(
                    "{} looks gzip-compressed but does not decompress",
                    path.display()
                )
            })?;
        text
    } else {
        String::from_utf8(bytes).with_context(|| format!("{} is not UTF-8 text", path.display()))?
    };
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// moto's bundled table inside the repository's Python venv (`.venv/lib/python3.*/site-packages/moto`).
pub fn default_moto_input(repo: &Path) -> Result<PathBuf> {
    let lib = repo.join(".venv").join("lib");
    let entries = std::fs::read_dir(&lib).with_context(|| {
        format!(
            "no --input given and no Python venv at {}: run `cargo xtask test` once (it creates .venv with \
             moto), or pass --input types.json from `aws ec2 describe-instance-types --output json`",
            lib.display()
        )
    })?;
    let mut candidates: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| {
            e.path()
                .join("site-packages/moto/ec2/resources/instance_types.json.gz")
        })
        .filter(|p| p.is_file())
        .collect();
    candidates.sort();
    candidates.pop().with_context(|| {
        format!(
            "moto is not installed in {}: run `.venv/bin/pip install 'moto[server]==5.2.5'`, or pass --input",
            lib.display()
        )
    })
}

/// moto's version, from the `moto/__init__.py` next to its bundled table (`__version__ = "5.2.5"`).
pub fn moto_version(moto_table: &Path) -> Option<String> {
    // .../site-packages/moto/ec2/resources/instance_types.json.gz -> .../site-packages/moto/__init__.py
    let init = moto_table.parent()?.parent()?.parent()?.join("__init__.py");
    let text = std::fs::read_to_string(init).ok()?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("__version__"))
        .map(|rest| {
            rest.trim_start_matches([' ', '='])
                .trim()
                .trim_matches(['"', '\''])
                .to_owned()
        })
}

/// Describe where the table came from, for `InstanceTypeTable::source`.
pub fn source_text(
    shapes: &[(InputShape, String)],
    moto_version: Option<&str>,
    converted: &Converted,
    date: &str,
) -> String {
    let count = converted.rows.len();
    let mut text = if shapes.iter().all(|(s, _)| *s == InputShape::MotoDict) {
        let version = moto_version.map_or_else(|| "moto".to_owned(), |v| format!("moto {v}"));
        format!("DescribeInstanceTypes as bundled in {version} ({count} types)")
    } else {
        let files: Vec<&str> = shapes.iter().map(|(_, f)| f.as_str()).collect();
        format!(
            "DescribeInstanceTypes output from {} ({count} types)",
            files.join(", ")
        )
    };
    if !converted.skipped.is_empty() {
        write!(
            text,
            ", {} skipped for missing fields",
            converted.skipped.len()
        )
        .ok();
    }
    if !converted.top_level_eni_fallback.is_empty() {
        write!(
            text,
            ", {} without NetworkCards use the top-level MaximumNetworkInterfaces",
            converted.top_level_eni_fallback.len()
        )
        .ok();
    }
    write!(text, ", generated {date} by cargo xtask gen-instance-types").ok();
    text
}

/// `YYYY-MM-DD` (UTC) for a Unix time in seconds.
pub fn utc_date(unix_seconds: i64) -> String {
    // Howard Hinnant's civil_from_days (http://howardhinnant.github.io/date_algorithms.html).
    let z = unix_seconds.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::Architecture::{Arm64, X86_64};

    /// `describe_instance_types(InstanceTypes=[m4.large, m5.large, m5.metal, p4d.24xlarge, t4g.micro])`
    /// recorded through boto3 (the AWS CLI's parser) against moto 5.2.5, in the AWS CLI's JSON shape.
    const RECORDED: &str = include_str!("fixtures/describe-instance-types.json");

    fn row(
        name: &str,
        (hypervisor, bare_metal): (Hypervisor, bool),
        (vcpus, memory_mib): (u32, u64),
        architectures: Vec<Architecture>,
        (enis, ipv4_per_eni, total_enis, network_cards): (u32, u32, u32, u32),
        current_generation: bool,
    ) -> InstanceTypeLimits {
        InstanceTypeLimits {
            instance_type: name.into(),
            hypervisor,
            bare_metal,
            vcpus,
            memory_mib,
            architectures,
            enis,
            ipv4_per_eni,
            total_enis,
            network_cards,
            current_generation,
        }
    }

    #[test]
    fn recorded_page_converts_to_expected_rows() {
        let doc: Value = serde_json::from_str(RECORDED).unwrap();
        let (shape, infos) = instance_type_infos(&doc).unwrap();
        assert_eq!(shape, InputShape::AwsCli);
        let converted = convert(infos).unwrap();
        assert!(converted.skipped.is_empty(), "{:?}", converted.skipped);
        assert!(converted.top_level_eni_fallback.is_empty());
        // CurrentGeneration is copied as moto 5.2.5 reports it (false for m4/m5 in its data set).
        use Hypervisor::{Nitro, Xen};
        #[rustfmt::skip]
        let expected = vec![
            row("m4.large", (Xen, false), (2, 8192), vec![X86_64], (2, 10, 2, 1), false),
            row("m5.large", (Nitro, false), (2, 8192), vec![X86_64], (3, 10, 3, 1), false),
            row("m5.metal", (Hypervisor::None, true), (96, 393_216), vec![X86_64], (15, 50, 15, 1), false),
            // 15 ENIs on the default card 0, 60 over all four cards (domain.md §7).
            row("p4d.24xlarge", (Nitro, false), (96, 1_179_648), vec![X86_64], (15, 50, 60, 4), true),
            row("t4g.micro", (Nitro, false), (2, 1024), vec![Arm64], (2, 2, 2, 1), true),
        ];
        assert_eq!(converted.rows, expected);
    }

    #[test]
    fn rendered_table_is_one_row_per_line_and_round_trips() {
        let doc: Value = serde_json::from_str(RECORDED).unwrap();
        let converted = convert(instance_type_infos(&doc).unwrap().1).unwrap();
        let table = InstanceTypeTable {
            source: "test".into(),
            types: converted.rows,
        };
        let text = render(&table).unwrap();
        assert_eq!(text.lines().count(), 5 + table.types.len()); // {, source, "types": [, rows, ], }
        assert!(
            text.lines()
                .nth(3)
                .unwrap()
                .contains("\"instance_type\":\"m4.large\"")
        );
        assert_eq!(InstanceTypeTable::from_json(&text).unwrap(), table);
    }

    #[test]
    fn moto_dict_shape_is_accepted() {
        let doc: Value = serde_json::from_str(RECORDED).unwrap();
        let dict: serde_json::Map<String, Value> = doc["InstanceTypes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["InstanceType"].as_str().unwrap().to_owned(), t.clone()))
            .collect();
        let dict = Value::Object(dict);
        let (shape, infos) = instance_type_infos(&dict).unwrap();
        assert_eq!(shape, InputShape::MotoDict);
        assert_eq!(convert(infos).unwrap().rows.len(), 5);
    }

    #[test]
    fn missing_fields_are_reported_and_skipped_never_invented() {
        let doc: Value = serde_json::from_str(RECORDED).unwrap();
        let mut m5 = doc["InstanceTypes"][1].clone();
        assert_eq!(m5["InstanceType"], "m5.large");
        m5.as_object_mut().unwrap().remove("VCpuInfo");
        m5["NetworkInfo"]
            .as_object_mut()
            .unwrap()
            .remove("Ipv4AddressesPerInterface");
        let converted = convert([&m5]).unwrap();
        assert!(converted.rows.is_empty());
        assert_eq!(
            converted.skipped,
            vec![Skipped {
                instance_type: "m5.large".into(),
                reason:
                    "missing VCpuInfo.DefaultVCpus; missing NetworkInfo.Ipv4AddressesPerInterface"
                        .into()
            }]
        );
    }

    #[test]
    fn unknown_hypervisor_or_default_card_is_skipped() {
        let doc: Value = serde_json::from_str(RECORDED).unwrap();
        let mut odd = doc["InstanceTypes"][1].clone();
        odd["Hypervisor"] = "kvm".into();
        odd["NetworkInfo"]["DefaultNetworkCardIndex"] = 3.into();
        let skipped = convert([&odd]).unwrap().skipped;
        assert_eq!(skipped.len(), 1);
        assert!(
            skipped[0].reason.contains("Hypervisor \"kvm\""),
            "{}",
            skipped[0].reason
        );
        assert!(
            skipped[0]
                .reason
                .contains("no card with NetworkCardIndex 3"),
            "{}",
            skipped[0].reason
        );
    }

    #[test]
    fn without_network_cards_the_top_level_count_is_used_and_reported() {
        let doc: Value = serde_json::from_str(RECORDED).unwrap();
        let mut old = doc["InstanceTypes"][0].clone();
        old["NetworkInfo"]
            .as_object_mut()
            .unwrap()
            .remove("NetworkCards");
        let converted = convert([&old]).unwrap();
        assert_eq!(converted.rows[0].enis, 2);
        assert_eq!(
            converted.top_level_eni_fallback,
            vec!["m4.large".to_owned()]
        );
        let source = source_text(
            &[(InputShape::AwsCli, "old.json".into())],
            None,
            &converted,
            "2026-11-26",
        );
        assert!(
            source.contains("1 without NetworkCards use the top-level MaximumNetworkInterfaces"),
            "{source}"
        );
    }

    #[test]
    fn conflicting_duplicates_are_an_error_identical_ones_merge() {
        let doc: Value = serde_json::from_str(RECORDED).unwrap();
        let a = doc["InstanceTypes"][1].clone();
        assert_eq!(convert([&a, &a]).unwrap().rows.len(), 1);
        let mut b = a.clone();
        b["NetworkInfo"]["Ipv4AddressesPerInterface"] = 11.into();
        let err = convert([&a, &b]).unwrap_err().to_string();
        assert!(err.contains("m5.large"), "{err}");
    }

    #[test]
    fn other_documents_are_rejected_with_a_hint() {
        let err = instance_type_infos(&serde_json::json!({"Reservations": []}))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("aws ec2 describe-instance-types --output json"),
            "{err}"
        );
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(19_782 * 86_400 + 86_399), "2024-02-29");
        assert_eq!(utc_date(20_783 * 86_400), "2026-11-26");
        assert_eq!(utc_date(11_017 * 86_400), "2000-03-01");
        assert_eq!(utc_date(-1), "1969-12-31");
    }
}
