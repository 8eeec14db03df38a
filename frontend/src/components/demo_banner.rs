//! The banner that says the numbers on screen are the embedded demo fleet, not a scan of your AWS
//! accounts, and how to get real data.

use crate::components::html::esc;

pub fn demo_banner_html(description: &str) -> String {
    format!(
        "<aside class=\"demo-banner\" id=\"demo-banner\" role=\"note\" aria-label=\"Demo data\">\
         <span class=\"demo-banner__tag\" aria-hidden=\"true\">DEMO</span><div>\
         <p class=\"demo-banner__title\"><strong>Demo fleet — no AWS credentials found.</strong> \
         Every cluster, node and subnet on these pages is made-up sample data ({}).</p>\
         <p class=\"demo-banner__how\">To see your own fleet: configure AWS credentials \
         (<code>AWS_PROFILE</code>, SSO or <code>AWS_ACCESS_KEY_ID</code>), list accounts and regions in a \
         config file (see <code>eniscope.example.toml</code>) and restart with \
         <code>eniscope serve --config FILE</code> — or run <code>eniscope scan --output fleet.json</code> \
         and <code>eniscope serve --snapshot fleet.json</code>.</p></div></aside>",
        esc(description)
    )
}
