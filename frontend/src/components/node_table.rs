//! The node table of the cluster page: one row per node with its pod-IP bar, sortable by clicking
//! a header, filterable by nodegroup, OS and text, 50 rows a page. Filtering, sorting and paging run
//! on the server (`GET /api/v1/nodes?…&sort=&limit=&offset=`), so a 10,000-node cluster sends and
//! renders one page at a time. The table's state lives in the page URL (`?nodegroup=&os=&q=&sort=&page=`),
//! so a filtered view can be shared and the back button returns to it.

use crate::api::encode_component;
use crate::components::breadcrumbs::node_href;
use crate::components::data_table::{SortDirection, SortState, page_bounds};
use crate::components::html::{esc, num};
use crate::components::json::Json;
use crate::components::node_ip_bar::{IpBar, legend_html};
use crate::components::remote::Remote;
use crate::components::status_chip::{dsr_chip, mode_chip, os_chip};
use crate::format::{count, grouped};
use leptos::prelude::*;

/// Rows per page.
pub const NODES_PER_PAGE: usize = 50;

/// Columns that sort, with the `/api/v1/nodes` `sort=` key of each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeSort {
    Instance,
    Nodegroup,
    InstanceType,
    Os,
    Mode,
    /// Held ÷ capacity, as the server computes it for `sort=utilization`.
    Utilization,
    Used,
    Held,
    Capacity,
    Dsr,
}

impl NodeSort {
    pub const ALL: [NodeSort; 10] = [
        NodeSort::Instance,
        NodeSort::Nodegroup,
        NodeSort::InstanceType,
        NodeSort::Os,
        NodeSort::Mode,
        NodeSort::Utilization,
        NodeSort::Used,
        NodeSort::Held,
        NodeSort::Capacity,
        NodeSort::Dsr,
    ];

    pub fn api_key(self) -> &'static str {
        match self {
            NodeSort::Instance => "instance_id",
            NodeSort::Nodegroup => "nodegroup",
            NodeSort::InstanceType => "instance_type",
            NodeSort::Os => "os",
            NodeSort::Mode => "ip_mode",
            NodeSort::Utilization => "utilization",
            NodeSort::Used => "used_ips",
            NodeSort::Held => "held_ips",
            NodeSort::Capacity => "ip_capacity",
            NodeSort::Dsr => "dsr",
        }
    }

    /// `-held_ips` → held, descending.
    pub fn parse(text: &str) -> Option<SortState<NodeSort>> {
        let (direction, key) = match text.strip_prefix('-') {
            Some(key) => (SortDirection::Descending, key),
            None => (SortDirection::Ascending, text),
        };
        NodeSort::ALL
            .into_iter()
            .find(|s| s.api_key() == key)
            .map(|column| SortState { column, direction })
    }

    pub fn format(sort: SortState<NodeSort>) -> String {
        match sort.direction {
            SortDirection::Ascending => sort.column.api_key().to_string(),
            SortDirection::Descending => format!("-{}", sort.column.api_key()),
        }
    }
}

/// Fullest nodes first.
pub const DEFAULT_SORT: SortState<NodeSort> = SortState {
    column: NodeSort::Utilization,
    direction: SortDirection::Descending,
};

/// Filters, sort and page of the table: what the URL and the API query carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeTableState {
    /// Empty = every nodegroup.
    pub nodegroup: String,
    /// `windows`, `linux` or empty.
    pub os: String,
    pub text: String,
    pub sort: SortState<NodeSort>,
    /// 0-based.
    pub page: usize,
}

impl Default for NodeTableState {
    fn default() -> Self {
        Self {
            nodegroup: String::new(),
            os: String::new(),
            text: String::new(),
            sort: DEFAULT_SORT,
            page: 0,
        }
    }
}

impl NodeTableState {
    /// From the page's query pairs; unknown or malformed values fall back to the defaults.
    pub fn from_query_pairs(pairs: &[(String, String)]) -> Self {
        let mut state = Self::default();
        for (key, value) in pairs {
            match key.as_str() {
                "nodegroup" => state.nodegroup = value.clone(),
                "os" if value == "windows" || value == "linux" => state.os = value.clone(),
                "q" => state.text = value.clone(),
                "sort" => state.sort = NodeSort::parse(value).unwrap_or(DEFAULT_SORT),
                "page" => {
                    state.page = value
                        .parse::<usize>()
                        .ok()
                        .and_then(|p| p.checked_sub(1))
                        .unwrap_or(0)
                }
                _ => {}
            }
        }
        state
    }

    /// The page's own query string (`?nodegroup=…&page=2`), defaults left out; empty when default.
    pub fn to_page_query(&self) -> String {
        let mut pairs = Vec::new();
        if !self.nodegroup.is_empty() {
            pairs.push(format!("nodegroup={}", encode_component(&self.nodegroup)));
        }
        if !self.os.is_empty() {
            pairs.push(format!("os={}", self.os));
        }
        if !self.text.trim().is_empty() {
            pairs.push(format!("q={}", encode_component(self.text.trim())));
        }
        if self.sort != DEFAULT_SORT {
            pairs.push(format!("sort={}", NodeSort::format(self.sort)));
        }
        if self.page > 0 {
            pairs.push(format!("page={}", self.page + 1));
        }
        if pairs.is_empty() {
            String::new()
        } else {
            format!("?{}", pairs.join("&"))
        }
    }

    /// `GET /api/v1/nodes` for this state in one cluster.
    pub fn api_url(&self, region: &str, cluster: &str) -> String {
        let mut url = format!(
            "/api/v1/nodes?cluster={}&region={}&sort={}&limit={NODES_PER_PAGE}&offset={}",
            encode_component(cluster),
            encode_component(region),
            NodeSort::format(self.sort),
            self.page * NODES_PER_PAGE
        );
        if !self.nodegroup.is_empty() {
            url.push_str(&format!("&nodegroup={}", encode_component(&self.nodegroup)));
        }
        if !self.os.is_empty() {
            url.push_str(&format!("&os={}", self.os));
        }
        if !self.text.trim().is_empty() {
            url.push_str(&format!("&q={}", encode_component(self.text.trim())));
        }
        url
    }

    /// Same filters for an export file (no sort, no paging).
    pub fn export_url(&self, file: &str, region: &str, cluster: &str) -> String {
        let mut url = format!(
            "/api/v1/export/{file}?cluster={}&region={}",
            encode_component(cluster),
            encode_component(region)
        );
        if !self.nodegroup.is_empty() {
            url.push_str(&format!("&nodegroup={}", encode_component(&self.nodegroup)));
        }
        if !self.os.is_empty() {
            url.push_str(&format!("&os={}", self.os));
        }
        if !self.text.trim().is_empty() {
            url.push_str(&format!("&q={}", encode_component(self.text.trim())));
        }
        url
    }
}

/// The table's reactive state: what the table shows (filters, sort, page) and what the search box
/// holds (the text filter follows the box after a short pause, so typing does not send a request
/// per key).
#[derive(Debug, Clone, Copy)]
pub struct NodeTableSignals {
    pub table: RwSignal<NodeTableState>,
    pub text_input: RwSignal<String>,
}

impl NodeTableSignals {
    pub fn new(initial: NodeTableState) -> Self {
        Self {
            text_input: RwSignal::new(initial.text.clone()),
            table: RwSignal::new(initial),
        }
    }

    /// Change the table; a new filter or sort starts again at the first page.
    pub fn update(self, change: impl FnOnce(&mut NodeTableState)) {
        self.table.update(|state| {
            let before = (
                state.nodegroup.clone(),
                state.os.clone(),
                state.text.clone(),
                state.sort,
            );
            change(state);
            if (
                state.nodegroup.clone(),
                state.os.clone(),
                state.text.clone(),
                state.sort,
            ) != before
            {
                state.page = 0;
            }
        });
    }
}

/// Columns as `(column, label, numeric, title)`, in table order (`None` column: not sortable).
const COLUMNS: [(Option<NodeSort>, &str, bool, &str); 11] = [
    (Some(NodeSort::Instance), "Instance", false, ""),
    (Some(NodeSort::Nodegroup), "Nodegroup", false, ""),
    (Some(NodeSort::InstanceType), "Type", false, ""),
    (Some(NodeSort::Os), "OS", false, ""),
    (Some(NodeSort::Mode), "Mode", false, ""),
    (
        Some(NodeSort::Utilization),
        "Pod IPs",
        true,
        "Sorted by held ÷ capacity",
    ),
    (
        Some(NodeSort::Used),
        "Used",
        true,
        "Pods holding a VPC IP (needs Kubernetes access)",
    ),
    (
        Some(NodeSort::Held),
        "Held",
        true,
        "Secondary IPs + 16 per /28 prefix on the pod ENIs",
    ),
    (
        Some(NodeSort::Capacity),
        "Capacity",
        true,
        "Pod IPs the instance type can hold in this mode",
    ),
    (None, "Max pods", true, "The kubelet's max pods"),
    (Some(NodeSort::Dsr), "DSR", false, ""),
];

/// DOM id of a column's sort button (`sort-held`).
pub fn sort_button_id(column: NodeSort) -> &'static str {
    match column {
        NodeSort::Instance => "sort-instance",
        NodeSort::Nodegroup => "sort-nodegroup",
        NodeSort::InstanceType => "sort-type",
        NodeSort::Os => "sort-os",
        NodeSort::Mode => "sort-mode",
        NodeSort::Utilization => "sort-utilization",
        NodeSort::Used => "sort-used",
        NodeSort::Held => "sort-held",
        NodeSort::Capacity => "sort-capacity",
        NodeSort::Dsr => "sort-dsr",
    }
}

/// The header row (inside `<thead>`): each sortable column is a `<button>` in its `<th>`, with `aria-sort` on the
/// header and an arrow as well (shape, not only the attribute).
pub fn thead_html(sort: SortState<NodeSort>) -> String {
    let mut out = String::from("<tr>");
    for (column, label, numeric, title) in COLUMNS {
        let class = if numeric { " class=\"num\"" } else { "" };
        let title = if title.is_empty() {
            String::new()
        } else {
            format!(" title=\"{title}\"")
        };
        match column {
            None => out.push_str(&format!("<th scope=\"col\"{class}{title}>{label}</th>")),
            Some(column) => {
                let (aria, arrow) = match (column == sort.column, sort.direction) {
                    (false, _) => ("none", "↕"),
                    (true, direction @ SortDirection::Ascending) => (direction.aria(), "▲"),
                    (true, direction @ SortDirection::Descending) => (direction.aria(), "▼"),
                };
                out.push_str(&format!(
                    "<th scope=\"col\"{class}{title} aria-sort=\"{aria}\"><button type=\"button\" class=\"sort-button\" id=\"{}\" data-sort=\"{}\">{label}<span class=\"sort-button__arrow\" aria-hidden=\"true\">{arrow}</span></button></th>",
                    sort_button_id(column),
                    column.api_key()
                ));
            }
        }
    }
    out.push_str("</tr>");
    out
}

/// "Rows 51–100 of 2,300 · page 2 of 46" with previous / next buttons (`data-page` = 0-based target).
pub fn pager_html(total: usize, page: usize) -> String {
    let (first, last, pages) = page_bounds(total, page, NODES_PER_PAGE);
    let current = first / NODES_PER_PAGE;
    let range = if total == 0 {
        "No rows".to_string()
    } else {
        format!(
            "Rows {}–{} of {}",
            grouped(first as u64 + 1),
            grouped(last as u64),
            grouped(total as u64)
        )
    };
    let button = |id: &str, target: Option<usize>, label: &str| match target {
        Some(target) => format!(
            "<button type=\"button\" class=\"button button--small\" id=\"{id}\" data-page=\"{target}\">{label}</button>"
        ),
        None => format!(
            "<button type=\"button\" class=\"button button--small\" id=\"{id}\" disabled>{label}</button>"
        ),
    };
    format!(
        "<nav class=\"pager\" aria-label=\"Pages\"><span class=\"pager__range\" id=\"nodes-range\" aria-live=\"polite\">{range}</span>\
         <span class=\"pager__page\">page {} of {pages}</span>{}{}</nav>",
        current + 1,
        button("nodes-prev", current.checked_sub(1), "← Previous"),
        button(
            "nodes-next",
            (current + 1 < pages).then_some(current + 1),
            "Next →"
        ),
    )
}

/// The filter bar, written once with the state's values (`Clear filters` resets the controls).
fn filters_html(state: &NodeTableState, nodegroups: &[String]) -> String {
    let option = |value: &str, label: &str, selected: bool| {
        format!(
            "<option value=\"{}\"{}>{}</option>",
            esc(value),
            if selected { " selected" } else { "" },
            esc(label)
        )
    };
    let mut groups = option("", "All nodegroups", state.nodegroup.is_empty());
    for name in nodegroups {
        groups.push_str(&option(name, name, *name == state.nodegroup));
    }
    let os = [
        ("", "Windows and Linux"),
        ("windows", "Windows"),
        ("linux", "Linux"),
    ]
    .iter()
    .map(|(value, label)| option(value, label, *value == state.os))
    .collect::<String>();
    format!(
        "<label class=\"node-filters__field\"><span>Nodegroup</span><select id=\"filter-nodegroup\" data-filter=\"nodegroup\">{groups}</select></label>\
         <label class=\"node-filters__field\"><span>OS</span><select id=\"filter-os\" data-filter=\"os\">{os}</select></label>\
         <label class=\"node-filters__field node-filters__field--grow\"><span>Search</span><input type=\"search\" id=\"filter-text\" data-filter=\"text\" \
         placeholder=\"instance id, type, IP or nodegroup\" autocomplete=\"off\" spellcheck=\"false\" value=\"{}\"></label>",
        esc(&state.text)
    )
}

/// Export links for the filtered nodes, and `Clear filters` when a filter is set.
fn exports_html(state: &NodeTableState, region: &str, cluster: &str) -> String {
    let filtered =
        !state.nodegroup.is_empty() || !state.os.is_empty() || !state.text.trim().is_empty();
    format!(
        "{}<span class=\"export-links__label\">Export</span>\
         <a class=\"button button--small\" id=\"export-nodes-csv\" download=\"nodes.csv\" href=\"{}\"><span aria-hidden=\"true\">⤓ </span>CSV</a>\
         <a class=\"button button--small\" id=\"export-nodes-json\" download=\"nodes.json\" href=\"{}\"><span aria-hidden=\"true\">⤓ </span>JSON</a>",
        if filtered {
            "<button type=\"button\" class=\"button button--small\" id=\"filter-clear\" data-action=\"clear\">Clear filters</button>"
        } else {
            ""
        },
        esc(&state.export_url("nodes.csv", region, cluster)),
        esc(&state.export_url("nodes.json", region, cluster)),
    )
}

/// The table with its filters, legend and pager. `signals` drive the request; `load` holds the
/// `shared::fleet::NodePage` that answered. The controls are written as text too; one click, one
/// change and one input listener on the section read what was used from `data-*` attributes.
#[component]
pub fn NodeTable(
    region: String,
    cluster: String,
    signals: NodeTableSignals,
    load: Remote,
    /// Nodegroup names for the filter.
    nodegroups: Vec<String>,
) -> impl IntoView {
    let NodeTableSignals { table, text_input } = signals;
    let total = move || load.json().map_or(0, |page| page.count("total") as usize);
    // Past the last page (the table shrank under a shared URL): go to the last page.
    Effect::new(move |_| {
        let total = total();
        let current = table.with_untracked(|s| s.page);
        let clamped = clamp_page(total, current);
        if total > 0 && clamped != current {
            table.update(|s| s.page = clamped);
        }
    });
    // Text that only changes with the data or the state (`Memo` compares it, so the DOM — and
    // keyboard focus — is left alone when nothing changed). Header, rows and pager are separate so
    // the answer to a sort or page click rewrites the rows, not the button that was pressed.
    let meta = Memo::new(move |_| {
        let mut out = load.json().map(|page| meta_html(&page)).unwrap_or_default();
        if let Some(failure) = load.failure() {
            out.push_str(&format!(
                "<div class=\"notice notice--error\" id=\"nodes-error\" role=\"alert\"><span class=\"notice__icon\" aria-hidden=\"true\">✕</span><p>The nodes could not be loaded: {}</p></div>",
                esc(&failure.message)
            ));
        }
        out
    });
    let head = Memo::new(move |_| table.with(|s| thead_html(s.sort)));
    let rows = Memo::new(move |_| {
        match load.json() {
        Some(page) => rows_html(&page),
        None if load.failure().is_some() => String::new(),
        None => "<tr><td colspan=\"11\" class=\"empty-row\"><span class=\"spinner\" aria-hidden=\"true\"></span> Loading nodes…</td></tr>".to_string(),
    }
    });
    let pager = Memo::new(move |_| pager_html(total(), table.with(|s| s.page)));
    let busy = move || load.pending();
    let filters = table.with_untracked(|s| filters_html(s, &nodegroups));
    let exports = Memo::new(move |_| table.with(|s| exports_html(s, &region, &cluster)));
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let Some(button) = event_element(&ev, "[data-sort],[data-page],[data-action]") else {
            return;
        };
        let focus_id = button.id();
        if let Some(key) = button.get_attribute("data-sort") {
            if let Some(column) = NodeSort::ALL.into_iter().find(|c| c.api_key() == key) {
                let first = if COLUMNS
                    .iter()
                    .any(|(c, _, numeric, _)| *c == Some(column) && *numeric)
                {
                    SortDirection::Descending
                } else {
                    SortDirection::Ascending
                };
                signals.update(|s| s.sort = s.sort.clicked(column, first));
            }
        } else if let Some(page) = button
            .get_attribute("data-page")
            .and_then(|p| p.parse().ok())
        {
            table.update(|s| s.page = page);
        } else if button.get_attribute("data-action").as_deref() == Some("clear") {
            text_input.set(String::new());
            signals.update(|s| {
                s.nodegroup.clear();
                s.os.clear();
                s.text.clear();
            });
            reset_filter_controls();
        }
        // The text was rewritten: put keyboard focus back on the same control.
        refocus(focus_id);
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Some(control) = event_element(&ev, "select[data-filter]") {
            let value = control_value(&control);
            match control.get_attribute("data-filter").as_deref() {
                Some("nodegroup") => signals.update(|s| s.nodegroup = value),
                Some("os") => signals.update(|s| s.os = value),
                _ => {}
            }
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        if let Some(control) = event_element(&ev, "input[data-filter=\"text\"]") {
            text_input.set(control_value(&control));
        }
    };
    view! {
        <div class="node-filters" role="search" aria-label="Filter nodes">
            <div class="node-filters__controls" inner_html=filters on:change=on_change on:input=on_input></div>
            <div class="export-links" role="group" aria-label="Export the filtered nodes" inner_html=move || exports.get() on:click=on_click></div>
        </div>
        <div class="node-table__meta" inner_html=move || meta.get()></div>
        <div class="table-scroll" aria-busy=move || busy().to_string() on:click=on_click>
            <table class="table node-table" class:node-table--updating=busy id="node-table">
                <caption class="visually-hidden">"Nodes of this cluster with their pod IPs; the column buttons sort"</caption>
                <thead inner_html=move || head.get()></thead>
                <tbody id="node-rows" inner_html=move || rows.get()></tbody>
            </table>
        </div>
        <div inner_html=move || pager.get() on:click=on_click></div>
    }
}

/// The element matching `selector` that the event happened in (the target or an ancestor).
fn event_element(ev: &web_sys::Event, selector: &str) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(selector)
        .ok()
        .flatten()
}

/// The value of a `<select>` or `<input>`.
fn control_value(element: &web_sys::Element) -> String {
    use wasm_bindgen::JsCast;
    if let Some(select) = element.dyn_ref::<web_sys::HtmlSelectElement>() {
        select.value()
    } else if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
        input.value()
    } else {
        String::new()
    }
}

/// Put the filter controls back to "everything" (they are not rewritten, so typing keeps focus).
fn reset_filter_controls() {
    use wasm_bindgen::JsCast;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    for id in ["filter-nodegroup", "filter-os"] {
        if let Some(select) = document
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlSelectElement>().ok())
        {
            select.set_value("");
        }
    }
    if let Some(input) = document
        .get_element_by_id("filter-text")
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.set_value("");
    }
}

/// After the next frame (when the rewritten text is in the DOM), focus the element with `id`.
fn refocus(id: String) {
    if id.is_empty() {
        return;
    }
    leptos::leptos_dom::helpers::request_animation_frame(move || {
        use wasm_bindgen::JsCast;
        if let Some(element) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(&id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

/// "52 nodes match: 913 pod IPs held of 1,104 capacity, 536 used" and the bar key.
fn meta_html(page: &Json) -> String {
    let ips = page.get("ips");
    let used = ips.u64("used_ips").map_or_else(
        || "used unknown".to_string(),
        |u| format!("{} used", grouped(u)),
    );
    format!(
        "<p id=\"nodes-summary\" aria-live=\"polite\">{} match: {} pod IPs held of {} capacity, {used}</p>{}",
        count(page.count("total"), "node", "nodes"),
        grouped(ips.count("held_ips")),
        grouped(ips.count("ip_capacity")),
        legend_html(ips.count("used_known_nodes") == 0),
    )
}

/// One `<tr>` per `shared::fleet::NodeRow` of the page.
fn rows_html(page: &Json) -> String {
    let nodes = page.list("nodes");
    if nodes.is_empty() {
        return format!(
            "<tr><td colspan=\"11\" class=\"empty-row\" id=\"nodes-empty\">{}</td></tr>",
            if page.count("total") == 0 {
                "No node matches these filters."
            } else {
                "No rows on this page."
            }
        );
    }
    nodes.iter().map(row_html).collect()
}

fn row_html(row: &Json) -> String {
    let id = row.text("instance_id");
    let os = row.str("os");
    let used = row.u64("used_ips");
    let warnings = row.strings("warnings");
    let warning = if warnings.is_empty() {
        String::new()
    } else {
        format!(
            "<span class=\"row-warning\" title=\"{}\" aria-label=\"{} warnings\"> ▲</span>",
            esc(&warnings.join("\n")),
            warnings.len()
        )
    };
    let bar = IpBar {
        held_ips: row.count("held_ips"),
        used_ips: used,
        ip_capacity: row.u64("ip_capacity"),
        max_pods: row.u64("max_pods"),
    };
    format!(
        "<tr data-instance=\"{}\" data-os=\"{}\"><th scope=\"row\"><a class=\"mono\" href=\"{}\">{}</a>{warning}</th>\
         <td>{}</td><td class=\"mono\">{}</td><td>{}</td><td>{}</td><td class=\"node-table__bar\">{}</td>\
         <td class=\"num{}\" data-col=\"used\">{}</td><td class=\"num\" data-col=\"held\">{}</td>\
         <td class=\"num\" data-col=\"capacity\">{}</td><td class=\"num\" data-col=\"max-pods\">{}</td><td>{}</td></tr>",
        esc(&id),
        esc(os.as_deref().unwrap_or("")),
        esc(&node_href(&id)),
        esc(&id),
        esc(&row.str("nodegroup").unwrap_or_else(|| "—".into())),
        esc(&row.text("instance_type")),
        os_chip(os.as_deref()),
        mode_chip(row.str("ip_mode").as_deref()),
        bar.html(false),
        if used.is_none() { " muted" } else { "" },
        used.map_or_else(|| "unknown".to_string(), grouped),
        grouped(bar.held_ips),
        num(bar.ip_capacity),
        num(bar.max_pods),
        dsr_chip(row.str("dsr").as_deref()),
    )
}

/// Clamp a 0-based page to the last one (a filter change can shrink the table below it).
pub fn clamp_page(total: usize, page: usize) -> usize {
    let (first, _, _) = page_bounds(total, page, NODES_PER_PAGE);
    first / NODES_PER_PAGE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        query
            .split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn state_round_trips_through_the_page_query() {
        let state = NodeTableState::from_query_pairs(&pairs(
            "nodegroup=windows-ng&os=windows&q=m5&sort=-held_ips&page=3",
        ));
        assert_eq!(state.nodegroup, "windows-ng");
        assert_eq!(state.os, "windows");
        assert_eq!(state.text, "m5");
        assert_eq!(
            state.sort,
            SortState {
                column: NodeSort::Held,
                direction: SortDirection::Descending
            }
        );
        assert_eq!(state.page, 2);
        assert_eq!(
            state.to_page_query(),
            "?nodegroup=windows-ng&os=windows&q=m5&sort=-held_ips&page=3"
        );
        assert_eq!(NodeTableState::default().to_page_query(), "");
    }

    #[test]
    fn bad_values_fall_back_to_defaults() {
        let state = NodeTableState::from_query_pairs(&pairs("os=beos&sort=-nope&page=0"));
        assert_eq!(state, NodeTableState::default());
    }

    #[test]
    fn api_url_pages_and_filters() {
        let state = NodeTableState {
            nodegroup: "(ungrouped)".into(),
            page: 2,
            ..NodeTableState::default()
        };
        assert_eq!(
            state.api_url("eu-west-1", "prod"),
            "/api/v1/nodes?cluster=prod&region=eu-west-1&sort=-utilization&limit=50&offset=100&nodegroup=%28ungrouped%29"
        );
        assert_eq!(
            state.export_url("nodes.csv", "eu-west-1", "prod"),
            "/api/v1/export/nodes.csv?cluster=prod&region=eu-west-1&nodegroup=%28ungrouped%29"
        );
    }

    #[test]
    fn every_sort_key_parses_back() {
        for column in NodeSort::ALL {
            for direction in [SortDirection::Ascending, SortDirection::Descending] {
                let sort = SortState { column, direction };
                assert_eq!(NodeSort::parse(&NodeSort::format(sort)), Some(sort));
            }
        }
        assert_eq!(clamp_page(120, 9), 2);
    }
}
