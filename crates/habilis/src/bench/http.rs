//! The benchmark over HTTP: the real server, started as its own process on the store the
//! bench wrote (so that its start-up time and resident memory are the server's alone),
//! keep-alive connections sending the workload's queries to the AuthZEN endpoints, and the
//! same connections against a do-nothing endpoint of the same server (`/healthz`, through
//! the same middleware), in the same run: the phases take turns in alternated rounds, and
//! the evaluation's ratio to the do-nothing endpoint is the median of the rounds' ratios.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use axum::body::Bytes;
use habilis_core::Services;
use hyper::Method;
use serde_json::{Value, json};

use super::measure::{ROUNDS, median, percentiles, ratio_of_rounds, round};
use super::workload::{Workload, usize_of};
use super::{BATCH, load};
use crate::http_client::Connection;

/// Concurrent keep-alive connections, as a busy gateway holds them.
const CONNECTIONS: usize = 32;
/// How long the server may take to load the store before the bench gives up.
const STARTUP_LIMIT: Duration = Duration::from_secs(600);

/// The server process; stopped when dropped, whatever happens to the bench.
struct ServerProcess(std::process::Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl ServerProcess {
    /// Starts `habilis serve` on `database` and waits until it answers `/readyz`.
    async fn start(database: &str) -> anyhow::Result<(ServerProcess, SocketAddr, Duration)> {
        // A free port: bound and released at once; nothing else on loopback races for it.
        let address = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let started = Instant::now();
        let child = std::process::Command::new(std::env::current_exe()?)
            .args([
                "serve",
                "--listen",
                &address.to_string(),
                "--database",
                database,
            ])
            .env("RUST_LOG", "warn")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .spawn()
            .context("cannot start the server process")?;
        let mut server = ServerProcess(child);
        loop {
            if let Ok(mut connection) = Connection::open(address).await
                && let Ok(reply) = connection.send(Method::GET, "/readyz", None, None).await
                && reply.status.is_success()
            {
                return Ok((server, address, started.elapsed()));
            }
            if let Some(status) = server.0.try_wait()? {
                anyhow::bail!("the server process stopped while starting: {status}");
            }
            if started.elapsed() > STARTUP_LIMIT {
                anyhow::bail!("the server did not become ready within {STARTUP_LIMIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn resident_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).ok()?;
        super::measure::vm_rss_mib(&status)
    }
}

struct Prepared {
    path: &'static str,
    method: Method,
    bodies: Vec<Bytes>,
    decisions_per_request: usize,
}

fn evaluation(workload: &Workload, index: usize) -> Value {
    let Some(query) = workload.queries.get(index) else {
        return Value::Null;
    };
    json!({
        "subject": { "type": "user", "id": workload.user_names.get(usize_of(query.user)) },
        "action": { "name": query.action.name() },
        "resource": { "type": "dossier", "id": workload.dossier_names.get(usize_of(query.dossier)) },
        "context": { "level": query.level },
    })
}

pub async fn measure(
    services: &Arc<Services>,
    database: &str,
    workload: &Workload,
    seconds: f64,
) -> anyhow::Result<Value> {
    let client = services
        .create_client(load::APPLICATION, "bench")
        .await?
        .value
        .expose()
        .to_owned();
    let (server, address, startup) = ServerProcess::start(database).await?;
    let resident_after_startup = server.resident_mib();

    // Every answer over HTTP must be the expected one too.
    let mut connection = Connection::open(address).await?;
    let mut mismatches = 0;
    for (index, query) in workload.queries.iter().enumerate() {
        let reply = connection
            .post_json(
                "/access/v1/evaluation",
                &client,
                &evaluation(workload, index),
            )
            .await?;
        if reply.json().get("decision").and_then(Value::as_bool) != Some(query.expected) {
            mismatches += 1;
        }
    }
    drop(connection);

    let queries = workload.queries.len().max(1);
    let singles: Vec<Bytes> = (0..queries)
        .map(|i| Bytes::from(evaluation(workload, i).to_string()))
        .collect();
    let batches: Vec<Bytes> = (0..queries.div_ceil(BATCH))
        .map(|b| {
            let items: Vec<Value> = (b * BATCH..(b + 1) * BATCH)
                .map(|i| evaluation(workload, i % queries))
                .collect();
            Bytes::from(json!({ "evaluations": items }).to_string())
        })
        .collect();
    let phases = [
        (
            "do_nothing",
            Prepared {
                path: "/healthz",
                method: Method::GET,
                bodies: vec![Bytes::new()],
                decisions_per_request: 0,
            },
        ),
        (
            "evaluation",
            Prepared {
                path: "/access/v1/evaluation",
                method: Method::POST,
                bodies: singles,
                decisions_per_request: 1,
            },
        ),
        (
            "evaluations_100",
            Prepared {
                path: "/access/v1/evaluations",
                method: Method::POST,
                bodies: batches,
                decisions_per_request: BATCH,
            },
        ),
    ];
    let mut report = serde_json::Map::new();
    report.insert(
        "server_startup_s".into(),
        json!(round(startup.as_secs_f64())),
    );
    report.insert(
        "server_resident_mib_after_startup".into(),
        json!(resident_after_startup),
    );
    report.insert("connections".into(), json!(CONNECTIONS));
    report.insert("mismatches".into(), json!(mismatches));
    // The phases take turns, round after round, so that the ratio of the evaluation to the
    // do-nothing endpoint compares rounds run next to each other.
    let phases: Vec<(&str, Arc<Prepared>)> = phases
        .into_iter()
        .map(|(name, prepared)| (name, Arc::new(prepared)))
        .collect();
    let mut runs: Vec<Vec<PhaseRun>> = phases.iter().map(|_| Vec::new()).collect();
    let slice = seconds / ROUNDS as f64;
    for round in 0..ROUNDS {
        for k in 0..phases.len() {
            let index = (round + k) % phases.len();
            if let (Some((_, prepared)), Some(runs)) = (phases.get(index), runs.get_mut(index)) {
                runs.push(phase(address, &client, Arc::clone(prepared), slice, CONNECTIONS).await?);
            }
        }
    }
    let rates = |name: &str| -> Vec<f64> {
        phases
            .iter()
            .zip(&runs)
            .find(|((phase, _), _)| *phase == name)
            .map(|(_, runs)| runs.iter().map(PhaseRun::requests_per_second).collect())
            .unwrap_or_default()
    };
    report.insert(
        "ratios".into(),
        json!({
            "rounds": ROUNDS,
            "evaluation_to_do_nothing": ratio_of_rounds(&rates("evaluation"), &rates("do_nothing")),
        }),
    );
    for ((name, prepared), runs) in phases.iter().zip(runs) {
        report.insert((*name).into(), PhaseRun::report(runs, prepared));
    }
    // Latency without queueing: one request at a time, as a lightly loaded gateway asks.
    if let Some((_, prepared)) = phases.iter().find(|(name, _)| *name == "evaluation") {
        let measured = phase(address, &client, Arc::clone(prepared), seconds, 1).await?;
        report.insert(
            "evaluation_1_connection".into(),
            PhaseRun::report(vec![measured], prepared),
        );
    }
    report.insert("server_resident_mib".into(), json!(server.resident_mib()));
    drop(server);
    Ok(Value::Object(report))
}

/// `connections` tasks, each on its own connection, sending requests back to back for
/// `seconds`.
async fn phase(
    address: SocketAddr,
    client: &str,
    prepared: Arc<Prepared>,
    seconds: f64,
    connections: usize,
) -> anyhow::Result<PhaseRun> {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for worker in 0..connections {
        let prepared = Arc::clone(&prepared);
        let client = client.to_owned();
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(address).await?;
            let mut samples = Vec::new();
            let mut failures = 0_u64;
            let mut i = worker * 613;
            while Instant::now() < deadline {
                let body = prepared
                    .bodies
                    .get(i % prepared.bodies.len().max(1))
                    .cloned()
                    .filter(|b| !b.is_empty());
                let t = Instant::now();
                let reply = connection
                    .send(prepared.method.clone(), prepared.path, Some(&client), body)
                    .await?;
                samples.push(t.elapsed());
                if !reply.status.is_success() {
                    failures += 1;
                }
                i += 1;
            }
            Ok::<_, anyhow::Error>((samples, failures))
        }));
    }
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (mut s, f) = task.await??;
        samples.append(&mut s);
        failures += f;
    }
    Ok(PhaseRun {
        samples,
        failures,
        seconds: started.elapsed().as_secs_f64().max(1e-9),
    })
}

/// One turn of a phase: the latency of each request, the failures, how long it lasted.
struct PhaseRun {
    samples: Vec<Duration>,
    failures: u64,
    seconds: f64,
}

impl PhaseRun {
    fn requests_per_second(&self) -> f64 {
        self.samples.len() as f64 / self.seconds
    }

    /// A phase's turns as one: the median turn's throughput, the latency over all turns.
    fn report(runs: Vec<PhaseRun>, prepared: &Prepared) -> Value {
        let requests =
            median(runs.iter().map(PhaseRun::requests_per_second).collect()).unwrap_or(0.0);
        let failures: u64 = runs.iter().map(|run| run.failures).sum();
        let seconds: f64 = runs.iter().map(|run| run.seconds).sum();
        let mut samples: Vec<Duration> = runs.into_iter().flat_map(|run| run.samples).collect();
        json!({
            "requests_per_second": requests.round(),
            "decisions_per_second": (requests * prepared.decisions_per_request as f64).round(),
            "latency": percentiles(&mut samples),
            "failures": failures,
            "seconds": round(seconds),
        })
    }
}
