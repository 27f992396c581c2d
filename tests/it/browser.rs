//! Opens a generated report in headless Chromium with no network: it loads,
//! every plot is there and drawn, the headline numbers match summary.json,
//! and Chinese text is present. A screenshot is saved under tests/output.

use std::path::Path;
use std::process::Command;

use crate::support::chromium;

/// Runs Chromium headless, without network when `unshare` allows it.
fn headless(browser: &Path, profile: &Path, args: &[String]) -> std::process::Output {
    let mut base: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    base.push(format!("--user-data-dir={}", profile.display()));
    base.extend(args.iter().cloned());
    let isolated = Command::new("unshare").arg("--net").arg(browser).args(&base).output();
    match isolated {
        Ok(o) if o.status.success() => o,
        _ => Command::new(browser).args(&base).output().expect("chromium runs"),
    }
}

#[test]
fn the_report_renders_in_a_real_browser() {
    let Some(browser) = chromium() else {
        assert!(std::env::var("CI").is_err(), "CI must install chromium (.ci/run does)");
        eprintln!("skipped: no chromium on this machine (apt-get install chromium)");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = root.join("tests/output/browser");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let report = out.join("report");
    let status = Command::new(env!("CARGO_BIN_EXE_hotline"))
        .args([
            "simulate",
            "menus/mobile_operator_zh.yaml",
            "--replications",
            "4",
            "--quiet",
            "--report",
        ])
        .arg(&report)
        .current_dir(root)
        .output()
        .unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    let url = format!("file://{}", report.join("index.html").display());
    let profile = out.join("profile");

    let dom = headless(&browser, &profile, &["--dump-dom".into(), url.clone()]);
    assert!(
        dom.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    assert!(
        dom.contains("<h1 id=\"hotline-name\">示例移动客服热线</h1>"),
        "the Chinese name is in the page"
    );
    assert!(dom.contains("主菜单"), "Chinese node labels are in the menu plot");

    // Every plot is present and drawn.
    for name in [
        "wait_cdf",
        "time_to_human",
        "queue_length",
        "seats_busy",
        "outcomes",
        "menu",
    ] {
        let start = dom
            .find(&format!("id=\"plot-{name}\""))
            .unwrap_or_else(|| panic!("plot {name} missing"));
        let fig = &dom[start..start + dom[start..].find("</figure>").unwrap()];
        assert!(fig.contains("<svg"), "{name}: no svg");
        let marks = fig.matches("<path").count()
            + fig.matches("<polyline").count()
            + fig.matches("<rect").count()
            + fig.matches("<polygon").count();
        assert!(marks >= 5, "{name}: only {marks} marks");
        assert!(fig.contains("<figcaption>"), "{name}: no caption");
    }

    // Headline numbers match summary.json.
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(report.join("summary.json")).unwrap()).unwrap();
    let mut checked = 0;
    for part in dom.split("data-metric=\"").skip(1) {
        let key = &part[..part.find('"').unwrap()];
        let rest = &part[part.find("data-mean=\"").unwrap() + 11..];
        let shown: f64 = rest[..rest.find('"').unwrap()].parse().unwrap();
        let expected = summary["metrics"][key]["mean"]
            .as_f64()
            .unwrap_or_else(|| panic!("{key} not in summary.json"));
        assert_eq!(shown, expected, "{key}");
        let text = &rest[rest.find('>').unwrap() + 1..rest.find('<').unwrap()];
        let pct = key.starts_with("p_") || key == "service_level" || key == "occupancy";
        let want = if pct {
            format!("{:.1}%", expected * 100.0)
        } else {
            format!("{expected:.1}")
        };
        assert_eq!(text, want, "{key} as shown");
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} headline numbers");
    assert!(!dom.contains("<script"), "no script in the page");

    // A screenshot for people.
    let shot = out.join("screenshot.png");
    let s = headless(
        &browser,
        &profile,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1200,2400".into(),
            url,
        ],
    );
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    assert!(
        std::fs::metadata(&shot).map(|m| m.len() > 10_000).unwrap_or(false),
        "screenshot written"
    );
}
