//! The AWS operations the collector may call: one list, used by the call counter, the shipped
//! `iam-policy.json` and the read-only guard test. Adding an operation means adding it here, to the
//! policy file, and nowhere else.

use std::collections::BTreeMap;
use std::sync::Mutex;

/// Every AWS operation the collector issues. Read-only by construction: each is a Describe/List/Get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    EksListClusters,
    EksDescribeCluster,
    EksListNodegroups,
    EksDescribeNodegroup,
    Ec2DescribeInstances,
    Ec2DescribeInstanceTypes,
    Ec2DescribeSubnets,
    Ec2DescribeNetworkInterfaces,
    Ec2GetSubnetCidrReservations,
    Ec2DescribeLaunchTemplateVersions,
}

/// The single source of truth: operation, IAM action, and the SDK fluent method that issues it.
pub const READ_ONLY_OPERATIONS: [(Operation, &str, &str); 10] = [
    (
        Operation::EksListClusters,
        "eks:ListClusters",
        "list_clusters",
    ),
    (
        Operation::EksDescribeCluster,
        "eks:DescribeCluster",
        "describe_cluster",
    ),
    (
        Operation::EksListNodegroups,
        "eks:ListNodegroups",
        "list_nodegroups",
    ),
    (
        Operation::EksDescribeNodegroup,
        "eks:DescribeNodegroup",
        "describe_nodegroup",
    ),
    (
        Operation::Ec2DescribeInstances,
        "ec2:DescribeInstances",
        "describe_instances",
    ),
    (
        Operation::Ec2DescribeInstanceTypes,
        "ec2:DescribeInstanceTypes",
        "describe_instance_types",
    ),
    (
        Operation::Ec2DescribeSubnets,
        "ec2:DescribeSubnets",
        "describe_subnets",
    ),
    (
        Operation::Ec2DescribeNetworkInterfaces,
        "ec2:DescribeNetworkInterfaces",
        "describe_network_interfaces",
    ),
    (
        Operation::Ec2GetSubnetCidrReservations,
        "ec2:GetSubnetCidrReservations",
        "get_subnet_cidr_reservations",
    ),
    (
        Operation::Ec2DescribeLaunchTemplateVersions,
        "ec2:DescribeLaunchTemplateVersions",
        "describe_launch_template_versions",
    ),
];

/// The one IAM action that is not a Describe/List/Get: issued by aws-config's `AssumeRoleProvider`
/// (not by our code) to get credentials for accounts configured with `role_arn`. It reads nothing
/// and changes nothing in the target account.
pub const CREDENTIAL_ACTIONS: [&str; 1] = ["sts:AssumeRole"];

impl Operation {
    /// The IAM action name, also the key in `Snapshot.api_calls` (e.g. `ec2:DescribeInstances`).
    pub fn iam_action(self) -> &'static str {
        READ_ONLY_OPERATIONS
            .iter()
            .find(|(op, _, _)| *op == self)
            .map(|(_, action, _)| *action)
            .unwrap_or("unknown:Operation")
    }

    /// `eks` or `ec2`.
    pub fn service(self) -> &'static str {
        self.iam_action().split(':').next().unwrap_or("aws")
    }
}

/// Counts AWS calls by operation for one scan (one count per request sent, i.e. per page).
#[derive(Debug, Default)]
pub struct CallCounter {
    counts: Mutex<BTreeMap<Operation, u64>>,
}

impl CallCounter {
    pub fn count(&self, operation: Operation) {
        // A poisoned lock only means another task panicked mid-increment; the map is still usable.
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *counts.entry(operation).or_insert(0) += 1;
    }

    /// Counts keyed by IAM action, as stored in `Snapshot.api_calls`.
    pub fn by_action(&self) -> BTreeMap<String, u64> {
        let counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counts
            .iter()
            .map(|(op, n)| (op.iam_action().to_string(), *n))
            .collect()
    }
}
