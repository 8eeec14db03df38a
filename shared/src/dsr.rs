//! Windows DSR (Direct Server Return): what launch-template user data says, and whether DSR is on.
//!
//! Two pure steps (domain.md §5):
//! 1. [`parse_user_data`] reads decoded user data (MIME multipart, `<powershell>` blocks, shell, nodeadm
//!    YAML) and records the facts that matter: `--enable-dsr`, the `WinDSR` feature gate,
//!    `-KubeProxyExtraArgs`, the BPG's `.replace('"--proxy-mode=kernelspace",' …)` patch of
//!    `Start-EKSBootstrap.ps1`, `--max-pods` and the bootstrap kind. Commented-out text never counts.
//! 2. [`dsr_status`] combines those facts with the Windows build, the AMI type, the Kubernetes version and
//!    the nodegroup kind into on / off / unknown with the evidence, the port-exhaustion risk and the fix.
//!
//! The rule is "off unless proven on" (domain.md §5.3): no EKS Windows AMI is known to pass
//! `--enable-dsr=true` by default, and the `WinDSR` gate alone never turns DSR on (kube-proxy
//! `pkg/proxy/winkernel/proxier.go`: DSR is applied only when `EnableDSR` is set).

use crate::maxpods::Os;
use crate::snapshot::{NodegroupKind, UserDataFlags};
use serde::{Deserialize, Serialize};

/// Decoded user data larger than this is not analysed (EC2 allows 16 KB; anything near 1 MiB is not
/// a real bootstrap script and scanning it would only cost time).
pub const MAX_USER_DATA_BYTES: usize = 1024 * 1024;

/// BPG windows/networking: "risk of port exhaustion on nodes with more than 100 services".
pub const PORT_EXHAUSTION_SERVICE_THRESHOLD: u32 = 100;

/// The first Kubernetes minor where `WinDSR` is on by default (Beta, kubernetes#130876).
pub const WIN_DSR_DEFAULT_ON_MINOR: u32 = 33;
/// The first Kubernetes minor where `WinDSR` is GA and locked to true (kubernetes#132108).
pub const WIN_DSR_LOCKED_MINOR: u32 = 34;

/// Windows Server 2019 LTSC build; DSR needs the August 2020 update of it (17763.1432, KB4571748).
pub const WINDOWS_2019_BUILD: u32 = 17763;
pub const WINDOWS_2019_DSR_MIN_REVISION: u32 = 1432;

/// The seed's (BPG windows/networking) patch of the bootstrap script, verbatim.
pub const BPG_PROXY_MODE_PATCH: &str = r#"(Get-Content $EKSBootstrapScriptFile).replace('"--proxy-mode=kernelspace",', '"--proxy-mode=kernelspace", "--feature-gates WinDSR=true", "--enable-dsr",') | Set-Content $EKSBootstrapScriptFile"#;
/// The same patch for Kubernetes ≥ 1.33, where the gate is on by default and only `--enable-dsr` is needed.
pub const PROXY_MODE_PATCH_NO_GATE: &str = r#"(Get-Content $EKSBootstrapScriptFile).replace('"--proxy-mode=kernelspace",', '"--proxy-mode=kernelspace", "--enable-dsr",') | Set-Content $EKSBootstrapScriptFile"#;

const UNCONFIRMED_AMI_DEFAULT: &str = "EKS Windows AMIs do not enable DSR by default (BPG windows/networking; aws-eks-best-practices#296; Calico PRs #3931, #4355); UNCONFIRMED for 2024–2026 AMIs";

// ---------------------------------------------------------------------------------------------
// Part 1: reading user data
// ---------------------------------------------------------------------------------------------

/// Read decoded user data (`text`, already base64-decoded by the collector) and record what it says.
/// `source` names where it came from (e.g. "lt-0abc version 3"). Never panics, whatever the input.
pub fn parse_user_data(text: &str, source: &str) -> UserDataFlags {
    let mut flags = UserDataFlags {
        source: source.to_string(),
        decoded_bytes: text.len() as u64,
        ..UserDataFlags::default()
    };
    if text.len() > MAX_USER_DATA_BYTES {
        flags.error = Some(format!(
            "user data is {} bytes, more than the {MAX_USER_DATA_BYTES} bytes eniscope reads (EC2 allows 16 KB): not analysed",
            text.len()
        ));
        return flags;
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut scripts = Vec::new();
    collect_scripts(text, 0, &mut scripts);
    // Comments removed, then joined: every later search sees only text that would run.
    let code: String = scripts
        .iter()
        .map(|s| strip_comments(&s.text, s.dialect))
        .collect::<Vec<_>>()
        .join("\n");
    let lower = code.to_ascii_lowercase();

    // Values that are not kube-proxy flags: kubelet args, and the search pattern of a `.replace`.
    let kubelet_args = param_values(&code, &lower, "-kubeletextraargs");
    let kubelet_args_sh = param_values(&code, &lower, "--kubelet-extra-args");
    let replace_patterns = replace_calls(&code, &lower);
    let mut excluded: Vec<(usize, usize)> = kubelet_args
        .iter()
        .chain(&kubelet_args_sh)
        .map(|v| (v.start, v.end))
        .collect();
    excluded.extend(replace_patterns.iter().map(|r| r.pattern));

    flags.kube_proxy_extra_args = param_values(&code, &lower, "-kubeproxyextraargs")
        .pop()
        .map(|v| v.value);
    flags.enable_dsr = last_enable_dsr(&code, &lower, &excluded);
    flags.win_dsr_gate = last_win_dsr_gate(&code, &excluded);
    flags.kubelet_max_pods = last_max_pods(&code, &lower);
    flags.proxy_mode_patch = replace_patterns
        .iter()
        .any(|r| r.patches_proxy_mode_with_dsr);
    flags.bootstrap = bootstrap_kind(&lower).map(str::to_string);
    flags
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dialect {
    PowerShell,
    Shell,
    /// `<script>` blocks run by cmd.exe: `REM` / `::` comment lines.
    Cmd,
}

#[derive(Debug)]
struct Script {
    dialect: Dialect,
    text: String,
}

/// Split user data into the scripts that would run: MIME parts (recursively), `<powershell>` and
/// `<script>` blocks (EC2Launch runs only what is inside them), or the whole text.
fn collect_scripts(text: &str, depth: u32, out: &mut Vec<Script>) {
    if depth < 4
        && let Some(parts) = mime_parts(text)
    {
        for body in parts {
            collect_scripts(&body, depth + 1, out);
        }
        return;
    }
    let lower = text.to_ascii_lowercase();
    let mut found_block = false;
    for (tag, dialect) in [
        ("powershell", Dialect::PowerShell),
        ("script", Dialect::Cmd),
    ] {
        for block in tagged_blocks(text, &lower, tag) {
            found_block = true;
            out.push(Script {
                dialect,
                text: block.to_string(),
            });
        }
    }
    if found_block {
        return;
    }
    let dialect = if lower.contains("start-eksbootstrap") || lower.contains("$env:") {
        Dialect::PowerShell
    } else {
        Dialect::Shell
    };
    out.push(Script {
        dialect,
        text: text.to_string(),
    });
}

/// The contents of every `<tag>…</tag>` block (case-insensitive; an unclosed block runs to the end).
fn tagged_blocks<'a>(text: &'a str, lower: &str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut blocks = Vec::new();
    let mut from = 0;
    while let Some(pos) = lower.get(from..).and_then(|rest| rest.find(&open)) {
        let start = from + pos + open.len();
        let end = lower
            .get(start..)
            .and_then(|rest| rest.find(&close))
            .map_or(text.len(), |p| start + p);
        if let Some(block) = text.get(start..end) {
            blocks.push(block);
        }
        from = end;
    }
    blocks
}

/// If `text` is a MIME multipart document, the decoded bodies of its parts (RFC 2046).
fn mime_parts(text: &str) -> Option<Vec<String>> {
    let (headers, body) = split_headers(text)?;
    let content_type = header_value(&headers, "content-type")?;
    if !content_type.to_ascii_lowercase().contains("multipart/") {
        return None;
    }
    let boundary = mime_boundary(&content_type)?;
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut current: Option<String> = None;
    for line in body.lines() {
        let trimmed = line.trim_end();
        if trimmed == delimiter || trimmed == format!("{delimiter}--") {
            if let Some(part) = current.take() {
                parts.push(part);
            }
            if trimmed.ends_with("--") && trimmed != delimiter {
                break;
            }
            current = Some(String::new());
        } else if let Some(part) = current.as_mut() {
            part.push_str(line);
            part.push('\n');
        }
    }
    if let Some(part) = current.take() {
        parts.push(part);
    }
    let decoded = parts
        .into_iter()
        .filter_map(|part| {
            let (headers, body) = split_headers(&part).unwrap_or((Vec::new(), part.as_str()));
            let encoding = header_value(&headers, "content-transfer-encoding").unwrap_or_default();
            if encoding.trim().eq_ignore_ascii_case("base64") {
                decode_base64(body).and_then(|bytes| String::from_utf8(bytes).ok())
            } else {
                Some(body.to_string())
            }
        })
        .collect();
    Some(decoded)
}

/// RFC 822-style headers (with folded continuation lines) up to the first blank line, and the rest.
/// `None` when the text does not start with a header line.
fn split_headers(text: &str) -> Option<(Vec<(String, String)>, &str)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        offset += line.len();
        let content = line.trim_end_matches(['\r', '\n']);
        if content.is_empty() {
            if headers.is_empty() {
                continue;
            }
            return Some((headers, text.get(offset..).unwrap_or("")));
        }
        if content.starts_with([' ', '\t']) {
            let (_, value) = headers.last_mut()?;
            value.push(' ');
            value.push_str(content.trim());
            continue;
        }
        let (name, value) = content.split_once(':')?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return None;
        }
        headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
    }
    if headers.is_empty() {
        None
    } else {
        Some((headers, ""))
    }
}

fn header_value(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

fn mime_boundary(content_type: &str) -> Option<String> {
    let lower = content_type.to_ascii_lowercase();
    let pos = lower.find("boundary=")?;
    let raw = content_type.get(pos + "boundary=".len()..)?;
    let boundary = if let Some(quoted) = raw.strip_prefix('"') {
        quoted.split('"').next()?
    } else {
        raw.split([';', ' ', '\t']).next()?
    };
    if boundary.is_empty() {
        None
    } else {
        Some(boundary.to_string())
    }
}

/// Standard base64 (RFC 4648), whitespace ignored. `None` on any other character.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0u32;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        buffer = (buffer << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// Replace comments with spaces (keeping offsets and newlines), so a commented-out flag never counts.
///
/// `#` starts a comment at the start of a word outside quotes (POSIX shell, PowerShell, YAML);
/// PowerShell also has `<# … #>` block comments; cmd uses `REM` and `::` lines. Quote state is reset
/// at each newline so one unbalanced quote cannot hide the rest of the script.
fn strip_comments(text: &str, dialect: Dialect) -> String {
    if dialect == Dialect::Cmd {
        return text
            .lines()
            .map(|line| {
                let t = line.trim_start().to_ascii_lowercase();
                if t.starts_with("rem ") || t == "rem" || t.starts_with("::") {
                    ""
                } else {
                    line
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            quote = None;
            out.push(c);
            i += 1;
            continue;
        }
        match quote {
            Some(q) => {
                let escape = match dialect {
                    Dialect::PowerShell => '`',
                    _ => '\\',
                };
                if c == escape && q == '"' && i + 1 < chars.len() && chars[i + 1] != '\n' {
                    out.push(c);
                    out.push(chars[i + 1]);
                    i += 2;
                    continue;
                }
                if c == q {
                    quote = None;
                }
                out.push(c);
                i += 1;
            }
            None => {
                if dialect == Dialect::PowerShell && c == '<' && chars.get(i + 1) == Some(&'#') {
                    // Block comment: blank everything up to and including `#>` (or the end).
                    let mut j = i + 2;
                    while j < chars.len() && !(chars[j] == '#' && chars.get(j + 1) == Some(&'>')) {
                        j += 1;
                    }
                    let end = (j + 2).min(chars.len());
                    for &skipped in &chars[i..end] {
                        out.push(if skipped == '\n' { '\n' } else { ' ' });
                    }
                    i = end;
                    continue;
                }
                let word_start = i == 0
                    || matches!(
                        chars[i - 1],
                        ' ' | '\t' | '\r' | '\n' | ';' | '|' | '&' | '(' | '{'
                    );
                if c == '#' && word_start {
                    while i < chars.len() && chars[i] != '\n' {
                        out.push(' ');
                        i += 1;
                    }
                    continue;
                }
                if c == '\\'
                    && dialect == Dialect::Shell
                    && i + 1 < chars.len()
                    && chars[i + 1] != '\n'
                {
                    out.push(c);
                    out.push(chars[i + 1]);
                    i += 2;
                    continue;
                }
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// A parameter value found in the code, with its byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ParamValue {
    start: usize,
    end: usize,
    value: String,
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Every value given to a parameter named `name_lower` (e.g. `-kubeproxyextraargs`): `'…'`, `"…"` or a
/// bare word, after whitespace or `:` / `=`. Matching is case-insensitive, as PowerShell is.
fn param_values(code: &str, lower: &str, name_lower: &str) -> Vec<ParamValue> {
    let bytes = code.as_bytes();
    let mut values = Vec::new();
    let mut from = 0;
    while let Some(pos) = lower.get(from..).and_then(|rest| rest.find(name_lower)) {
        let at = from + pos;
        from = at + name_lower.len();
        let before_ok = at == 0 || !is_word_byte(bytes[at - 1]);
        let after = bytes.get(from).copied();
        if !before_ok || after.is_some_and(is_word_byte) {
            continue;
        }
        let mut i = from;
        while i < bytes.len() && matches!(bytes[i], b' ' | b'\t' | b':' | b'=') {
            i += 1;
        }
        if let Some(v) = read_value(code, i) {
            from = v.end;
            values.push(v);
        }
    }
    values
}

/// A quoted string (PowerShell `''` / shell-ish `\"` / PowerShell `` `" `` escapes) or a bare word at `start`.
fn read_value(code: &str, start: usize) -> Option<ParamValue> {
    let bytes = code.as_bytes();
    let first = *bytes.get(start)?;
    if first == b'\'' || first == b'"' {
        let mut i = start + 1;
        while i < bytes.len() {
            let b = bytes[i];
            if b == first {
                if first == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                let value = code.get(start + 1..i)?.replace("''", "'");
                return Some(ParamValue {
                    start: start + 1,
                    end: i,
                    value,
                });
            }
            if first == b'"' && (b == b'`' || b == b'\\') {
                i += 2;
                continue;
            }
            if b == b'\n' {
                break;
            }
            i += 1;
        }
        let value = code.get(start + 1..i.min(bytes.len()))?.to_string();
        return Some(ParamValue {
            start: start + 1,
            end: i.min(bytes.len()),
            value,
        });
    }
    let end = bytes
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, b)| b.is_ascii_whitespace() || matches!(b, b';' | b')' | b'|'))
        .map_or(bytes.len(), |(i, _)| i);
    if end == start {
        return None;
    }
    Some(ParamValue {
        start,
        end,
        value: code.get(start..end)?.to_string(),
    })
}

/// A `.replace(pattern, replacement)` call or a `-replace pattern, replacement` operator.
#[derive(Debug)]
struct ReplaceCall {
    /// Byte range of the search pattern (its text is not a flag that runs).
    pattern: (usize, usize),
    /// The pattern is `"--proxy-mode=kernelspace",` and the replacement adds `--enable-dsr` (BPG).
    patches_proxy_mode_with_dsr: bool,
}

fn replace_calls(code: &str, lower: &str) -> Vec<ReplaceCall> {
    let bytes = code.as_bytes();
    let mut calls = Vec::new();
    for needle in [".replace(", "-replace"] {
        let mut from = 0;
        while let Some(pos) = lower.get(from..).and_then(|rest| rest.find(needle)) {
            let at = from + pos;
            from = at + needle.len();
            if needle == "-replace" && bytes.get(from).is_some_and(|b| is_word_byte(*b)) {
                continue;
            }
            let mut i = from;
            while i < bytes.len() && matches!(bytes[i], b' ' | b'\t') {
                i += 1;
            }
            let Some(pattern) = read_value(code, i) else {
                continue;
            };
            if !matches!(bytes.get(i), Some(b'\'' | b'"')) {
                continue;
            }
            let mut j = pattern.end + 1;
            while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b',') {
                j += 1;
            }
            let replacement = read_value(code, j).map(|v| v.value).unwrap_or_default();
            let patches = pattern.value.contains("--proxy-mode=kernelspace")
                && contains_flag(&replacement, "--enable-dsr");
            calls.push(ReplaceCall {
                pattern: (pattern.start, pattern.end),
                patches_proxy_mode_with_dsr: patches,
            });
        }
    }
    calls
}

fn contains_flag(text: &str, flag: &str) -> bool {
    find_flag(text, flag, 0).is_some()
}

/// Position of `flag` in `text` at or after `from`, as a whole token (not `--enable-dsr-x`).
fn find_flag(text: &str, flag: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = from;
    while let Some(pos) = text.get(from..).and_then(|rest| rest.find(flag)) {
        let at = from + pos;
        let end = at + flag.len();
        from = end;
        let before_ok = at == 0 || !is_word_byte(bytes[at - 1]);
        let after_ok = bytes.get(end).is_none_or(|b| !is_word_byte(*b));
        if before_ok && after_ok {
            return Some(at);
        }
    }
    None
}

/// Go's `strconv.ParseBool` (pflag and feature gates use it).
fn parse_go_bool(value: &str) -> Option<bool> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn in_excluded(at: usize, excluded: &[(usize, usize)]) -> bool {
    excluded.iter().any(|&(start, end)| at >= start && at < end)
}

/// The token after `=` / `:` at `start` (quotes and spaces around it skipped), up to a separator.
fn token_after(code: &str, start: usize) -> &str {
    let rest = code.get(start..).unwrap_or("");
    let rest = rest.trim_start_matches([' ', '\t', '"', '\'']);
    let end = rest
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ')' | ']' | '}' | ';'))
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or("")
}

/// The last `--enable-dsr[=bool]` (pflag: last wins; a bare bool flag means true) or config
/// `enableDSR: bool`, outside kubelet args and replace patterns. Flag names are case-sensitive (pflag).
fn last_enable_dsr(code: &str, lower: &str, excluded: &[(usize, usize)]) -> Option<bool> {
    let mut found: Option<(usize, bool)> = None;
    let mut from = 0;
    while let Some(at) = find_flag(code, "--enable-dsr", from) {
        from = at + "--enable-dsr".len();
        if in_excluded(at, excluded) {
            continue;
        }
        let value = if code.as_bytes().get(from) == Some(&b'=') {
            parse_go_bool(token_after(code, from + 1))
        } else {
            Some(true)
        };
        if let Some(value) = value {
            found = Some((at, value));
        }
    }
    // KubeProxyConfiguration `winkernel: { enableDSR: true }` (JSON/YAML field match is case-insensitive).
    let mut from = 0;
    while let Some(pos) = lower.get(from..).and_then(|rest| rest.find("enabledsr")) {
        let at = from + pos;
        from = at + "enabledsr".len();
        let after = code
            .get(from..)
            .unwrap_or("")
            .trim_start_matches(['"', '\'', ' ', '\t']);
        if in_excluded(at, excluded) || !after.starts_with(':') {
            continue;
        }
        let offset = code.len() - after.len() + 1;
        if let Some(value) = parse_go_bool(token_after(code, offset))
            && found.is_none_or(|(prev, _)| at > prev)
        {
            found = Some((at, value));
        }
    }
    found.map(|(_, value)| value)
}

/// The last `WinDSR=bool` / `WinDSR: bool` outside kubelet args and replace patterns (gate names are
/// case-sensitive in component-base featuregate). The seed writes `--feature-gates WinDSR=true`.
fn last_win_dsr_gate(code: &str, excluded: &[(usize, usize)]) -> Option<bool> {
    let bytes = code.as_bytes();
    let mut found = None;
    let mut from = 0;
    while let Some(pos) = code.get(from..).and_then(|rest| rest.find("WinDSR")) {
        let at = from + pos;
        from = at + "WinDSR".len();
        if (at > 0 && bytes[at - 1].is_ascii_alphanumeric()) || in_excluded(at, excluded) {
            continue;
        }
        let after = code
            .get(from..)
            .unwrap_or("")
            .trim_start_matches(['"', '\'', ' ', '\t']);
        if !(after.starts_with('=') || after.starts_with(':')) {
            continue;
        }
        let offset = code.len() - after.len() + 1;
        if let Some(value) = parse_go_bool(token_after(code, offset)) {
            found = Some(value);
        }
    }
    found
}

/// The last `--max-pods=N` / `--max-pods N` / `maxPods: N`.
fn last_max_pods(code: &str, lower: &str) -> Option<u32> {
    let mut found: Option<(usize, u32)> = None;
    let mut from = 0;
    while let Some(at) = find_flag(code, "--max-pods", from) {
        from = at + "--max-pods".len();
        let rest = code.get(from..).unwrap_or("");
        let rest = rest
            .strip_prefix('=')
            .unwrap_or(rest)
            .trim_start_matches([' ', '\t']);
        if let Some(n) = leading_number(rest) {
            found = Some((at, n));
        }
    }
    let mut from = 0;
    while let Some(pos) = lower.get(from..).and_then(|rest| rest.find("maxpods")) {
        let at = from + pos;
        from = at + "maxpods".len();
        let rest = code
            .get(from..)
            .unwrap_or("")
            .trim_start_matches(['"', '\'', ' ', '\t']);
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        if let Some(n) = leading_number(rest.trim_start())
            && found.is_none_or(|(prev, _)| at > prev)
        {
            found = Some((at, n));
        }
    }
    found.map(|(_, n)| n)
}

fn leading_number(text: &str) -> Option<u32> {
    let digits: String = text
        .trim_start_matches(['"', '\''])
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

fn bootstrap_kind(lower: &str) -> Option<&'static str> {
    if lower.contains("start-eksbootstrap.ps1") {
        Some("Start-EKSBootstrap.ps1")
    } else if lower.contains("bootstrap.sh") {
        Some("bootstrap.sh")
    } else if lower.contains("node.eks.aws/") || lower.contains("nodeadm") {
        Some("nodeadm")
    } else if lower.contains("[settings.kubernetes]") {
        Some("bottlerocket")
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Part 2: deciding
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum DsrStatus {
    On,
    Off,
    Unknown,
}

impl DsrStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DsrStatus::On => "on",
            DsrStatus::Off => "off",
            DsrStatus::Unknown => "unknown",
        }
    }
}

impl std::fmt::Display for DsrStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    High,
    Low,
    Unknown,
}

/// Which rule decided a DSR status (serialized kebab-case, stable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum DsrCause {
    /// On: `--enable-dsr=true` (and the gate where needed) in the user data.
    DsrFlags,
    /// Off: the Windows build has no DSR.
    OsWithoutDsr,
    /// Off: `--enable-dsr` without `WinDSR=true` before 1.33: kube-proxy fails.
    GateMissing,
    /// Off: `WinDSR=false` with `--enable-dsr`: kube-proxy fails (or rejects the flag from 1.34).
    GateDisabled,
    /// Off: `--enable-dsr=false`.
    EnableDsrFalse,
    /// Off: the gate without `--enable-dsr`.
    GateOnly,
    /// Off: user data read, no `--enable-dsr` (EKS AMIs do not enable DSR by default; UNCONFIRMED for 2024–2026).
    NoEnableDsr,
    /// Off: managed nodegroup without a launch template.
    NoLaunchTemplate,
    /// Unknown: no user data was collected.
    NoUserData,
    /// Unknown: the user data could not be decoded.
    UserDataUnreadable,
    /// Unknown: `DescribeNodegroup` failed.
    NodegroupNotDescribed,
    /// Unknown: `--enable-dsr` set, Kubernetes version unknown (the gate may be needed).
    KubernetesVersionUnknown,
    /// Unknown: a SAC build without flags (BPG: SAC AMIs enabled DSR by default; not verifiable).
    SacUnverifiable,
    /// Unknown: custom AMI whose user data does not call the EKS bootstrap.
    CustomAmi,
}

/// What is known about a Windows nodegroup or node, as observed.
#[derive(Debug, Clone, Copy, Default)]
pub struct DsrFacts<'a> {
    /// `DescribeNodegroup.amiType`, e.g. `WINDOWS_CORE_2019_x86_64`.
    pub ami_type: Option<&'a str>,
    /// Windows build, e.g. `10.0.17763.6414` or `10.0.20348`.
    pub windows_build: Option<&'a str>,
    /// Kubernetes version of the nodegroup (else the cluster), e.g. `1.31`.
    pub kubernetes_version: Option<&'a str>,
    pub nodegroup_kind: Option<NodegroupKind>,
    /// The nodegroup has a launch template (managed nodegroups without one have EKS-made user data);
    /// `None` when that is unknown (e.g. `DescribeNodegroup` failed).
    pub has_launch_template: Option<bool>,
    /// Decoded user data facts; `None` when no user data could be read.
    pub user_data: Option<&'a UserDataFlags>,
    /// Services in the cluster, when known.
    pub service_count: Option<u32>,
    /// For the fix snippets.
    pub cluster_name: Option<&'a str>,
    pub nodegroup_name: Option<&'a str>,
    pub instance_type: Option<&'a str>,
}

/// The Windows release a build number stands for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowsVersion {
    /// e.g. "Windows Server 2019 (LTSC)".
    pub name: String,
    pub build: u32,
    /// The update revision (`17763.1432` → 1432), when known.
    pub revision: Option<u32>,
    /// A Semi-Annual Channel release (EKS ended all SAC AMIs by 2022-08-09).
    pub semi_annual_channel: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PortExhaustion {
    pub risk: RiskLevel,
    pub service_count: Option<u32>,
    pub message: String,
}

/// How to turn DSR on, ready to copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsrFix {
    /// Whether anything needs doing (false when DSR is already proven on).
    pub needed: bool,
    /// The kube-proxy flags for this Kubernetes version.
    pub kube_proxy_flags: String,
    /// `--feature-gates=WinDSR=true` is part of the flags (Kubernetes < 1.33, or version unknown).
    pub feature_gate_required: bool,
    /// Launch-template user data calling the bootstrap script with `-KubeProxyExtraArgs`.
    pub user_data_snippet: String,
    /// An eksctl self-managed nodegroup running the BPG patch as a pre-bootstrap command.
    pub eksctl_snippet: String,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DsrAssessment {
    pub status: DsrStatus,
    /// Which rule decided (stable, for findings and filters).
    pub cause: DsrCause,
    /// One sentence: why this status.
    pub reason: String,
    /// Every fact used, one line each.
    pub evidence: Vec<String>,
    pub windows_version: Option<WindowsVersion>,
    pub kubernetes_version: Option<String>,
    pub port_exhaustion: PortExhaustion,
    pub fix: DsrFix,
}

/// `Some` assessment for Windows, `None` for Linux (DSR is a kube-proxy winkernel option).
pub fn dsr_for(os: Os, facts: &DsrFacts<'_>) -> Option<DsrAssessment> {
    match os {
        Os::Windows => Some(dsr_status(facts)),
        Os::Linux => None,
    }
}

/// `(major, minor)` from `1.31`, `v1.31.2`, `1.31-eks-abc`, `1.31-2024.11.12`.
pub fn parse_kubernetes_version(version: &str) -> Option<(u32, u32)> {
    let v = version.trim().trim_start_matches(['v', 'V']);
    let mut parts = v.split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The Windows release from a build string (`10.0.17763.1432`, `17763`), else from the AMI type.
pub fn windows_version(
    windows_build: Option<&str>,
    ami_type: Option<&str>,
) -> Option<WindowsVersion> {
    let from_build = windows_build.and_then(|b| {
        let numbers: Vec<u32> = b.trim().split('.').map_while(|p| p.parse().ok()).collect();
        match numbers.as_slice() {
            [10, 0, build, rest @ ..] => Some((*build, rest.first().copied())),
            [build, rest @ ..] if *build >= 10_000 => Some((*build, rest.first().copied())),
            _ => None,
        }
    });
    let (build, revision) = match from_build {
        Some(found) => found,
        None => {
            let ami = ami_type?.to_ascii_uppercase();
            if !ami.starts_with("WINDOWS_") {
                return None;
            }
            let build = if ami.contains("2019") {
                WINDOWS_2019_BUILD
            } else if ami.contains("2022") {
                20348
            } else if ami.contains("2025") {
                26100
            } else {
                return None;
            };
            (build, None)
        }
    };
    // Build numbers: Microsoft Windows Server release information.
    let (name, sac) = match build {
        14393 => ("Windows Server 2016 (LTSC)".to_string(), false),
        16299 => ("Windows Server 1709 (SAC)".to_string(), true),
        17134 => ("Windows Server 1803 (SAC)".to_string(), true),
        WINDOWS_2019_BUILD => ("Windows Server 2019 (LTSC)".to_string(), false),
        18362 => ("Windows Server 1903 (SAC)".to_string(), true),
        18363 => ("Windows Server 1909 (SAC)".to_string(), true),
        19041 => ("Windows Server 2004 (SAC)".to_string(), true),
        19042 => ("Windows Server 20H2 (SAC)".to_string(), true),
        20348 => ("Windows Server 2022 (LTSC)".to_string(), false),
        26100 => ("Windows Server 2025 (LTSC)".to_string(), false),
        other => (format!("Windows build {other}"), false),
    };
    Some(WindowsVersion {
        name,
        build,
        revision,
        semi_annual_channel: sac,
    })
}

/// Why this Windows release cannot do DSR at all, if so (domain.md §5.2 "OS support").
fn os_without_dsr(version: &WindowsVersion) -> Option<String> {
    if version.build < WINDOWS_2019_BUILD {
        return Some(format!(
            "{} (build {}) predates Windows Server 2019 (build 17763): HNS has no DSR, so kube-proxy cannot use it",
            version.name, version.build
        ));
    }
    if version.build == WINDOWS_2019_BUILD
        && let Some(revision) = version.revision
        && revision < WINDOWS_2019_DSR_MIN_REVISION
    {
        return Some(format!(
            "build 17763.{revision} predates the August 2020 update (17763.1432, KB4571748) that brought DSR to Windows Server 2019; patch or replace the AMI"
        ));
    }
    None
}

/// Decide DSR for one Windows nodegroup or node. "Off unless proven on": `On` only with
/// `--enable-dsr` (true) in user data, plus the `WinDSR` gate before Kubernetes 1.33.
pub fn dsr_status(facts: &DsrFacts<'_>) -> DsrAssessment {
    let mut evidence = Vec::new();
    let version = windows_version(facts.windows_build, facts.ami_type);
    let kube = facts.kubernetes_version.and_then(parse_kubernetes_version);
    match &version {
        Some(v) => evidence.push(match v.revision {
            Some(r) => format!("OS: {} build {}.{r}", v.name, v.build),
            None => format!("OS: {} (build {})", v.name, v.build),
        }),
        None => evidence.push("OS: Windows version unknown (no amiType or windows build)".into()),
    }
    if let Some(v) = &version
        && v.build == WINDOWS_2019_BUILD
        && v.revision.is_none()
    {
        evidence.push("Windows Server 2019 needs build ≥ 17763.1432 (August 2020) for DSR; revision not observed".into());
    }
    match (facts.kubernetes_version, kube) {
        (Some(raw), Some((major, minor))) => evidence.push(format!(
            "Kubernetes {raw}: {}",
            if (major, minor) < (1, WIN_DSR_DEFAULT_ON_MINOR) {
                "before 1.33 kube-proxy needs --feature-gates=WinDSR=true as well as --enable-dsr=true"
            } else {
                "WinDSR gate on by default (1.33+); --enable-dsr=true is still required"
            }
        )),
        (Some(raw), None) => evidence.push(format!("Kubernetes version `{raw}` not understood")),
        (None, _) => evidence.push("Kubernetes version unknown".into()),
    }
    let (status, cause, reason) = decide(facts, version.as_ref(), kube, &mut evidence);
    let port_exhaustion = port_exhaustion(status, facts.service_count);
    let fix = dsr_fix(facts, kube, status != DsrStatus::On);
    DsrAssessment {
        status,
        cause,
        reason,
        evidence,
        windows_version: version,
        kubernetes_version: facts.kubernetes_version.map(str::to_string),
        port_exhaustion,
        fix,
    }
}

fn decide(
    facts: &DsrFacts<'_>,
    version: Option<&WindowsVersion>,
    kube: Option<(u32, u32)>,
    evidence: &mut Vec<String>,
) -> (DsrStatus, DsrCause, String) {
    if let Some(reason) = version.and_then(os_without_dsr) {
        return (DsrStatus::Off, DsrCause::OsWithoutDsr, reason);
    }
    let Some(flags) = facts.user_data else {
        if facts.nodegroup_kind == Some(NodegroupKind::Managed)
            && facts.has_launch_template == Some(false)
        {
            evidence.push("managed nodegroup without a launch template: EKS writes the user data, nothing custom can enable DSR".into());
            return (
                DsrStatus::Off,
                DsrCause::NoLaunchTemplate,
                format!("no launch template, so no --enable-dsr: {UNCONFIRMED_AMI_DEFAULT}"),
            );
        }
        if facts.nodegroup_kind == Some(NodegroupKind::Managed)
            && facts.has_launch_template.is_none()
        {
            evidence.push("managed nodegroup not described (DescribeNodegroup failed): launch template and user data unknown".into());
            return (
                DsrStatus::Unknown, DsrCause::NodegroupNotDescribed,
                "the nodegroup could not be described (see the cluster's errors), so its launch template and user data are unknown".into(),
            );
        }
        evidence.push("user data: not readable (no launch template user data or instance userData was collected)".into());
        return (
            DsrStatus::Unknown, DsrCause::NoUserData,
            "no user data could be read, so there is no evidence either way; grant ec2:DescribeLaunchTemplateVersions / ec2:DescribeInstanceAttribute".into(),
        );
    };
    let origin = if flags.source.is_empty() {
        "user data".to_string()
    } else {
        format!("user data ({})", flags.source)
    };
    if let Some(error) = &flags.error {
        evidence.push(format!("{origin}: could not be read: {error}"));
        return (
            DsrStatus::Unknown,
            DsrCause::UserDataUnreadable,
            format!("the user data could not be read ({error})"),
        );
    }
    if flags.proxy_mode_patch {
        evidence.push(format!(
            "{origin}: patches Start-EKSBootstrap.ps1 (BPG .replace of \"--proxy-mode=kernelspace\") to add kube-proxy DSR flags"
        ));
    }
    if let Some(args) = &flags.kube_proxy_extra_args {
        evidence.push(format!("{origin}: -KubeProxyExtraArgs '{args}'"));
    }
    match flags.enable_dsr {
        Some(true) => evidence.push(format!("{origin}: --enable-dsr=true")),
        Some(false) => evidence.push(format!("{origin}: --enable-dsr=false")),
        None => evidence.push(format!("{origin}: no --enable-dsr")),
    }
    match flags.win_dsr_gate {
        Some(gate) => evidence.push(format!("{origin}: feature gate WinDSR={gate}")),
        None => evidence.push(format!("{origin}: no WinDSR feature gate")),
    }
    if let Some(bootstrap) = &flags.bootstrap {
        evidence.push(format!("{origin}: bootstrap {bootstrap}"));
    }

    match flags.enable_dsr {
        Some(true) => match (kube, flags.win_dsr_gate) {
            (Some((_, minor)), Some(false)) if minor >= WIN_DSR_LOCKED_MINOR => (
                DsrStatus::Off, DsrCause::GateDisabled,
                "WinDSR=false is rejected since Kubernetes 1.34 (the gate is locked to true): kube-proxy would not start".into(),
            ),
            (_, Some(false)) => (
                DsrStatus::Off, DsrCause::GateDisabled,
                "--enable-dsr is set but WinDSR=false: kube-proxy fails with \"WinDSR feature gate not enabled\"".into(),
            ),
            (Some(v), None) if v < (1, WIN_DSR_DEFAULT_ON_MINOR) => (
                DsrStatus::Off, DsrCause::GateMissing,
                format!(
                    "--enable-dsr without --feature-gates=WinDSR=true on Kubernetes {}.{}: kube-proxy fails with \"WinDSR feature gate not enabled\"",
                    v.0, v.1
                ),
            ),
            (None, None) => (
                DsrStatus::Unknown, DsrCause::KubernetesVersionUnknown,
                "--enable-dsr is set but the Kubernetes version is unknown: before 1.33 it also needs --feature-gates=WinDSR=true".into(),
            ),
            _ => (DsrStatus::On, DsrCause::DsrFlags, "kube-proxy is started with --enable-dsr=true and the WinDSR gate is on".into()),
        },
        Some(false) => (DsrStatus::Off, DsrCause::EnableDsrFalse, "user data sets --enable-dsr=false".into()),
        None => {
            if flags.win_dsr_gate == Some(true) {
                return (
                    DsrStatus::Off, DsrCause::GateOnly,
                    "the WinDSR gate is on but --enable-dsr=true is missing; the gate alone never turns DSR on".into(),
                );
            }
            if version.is_some_and(|v| v.semi_annual_channel) {
                return (
                    DsrStatus::Unknown, DsrCause::SacUnverifiable,
                    "no --enable-dsr; BPG says SAC EKS AMIs enabled DSR by default, which cannot be verified (SAC AMIs are past EKS end of support)".into(),
                );
            }
            if flags.bootstrap.is_none() && facts.ami_type.is_some_and(|a| a.eq_ignore_ascii_case("CUSTOM")) {
                return (
                    DsrStatus::Unknown, DsrCause::CustomAmi,
                    "custom AMI and the user data does not call the EKS bootstrap: kube-proxy may be configured inside the image".into(),
                );
            }
            (DsrStatus::Off, DsrCause::NoEnableDsr, format!("no --enable-dsr in the user data: {UNCONFIRMED_AMI_DEFAULT}"))
        }
    }
}

/// BPG windows/networking: > 100 services and no DSR → port exhaustion risk.
fn port_exhaustion(status: DsrStatus, service_count: Option<u32>) -> PortExhaustion {
    let threshold = PORT_EXHAUSTION_SERVICE_THRESHOLD;
    let (risk, message) = match (status, service_count) {
        (DsrStatus::On, Some(n)) => (RiskLevel::Low, format!("{n} services; DSR is on")),
        (DsrStatus::On, None) => (
            RiskLevel::Low,
            "DSR is on; service count unknown".to_string(),
        ),
        (_, Some(n)) if n > threshold => (
            RiskLevel::High,
            format!(
                "{n} services (> {threshold}) and DSR not proven on: risk of \"hcnCreateLoadBalancer failed in Win32: The specified port already exists\""
            ),
        ),
        (_, Some(n)) => (
            RiskLevel::Low,
            format!("{n} services (≤ {threshold}); enable DSR before the cluster grows"),
        ),
        (_, None) => (
            RiskLevel::Unknown,
            format!(
                "service count unknown (needs Kubernetes access); the risk is high above {threshold} services without DSR"
            ),
        ),
    };
    PortExhaustion {
        risk,
        service_count,
        message,
    }
}

/// eksctl `amiFamily` for an EKS Windows amiType.
fn eksctl_ami_family(ami_type: Option<&str>) -> &'static str {
    let ami = ami_type.unwrap_or("").to_ascii_uppercase();
    match (ami.contains("2022"), ami.contains("FULL")) {
        (true, true) => "WindowsServer2022FullContainer",
        (true, false) => "WindowsServer2022CoreContainer",
        (false, true) => "WindowsServer2019FullContainer",
        (false, false) => "WindowsServer2019CoreContainer",
    }
}

/// The exact flags and copy-ready snippets for this cluster's Kubernetes version.
fn dsr_fix(facts: &DsrFacts<'_>, kube: Option<(u32, u32)>, needed: bool) -> DsrFix {
    let gate = kube.is_none_or(|v| v < (1, WIN_DSR_DEFAULT_ON_MINOR));
    let kube_proxy_flags = if gate {
        "--enable-dsr=true --feature-gates=WinDSR=true".to_string()
    } else {
        "--enable-dsr=true".to_string()
    };
    let cluster = facts.cluster_name.unwrap_or("my-cluster");
    let user_data_snippet = format!(
        "<powershell>\n\
         [string]$EKSBootstrapScriptFile = \"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n\
         & $EKSBootstrapScriptFile -EKSClusterName \"{cluster}\" -APIServerEndpoint \"https://<REPLACE-EKS-CLUSTER-CONFIG-API-SERVER>\" -Base64ClusterCA \"<REPLACE-EKSCLUSTER-CONFIG-DETAILS-CA>\" -KubeProxyExtraArgs '{kube_proxy_flags}' 3>&1 4>&1 5>&1 6>&1\n\
         </powershell>\n"
    );
    let patch = if gate {
        BPG_PROXY_MODE_PATCH
    } else {
        PROXY_MODE_PATCH_NO_GATE
    };
    let eksctl_snippet = format!(
        "nodeGroups:\n  \
           - name: {name}\n    \
             instanceType: {instance_type}\n    \
             minSize: 1\n    \
             volumeSize: 50\n    \
             amiFamily: {family}\n    \
             ssh:\n      \
               allow: false\n    \
             # eksctl runs these in the <powershell> user data after setting $EKSBootstrapScriptFile (BPG windows/networking patch)\n    \
             preBootstrapCommands:\n      \
               - |\n        \
                 {patch}\n",
        name = facts.nodegroup_name.unwrap_or("windows-ng"),
        instance_type = facts.instance_type.unwrap_or("c5.xlarge"),
        family = eksctl_ami_family(facts.ami_type),
    );
    let mut notes = vec![
        "kube-proxy reads its flags at start: roll out a new launch-template version and replace the nodes".to_string(),
        "managed nodegroups: put the user data in the launch template; self-managed (eksctl nodeGroups): use the eksctl snippet".to_string(),
    ];
    match kube {
        None => notes.push("Kubernetes version unknown: the WinDSR gate flag is included because clusters before 1.33 need it".into()),
        Some((_, minor)) if minor >= WIN_DSR_LOCKED_MINOR => {
            notes.push("Kubernetes 1.34+: WinDSR is GA and locked on; only --enable-dsr=true is needed".into());
        }
        Some((_, minor)) if minor >= WIN_DSR_DEFAULT_ON_MINOR => {
            notes.push("Kubernetes 1.33: WinDSR is Beta and on by default; only --enable-dsr=true is needed".into());
        }
        Some(_) => notes.push("before Kubernetes 1.33 both flags are required; --enable-dsr alone makes kube-proxy fail".into()),
    }
    DsrFix {
        needed,
        kube_proxy_flags,
        feature_gate_required: gate,
        user_data_snippet,
        eksctl_snippet,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed document's user data (BPG windows/networking, Korean page), verbatim.
    const SEED_USER_DATA: &str = r#"<powershell>
[string]$EKSBinDir = "$env:ProgramFiles\Amazon\EKS"
[string]$EKSBootstrapScriptName = 'Start-EKSBootstrap.ps1'
[string]$EKSBootstrapScriptFile = "$EKSBinDir\$EKSBootstrapScriptName"
(Get-Content $EKSBootstrapScriptFile).replace('"--proxy-mode=kernelspace",', '"--proxy-mode=kernelspace", "--feature-gates WinDSR=true", "--enable-dsr",') | Set-Content $EKSBootstrapScriptFile
& $EKSBootstrapScriptFile -EKSClusterName "eks-windows" -APIServerEndpoint "https://<REPLACE-EKS-CLUSTER-CONFIG-API-SERVER>" -Base64ClusterCA "<REPLACE-EKSCLUSTER-CONFIG-DETAILS-CA>" -DNSClusterIP "172.20.0.10" -KubeletExtraArgs "--node-labels=alpha.eksctl.io/cluster-name=eks-windows,alpha.eksctl.io/nodegroup-name=windows-ng-ltsc2019 --register-with-taints=" 3>&1 4>&1 5>&1 6>&1
</powershell>
"#;

    fn facts<'a>(flags: Option<&'a UserDataFlags>, kube: Option<&'a str>) -> DsrFacts<'a> {
        DsrFacts {
            ami_type: Some("WINDOWS_CORE_2019_x86_64"),
            kubernetes_version: kube,
            nodegroup_kind: Some(NodegroupKind::SelfManaged),
            user_data: flags,
            ..DsrFacts::default()
        }
    }

    fn user_data(body: &str) -> UserDataFlags {
        parse_user_data(body, "test")
    }

    #[test]
    fn seed_user_data_is_detected_and_dsr_is_on_before_and_after_1_33() {
        let flags = parse_user_data(SEED_USER_DATA, "lt-seed v1");
        assert!(flags.proxy_mode_patch);
        assert_eq!(flags.enable_dsr, Some(true));
        assert_eq!(flags.win_dsr_gate, Some(true));
        assert_eq!(flags.bootstrap.as_deref(), Some("Start-EKSBootstrap.ps1"));
        assert_eq!(flags.kube_proxy_extra_args, None);
        assert_eq!(flags.kubelet_max_pods, None);
        assert_eq!(flags.decoded_bytes, SEED_USER_DATA.len() as u64);
        for version in ["1.29", "1.31", "1.33", "1.35"] {
            let a = dsr_status(&facts(Some(&flags), Some(version)));
            assert_eq!(a.status, DsrStatus::On, "{version}: {}", a.reason);
            assert_eq!(a.cause, DsrCause::DsrFlags);
            assert!(!a.fix.needed);
            assert!(
                a.evidence
                    .iter()
                    .any(|e| e.contains("patches Start-EKSBootstrap.ps1")),
                "{:?}",
                a.evidence
            );
        }
    }

    #[test]
    fn kube_proxy_extra_args_single_and_double_quotes() {
        let flags = user_data(
            "<powershell>\n& $f -EKSClusterName 'c' -KubeProxyExtraArgs '--enable-dsr=true --feature-gates=WinDSR=true'\n</powershell>",
        );
        assert_eq!(
            flags.kube_proxy_extra_args.as_deref(),
            Some("--enable-dsr=true --feature-gates=WinDSR=true")
        );
        assert_eq!(
            (flags.enable_dsr, flags.win_dsr_gate, flags.proxy_mode_patch),
            (Some(true), Some(true), false)
        );
        let flags = user_data("<powershell>& $f -KubeProxyExtraArgs \"--enable-dsr\"</powershell>");
        assert_eq!(flags.kube_proxy_extra_args.as_deref(), Some("--enable-dsr"));
        assert_eq!((flags.enable_dsr, flags.win_dsr_gate), (Some(true), None));
        let flags =
            user_data("<powershell>& $f -KubeProxyExtraArgs:'--enable-dsr=False'</powershell>");
        assert_eq!(flags.enable_dsr, Some(false));
    }

    #[test]
    fn gate_with_space_equals_and_false() {
        assert_eq!(
            user_data("& $f -KubeProxyExtraArgs '--feature-gates WinDSR=true'").win_dsr_gate,
            Some(true)
        );
        assert_eq!(
            user_data("--feature-gates=Foo=true,WinDSR=false").win_dsr_gate,
            Some(false)
        );
        assert_eq!(
            user_data("featureGates:\n  WinDSR: true\n").win_dsr_gate,
            Some(true)
        );
        // not the gate name: NoWinDSR, WinDSRx
        assert_eq!(
            user_data("--feature-gates=NoWinDSR=true").win_dsr_gate,
            None
        );
    }

    #[test]
    fn enable_dsr_token_boundaries_and_last_wins() {
        assert_eq!(user_data("--enable-dsr-foo").enable_dsr, None);
        assert_eq!(
            user_data("--enable-dsr=true --enable-dsr=false").enable_dsr,
            Some(false)
        );
        assert_eq!(
            user_data("--enable-dsr=false --enable-dsr").enable_dsr,
            Some(true)
        );
        // pflag is case-sensitive: --Enable-DSR is an unknown flag, not DSR.
        assert_eq!(
            user_data("& $f -KubeProxyExtraArgs '--Enable-DSR'").enable_dsr,
            None
        );
        // invalid bool: kube-proxy would refuse to start, so it is no evidence of DSR.
        assert_eq!(user_data("--enable-dsr=yes").enable_dsr, None);
        assert_eq!(
            user_data("winkernel:\n  enableDSR: true\n").enable_dsr,
            Some(true)
        );
    }

    #[test]
    fn comments_never_count() {
        let ps = "<powershell>\n# & $f -KubeProxyExtraArgs '--enable-dsr=true --feature-gates=WinDSR=true'\n& $f -EKSClusterName x # --enable-dsr\n<# block\n(Get-Content $f).replace('\"--proxy-mode=kernelspace\",', '\"--proxy-mode=kernelspace\", \"--enable-dsr\",') | Set-Content $f\n#>\n</powershell>";
        let flags = user_data(ps);
        assert_eq!(
            flags,
            UserDataFlags {
                enable_dsr: None,
                win_dsr_gate: None,
                kube_proxy_extra_args: None,
                ..flags.clone()
            }
        );
        assert!(!flags.proxy_mode_patch);
        let sh = "#!/bin/bash\n# /etc/eks/bootstrap.sh c --kubelet-extra-args '--max-pods=50'\n/etc/eks/bootstrap.sh c\n";
        let flags = user_data(sh);
        assert_eq!(
            (flags.kubelet_max_pods, flags.bootstrap.as_deref()),
            (None, Some("bootstrap.sh"))
        );
        // `#` inside quotes or inside a word is not a comment.
        let flags =
            user_data("<powershell>& $f -KubeProxyExtraArgs '--enable-dsr #x'</powershell>");
        assert_eq!(flags.enable_dsr, Some(true));
        assert_eq!(
            user_data("REM --enable-dsr").enable_dsr,
            Some(true),
            "REM is a comment only in <script> blocks"
        );
        assert_eq!(
            user_data("<script>\nREM --enable-dsr\n</script>").enable_dsr,
            None
        );
    }

    #[test]
    fn powershell_is_case_insensitive() {
        let flags = user_data(
            "<POWERSHELL>\n[string]$f = \"$env:ProgramFiles\\Amazon\\EKS\\START-EKSBOOTSTRAP.PS1\"\n(Get-Content $f).Replace('\"--proxy-mode=kernelspace\",', '\"--proxy-mode=kernelspace\", \"--feature-gates WinDSR=true\", \"--enable-dsr\",') | Set-Content $f\n& $f -kubeproxyextraargs '--enable-dsr' -KUBELETEXTRAARGS '--max-pods=20'\n</POWERSHELL>",
        );
        assert!(flags.proxy_mode_patch);
        assert_eq!(flags.bootstrap.as_deref(), Some("Start-EKSBootstrap.ps1"));
        assert_eq!(flags.kube_proxy_extra_args.as_deref(), Some("--enable-dsr"));
        assert_eq!(flags.kubelet_max_pods, Some(20));
    }

    #[test]
    fn operator_replace_and_a_replace_that_removes_the_flag() {
        let flags = user_data(
            "<powershell>(Get-Content $f) -replace '\"--proxy-mode=kernelspace\",', '\"--proxy-mode=kernelspace\", \"--enable-dsr\",' | Set-Content $f</powershell>",
        );
        assert!(flags.proxy_mode_patch);
        assert_eq!(flags.enable_dsr, Some(true));
        // Removing the flag: the search pattern is not a flag that runs.
        let flags = user_data(
            "<powershell>(Get-Content $f).replace('\"--enable-dsr\",', '') | Set-Content $f</powershell>",
        );
        assert_eq!((flags.enable_dsr, flags.proxy_mode_patch), (None, false));
    }

    #[test]
    fn kubelet_args_are_not_kube_proxy_flags() {
        let flags = user_data(
            "<powershell>& $f -KubeletExtraArgs '--max-pods=35 --feature-gates=WinDSR=true --enable-dsr'</powershell>",
        );
        assert_eq!(
            (flags.enable_dsr, flags.win_dsr_gate, flags.kubelet_max_pods),
            (None, None, Some(35))
        );
        let flags = user_data("/etc/eks/bootstrap.sh prod --kubelet-extra-args '--max-pods 58'");
        assert_eq!(flags.kubelet_max_pods, Some(58));
    }

    #[test]
    fn mime_multipart_with_powershell_shell_and_base64_parts() {
        let encoded = "PHBvd2Vyc2hlbGw+JiAkZiAtS3ViZVByb3h5RXh0cmFBcmdzICctLWVuYWJsZS1kc3I9dHJ1ZSc8L3Bvd2Vyc2hlbGw+";
        let text = format!(
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed;\r\n boundary=\"==BOUNDARY==\"\r\n\r\n--==BOUNDARY==\r\nContent-Type: text/x-shellscript\r\n\r\n#!/bin/bash\necho hi\n\r\n--==BOUNDARY==\r\nContent-Type: text/x-powershell\r\nContent-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--==BOUNDARY==--\r\n--enable-dsr=false after the end is an epilogue\r\n"
        );
        let flags = user_data(&text);
        assert_eq!(
            flags.kube_proxy_extra_args.as_deref(),
            Some("--enable-dsr=true")
        );
        assert_eq!(flags.enable_dsr, Some(true));
        let nodeadm = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=//\n\n--//\nContent-Type: application/node.eks.aws\n\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  kubelet:\n    config:\n      maxPods: 110 # was 58\n--//--\n";
        let flags = user_data(nodeadm);
        assert_eq!(
            (flags.bootstrap.as_deref(), flags.kubelet_max_pods),
            (Some("nodeadm"), Some(110))
        );
    }

    #[test]
    fn bad_input_never_panics() {
        let huge = "x".repeat(MAX_USER_DATA_BYTES + 1);
        let flags = user_data(&huge);
        assert!(
            flags
                .error
                .as_deref()
                .is_some_and(|e| e.contains("not analysed"))
        );
        for weird in [
            "",
            "<powershell>",
            "</powershell><powershell>-KubeProxyExtraArgs '",
            "Content-Type: multipart/mixed; boundary=\n\n--",
            "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n\n!!!\n--b--",
            "--enable-dsr=",
            "WinDSR=",
            "--max-pods=99999999999999",
            "<#",
            "é--enable-dsr=trueé ü WinDSR:é",
            "\u{feff}-KubeProxyExtraArgs",
        ] {
            let _ = user_data(weird);
        }
        assert_eq!(
            user_data("--max-pods=99999999999999").kubelet_max_pods,
            None
        );
    }

    #[test]
    fn dsr_without_gate_before_1_33_fails_kube_proxy() {
        let flags =
            user_data("<powershell>& $f -KubeProxyExtraArgs '--enable-dsr=true'</powershell>");
        let a = dsr_status(&facts(Some(&flags), Some("1.31")));
        assert_eq!((a.status, a.cause), (DsrStatus::Off, DsrCause::GateMissing));
        assert!(
            a.reason.contains("WinDSR feature gate not enabled"),
            "{}",
            a.reason
        );
        assert_eq!(
            a.fix.kube_proxy_flags,
            "--enable-dsr=true --feature-gates=WinDSR=true"
        );
        let a = dsr_status(&facts(Some(&flags), Some("1.33")));
        assert_eq!(a.status, DsrStatus::On, "{}", a.reason);
        let a = dsr_status(&facts(Some(&flags), None));
        assert_eq!(a.status, DsrStatus::Unknown);
        assert!(a.reason.contains("Kubernetes version is unknown"));
    }

    #[test]
    fn gate_false_is_off_and_rejected_from_1_34() {
        let flags = user_data("-KubeProxyExtraArgs '--enable-dsr --feature-gates=WinDSR=false'");
        let a = dsr_status(&facts(Some(&flags), Some("1.33")));
        assert_eq!(a.status, DsrStatus::Off);
        assert!(a.reason.contains("WinDSR feature gate not enabled"));
        let a = dsr_status(&facts(Some(&flags), Some("1.34")));
        assert_eq!(a.status, DsrStatus::Off);
        assert!(a.reason.contains("locked"), "{}", a.reason);
    }

    #[test]
    fn gate_alone_and_no_flags_are_off_and_explicit_false_is_off() {
        let gate_only = user_data("-KubeProxyExtraArgs '--feature-gates=WinDSR=true'");
        let a = dsr_status(&facts(Some(&gate_only), Some("1.31")));
        assert_eq!(a.status, DsrStatus::Off);
        assert!(a.reason.contains("gate alone"));
        let none = user_data("<powershell>& $f -EKSClusterName c</powershell>");
        let a = dsr_status(&facts(Some(&none), Some("1.31")));
        assert_eq!(a.status, DsrStatus::Off);
        assert!(a.reason.contains("UNCONFIRMED"));
        assert!(a.fix.needed);
        let off = user_data("-KubeProxyExtraArgs '--enable-dsr=false'");
        assert_eq!(
            dsr_status(&facts(Some(&off), Some("1.31"))).status,
            DsrStatus::Off
        );
    }

    #[test]
    fn no_user_data_managed_without_template_vs_unknown() {
        let mut f = facts(None, Some("1.31"));
        f.nodegroup_kind = Some(NodegroupKind::Managed);
        f.has_launch_template = Some(false);
        let a = dsr_status(&f);
        assert_eq!(a.status, DsrStatus::Off);
        assert!(
            a.reason.contains("UNCONFIRMED for 2024–2026 AMIs"),
            "{}",
            a.reason
        );
        f.has_launch_template = Some(true);
        assert_eq!(dsr_status(&f).status, DsrStatus::Unknown);
        // DescribeNodegroup failed: whether it has a launch template is unknown, so is DSR.
        f.has_launch_template = None;
        let a = dsr_status(&f);
        assert_eq!(a.status, DsrStatus::Unknown);
        assert!(a.reason.contains("could not be described"), "{}", a.reason);
        let g = facts(None, Some("1.31"));
        assert_eq!(dsr_status(&g).status, DsrStatus::Unknown);
        let broken = UserDataFlags {
            source: "lt-1 v2".into(),
            error: Some("not base64".into()),
            ..Default::default()
        };
        let a = dsr_status(&facts(Some(&broken), Some("1.31")));
        assert_eq!(a.status, DsrStatus::Unknown);
        assert!(a.reason.contains("not base64"));
    }

    #[test]
    fn windows_versions_without_dsr_are_off_even_with_flags() {
        let flags = parse_user_data(SEED_USER_DATA, "seed");
        let mut f = facts(Some(&flags), Some("1.31"));
        f.windows_build = Some("10.0.14393");
        let a = dsr_status(&f);
        assert_eq!(a.status, DsrStatus::Off);
        assert!(a.reason.contains("Windows Server 2016"), "{}", a.reason);
        f.windows_build = Some("10.0.17763.1000");
        let a = dsr_status(&f);
        assert_eq!(a.status, DsrStatus::Off);
        assert!(a.reason.contains("17763.1432"), "{}", a.reason);
        f.windows_build = Some("10.0.17763.1432");
        assert_eq!(dsr_status(&f).status, DsrStatus::On);
        f.windows_build = Some("10.0.20348.2700");
        let a = dsr_status(&f);
        assert_eq!(a.status, DsrStatus::On);
        assert_eq!(
            a.windows_version.map(|v| v.name),
            Some("Windows Server 2022 (LTSC)".to_string())
        );
    }

    #[test]
    fn sac_without_flags_is_unknown_and_custom_ami_without_bootstrap_is_unknown() {
        let none = user_data("<powershell>Write-Host hi</powershell>");
        let mut f = facts(Some(&none), Some("1.21"));
        f.windows_build = Some("10.0.18363");
        let a = dsr_status(&f);
        assert_eq!(a.status, DsrStatus::Unknown);
        assert!(a.reason.contains("SAC"));
        let mut f = facts(Some(&none), Some("1.31"));
        f.ami_type = Some("CUSTOM");
        assert_eq!(dsr_status(&f).status, DsrStatus::Unknown);
    }

    #[test]
    fn port_exhaustion_levels() {
        let on = parse_user_data(SEED_USER_DATA, "seed");
        let off = user_data("<powershell>& $f</powershell>");
        let risk = |flags: &UserDataFlags, services: Option<u32>| {
            let mut f = facts(Some(flags), Some("1.31"));
            f.service_count = services;
            dsr_status(&f).port_exhaustion
        };
        assert_eq!(risk(&off, Some(150)).risk, RiskLevel::High);
        assert!(
            risk(&off, Some(150))
                .message
                .contains("port already exists")
        );
        assert_eq!(risk(&off, Some(100)).risk, RiskLevel::Low);
        assert_eq!(risk(&on, Some(150)).risk, RiskLevel::Low);
        assert_eq!(risk(&off, None).risk, RiskLevel::Unknown);
        assert!(risk(&off, None).message.contains("unknown"));
    }

    #[test]
    fn fix_snippets_enable_dsr_when_parsed_back() {
        for (version, gate) in [("1.30", true), ("1.33", false), ("1.35", false)] {
            let none = user_data("");
            let mut f = facts(Some(&none), Some(version));
            f.cluster_name = Some("prod-eu");
            f.nodegroup_name = Some("win-ng");
            let fix = dsr_status(&f).fix;
            assert_eq!(fix.feature_gate_required, gate);
            assert_eq!(fix.kube_proxy_flags.contains("WinDSR=true"), gate);
            assert!(
                fix.user_data_snippet
                    .contains("-EKSClusterName \"prod-eu\"")
            );
            // The snippet, used as user data, proves DSR on for that version.
            let back = parse_user_data(&fix.user_data_snippet, "fix");
            assert_eq!(
                dsr_status(&facts(Some(&back), Some(version))).status,
                DsrStatus::On,
                "{version}"
            );
            // eksctl puts preBootstrapCommands inside its <powershell> user data; emulate that.
            let command = fix
                .eksctl_snippet
                .lines()
                .last()
                .unwrap_or("")
                .trim()
                .to_string();
            assert!(
                command.starts_with("(Get-Content $EKSBootstrapScriptFile).replace("),
                "{command}"
            );
            let eksctl_user_data = format!(
                "<powershell>\n[string]$EKSBootstrapScriptFile = \"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n{command}\n& $EKSBootstrapScriptFile -EKSClusterName \"prod-eu\" -KubeletExtraArgs \"--node-labels=\" 3>&1 4>&1 5>&1 6>&1\n</powershell>"
            );
            let back = parse_user_data(&eksctl_user_data, "eksctl");
            assert!(back.proxy_mode_patch);
            assert_eq!(
                dsr_status(&facts(Some(&back), Some(version))).status,
                DsrStatus::On,
                "eksctl {version}"
            );
            assert!(fix.eksctl_snippet.contains("name: win-ng"));
        }
        assert!(BPG_PROXY_MODE_PATCH.contains(r#""--feature-gates WinDSR=true", "--enable-dsr","#));
    }

    #[test]
    fn versions_parse() {
        assert_eq!(parse_kubernetes_version("1.31"), Some((1, 31)));
        assert_eq!(parse_kubernetes_version("v1.33.2-eks-abc"), Some((1, 33)));
        assert_eq!(parse_kubernetes_version("1.31-2024.11.12"), Some((1, 31)));
        assert_eq!(parse_kubernetes_version("latest"), None);
        assert_eq!(
            windows_version(Some("17763.1432"), None).map(|v| (v.build, v.revision)),
            Some((17763, Some(1432)))
        );
        assert_eq!(
            windows_version(None, Some("WINDOWS_FULL_2022_x86_64")).map(|v| v.build),
            Some(20348)
        );
        assert_eq!(windows_version(None, Some("AL2_x86_64")), None);
        assert_eq!(dsr_for(Os::Linux, &DsrFacts::default()), None);
        assert!(dsr_for(Os::Windows, &DsrFacts::default()).is_some());
    }

    #[test]
    fn every_branch_names_its_cause() {
        let seed = parse_user_data(SEED_USER_DATA, "seed");
        let none = user_data("<powershell>& $f -EKSClusterName c</powershell>");
        let gate_only = user_data("-KubeProxyExtraArgs '--feature-gates=WinDSR=true'");
        let disabled = user_data("-KubeProxyExtraArgs '--enable-dsr=false'");
        let gate_false =
            user_data("-KubeProxyExtraArgs '--enable-dsr --feature-gates=WinDSR=false'");
        let bare = user_data("-KubeProxyExtraArgs '--enable-dsr'");
        let broken = UserDataFlags {
            error: Some("not base64".into()),
            ..Default::default()
        };
        let cause = |f: DsrFacts<'_>| dsr_status(&f).cause;
        assert_eq!(cause(facts(Some(&seed), Some("1.31"))), DsrCause::DsrFlags);
        assert_eq!(
            cause(DsrFacts {
                windows_build: Some("10.0.14393"),
                ..facts(Some(&seed), Some("1.31"))
            }),
            DsrCause::OsWithoutDsr
        );
        assert_eq!(
            cause(facts(Some(&bare), Some("1.30"))),
            DsrCause::GateMissing
        );
        assert_eq!(
            cause(facts(Some(&gate_false), Some("1.33"))),
            DsrCause::GateDisabled
        );
        assert_eq!(
            cause(facts(Some(&disabled), Some("1.33"))),
            DsrCause::EnableDsrFalse
        );
        assert_eq!(
            cause(facts(Some(&gate_only), Some("1.31"))),
            DsrCause::GateOnly
        );
        assert_eq!(
            cause(facts(Some(&none), Some("1.31"))),
            DsrCause::NoEnableDsr
        );
        let managed = |lt| DsrFacts {
            nodegroup_kind: Some(NodegroupKind::Managed),
            has_launch_template: lt,
            ..facts(None, Some("1.31"))
        };
        assert_eq!(cause(managed(Some(false))), DsrCause::NoLaunchTemplate);
        assert_eq!(cause(managed(None)), DsrCause::NodegroupNotDescribed);
        assert_eq!(cause(facts(None, Some("1.31"))), DsrCause::NoUserData);
        assert_eq!(
            cause(facts(Some(&broken), Some("1.31"))),
            DsrCause::UserDataUnreadable
        );
        assert_eq!(
            cause(facts(Some(&bare), None)),
            DsrCause::KubernetesVersionUnknown
        );
        assert_eq!(
            cause(DsrFacts {
                windows_build: Some("10.0.19041"),
                ..facts(Some(&none), Some("1.21"))
            }),
            DsrCause::SacUnverifiable
        );
        assert_eq!(
            cause(DsrFacts {
                ami_type: Some("CUSTOM"),
                ..facts(Some(&user_data("echo")), Some("1.31"))
            }),
            DsrCause::CustomAmi
        );
    }
}
