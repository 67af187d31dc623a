//! Timing and memory of the benchmark, shared with the peer benchmark program
//! (`bench/peers`), so that both measure every system the same way.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// The cores the throughput phases spread over.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Latency percentiles of a list of samples, in microseconds.
pub fn percentiles(samples: &mut [Duration]) -> Value {
    samples.sort_unstable();
    let at = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    json!({ "p50_us": round(at(0.5)), "p99_us": round(at(0.99)), "p999_us": round(at(0.999)) })
}

pub fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// This process's resident memory (VmRSS), in MiB.
pub fn resident_mib() -> Option<f64> {
    vm_rss_mib(&std::fs::read_to_string("/proc/self/status").ok()?)
}

/// The resident memory in a `/proc/PID/status` text.
pub fn vm_rss_mib(status: &str) -> Option<f64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(round(kib / 1024.0))
}

/// Calls `check(i)` for i over the queries, round after round, for about `seconds`: the
/// latency of each call, then the throughput on 1 thread and on every core.
pub fn measure_checks<F>(queries: usize, seconds: f64, check: F) -> Value
where
    F: Fn(usize) -> bool + Sync,
{
    let budget = Duration::from_secs_f64(seconds);
    // Latency: one timed call at a time.
    let mut samples = Vec::with_capacity(1 << 20);
    let started = Instant::now();
    'timed: loop {
        for i in 0..queries {
            let t = Instant::now();
            std::hint::black_box(check(i));
            samples.push(t.elapsed());
            if samples.len() % 1024 == 0 && started.elapsed() > budget {
                break 'timed;
            }
        }
    }
    let latency = percentiles(&mut samples);
    let throughput = |threads: usize| -> f64 {
        let counts: Vec<u64> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let check = &check;
                    scope.spawn(move || {
                        let started = Instant::now();
                        let mut done: u64 = 0;
                        let mut i = t * 7919;
                        while started.elapsed() < budget {
                            for _ in 0..1024 {
                                std::hint::black_box(check(i % queries.max(1)));
                                i += 1;
                            }
                            done += 1024;
                        }
                        done as f64 / started.elapsed().as_secs_f64()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or(0.0) as u64)
                .collect()
        });
        counts.iter().sum::<u64>() as f64
    };
    let cores = cores();
    json!({
        "latency": latency,
        "per_second_1_thread": throughput(1).round(),
        "threads": cores,
        "per_second_all_cores": throughput(cores).round(),
    })
}

/// Calls `decide(start)` on the batch of `batch` queries from `start`, batch after batch
/// on one thread, for about `seconds`: decisions per second.
pub fn measure_batches<F>(queries: usize, batch: usize, seconds: f64, decide: F) -> Value
where
    F: Fn(usize) -> usize,
{
    let budget = Duration::from_secs_f64(seconds);
    let batch = batch.max(1);
    let started = Instant::now();
    let mut decided: u64 = 0;
    let mut start = 0;
    while started.elapsed() < budget && queries > 0 {
        std::hint::black_box(decide(start));
        decided += batch.min(queries - start) as u64;
        start = if start + batch >= queries {
            0
        } else {
            start + batch
        };
    }
    json!({
        "batch": batch,
        "per_second_1_thread": (decided as f64 / started.elapsed().as_secs_f64()).round(),
    })
}

pub fn measure_lookups<F>(lookups: usize, seconds: f64, lookup: F) -> Value
where
    F: Fn(usize) -> usize,
{
    let mut samples = Vec::new();
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs_f64(seconds) || samples.is_empty() {
        for i in 0..lookups {
            let t = Instant::now();
            std::hint::black_box(lookup(i));
            samples.push(t.elapsed());
        }
        if lookups == 0 {
            break;
        }
    }
    json!({ "latency": percentiles(&mut samples) })
}
