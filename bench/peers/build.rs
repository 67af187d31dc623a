//! Names the peers' versions in the report, as Cargo.lock pins them, so that a figure always
//! says which Casbin and which Cedar it measured.

use std::process::Command;

fn main() {
    println!("cargo::rerun-if-changed=Cargo.lock");
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    for name in ["casbin", "cedar-policy"] {
        let variable = format!("PEERS_VERSION_{}", name.to_uppercase().replace('-', "_"));
        let version = locked_version(&lock, name).unwrap_or("unknown");
        println!("cargo::rustc-env={variable}={version}");
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .and_then(|output| String::from_utf8(output.stdout).ok())
        .unwrap_or_default();
    println!("cargo::rustc-env=PEERS_RUSTC_VERSION={}", version.trim());
}

/// The `version` line that follows `name = "<name>"` in a Cargo.lock.
fn locked_version<'a>(lock: &'a str, name: &str) -> Option<&'a str> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    lines.find(|line| *line == wanted)?;
    lines
        .next()?
        .strip_prefix("version = \"")?
        .strip_suffix('"')
}
