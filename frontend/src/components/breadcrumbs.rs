//! "Fleet › prod-eu · eu-west-1 › win2019-dsr › i-0abc…": where a page sits, each step a link back
//! up; and the page URLs every dashboard link is built with.

use crate::api::encode_component;
use crate::components::html::esc;

/// One step: a label and, except for the current page, where it links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    pub label: String,
    pub href: Option<String>,
}

impl Crumb {
    pub fn link(label: impl Into<String>, href: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            href: Some(href.into()),
        }
    }

    pub fn here(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            href: None,
        }
    }
}

/// An ordered trail inside `<nav aria-label="Breadcrumb">`; the last step is `aria-current="page"`.
pub fn breadcrumbs_html(crumbs: &[Crumb]) -> String {
    let mut out =
        String::from("<nav class=\"crumbs\" aria-label=\"Breadcrumb\" id=\"breadcrumbs\"><ol>");
    for crumb in crumbs {
        match &crumb.href {
            Some(href) => out.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                esc(href),
                esc(&crumb.label)
            )),
            None => out.push_str(&format!(
                "<li><span aria-current=\"page\">{}</span></li>",
                esc(&crumb.label)
            )),
        }
    }
    out.push_str("</ol></nav>");
    out
}

/// `/clusters/{region}/{name}`, each segment percent-encoded so any cluster name survives the URL.
pub fn cluster_href(region: &str, name: &str) -> String {
    format!(
        "/clusters/{}/{}",
        encode_component(region),
        encode_component(name)
    )
}

/// `/nodes/{instance_id}`.
pub fn node_href(instance_id: &str) -> String {
    format!("/nodes/{}", encode_component(instance_id))
}

/// `/clusters/{region}/{name}/nodegroups/{nodegroup}/what-if` (the nodegroup what-if page).
pub fn nodegroup_what_if_href(region: &str, cluster: &str, nodegroup: &str) -> String {
    format!(
        "{}/nodegroups/{}/what-if",
        cluster_href(region, cluster),
        encode_component(nodegroup)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_encode_every_segment() {
        assert_eq!(
            cluster_href("eu-west-1", "prod"),
            "/clusters/eu-west-1/prod"
        );
        assert_eq!(
            nodegroup_what_if_href("eu-west-1", "prod", "(ungrouped)"),
            "/clusters/eu-west-1/prod/nodegroups/%28ungrouped%29/what-if"
        );
        assert_eq!(node_href("i-0abc"), "/nodes/i-0abc");
        assert_eq!(cluster_href("a b", "c/d"), "/clusters/a%20b/c%2Fd");
    }

    #[test]
    fn last_crumb_is_the_current_page_and_labels_are_escaped() {
        let html = breadcrumbs_html(&[Crumb::link("Fleet", "/"), Crumb::here("<x>")]);
        assert!(html.contains("<a href=\"/\">Fleet</a>"));
        assert!(html.contains("aria-current=\"page\">&lt;x&gt;<"));
    }
}
