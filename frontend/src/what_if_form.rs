//! The what-if form: what the user typed, control by control, and how it maps to and from the URL.
//!
//! Every control keeps its **raw text** so a bad value (from the URL or the keyboard) stays visible
//! next to its error message instead of being clamped or dropped. The form is turned into URL query
//! pairs and parsed by `shared::whatif::scenario_from_query` — the same parser the server and the CLI
//! use — and `shared::whatif::evaluate` computes every number.

use shared::InstanceTypeTable;
use shared::maxpods::Os;
use shared::whatif::{self, FieldError, QueryErrors, Scenario, WhatIfError, query_keys as k};

/// One control of the form. Its `key` is the canonical URL query key (`shared::whatif::query_keys`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    InstanceType,
    Os,
    PrefixDelegation,
    Nodes,
    PodsPerNode,
    KubeletMaxPods,
    CustomNetworking,
    WinWarmIpTarget,
    WinMinimumIpTarget,
    WinWarmPrefixTarget,
    LinuxWarmEniTarget,
    LinuxWarmIpTarget,
    LinuxMinimumIpTarget,
    LinuxWarmPrefixTarget,
    /// One or more CIDRs, separated by commas or spaces (one `subnet=` pair each).
    Subnets,
}

impl Field {
    pub const ALL: [Field; 15] = [
        Field::InstanceType,
        Field::Os,
        Field::PrefixDelegation,
        Field::Nodes,
        Field::PodsPerNode,
        Field::KubeletMaxPods,
        Field::CustomNetworking,
        Field::WinWarmIpTarget,
        Field::WinMinimumIpTarget,
        Field::WinWarmPrefixTarget,
        Field::LinuxWarmEniTarget,
        Field::LinuxWarmIpTarget,
        Field::LinuxMinimumIpTarget,
        Field::LinuxWarmPrefixTarget,
        Field::Subnets,
    ];

    /// The canonical URL query key.
    pub fn key(self) -> &'static str {
        match self {
            Field::InstanceType => k::INSTANCE_TYPE,
            Field::Os => k::OS,
            Field::PrefixDelegation => k::PREFIX_DELEGATION,
            Field::Nodes => k::NODES,
            Field::PodsPerNode => k::PODS_PER_NODE,
            Field::KubeletMaxPods => k::KUBELET_MAX_PODS,
            Field::CustomNetworking => k::CUSTOM_NETWORKING,
            Field::WinWarmIpTarget => k::WIN_WARM_IP_TARGET,
            Field::WinMinimumIpTarget => k::WIN_MINIMUM_IP_TARGET,
            Field::WinWarmPrefixTarget => k::WIN_WARM_PREFIX_TARGET,
            Field::LinuxWarmEniTarget => k::LINUX_WARM_ENI_TARGET,
            Field::LinuxWarmIpTarget => k::LINUX_WARM_IP_TARGET,
            Field::LinuxMinimumIpTarget => k::LINUX_MINIMUM_IP_TARGET,
            Field::LinuxWarmPrefixTarget => k::LINUX_WARM_PREFIX_TARGET,
            Field::Subnets => k::SUBNET,
        }
    }

    /// The DOM id stem of the control (`instance-type`, `win-warm-ip-target`, …). Error messages use
    /// `error-<stem>`.
    pub fn dom_id(self) -> &'static str {
        match self {
            Field::InstanceType => "instance-type",
            Field::Os => "os",
            Field::PrefixDelegation => "prefix-delegation",
            Field::Nodes => "nodes",
            Field::PodsPerNode => "pods-per-node",
            Field::KubeletMaxPods => "kubelet-max-pods",
            Field::CustomNetworking => "custom-networking",
            Field::WinWarmIpTarget => "win-warm-ip-target",
            Field::WinMinimumIpTarget => "win-minimum-ip-target",
            Field::WinWarmPrefixTarget => "win-warm-prefix-target",
            Field::LinuxWarmEniTarget => "linux-warm-eni-target",
            Field::LinuxWarmIpTarget => "linux-warm-ip-target",
            Field::LinuxMinimumIpTarget => "linux-minimum-ip-target",
            Field::LinuxWarmPrefixTarget => "linux-warm-prefix-target",
            Field::Subnets => "subnet-cidr",
        }
    }

    /// Fields that must hold a value (the rest may be empty = "use the default" / "none").
    fn required(self) -> bool {
        matches!(
            self,
            Field::InstanceType | Field::Os | Field::Nodes | Field::PodsPerNode
        )
    }

    /// The form field a query key (canonical or alias) belongs to, for a scenario on `os`.
    pub fn from_query_key(key: &str, os: Os) -> Option<Field> {
        let field = match key {
            k::INSTANCE_TYPE => Field::InstanceType,
            k::OS => Field::Os,
            k::PREFIX_DELEGATION => Field::PrefixDelegation,
            k::NODES | k::NODE_COUNT => Field::Nodes,
            k::PODS_PER_NODE => Field::PodsPerNode,
            k::KUBELET_MAX_PODS => Field::KubeletMaxPods,
            k::CUSTOM_NETWORKING => Field::CustomNetworking,
            k::WIN_WARM_IP_TARGET => Field::WinWarmIpTarget,
            k::WIN_MINIMUM_IP_TARGET => Field::WinMinimumIpTarget,
            k::WIN_WARM_PREFIX_TARGET => Field::WinWarmPrefixTarget,
            k::LINUX_WARM_ENI_TARGET => Field::LinuxWarmEniTarget,
            k::LINUX_WARM_IP_TARGET => Field::LinuxWarmIpTarget,
            k::LINUX_MINIMUM_IP_TARGET => Field::LinuxMinimumIpTarget,
            k::LINUX_WARM_PREFIX_TARGET => Field::LinuxWarmPrefixTarget,
            k::SUBNET => Field::Subnets,
            // Un-prefixed aliases apply to the scenario's OS (shared `scenario_from_query`).
            k::WARM_IP_TARGET if os == Os::Windows => Field::WinWarmIpTarget,
            k::MINIMUM_IP_TARGET if os == Os::Windows => Field::WinMinimumIpTarget,
            k::WARM_PREFIX_TARGET if os == Os::Windows => Field::WinWarmPrefixTarget,
            // WARM_ENI_TARGET on Windows is an error in shared; it belongs to the Linux control.
            k::WARM_ENI_TARGET => Field::LinuxWarmEniTarget,
            k::WARM_IP_TARGET => Field::LinuxWarmIpTarget,
            k::MINIMUM_IP_TARGET => Field::LinuxMinimumIpTarget,
            k::WARM_PREFIX_TARGET => Field::LinuxWarmPrefixTarget,
            _ => return None,
        };
        Some(field)
    }
}

/// The raw text of every control.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WhatIfForm {
    values: [String; Field::ALL.len()],
}

/// A message shown next to one control.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMessage {
    pub field: Field,
    pub message: String,
}

impl WhatIfForm {
    pub fn get(&self, field: Field) -> &str {
        &self.values[field as usize]
    }

    pub fn set(&mut self, field: Field, value: impl Into<String>) {
        self.values[field as usize] = value.into();
    }

    /// The OS the form is on (Windows when the OS control holds something else: the un-prefixed warm
    /// keys default the same way in `scenario_from_query`).
    pub fn os(&self) -> Os {
        self.get(Field::Os).trim().parse().unwrap_or(Os::Windows)
    }

    /// Prefix delegation checkbox state.
    pub fn prefix_delegation(&self) -> bool {
        self.get(Field::PrefixDelegation).trim() == "true"
    }

    /// The form showing `scenario` (via `shared::whatif::scenario_to_query`, the URL serializer).
    pub fn from_scenario(scenario: &Scenario) -> Self {
        let mut form = Self::default();
        form.set(Field::PrefixDelegation, "false");
        let mut subnets = Vec::new();
        for (key, value) in whatif::scenario_to_query(scenario) {
            match Field::from_query_key(&key, scenario.os) {
                Some(Field::Subnets) => subnets.push(value),
                Some(field) => form.set(field, value),
                None => {}
            }
        }
        form.set(Field::Subnets, subnets.join(", "));
        form
    }

    /// The form for a URL's query pairs. Good values are normalised through the shared parser and
    /// serializer; each bad value is kept as typed, so `evaluate` reports it next to its control.
    pub fn from_query_pairs(pairs: &[(String, String)]) -> Self {
        let good_pairs: Vec<(String, String)> = match whatif::scenario_from_query(pairs) {
            Ok(_) => pairs.to_vec(),
            Err(QueryErrors { errors }) => pairs
                .iter()
                .filter(|(key, value)| !errors.iter().any(|e| &e.field == key && &e.value == value))
                .cloned()
                .collect(),
        };
        let scenario = whatif::scenario_from_query(&good_pairs).unwrap_or_default();
        let mut form = Self::from_scenario(&scenario);
        // Re-apply every pair that failed, as typed.
        let os = scenario.os;
        let mut bad_subnets = false;
        for (key, value) in pairs {
            if good_pairs.iter().any(|(k, v)| k == key && v == value) {
                continue;
            }
            match Field::from_query_key(key, os) {
                Some(Field::Subnets) => bad_subnets = true,
                Some(field) => form.set(field, value.clone()),
                None => {}
            }
        }
        if bad_subnets {
            let all: Vec<&str> = pairs
                .iter()
                .filter(|(key, _)| key == k::SUBNET)
                .map(|(_, v)| v.as_str())
                .collect();
            form.set(Field::Subnets, all.join(", "));
        }
        form
    }

    /// The form as canonical query pairs: the controls of the other OS are left out, empty optional
    /// controls are left out, the subnet list becomes one `subnet=` pair per CIDR.
    pub fn to_query_pairs(&self) -> Vec<(String, String)> {
        let os = self.os();
        let mut pairs = Vec::new();
        for field in Field::ALL {
            let value = self.get(field);
            let belongs = match field {
                Field::WinWarmIpTarget | Field::WinMinimumIpTarget | Field::WinWarmPrefixTarget => {
                    os == Os::Windows
                }
                Field::LinuxWarmEniTarget
                | Field::LinuxWarmIpTarget
                | Field::LinuxMinimumIpTarget
                | Field::LinuxWarmPrefixTarget => os == Os::Linux,
                // Only written when on, like `scenario_to_query`.
                Field::CustomNetworking => value.trim() == "true",
                _ => true,
            };
            if !belongs || (value.trim().is_empty() && !field.required()) {
                continue;
            }
            if field == Field::Subnets {
                for cidr in split_subnets(value) {
                    pairs.push((field.key().to_string(), cidr.to_string()));
                }
            } else {
                pairs.push((field.key().to_string(), value.to_string()));
            }
        }
        pairs
    }

    /// `?instance_type=…&os=…` for `history.replaceState`.
    pub fn to_query_string(&self) -> String {
        let mut query = String::new();
        for (key, value) in self.to_query_pairs() {
            query.push(if query.is_empty() { '?' } else { '&' });
            query.push_str(&encode_query_component(&key));
            query.push('=');
            query.push_str(&encode_query_component(&value));
        }
        query
    }

    /// Parse the form into a scenario, or say what is wrong with which control.
    pub fn scenario(&self) -> Result<Scenario, Vec<FieldMessage>> {
        let mut messages: Vec<FieldMessage> = Field::ALL
            .into_iter()
            .filter(|field| field.required() && self.get(*field).trim().is_empty())
            .map(|field| FieldMessage {
                field,
                message: required_message(field).to_string(),
            })
            .collect();
        let pairs: Vec<(String, String)> = self
            .to_query_pairs()
            .into_iter()
            .filter(|(key, value)| {
                !(value.trim().is_empty() && messages.iter().any(|m| m.field.key() == key.as_str()))
            })
            .collect();
        match whatif::scenario_from_query(&pairs) {
            Ok(scenario) if messages.is_empty() => Ok(scenario),
            Ok(_) => Err(messages),
            Err(QueryErrors { errors }) => {
                let os = self.os();
                for FieldError {
                    field,
                    value,
                    message,
                } in errors
                {
                    let field = Field::from_query_key(&field, os).unwrap_or(Field::InstanceType);
                    let message = if field == Field::Subnets {
                        format!("{value}: {message}")
                    } else {
                        message
                    };
                    messages.push(FieldMessage { field, message });
                }
                Err(messages)
            }
        }
    }
}

fn required_message(field: Field) -> &'static str {
    match field {
        Field::InstanceType => "enter an instance type, e.g. m5.large",
        Field::Os => "choose Windows or Linux",
        _ => "enter a whole number",
    }
}

/// The CIDRs in the subnet control (commas, spaces or semicolons separate them).
pub fn split_subnets(value: &str) -> impl Iterator<Item = &str> {
    value
        .split([',', ' ', ';', '\n', '\t'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// The control an evaluation error belongs to.
pub fn field_for_error(error: &WhatIfError) -> Option<Field> {
    match error {
        WhatIfError::UnknownInstanceType { .. } | WhatIfError::MaxPods(_) => {
            Some(Field::InstanceType)
        }
        WhatIfError::TooManyNodes { .. } | WhatIfError::ObservedPodsLength { .. } => {
            Some(Field::Nodes)
        }
        WhatIfError::TooManyPodsPerNode { .. } | WhatIfError::ObservedPodsTooLarge { .. } => {
            Some(Field::PodsPerNode)
        }
        WhatIfError::KubeletMaxPodsOutOfRange { .. } => Some(Field::KubeletMaxPods),
        WhatIfError::CustomNetworkingOnWindows => Some(Field::Os),
        WhatIfError::Subnet(_) | WhatIfError::SubnetsOverlap { .. } => Some(Field::Subnets),
        WhatIfError::WarmTargetOutOfRange { .. } => None,
    }
}

/// What the page shows for the current form.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The instance-type table is still loading.
    Loading,
    /// The instance-type table could not be loaded: the message says what to do.
    TableFailed(String),
    /// Some control holds a bad value: `messages` are shown next to the controls.
    Invalid {
        messages: Vec<FieldMessage>,
        summary: String,
    },
    /// Numbers to show.
    Ready(Box<whatif::WhatIfResult>),
}

impl Outcome {
    pub fn result(&self) -> Option<&whatif::WhatIfResult> {
        match self {
            Outcome::Ready(result) => Some(result),
            _ => None,
        }
    }

    /// The message for one control, if it has one.
    pub fn message_for(&self, field: Field) -> Option<String> {
        match self {
            Outcome::Invalid { messages, .. } => {
                let text: Vec<&str> = messages
                    .iter()
                    .filter(|m| m.field == field)
                    .map(|m| m.message.as_str())
                    .collect();
                (!text.is_empty()).then(|| text.join("; "))
            }
            _ => None,
        }
    }
}

/// Parse and evaluate the form against the table (`None` while the table loads).
pub fn evaluate_form(
    form: &WhatIfForm,
    table: Option<Result<&InstanceTypeTable, &str>>,
) -> Outcome {
    let scenario = match form.scenario() {
        Ok(scenario) => scenario,
        Err(mut messages) => {
            // The instance type is checked against the table only by `evaluate`; probe it now so every
            // bad control is marked at once, not one after the other.
            if let Some(Ok(table)) = table
                && !messages
                    .iter()
                    .any(|m| matches!(m.field, Field::InstanceType | Field::Os))
                && let Some(message) = instance_type_message(form, table)
            {
                messages.push(FieldMessage {
                    field: Field::InstanceType,
                    message,
                });
            }
            let summary = invalid_summary(&messages);
            return Outcome::Invalid { messages, summary };
        }
    };
    let table = match table {
        None => return Outcome::Loading,
        Some(Err(message)) => return Outcome::TableFailed(message.to_string()),
        Some(Ok(table)) => table,
    };
    match whatif::evaluate(&scenario, table) {
        Ok(result) => Outcome::Ready(Box::new(result)),
        Err(error) => {
            let message = error.to_string();
            let messages = match field_for_error(&error) {
                Some(field) => vec![FieldMessage {
                    field,
                    message: message.clone(),
                }],
                None => Vec::new(),
            };
            let summary = if messages.is_empty() {
                message
            } else {
                invalid_summary(&messages)
            };
            Outcome::Invalid { messages, summary }
        }
    }
}

/// What `shared` says about the form's instance type on its OS (unknown type, arm64 for Windows), if
/// anything: a default scenario with just those two values is evaluated.
fn instance_type_message(form: &WhatIfForm, table: &InstanceTypeTable) -> Option<String> {
    let probe = Scenario {
        instance_type: form.get(Field::InstanceType).trim().to_string(),
        os: form.os(),
        ..Scenario::default()
    };
    match whatif::evaluate(&probe, table) {
        Err(error) if field_for_error(&error) == Some(Field::InstanceType) => {
            Some(error.to_string())
        }
        _ => None,
    }
}

fn invalid_summary(messages: &[FieldMessage]) -> String {
    match messages {
        [only] => format!(
            "Fix the highlighted control to see results: {}",
            only.message
        ),
        _ => format!(
            "Fix the {} highlighted controls to see results.",
            messages.len()
        ),
    }
}

/// Percent-encode a query key or value: unreserved characters and the readable `/ , :` stay as
/// they are (RFC 3986 allows them in a query), everything else becomes `%XX` of its UTF-8 bytes.
pub fn encode_query_component(text: &str) -> String {
    percent_encode(text, b"/,:")
}

/// `%XX` for every UTF-8 byte of `text` except RFC 3986 unreserved characters and those in `keep`.
pub fn percent_encode(text: &str, keep: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) || keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
    out
}
