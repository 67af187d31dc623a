//! The `habilis` command as a person or a script runs it.

use std::process::Command;

use crate::harness::Harness;

fn habilis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_habilis"))
}

#[test]
fn bad_arguments_give_one_line() {
    let output = habilis().args(["token", "create"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--user"), "{stderr}");
    let output = habilis().args(["frobnicate"]).output().unwrap();
    assert_ne!(output.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(output.stderr)
            .unwrap()
            .trim()
            .lines()
            .count(),
        1
    );
}

/// A public address that could not be the AuthZEN metadata's identifier stops the server
/// before it starts, with one line naming the setting.
#[test]
fn a_bad_public_url_is_refused_in_one_line() {
    for url in [
        "habilis.example.be",
        "https://habilis.example.be/?tenant=1",
        "https://habilis.example.be/#top",
    ] {
        let output = habilis()
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database",
                "sqlite::memory:",
            ])
            .env("HABILIS_PUBLIC_URL", url)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "{url}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains("public_url"), "{url}: {stderr}");
    }
}

#[test]
fn init_prints_the_secret_alone_on_the_last_line_and_only_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("h.db").display());
    let output = habilis()
        .args([
            "init",
            "--database",
            &database,
            "--operator-email",
            "ops@spw.wallonie.be",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout
            .trim()
            .lines()
            .last()
            .unwrap()
            .starts_with("habilis_pat_"),
        "{stdout}"
    );
    let again = habilis()
        .args([
            "init",
            "--database",
            &database,
            "--operator-email",
            "ops@spw.wallonie.be",
        ])
        .output()
        .unwrap();
    assert!(!again.status.success());
    let bad = habilis()
        .args([
            "init",
            "--database",
            &database,
            "--operator-email",
            "not-an-email",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(bad.stderr)
            .unwrap()
            .trim()
            .lines()
            .count(),
        1
    );
    let token = habilis()
        .args([
            "token",
            "create",
            "--database",
            &database,
            "--user",
            "ops@spw.wallonie.be",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8(token.stdout)
            .unwrap()
            .trim()
            .starts_with("habilis_pat_")
    );
}

#[tokio::test]
async fn audit_verify_detects_an_edited_event() {
    let h = Harness::demo().await;
    let ok = habilis()
        .args(["audit", "verify", "--database", &h.database_url])
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // Someone with access to the database quietly rewrites a reason.
    let pool = sqlx::SqlitePool::connect(&h.database_url).await.unwrap();
    sqlx::query("UPDATE audit_events SET reason = 'nothing happened' WHERE seq = 5")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let broken = habilis()
        .args(["audit", "verify", "--database", &h.database_url])
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        String::from_utf8(broken.stdout)
            .unwrap()
            .contains("broken at event 5")
    );
}

/// `habilis bench --timed-queries N` times the checks on the first N queries and says so,
/// while every query is still checked against its expected answer.
#[test]
fn the_benchmark_times_the_first_queries_when_asked() {
    let output = habilis()
        .args([
            "bench",
            "--preset",
            "tiny",
            "--no-store",
            "--seconds",
            "0.05",
            "--timed-queries",
            "100",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["workload"]["queries"], 2_000);
    assert_eq!(report["workload"]["timed_queries"], 100);
    assert_eq!(report["mismatches"]["checks"], 0);
    assert!(
        report["check"]["habilis"]["per_second_1_thread"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}
