//! The what-if page in a real headless Chromium, driven over WebDriver (chromedriver + fantoccini)
//! against `eniscope serve --demo` and the built bundle in `dist/`.
//!
//! Opens the shareable URL, reads the numbers from the DOM and checks them against what
//! `shared` computes natively for the same scenario; flips prefix delegation, drags the pods-per-node
//! slider, types a bad value, reloads the URL the page wrote; checks the browser console has no errors
//! and saves screenshots under `target/screenshots/`.
//!
//! Needs: `dist/` (`cargo xtask dist`), the `eniscope` binary, chromedriver and Chromium —
//! `cargo xtask test` builds and installs all of them.

mod ui_common;

use e2e::{EniscopeServer, target_dir, try_eniscope_bin};
use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::{Client, Locator};
use serde_json::json;
use shared::InstanceTypeTable;
use shared::whatif::{self, WhatIfResult};
use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use ui_common::{ChromeDriver, HOW_TO_FIX, WAIT, assert_no_console_errors, browser, dist_dir};

const BRIEF_QUERY: &str =
    "instance_type=m5.large&os=windows&prefix_delegation=true&nodes=10&pods_per_node=30";
fn table() -> InstanceTypeTable {
    InstanceTypeTable::from_json(include_str!("../assets/instance-types.json"))
        .expect("the embedded table parses")
}

fn pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// What `shared` computes natively for a URL query.
fn expected(query: &str) -> WhatIfResult {
    let scenario = whatif::scenario_from_query(&pairs(query)).expect("a valid scenario");
    whatif::evaluate(&scenario, &table()).expect("shared evaluates it")
}

/// `#id` → `u64`, or `None` while it shows a dash or is missing.
async fn number(client: &Client, id: &str) -> Option<u64> {
    let text = text(client, id).await?;
    text.replace(',', "").trim().parse().ok()
}

async fn text(client: &Client, id: &str) -> Option<String> {
    let script =
        "const el = document.getElementById(arguments[0]); return el ? el.textContent : null;";
    client
        .execute(script, vec![json!(id)])
        .await
        .ok()?
        .as_str()
        .map(str::to_owned)
}

/// The numbers on the page that the test compares, by element id.
fn shown_numbers(result: &WhatIfResult) -> Vec<(&'static str, u64)> {
    vec![
        ("ip-capacity", u64::from(result.per_node.ip_capacity)),
        ("pods-fit", u64::from(result.per_node.pods_that_fit)),
        ("held-ips", u64::from(result.per_node.held.held_ips)),
        (
            "held-prefixes",
            u64::from(result.per_node.held.held_prefixes),
        ),
        (
            "subnet-ips-per-node",
            u64::from(result.per_node.held.subnet_ips),
        ),
        ("pods-scheduled", result.totals.pods_scheduled),
        ("pods-pending", result.totals.pods_pending),
        ("held-ips-total", result.totals.held_ips),
        ("held-prefixes-total", result.totals.held_prefixes),
        ("subnet-ips-total", result.totals.subnet_ips),
    ]
}

/// Poll until every number on the page equals `shared`'s, or fail with what differs.
async fn assert_numbers(client: &Client, result: &WhatIfResult, context: &str) {
    let wanted = shown_numbers(result);
    let deadline = Instant::now() + WAIT;
    loop {
        let mut mismatches = Vec::new();
        for (id, value) in &wanted {
            let shown = number(client, id).await;
            if shown != Some(*value) {
                mismatches.push(format!("#{id}: page {shown:?}, shared {value}"));
            }
        }
        if mismatches.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{context}: the page does not show shared's numbers: {}",
            mismatches.join("; ")
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn warning_codes(client: &Client) -> Vec<String> {
    let script = "return Array.from(document.querySelectorAll('#warnings [data-code]')).map(e => e.dataset.code).sort();";
    let codes = client.execute(script, vec![]).await.expect("warning codes");
    codes
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn sorted_codes(result: &WhatIfResult) -> Vec<String> {
    let mut codes: Vec<String> = result
        .warnings
        .iter()
        .map(|w| w.code.as_str().to_string())
        .collect();
    codes.sort();
    codes
}

async fn wait_for_url(client: &Client, needles: &[&str]) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let url = client.current_url().await.expect("current URL").to_string();
        if needles.iter().all(|n| url.contains(n)) {
            return url;
        }
        assert!(
            Instant::now() < deadline,
            "the address bar never got {needles:?}: {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn input_value(client: &Client, id: &str) -> String {
    let element = client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"));
    element
        .prop("value")
        .await
        .ok()
        .flatten()
        .unwrap_or_default()
}

async fn checked(client: &Client, id: &str) -> bool {
    let element = client
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"));
    element.prop("checked").await.ok().flatten().as_deref() == Some("true")
}

async fn save_screenshot(client: &Client, name: &str) -> PathBuf {
    let dir = target_dir().join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    let path = dir.join(name);
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(&path, png).expect("write the screenshot");
    path
}

#[tokio::test]
async fn what_if_page_matches_shared_and_follows_the_controls() {
    let dist = dist_dir();
    if let Err(error) = try_eniscope_bin() {
        panic!("{error:#}; {HOW_TO_FIX}");
    }
    let server =
        EniscopeServer::start(&[OsStr::new("--demo"), OsStr::new("--dist"), dist.as_os_str()])
            .unwrap_or_else(|error| panic!("cannot start eniscope serve --demo: {error:#}"));
    let driver = ChromeDriver::start().await;
    let profile = tempfile::tempdir().expect("a Chromium profile directory");
    let client = browser(&driver, profile.path()).await;

    // 1. The shareable URL opens with its values and shared's numbers.
    client
        .goto(&server.url(&format!("/what-if?{BRIEF_QUERY}")))
        .await
        .expect("open /what-if");
    let brief = expected(BRIEF_QUERY);
    assert_numbers(&client, &brief, "opening the issue URL").await;
    assert_eq!(
        (brief.per_node.ip_capacity, brief.per_node.pods_that_fit),
        (144, 110),
        "domain.md §1.3 m5.large PD"
    );
    assert_eq!(input_value(&client, "instance-type").await, "m5.large");
    assert!(
        checked(&client, "os-windows").await && !checked(&client, "os-linux").await,
        "Windows selected"
    );
    assert!(
        checked(&client, "prefix-delegation").await,
        "prefix delegation on"
    );
    assert_eq!(input_value(&client, "input-nodes").await, "10");
    assert_eq!(input_value(&client, "input-pods-per-node").await, "30");
    assert_eq!(input_value(&client, "slider-pods-per-node").await, "30");
    assert_eq!(
        text(&client, "mode").await.as_deref(),
        Some("Prefix delegation")
    );
    assert_eq!(warning_codes(&client).await, sorted_codes(&brief));
    save_screenshot(&client, "what-if.png").await;

    // 2. Prefix delegation off (a click on the switch): secondary-IP numbers, and the URL follows.
    client
        .find(Locator::Id("prefix-delegation"))
        .await
        .expect("PD switch")
        .click()
        .await
        .expect("click PD");
    let secondary_query = BRIEF_QUERY.replace("prefix_delegation=true", "prefix_delegation=false");
    let secondary = expected(&secondary_query);
    assert_numbers(&client, &secondary, "after turning prefix delegation off").await;
    assert_ne!(
        secondary.per_node.ip_capacity, brief.per_node.ip_capacity,
        "the change is visible"
    );
    assert_eq!(warning_codes(&client).await, sorted_codes(&secondary));
    wait_for_url(&client, &["prefix_delegation=false", "pods_per_node=30"]).await;

    // 3. Drag the pods-per-node slider with the mouse; whatever value it lands on, the numbers are shared's.
    let slider = client
        .find(Locator::Id("slider-pods-per-node"))
        .await
        .expect("pods slider");
    let (_, _, width, _) = slider.rectangle().await.expect("slider box");
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: slider.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(200)),
            x: -width * 0.35,
            y: 0.0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(drag).await.expect("drag the slider");
    let dragged: u32 = input_value(&client, "slider-pods-per-node")
        .await
        .parse()
        .expect("slider value");
    assert!(
        dragged < 30,
        "the drag moved the slider down from 30 (now {dragged})"
    );
    assert_eq!(
        input_value(&client, "input-pods-per-node").await,
        dragged.to_string(),
        "the box follows the slider"
    );
    let dragged_query =
        secondary_query.replace("pods_per_node=30", &format!("pods_per_node={dragged}"));
    assert_numbers(
        &client,
        &expected(&dragged_query),
        "after dragging the pods slider",
    )
    .await;

    // 4. An exact slider value set by script + input event (as a keyboard user would land on it).
    client
        .execute(
            "const s = document.getElementById('slider-pods-per-node'); s.value = '7'; \
             s.dispatchEvent(new Event('input', { bubbles: true }));",
            vec![],
        )
        .await
        .expect("set the slider");
    let seven_query = secondary_query.replace("pods_per_node=30", "pods_per_node=7");
    assert_numbers(
        &client,
        &expected(&seven_query),
        "after setting 7 pods per node",
    )
    .await;
    let url = wait_for_url(&client, &["pods_per_node=7", "prefix_delegation=false"]).await;

    // 5. A bad value: a message next to the control, a dash instead of numbers — no NaN, no clamping.
    let nodes = client
        .find(Locator::Id("input-nodes"))
        .await
        .expect("nodes box");
    nodes.clear().await.expect("clear nodes");
    nodes.send_keys("-5").await.expect("type -5");
    let deadline = Instant::now() + WAIT;
    while text(&client, "ip-capacity").await.as_deref() != Some("—") {
        assert!(
            Instant::now() < deadline,
            "a bad node count must blank the numbers"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let message = text(&client, "error-nodes").await.unwrap_or_default();
    assert!(
        message.contains("0 or more"),
        "the message says what is wrong: {message:?}"
    );
    assert_eq!(
        input_value(&client, "input-nodes").await,
        "-5",
        "the bad value stays visible"
    );
    let body = client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("page text");
    assert!(!body.contains("NaN"), "no NaN on the page");

    // 6. The URL the page wrote before the bad value reopens the same scenario (shareable).
    client.goto(&url).await.expect("reopen the shared URL");
    assert_numbers(
        &client,
        &expected(&seven_query),
        "reopening the URL the page wrote",
    )
    .await;

    // 7. A richer scenario for the screenshot: with a subnet, its consumption is shown.
    let subnet_query = format!("{BRIEF_QUERY}&subnet=10.0.0.0/24");
    client
        .goto(&server.url(&format!("/what-if?{subnet_query}")))
        .await
        .expect("open with a subnet");
    let with_subnet = expected(&subnet_query);
    assert_numbers(&client, &with_subnet, "with a subnet").await;
    let impact = &with_subnet.subnets[0];
    let deadline = Instant::now() + WAIT;
    while number(&client, "subnet-0-free-after").await != Some(impact.free_ips_after) {
        assert!(
            Instant::now() < deadline,
            "subnet free IPs after: page {:?}",
            text(&client, "subnet-0-free-after").await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        number(&client, "subnet-0-prefix-slots-after").await,
        Some(impact.free_prefix_slots_after)
    );
    save_screenshot(&client, "what-if-subnet.png").await;
    // The whole page in one picture: a window as tall as the document.
    let height = client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .expect("page height");
    let height = height.as_u64().unwrap_or(900).clamp(900, 4000) as u32;
    client
        .set_window_size(1280, height + 120)
        .await
        .expect("tall window");
    let shot = save_screenshot(&client, "what-if-full.png").await;
    client
        .set_window_size(1280, 900)
        .await
        .expect("window back to 1280×900");

    // 8. The shell: from the fleet overview at `/`, the nav link leads back to the calculator.
    client.goto(&server.url("/")).await.expect("open /");
    let link = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(".main-nav a[href='/what-if']"))
        .await
        .expect("nav link to the calculator");
    link.click().await.expect("follow the nav link");
    wait_for_url(&client, &["/what-if"]).await;
    // /what-if is another bundle entry: a full page load, so wait for its header to be mounted.
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(".main-nav a[href='/dsr']"))
        .await
        .expect("DSR nav")
        .click()
        .await
        .expect("go to DSR");
    wait_for_url(&client, &["/dsr"]).await;
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css("#dsr-summary"))
        .await
        .expect("DSR board counts");

    // 9. No console errors in any of it (warnings are allowed, errors are not).
    assert_no_console_errors(
        &client,
        &driver,
        "the what-if page and the shell",
        &server.log(),
    )
    .await;

    client.close().await.expect("close the browser");
    drop(server);
    println!(
        "screenshots: {} (and what-if.png, what-if-subnet.png next to it)",
        shot.display()
    );
}
