//! The web interface in a real browser: `e2e/web/test.mjs` drives Debian's headless
//! Chromium (playwright-core) against this build's `habilis serve --demo`, logging in through
//! the test OpenID provider of `e2e/oidc-provider`, with axe-core on every screen. Needs
//! Node.js, `npm ci` in `e2e/web` and `e2e/oidc-provider`, and `/usr/bin/chromium` (or
//! `CHROMIUM`); `.ci/run` installs them.

use std::path::PathBuf;
use std::process::Command;

fn e2e() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

#[test]
fn main_journeys_in_a_real_browser_in_french_and_dutch() {
    let e2e = e2e();
    for package in ["web", "oidc-provider"] {
        assert!(
            e2e.join(package).join("node_modules").is_dir(),
            "run `npm ci` in e2e/{package} first (.ci/run does)"
        );
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "no browser at {chromium}: install Debian's `chromium` package (.ci/run does) or set CHROMIUM"
    );
    let output = Command::new("node")
        .arg(e2e.join("web/test.mjs"))
        .env("HABILIS_BIN", env!("CARGO_BIN_EXE_habilis"))
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs (install Node.js 20.18 or later)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "browser journeys failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("checks passed"), "{stdout}");
}
