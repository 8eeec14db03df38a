//! One node's pod IPs as a bar: used (solid), held (striped), capacity (the track), the kubelet's
//! max-pods cap (a tick), and anything held beyond capacity (red cross-hatch). Every number comes from
//! the API (`shared::fleet::NodeRow` / `IpTotals`); the bar only turns them into widths on one scale.

use crate::components::html::width;
use crate::format::grouped;

/// The numbers behind one bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IpBar {
    pub held_ips: u64,
    /// `None`: not known (needs Kubernetes access) — drawn as nothing, said in words.
    pub used_ips: Option<u64>,
    /// `None`: instance type unknown — the track is dashed.
    pub ip_capacity: Option<u64>,
    /// The kubelet's max pods (`NodeRow::max_pods`); `None` for sums over nodes.
    pub max_pods: Option<u64>,
}

impl IpBar {
    /// The widest of capacity, held, used and max pods: the bar's 100 %.
    pub fn scale(&self) -> u64 {
        [
            Some(self.held_ips),
            self.used_ips,
            self.ip_capacity,
            self.max_pods,
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
        .max(1)
    }

    /// What the bar says, for screen readers and the tooltip.
    pub fn label(&self) -> String {
        let used = self.used_ips.map_or_else(
            || "used unknown".to_string(),
            |u| format!("{} used", grouped(u)),
        );
        let capacity = self.ip_capacity.map_or_else(
            || "capacity unknown".to_string(),
            |c| format!("capacity {}", grouped(c)),
        );
        let cap = self.max_pods.map_or_else(String::new, |m| {
            format!(", kubelet max pods {}", grouped(m))
        });
        format!(
            "{} pod IPs held, {used}, {capacity}{cap}",
            grouped(self.held_ips)
        )
    }

    /// The bar as HTML. `large` is the taller variant of the node page.
    pub fn html(&self, large: bool) -> String {
        let scale = self.scale();
        let capacity = self.ip_capacity.unwrap_or(scale);
        let within = self.held_ips.min(capacity);
        let over = self.held_ips.saturating_sub(capacity);
        let label = self.label();
        let mut out = format!(
            "<div class=\"ipbar{}{}\" role=\"img\" aria-label=\"{label}\" title=\"{label}\" data-held=\"{}\" data-used=\"{}\" data-capacity=\"{}\" data-max-pods=\"{}\">",
            if large { " ipbar--large" } else { "" },
            if self.ip_capacity.is_none() {
                " ipbar--unknown-capacity"
            } else {
                ""
            },
            self.held_ips,
            self.used_ips
                .map_or_else(|| "unknown".to_string(), |u| u.to_string()),
            self.ip_capacity
                .map_or_else(|| "unknown".to_string(), |c| c.to_string()),
            self.max_pods.map(|m| m.to_string()).unwrap_or_default(),
        );
        out.push_str(&format!(
            "<div class=\"ipbar__track\" style=\"width:{}\"></div><div class=\"ipbar__held\" style=\"width:{}\"></div>",
            width(capacity, scale),
            width(within, scale)
        ));
        if over > 0 {
            out.push_str(&format!(
                "<div class=\"ipbar__over\" style=\"left:{};width:{}\"></div>",
                width(capacity, scale),
                width(over, scale)
            ));
        }
        if let Some(used) = self.used_ips {
            out.push_str(&format!(
                "<div class=\"ipbar__used\" style=\"width:{}\"></div>",
                width(used, scale)
            ));
        }
        if let Some(cap) = self.max_pods {
            out.push_str(&format!(
                "<div class=\"ipbar__cap\" style=\"left:{}\"></div>",
                width(cap, scale)
            ));
        }
        out.push_str("</div>");
        out
    }
}

/// The key to the bar, shown once above a table of bars or under a large bar.
pub fn legend_html(used_unknown: bool) -> String {
    format!(
        "<ul class=\"ipbar-legend\" aria-label=\"Key to the pod-IP bars\">\
         <li><span class=\"swatch swatch--used\" aria-hidden=\"true\"></span>{}</li>\
         <li><span class=\"swatch swatch--held\" aria-hidden=\"true\"></span>held from the subnet</li>\
         <li><span class=\"swatch swatch--track\" aria-hidden=\"true\"></span>IP capacity of the instance type</li>\
         <li><span class=\"swatch swatch--cap\" aria-hidden=\"true\"></span>kubelet max pods</li>\
         <li><span class=\"swatch swatch--over\" aria-hidden=\"true\"></span>held beyond capacity</li></ul>",
        if used_unknown {
            "used by pods (unknown here: needs Kubernetes access)"
        } else {
            "used by pods"
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bar_uses_the_widest_value_as_scale() {
        let bar = IpBar {
            held_ips: 12,
            used_ips: Some(6),
            ip_capacity: Some(24),
            max_pods: Some(20),
        };
        let html = bar.html(false);
        assert!(html.contains("ipbar__track\" style=\"width:100.00%"));
        assert!(html.contains("ipbar__held\" style=\"width:50.00%"));
        assert!(html.contains("ipbar__used\" style=\"width:25.00%"));
        assert!(html.contains("ipbar__cap\" style=\"left:83.33%"));
        assert!(!html.contains("ipbar__over"));
        assert!(html.contains("data-held=\"12\""));
    }

    #[test]
    fn held_beyond_capacity_is_drawn_separately() {
        let bar = IpBar {
            held_ips: 40,
            used_ips: None,
            ip_capacity: Some(30),
            max_pods: None,
        };
        let html = bar.html(true);
        assert!(html.contains("ipbar__over\" style=\"left:75.00%;width:25.00%"));
        assert!(html.contains("data-used=\"unknown\""));
        assert!(html.contains("ipbar--large"));
    }

    #[test]
    fn unknown_capacity_and_empty_node_do_not_divide_by_zero() {
        let html = IpBar::default().html(false);
        assert!(html.contains("ipbar--unknown-capacity"));
        assert!(html.contains("used unknown"));
    }
}
