//! IPv4 subnet math: CIDR parsing, the 5 AWS-reserved addresses, free IPs, and the /28 block
//! classification that decides whether prefix delegation can still get a prefix.
//!
//! Block classes, score and bands follow awslabs/aws-support-tools `EKS/subnet-fragmentation`
//! (README + `subnet_frag.py analyze_subnet`). Two refinements, both from the brief and domain.md §4:
//! a block overlapping an **explicit** CIDR reservation is `Reserved` (EC2 never hands those addresses out
//! on its own), and only a free block inside a **prefix** reservation is `PrefixReserved` (the tool marks a
//! free block inside any reservation `P`).
//!
//! Pure integer math over bitsets: a /16 has 4096 blocks and 65,536 addresses, classified without any
//! per-address string work.

use crate::snapshot::{CidrReservation, ReservationType};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Addresses in one /28 block.
pub const BLOCK_SIZE: u32 = 16;
/// Prefix length of a prefix-delegation block.
pub const BLOCK_PREFIX_LEN: u8 = 28;
/// AWS reserves the first four addresses and the last one of every subnet (VPC user guide, "Subnet CIDR blocks").
pub const AWS_RESERVED_PER_SUBNET: u32 = 5;
/// AWS subnet sizes: /16 (largest) to /28 (smallest) (VPC user guide, "Subnet sizing").
pub const AWS_SUBNET_MIN_PREFIX_LEN: u8 = 16;
pub const AWS_SUBNET_MAX_PREFIX_LEN: u8 = 28;

/// Why a CIDR or an address could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum CidrError {
    #[error("`{input}` is not an IPv4 CIDR: write it as a.b.c.d/n, e.g. 10.0.0.0/24")]
    Malformed { input: String },
    #[error(
        "`{input}` is not an IPv4 address: write it as a.b.c.d with each part 0–255, e.g. 10.0.1.17"
    )]
    MalformedAddress { input: String },
    #[error("`{input}` has prefix length {prefix_len}: an IPv4 prefix length is 0–32")]
    PrefixLengthOutOfRange { input: String, prefix_len: u32 },
    #[error("`{input}` has host bits set: the network is {canonical}; use that")]
    HostBitsSet { input: String, canonical: String },
}

/// An IPv4 network `a.b.c.d/n` with no host bits set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Cidr {
    network: u32,
    prefix_len: u8,
}

/// Parse a dotted-quad IPv4 address into its 32-bit value.
pub fn parse_ipv4(input: &str) -> Result<u32, CidrError> {
    let malformed = || CidrError::MalformedAddress {
        input: input.to_string(),
    };
    let mut value: u32 = 0;
    let mut parts = 0;
    for part in input.trim().split('.') {
        parts += 1;
        // No signs, no empty parts, no leading zeros beyond "0" (they read as octal in some tools).
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        if part.len() > 1 && part.starts_with('0') {
            return Err(malformed());
        }
        let octet: u32 = part.parse().map_err(|_| malformed())?;
        if octet > 255 || parts > 4 {
            return Err(malformed());
        }
        value = (value << 8) | octet;
    }
    if parts != 4 {
        return Err(malformed());
    }
    Ok(value)
}

/// Format a 32-bit IPv4 address as a dotted quad.
pub fn format_ipv4(address: u32) -> String {
    let [a, b, c, d] = address.to_be_bytes();
    format!("{a}.{b}.{c}.{d}")
}

fn mask(prefix_len: u8) -> u32 {
    if prefix_len == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix_len))
    }
}

impl Ipv4Cidr {
    /// A network from its parts; `None` if the prefix length is over 32 or host bits are set.
    pub fn new(network: u32, prefix_len: u8) -> Option<Self> {
        (prefix_len <= 32 && network & !mask(prefix_len) == 0).then_some(Self {
            network,
            prefix_len,
        })
    }

    pub fn parse(input: &str) -> Result<Self, CidrError> {
        let trimmed = input.trim();
        let (address, len) = trimmed
            .split_once('/')
            .ok_or_else(|| CidrError::Malformed {
                input: input.to_string(),
            })?;
        let address = parse_ipv4(address).map_err(|_| CidrError::Malformed {
            input: input.to_string(),
        })?;
        if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CidrError::Malformed {
                input: input.to_string(),
            });
        }
        let prefix_len: u32 = len.parse().map_err(|_| CidrError::Malformed {
            input: input.to_string(),
        })?;
        if prefix_len > 32 {
            return Err(CidrError::PrefixLengthOutOfRange {
                input: input.to_string(),
                prefix_len,
            });
        }
        let prefix_len = prefix_len as u8;
        let network = address & mask(prefix_len);
        if network != address {
            return Err(CidrError::HostBitsSet {
                input: input.to_string(),
                canonical: format!("{}/{prefix_len}", format_ipv4(network)),
            });
        }
        Ok(Self {
            network,
            prefix_len,
        })
    }

    pub fn network(&self) -> u32 {
        self.network
    }

    pub fn prefix_len(&self) -> u8 {
        self.prefix_len
    }

    /// Number of addresses, `2^(32 − n)`.
    pub fn size(&self) -> u64 {
        1u64 << (32 - u32::from(self.prefix_len))
    }

    pub fn first(&self) -> u32 {
        self.network
    }

    pub fn last(&self) -> u32 {
        self.network | !mask(self.prefix_len)
    }

    pub fn contains_address(&self, address: u32) -> bool {
        address & mask(self.prefix_len) == self.network
    }

    /// True when `other` lies entirely inside `self`.
    pub fn contains(&self, other: &Ipv4Cidr) -> bool {
        other.prefix_len >= self.prefix_len && self.contains_address(other.network)
    }

    pub fn overlaps(&self, other: &Ipv4Cidr) -> bool {
        self.contains(other) || other.contains(self)
    }

    /// Usable addresses in an AWS subnet: size − 5 (first four and the last are AWS-reserved).
    pub fn aws_usable_ips(&self) -> u64 {
        self.size()
            .saturating_sub(u64::from(AWS_RESERVED_PER_SUBNET))
    }

    /// Number of /28 blocks (0 for a network smaller than a /28).
    pub fn block_count(&self) -> u32 {
        if self.prefix_len > BLOCK_PREFIX_LEN {
            0
        } else {
            1u32 << (BLOCK_PREFIX_LEN - self.prefix_len)
        }
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", format_ipv4(self.network), self.prefix_len)
    }
}

impl FromStr for Ipv4Cidr {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Ipv4Cidr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Ipv4Cidr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// What is known about one subnet: its CIDR and, for a real subnet, what is in use.
/// A fresh subnet is just a CIDR with empty lists.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubnetState {
    /// `subnet-…` id or any label; shown in results and messages.
    #[serde(default)]
    pub subnet_id: Option<String>,
    /// IPv4 CIDR, e.g. `10.0.0.0/24`.
    pub cidr: String,
    /// Every private IPv4 of every ENI in the subnet (primary and secondary), not the prefixes.
    #[serde(default)]
    pub allocated_ips: Vec<String>,
    /// Every /28 `Ipv4Prefixes` entry on an ENI in the subnet.
    #[serde(default)]
    pub allocated_prefixes: Vec<String>,
    /// `GetSubnetCidrReservations` IPv4 entries.
    #[serde(default)]
    pub reservations: Vec<CidrReservation>,
}

impl SubnetState {
    /// A fresh subnet: nothing allocated, no reservations.
    pub fn fresh(cidr: impl Into<String>) -> Self {
        Self {
            cidr: cidr.into(),
            ..Self::default()
        }
    }

    /// The state recorded in a snapshot (allocated IPs/prefixes are empty when they were not read).
    pub fn from_snapshot(subnet: &crate::snapshot::Subnet) -> Self {
        Self {
            subnet_id: Some(subnet.subnet_id.clone()),
            cidr: subnet.cidr.clone(),
            allocated_ips: subnet.allocated_ips.clone().unwrap_or_default(),
            allocated_prefixes: subnet.allocated_prefixes.clone().unwrap_or_default(),
            reservations: subnet.cidr_reservations.clone(),
        }
    }

    /// The subnet's label for messages: its id, else its CIDR.
    pub fn label(&self) -> &str {
        self.subnet_id.as_deref().unwrap_or(&self.cidr)
    }
}

/// Why a subnet's state cannot be analysed. Each message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum SubnetError {
    #[error("subnet {subnet}: {source}")]
    Cidr { subnet: String, source: CidrError },
    #[error(
        "subnet {subnet}: {cidr} is a /{prefix_len}; AWS subnets are /16 to /28, so pick a CIDR in that range"
    )]
    SizeNotAllowed {
        subnet: String,
        cidr: String,
        prefix_len: u8,
    },
    #[error(
        "subnet {subnet}: allocated IP {ip} is not inside {cidr}; remove it or fix the subnet CIDR"
    )]
    IpOutsideSubnet {
        subnet: String,
        ip: String,
        cidr: String,
    },
    #[error(
        "subnet {subnet}: allocated IP {ip} is one of the 5 AWS-reserved addresses of {cidr} (first four and last); no ENI can hold it, so check the data"
    )]
    ReservedAddressAllocated {
        subnet: String,
        ip: String,
        cidr: String,
    },
    #[error("subnet {subnet}: allocated IP entry: {source}")]
    BadIp { subnet: String, source: CidrError },
    #[error("subnet {subnet}: prefix entry: {source}")]
    BadPrefix { subnet: String, source: CidrError },
    #[error(
        "subnet {subnet}: prefix {prefix} is a /{prefix_len}; prefix delegation uses /28 prefixes only"
    )]
    PrefixNotSlash28 {
        subnet: String,
        prefix: String,
        prefix_len: u8,
    },
    #[error(
        "subnet {subnet}: prefix {prefix} is not inside {cidr}; remove it or fix the subnet CIDR"
    )]
    PrefixOutsideSubnet {
        subnet: String,
        prefix: String,
        cidr: String,
    },
    #[error(
        "subnet {subnet}: prefix {prefix} covers AWS-reserved addresses of {cidr}; EC2 never assigns that block, so check the data"
    )]
    PrefixOnReservedAddresses {
        subnet: String,
        prefix: String,
        cidr: String,
    },
    #[error("subnet {subnet}: CIDR reservation entry: {source}")]
    BadReservation { subnet: String, source: CidrError },
    #[error(
        "subnet {subnet}: CIDR reservation {reservation} is not inside {cidr}; a reservation must lie within its subnet"
    )]
    ReservationOutsideSubnet {
        subnet: String,
        reservation: String,
        cidr: String,
    },
    #[error(
        "subnet {subnet}: CIDR reservations {first} and {second} overlap; EC2 does not allow that, remove or shrink one"
    )]
    OverlappingReservations {
        subnet: String,
        first: String,
        second: String,
    },
}

/// Class of one /28 block (aws-support-tools `subnet_frag.py` statuses, refined as the module doc says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockClass {
    /// All 16 addresses free, outside reservations: can take a new prefix.
    Free,
    /// Some addresses in use, some free: no prefix fits.
    Fragmented,
    /// Every address in use.
    Full,
    /// Holds an AWS-reserved address or overlaps an explicit CIDR reservation.
    Reserved,
    /// Assigned as a /28 prefix to an ENI.
    PrefixAllocated,
    /// Free, inside a `prefix` CIDR reservation: can take a new prefix (taken first by the VPC CNI).
    PrefixReserved,
}

impl BlockClass {
    /// The block-map symbol used by aws-support-tools.
    pub fn symbol(self) -> char {
        match self {
            BlockClass::Free => '□',
            BlockClass::Fragmented => '▣',
            BlockClass::Full => '■',
            BlockClass::Reserved => 'R',
            BlockClass::PrefixAllocated => 'A',
            BlockClass::PrefixReserved => 'P',
        }
    }

    /// Can a new /28 prefix be placed here?
    pub fn takes_new_prefix(self) -> bool {
        matches!(self, BlockClass::Free | BlockClass::PrefixReserved)
    }
}

/// Counts of each block class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BlockCounts {
    pub free: u32,
    pub fragmented: u32,
    pub full: u32,
    pub reserved: u32,
    pub prefix_allocated: u32,
    pub prefix_reserved: u32,
}

impl BlockCounts {
    pub fn total(&self) -> u32 {
        self.free
            + self.fragmented
            + self.full
            + self.reserved
            + self.prefix_allocated
            + self.prefix_reserved
    }

    fn add(&mut self, class: BlockClass) {
        match class {
            BlockClass::Free => self.free += 1,
            BlockClass::Fragmented => self.fragmented += 1,
            BlockClass::Full => self.full += 1,
            BlockClass::Reserved => self.reserved += 1,
            BlockClass::PrefixAllocated => self.prefix_allocated += 1,
            BlockClass::PrefixReserved => self.prefix_reserved += 1,
        }
    }
}

/// aws-support-tools severity bands for the fragmentation score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FragmentationBand {
    /// 0–24 %.
    Healthy,
    /// 25–49 %.
    Low,
    /// 50–74 %.
    Medium,
    /// 75–99 %.
    High,
    /// 100 % with at least one fragmented block: drain or migrate.
    Critical,
    /// 100 % and nothing fragmented: the candidate blocks are all full; add capacity.
    Exhausted,
}

impl FragmentationBand {
    /// `subnet_frag.py print_analysis`: 100 → EXHAUSTED if no fragmented block else CRITICAL;
    /// ≥ 75 HIGH; ≥ 50 MEDIUM; ≥ 25 LOW; else HEALTHY.
    pub fn from_score(score_percent: u32, fragmented_blocks: u32) -> Self {
        match score_percent {
            100.. if fragmented_blocks == 0 => FragmentationBand::Exhausted,
            100.. => FragmentationBand::Critical,
            75.. => FragmentationBand::High,
            50.. => FragmentationBand::Medium,
            25.. => FragmentationBand::Low,
            _ => FragmentationBand::Healthy,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FragmentationBand::Healthy => "HEALTHY",
            FragmentationBand::Low => "LOW",
            FragmentationBand::Medium => "MEDIUM",
            FragmentationBand::High => "HIGH",
            FragmentationBand::Critical => "CRITICAL",
            FragmentationBand::Exhausted => "EXHAUSTED",
        }
    }
}

/// The fragmentation score (aws-support-tools README): of the blocks that could serve a new prefix
/// (free, fragmented, full — prefix-reserved free blocks count as free), the percentage that would fail,
/// rounded up. `None` when there is no candidate block at all.
pub fn fragmentation_score(counts: &BlockCounts) -> Option<u32> {
    let free = u64::from(counts.free) + u64::from(counts.prefix_reserved);
    let failing = u64::from(counts.fragmented) + u64::from(counts.full);
    let candidates = free + failing;
    if candidates == 0 {
        return None;
    }
    // ceil(failing / candidates × 100) in integers.
    Some(((failing * 100).div_ceil(candidates)) as u32)
}

/// Everything eniscope derives about one subnet's address space.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetUsage {
    pub subnet_id: Option<String>,
    pub cidr: Ipv4Cidr,
    /// 2^(32 − n).
    pub size: u64,
    /// Always 5 (first four and the last).
    pub aws_reserved_ips: u32,
    /// size − 5.
    pub usable_ips: u64,
    /// Distinct allocated addresses: ENI IPs plus 16 per allocated prefix.
    pub allocated_ips: u64,
    /// Of those, addresses inside allocated prefixes.
    pub prefix_ips: u64,
    /// usable − allocated (what `AvailableIpAddressCount` reports).
    pub free_ips: u64,
    /// Free addresses outside every CIDR reservation: what EC2 can hand out as a secondary IP.
    pub free_ips_unreserved: u64,
    pub blocks: BlockCounts,
    /// How many new /28 prefixes still fit: free blocks plus free prefix-reserved blocks.
    pub free_prefix_slots: u32,
    /// Of those, inside `prefix` reservations (the VPC CNI takes these first; domain.md §4).
    pub free_prefix_slots_reserved: u32,
    /// `None` when no block is a candidate for a new prefix.
    pub fragmentation_score: Option<u32>,
    pub fragmentation_band: Option<FragmentationBand>,
}

/// Per-block detail for the block map (4096 entries for a /16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockMap {
    pub cidr: Ipv4Cidr,
    /// One class per /28 block, in address order.
    pub classes: Vec<BlockClass>,
    /// Addresses in use per block (allocated IPs; 16 for a prefix-allocated block).
    pub used: Vec<u8>,
}

/// A subnet's state parsed and validated, with its usage computed once (what-if re-evaluations reuse it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedSubnet {
    pub subnet_id: Option<String>,
    pub cidr: Ipv4Cidr,
    bits: SubnetBits,
    usage: SubnetUsage,
}

impl ParsedSubnet {
    /// Parse and validate a subnet's state, then classify it. Errors say what to fix; nothing panics on input.
    pub fn parse(state: &SubnetState) -> Result<Self, SubnetError> {
        let bits = SubnetBits::parse(state)?;
        let usage = bits.compute_usage();
        Ok(Self {
            subnet_id: bits.subnet_id.clone(),
            cidr: bits.cidr,
            bits,
            usage,
        })
    }

    /// Counts and headline numbers (computed at parse time).
    pub fn usage(&self) -> &SubnetUsage {
        &self.usage
    }

    /// Class of block `block` (0-based from the network address).
    pub fn classify_block(&self, block: u32) -> BlockClass {
        self.bits.classify_block(block)
    }

    /// Classify every block again (what `parse` does once; exposed for benchmarks).
    pub fn classify(&self) -> SubnetUsage {
        self.bits.compute_usage()
    }

    /// Per-block classes for the block map.
    pub fn block_map(&self) -> BlockMap {
        self.bits.block_map()
    }
}

/// The subnet as bitsets.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SubnetBits {
    subnet_id: Option<String>,
    pub cidr: Ipv4Cidr,
    /// One bit per address (offset from the network address): allocated IP or inside an allocated prefix.
    used: Vec<u64>,
    /// One bit per /28 block: assigned as a prefix.
    prefix_blocks: Vec<u64>,
    /// One bit per block overlapping an explicit reservation.
    explicit_blocks: Vec<u64>,
    /// One bit per block overlapping a prefix reservation.
    prefix_reserved_blocks: Vec<u64>,
    /// One bit per address inside any reservation.
    reserved_addresses: Vec<u64>,
    allocated_ips: u64,
    prefix_ips: u64,
}

fn bitset(bits: u64) -> Vec<u64> {
    vec![0; bits.div_ceil(64) as usize]
}

fn get_bit(set: &[u64], index: u64) -> bool {
    set.get((index / 64) as usize)
        .is_some_and(|word| word >> (index % 64) & 1 == 1)
}

/// Set a bit; returns true if it was newly set.
fn set_bit(set: &mut [u64], index: u64) -> bool {
    match set.get_mut((index / 64) as usize) {
        Some(word) => {
            let bit = 1u64 << (index % 64);
            let fresh = *word & bit == 0;
            *word |= bit;
            fresh
        }
        None => false,
    }
}

/// Set bits `[start, end)`.
fn set_range(set: &mut [u64], start: u64, end: u64) {
    let mut index = start;
    while index < end {
        if index.is_multiple_of(64) && end - index >= 64 {
            if let Some(word) = set.get_mut((index / 64) as usize) {
                *word = u64::MAX;
            }
            index += 64;
        } else {
            set_bit(set, index);
            index += 1;
        }
    }
}

/// The 16 address bits of block `block` (blocks are 16-aligned, so they never straddle a word).
fn block_bits(set: &[u64], block: u32) -> u16 {
    let first = u64::from(block) * u64::from(BLOCK_SIZE);
    set.get((first / 64) as usize)
        .map_or(0, |word| (word >> (first % 64)) as u16)
}

impl SubnetBits {
    fn parse(state: &SubnetState) -> Result<Self, SubnetError> {
        let subnet = state.label().to_string();
        let cidr = Ipv4Cidr::parse(&state.cidr).map_err(|source| SubnetError::Cidr {
            subnet: subnet.clone(),
            source,
        })?;
        if !(AWS_SUBNET_MIN_PREFIX_LEN..=AWS_SUBNET_MAX_PREFIX_LEN).contains(&cidr.prefix_len()) {
            return Err(SubnetError::SizeNotAllowed {
                subnet,
                cidr: cidr.to_string(),
                prefix_len: cidr.prefix_len(),
            });
        }
        let size = cidr.size();
        let blocks = u64::from(cidr.block_count());
        let mut parsed = SubnetBits {
            subnet_id: state.subnet_id.clone(),
            cidr,
            used: bitset(size),
            prefix_blocks: bitset(blocks),
            explicit_blocks: bitset(blocks),
            prefix_reserved_blocks: bitset(blocks),
            reserved_addresses: bitset(size),
            allocated_ips: 0,
            prefix_ips: 0,
        };

        for prefix in &state.allocated_prefixes {
            let net = Ipv4Cidr::parse(prefix).map_err(|source| SubnetError::BadPrefix {
                subnet: subnet.clone(),
                source,
            })?;
            if net.prefix_len() != BLOCK_PREFIX_LEN {
                return Err(SubnetError::PrefixNotSlash28 {
                    subnet,
                    prefix: prefix.trim().to_string(),
                    prefix_len: net.prefix_len(),
                });
            }
            if !cidr.contains(&net) {
                return Err(SubnetError::PrefixOutsideSubnet {
                    subnet,
                    prefix: net.to_string(),
                    cidr: cidr.to_string(),
                });
            }
            let offset = u64::from(net.network() - cidr.network());
            let block = (offset / u64::from(BLOCK_SIZE)) as u32;
            if parsed.is_aws_reserved_block(block) {
                return Err(SubnetError::PrefixOnReservedAddresses {
                    subnet,
                    prefix: net.to_string(),
                    cidr: cidr.to_string(),
                });
            }
            if set_bit(&mut parsed.prefix_blocks, offset / u64::from(BLOCK_SIZE)) {
                for address in offset..offset + u64::from(BLOCK_SIZE) {
                    if set_bit(&mut parsed.used, address) {
                        parsed.allocated_ips += 1;
                    }
                }
                parsed.prefix_ips += u64::from(BLOCK_SIZE);
            }
        }

        for ip in &state.allocated_ips {
            let address = parse_ipv4(ip).map_err(|source| SubnetError::BadIp {
                subnet: subnet.clone(),
                source,
            })?;
            if !cidr.contains_address(address) {
                return Err(SubnetError::IpOutsideSubnet {
                    subnet,
                    ip: ip.trim().to_string(),
                    cidr: cidr.to_string(),
                });
            }
            let offset = u64::from(address - cidr.network());
            if offset < 4 || offset + 1 == size {
                return Err(SubnetError::ReservedAddressAllocated {
                    subnet,
                    ip: ip.trim().to_string(),
                    cidr: cidr.to_string(),
                });
            }
            if set_bit(&mut parsed.used, offset) {
                parsed.allocated_ips += 1;
            }
        }

        let mut reservations: Vec<(Ipv4Cidr, ReservationType)> =
            Vec::with_capacity(state.reservations.len());
        for reservation in &state.reservations {
            let net = Ipv4Cidr::parse(&reservation.cidr).map_err(|source| {
                SubnetError::BadReservation {
                    subnet: subnet.clone(),
                    source,
                }
            })?;
            if !cidr.contains(&net) {
                return Err(SubnetError::ReservationOutsideSubnet {
                    subnet,
                    reservation: net.to_string(),
                    cidr: cidr.to_string(),
                });
            }
            reservations.push((net, reservation.reservation_type));
        }
        // Sorted by start, two CIDRs overlap only if one contains the next one's start.
        reservations.sort_by_key(|(net, _)| (net.network(), net.prefix_len()));
        for pair in reservations.windows(2) {
            if let [(first, _), (second, _)] = pair
                && first.overlaps(second)
            {
                return Err(SubnetError::OverlappingReservations {
                    subnet,
                    first: first.to_string(),
                    second: second.to_string(),
                });
            }
        }
        for (net, kind) in &reservations {
            let start = u64::from(net.first() - cidr.network());
            let end = start + net.size();
            set_range(&mut parsed.reserved_addresses, start, end);
            let first_block = start / u64::from(BLOCK_SIZE);
            let last_block = (end - 1) / u64::from(BLOCK_SIZE);
            let target = match kind {
                ReservationType::Explicit => &mut parsed.explicit_blocks,
                ReservationType::Prefix => &mut parsed.prefix_reserved_blocks,
            };
            set_range(target, first_block, last_block + 1);
        }
        Ok(parsed)
    }

    fn is_aws_reserved_block(&self, block: u32) -> bool {
        // The first four addresses sit in block 0, the last one in the last block.
        block == 0 || block + 1 == self.cidr.block_count()
    }

    fn classify_block(&self, block: u32) -> BlockClass {
        let index = u64::from(block);
        // Order as in subnet_frag.py: prefix-allocated first, then reserved, then by use.
        if get_bit(&self.prefix_blocks, index) {
            return BlockClass::PrefixAllocated;
        }
        if self.is_aws_reserved_block(block) || get_bit(&self.explicit_blocks, index) {
            return BlockClass::Reserved;
        }
        match block_bits(&self.used, block).count_ones() {
            0 if get_bit(&self.prefix_reserved_blocks, index) => BlockClass::PrefixReserved,
            0 => BlockClass::Free,
            16 => BlockClass::Full,
            _ => BlockClass::Fragmented,
        }
    }

    fn compute_usage(&self) -> SubnetUsage {
        let mut blocks = BlockCounts::default();
        for block in 0..self.cidr.block_count() {
            blocks.add(self.classify_block(block));
        }
        let size = self.cidr.size();
        let usable = self.cidr.aws_usable_ips();
        let free_ips = usable.saturating_sub(self.allocated_ips);
        // Free addresses outside reservations: count per word, excluding the 5 AWS-reserved addresses.
        let mut taken_or_reserved: u64 = self
            .used
            .iter()
            .zip(&self.reserved_addresses)
            .map(|(used, reserved)| u64::from((used | reserved).count_ones()))
            .sum();
        for offset in [0, 1, 2, 3, size - 1] {
            if !get_bit(&self.used, offset) && !get_bit(&self.reserved_addresses, offset) {
                taken_or_reserved += 1;
            }
        }
        let free_ips_unreserved = size.saturating_sub(taken_or_reserved);
        let score = fragmentation_score(&blocks);
        SubnetUsage {
            subnet_id: self.subnet_id.clone(),
            cidr: self.cidr,
            size,
            aws_reserved_ips: AWS_RESERVED_PER_SUBNET,
            usable_ips: usable,
            allocated_ips: self.allocated_ips,
            prefix_ips: self.prefix_ips,
            free_ips,
            free_ips_unreserved,
            blocks,
            free_prefix_slots: blocks.free + blocks.prefix_reserved,
            free_prefix_slots_reserved: blocks.prefix_reserved,
            fragmentation_score: score,
            fragmentation_band: score.map(|s| FragmentationBand::from_score(s, blocks.fragmented)),
        }
    }

    fn block_map(&self) -> BlockMap {
        let count = self.cidr.block_count();
        let mut classes = Vec::with_capacity(count as usize);
        let mut used = Vec::with_capacity(count as usize);
        for block in 0..count {
            classes.push(self.classify_block(block));
            used.push(block_bits(&self.used, block).count_ones() as u8);
        }
        BlockMap {
            cidr: self.cidr,
            classes,
            used,
        }
    }
}

/// Parse and classify in one step.
pub fn analyze(state: &SubnetState) -> Result<SubnetUsage, SubnetError> {
    Ok(SubnetBits::parse(state)?.compute_usage())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reservation(cidr: &str, kind: ReservationType) -> CidrReservation {
        CidrReservation {
            reservation_id: None,
            cidr: cidr.into(),
            reservation_type: kind,
            description: None,
        }
    }

    #[test]
    fn parses_and_formats_cidrs() {
        let c = Ipv4Cidr::parse("10.0.0.0/24").expect("valid");
        assert_eq!(
            (c.size(), c.aws_usable_ips(), c.block_count()),
            (256, 251, 16)
        );
        assert_eq!(c.to_string(), "10.0.0.0/24");
        assert_eq!(format_ipv4(c.last()), "10.0.0.255");
        assert_eq!(
            Ipv4Cidr::parse(" 10.1.0.0/16 ").expect("trim").size(),
            65_536
        );
        assert_eq!(Ipv4Cidr::parse("0.0.0.0/0").expect("all").size(), 1 << 32);
    }

    #[test]
    fn cidr_errors_say_what_to_fix() {
        let err = Ipv4Cidr::parse("10.0.0.5/24").expect_err("host bits");
        assert_eq!(
            err,
            CidrError::HostBitsSet {
                input: "10.0.0.5/24".into(),
                canonical: "10.0.0.0/24".into()
            }
        );
        assert!(
            err.to_string().contains("the network is 10.0.0.0/24"),
            "{err}"
        );
        assert!(matches!(
            Ipv4Cidr::parse("10.0.0.0/33"),
            Err(CidrError::PrefixLengthOutOfRange { prefix_len: 33, .. })
        ));
        for bad in [
            "10.0.0.0",
            "10.0.0/24",
            "10.0.0.256/24",
            "a.b.c.d/8",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "",
            "10.0.0.0/2 4",
            "010.0.0.0/8",
        ] {
            assert!(Ipv4Cidr::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn fresh_slash24_has_five_reserved_and_fourteen_free_blocks() {
        let usage = analyze(&SubnetState::fresh("10.0.0.0/24")).expect("valid");
        assert_eq!(usage.usable_ips, 251);
        assert_eq!(usage.free_ips, 251);
        assert_eq!(usage.free_ips_unreserved, 251);
        assert_eq!(
            usage.blocks,
            BlockCounts {
                free: 14,
                reserved: 2,
                ..BlockCounts::default()
            }
        );
        assert_eq!(usage.free_prefix_slots, 14);
        assert_eq!(usage.fragmentation_score, Some(0));
        assert_eq!(usage.fragmentation_band, Some(FragmentationBand::Healthy));
    }

    #[test]
    fn classifies_every_class() {
        let mut state = SubnetState::fresh("10.0.0.0/24");
        // block 1 fragmented (one IP), block 2 full (16 IPs), block 3 prefix-allocated
        state.allocated_ips.push("10.0.0.17".into());
        state
            .allocated_ips
            .extend((32..48).map(|i| format!("10.0.0.{i}")));
        state.allocated_prefixes.push("10.0.0.48/28".into());
        // blocks 4-5 explicit reservation, blocks 8-11 prefix reservation with block 8 used by a prefix
        state
            .reservations
            .push(reservation("10.0.0.64/27", ReservationType::Explicit));
        state
            .reservations
            .push(reservation("10.0.0.128/26", ReservationType::Prefix));
        state.allocated_prefixes.push("10.0.0.128/28".into());
        let parsed = ParsedSubnet::parse(&state).expect("valid");
        let map = parsed.block_map();
        use BlockClass::*;
        assert_eq!(
            map.classes,
            vec![
                Reserved,
                Fragmented,
                Full,
                PrefixAllocated,
                Reserved,
                Reserved,
                Free,
                Free,
                PrefixAllocated,
                PrefixReserved,
                PrefixReserved,
                PrefixReserved,
                Free,
                Free,
                Free,
                Reserved
            ]
        );
        let usage = parsed.usage();
        assert_eq!(usage.allocated_ips, 1 + 16 + 32);
        assert_eq!(usage.free_ips, 251 - 49);
        // unreserved free: 251 − 49 allocated − (32 explicit + 64 prefix-reserved − 16 already counted as a prefix)
        assert_eq!(usage.free_ips_unreserved, 251 - 49 - 32 - 48);
        assert_eq!(usage.free_prefix_slots, 5 + 3);
        assert_eq!(usage.free_prefix_slots_reserved, 3);
        // candidates: free 5 + prefix-reserved 3 + fragmented 1 + full 1 = 10; failing 2 → 20 %
        assert_eq!(usage.fragmentation_score, Some(20));
        assert_eq!(usage.blocks.total(), 16);
    }

    #[test]
    fn score_bands_match_subnet_frag_thresholds() {
        use FragmentationBand::*;
        let cases = [
            (0, 0, Healthy),
            (24, 1, Healthy),
            (25, 1, Low),
            (49, 1, Low),
            (50, 1, Medium),
            (74, 1, Medium),
            (75, 1, High),
            (99, 1, High),
            (100, 1, Critical),
            (100, 0, Exhausted),
        ];
        for (score, fragmented, band) in cases {
            assert_eq!(
                FragmentationBand::from_score(score, fragmented),
                band,
                "{score}"
            );
        }
        // README example: 44 free, 8 fragmented, 4 full → ceil(12/56×100) = 22 % HEALTHY
        let counts = BlockCounts {
            free: 44,
            fragmented: 8,
            full: 4,
            reserved: 2,
            prefix_allocated: 6,
            prefix_reserved: 0,
        };
        assert_eq!(fragmentation_score(&counts), Some(22));
        // ceil keeps one fragmented block in a /22 visible: 1/510 → 1 %
        let counts = BlockCounts {
            free: 509,
            fragmented: 1,
            ..BlockCounts::default()
        };
        assert_eq!(fragmentation_score(&counts), Some(1));
        assert_eq!(
            fragmentation_score(&BlockCounts {
                reserved: 1,
                ..BlockCounts::default()
            }),
            None
        );
    }

    #[test]
    fn validation_errors() {
        let mut s = SubnetState::fresh("10.0.0.0/24");
        s.allocated_ips.push("10.0.1.1".into());
        assert!(matches!(
            analyze(&s),
            Err(SubnetError::IpOutsideSubnet { .. })
        ));
        let mut s = SubnetState::fresh("10.0.0.0/24");
        s.allocated_prefixes.push("10.0.0.0/27".into());
        assert!(matches!(
            analyze(&s),
            Err(SubnetError::PrefixNotSlash28 { prefix_len: 27, .. })
        ));
        let mut s = SubnetState::fresh("10.0.0.0/24");
        s.allocated_prefixes.push("10.0.0.8/28".into());
        let err = analyze(&s).expect_err("misaligned");
        assert!(err.to_string().contains("10.0.0.0/28"), "{err}");
        let mut s = SubnetState::fresh("10.0.0.0/24");
        s.reservations
            .push(reservation("10.0.0.0/25", ReservationType::Prefix));
        s.reservations
            .push(reservation("10.0.0.64/26", ReservationType::Explicit));
        assert!(matches!(
            analyze(&s),
            Err(SubnetError::OverlappingReservations { .. })
        ));
        let mut s = SubnetState::fresh("10.0.0.0/24");
        s.reservations
            .push(reservation("10.0.0.0/23", ReservationType::Prefix));
        assert!(matches!(
            analyze(&s),
            Err(SubnetError::ReservationOutsideSubnet { .. })
        ));
        assert!(matches!(
            analyze(&SubnetState::fresh("10.0.0.0/15")),
            Err(SubnetError::SizeNotAllowed { .. })
        ));
        assert!(matches!(
            analyze(&SubnetState::fresh("10.0.0.0/29")),
            Err(SubnetError::SizeNotAllowed { .. })
        ));
        let mut s = SubnetState::fresh("10.0.0.0/24");
        s.allocated_ips.push("10.0.0.255".into());
        let err = analyze(&s).expect_err("broadcast");
        assert!(
            matches!(err, SubnetError::ReservedAddressAllocated { .. }),
            "{err}"
        );
        let mut s = SubnetState::fresh("10.0.0.0/24");
        s.allocated_prefixes.push("10.0.0.0/28".into());
        let err = analyze(&s).expect_err("block 0");
        assert!(
            matches!(err, SubnetError::PrefixOnReservedAddresses { .. }),
            "{err}"
        );
    }

    #[test]
    fn slash16_and_slash28_edges() {
        let usage = analyze(&SubnetState::fresh("10.1.0.0/16")).expect("valid");
        assert_eq!(usage.blocks.total(), 4096);
        assert_eq!(usage.blocks.free, 4094);
        let usage = analyze(&SubnetState::fresh("10.1.0.0/28")).expect("valid");
        assert_eq!(
            (
                usage.usable_ips,
                usage.blocks.reserved,
                usage.free_prefix_slots
            ),
            (11, 1, 0)
        );
        assert_eq!(usage.fragmentation_score, None);
    }

    #[test]
    fn from_snapshot_subnet() {
        let snap = crate::snapshot::Subnet {
            subnet_id: "subnet-1".into(),
            region: "eu-west-1".into(),
            account_id: None,
            vpc_id: None,
            availability_zone: None,
            cidr: "10.0.0.0/24".into(),
            available_ip_count: Some(246),
            cidr_reservations: vec![reservation("10.0.0.128/26", ReservationType::Prefix)],
            allocated_ips: Some(vec!["10.0.0.10".into()]),
            allocated_prefixes: Some(vec!["10.0.0.16/28".into()]),
            tags: Default::default(),
        };
        let usage = analyze(&SubnetState::from_snapshot(&snap)).expect("valid");
        // matches what DescribeSubnets reports as AvailableIpAddressCount: 251 − 1 − 16
        assert_eq!(usage.free_ips, 234);
        assert_eq!(usage.subnet_id.as_deref(), Some("subnet-1"));
        assert_eq!(usage.free_prefix_slots_reserved, 4);
    }
}
