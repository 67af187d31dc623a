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
    // p95 too: the published figures of other systems over HTTP are p95s.
    json!({
        "p50_us": round(at(0.5)),
        "p95_us": round(at(0.95)),
        "p99_us": round(at(0.99)),
        "p999_us": round(at(0.999)),
    })
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

/// How many turns each system gets when systems are measured side by side
/// (`measure_checks_side_by_side`, and the HTTP phases of `bench::http`).
pub const ROUNDS: usize = 5;

/// A system whose checks are timed: `check(i)` answers query `i`. The timed loops are the
/// trait's provided methods, so that behind `&dyn Checker` each system's loop is compiled
/// for that system, its check as inlined as in a loop written for it alone.
pub trait Checker: Sync {
    fn check(&self, query: usize) -> bool;

    /// Times one call at a time from query `from` for about `budget`, into `samples`; the
    /// next query to time.
    fn time_each(
        &self,
        queries: usize,
        from: usize,
        budget: Duration,
        samples: &mut Vec<Duration>,
    ) -> usize {
        let queries = queries.max(1);
        let started = Instant::now();
        let mut i = from;
        loop {
            let t = Instant::now();
            std::hint::black_box(self.check(i % queries));
            samples.push(t.elapsed());
            i += 1;
            if i.is_multiple_of(1024) && started.elapsed() > budget {
                return i;
            }
        }
    }

    /// Checks per second on `threads` threads, each calling one check after another for
    /// about `budget`.
    fn rate(&self, queries: usize, threads: usize, budget: Duration) -> f64 {
        let queries = queries.max(1);
        let rates: Vec<f64> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    scope.spawn(move || {
                        let started = Instant::now();
                        let mut done: u64 = 0;
                        let mut i = t * 7919;
                        while started.elapsed() < budget {
                            for _ in 0..1024 {
                                std::hint::black_box(self.check(i % queries));
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
                .map(|h| h.join().unwrap_or(0.0))
                .collect()
        });
        rates.iter().sum::<f64>().round()
    }
}

impl<F: Fn(usize) -> bool + Sync> Checker for F {
    fn check(&self, query: usize) -> bool {
        self(query)
    }
}

/// The systems of one side-by-side measurement: each one's report, and its throughputs
/// round by round, for ratios that compare rounds run next to each other.
pub struct SideBySide {
    pub reports: Vec<Value>,
    one_thread: Vec<Vec<f64>>,
    all_cores: Vec<Vec<f64>>,
}

impl SideBySide {
    /// The median over the rounds of system `a`'s throughput on one thread divided by
    /// system `b`'s in the same round.
    pub fn ratio_1_thread(&self, a: usize, b: usize) -> Option<f64> {
        ratio_of_rounds(self.one_thread.get(a)?, self.one_thread.get(b)?)
    }

    /// The same on every core.
    pub fn ratio_all_cores(&self, a: usize, b: usize) -> Option<f64> {
        ratio_of_rounds(self.all_cores.get(a)?, self.all_cores.get(b)?)
    }
}

/// The median of `a[r] / b[r]` over the rounds `r` both have.
pub fn ratio_of_rounds(a: &[f64], b: &[f64]) -> Option<f64> {
    let ratios: Vec<f64> = a
        .iter()
        .zip(b)
        .filter(|(_, b)| **b > 0.0)
        .map(|(a, b)| a / b)
        .collect();
    median(ratios).map(|r| (r * 100.0).round() / 100.0)
}

/// The middle value (the mean of the two middle ones for an even count).
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    let upper = *values.get(middle)?;
    if values.len().is_multiple_of(2) {
        Some(
            (values
                .get(middle.saturating_sub(1))
                .copied()
                .unwrap_or(upper)
                + upper)
                / 2.0,
        )
    } else {
        Some(upper)
    }
}

/// Calls `check(i)` for i over the queries for about `seconds` of each kind of
/// measurement: the latency of each call, the throughput on 1 thread and on every core.
pub fn measure_checks<F>(queries: usize, seconds: f64, check: F) -> Value
where
    F: Fn(usize) -> bool + Sync,
{
    let measured = measure_checks_side_by_side(queries, seconds, &[&check]);
    measured.reports.into_iter().next().unwrap_or(Value::Null)
}

/// Measures `systems` side by side for about `seconds` each of latency, of throughput on
/// one thread and of throughput on every core: in `ROUNDS` rounds, each kind of measurement
/// in turn, every system's slice of it next to the others' (the order turning from round
/// to round). A shared machine's speed changes within seconds; measured this way, a change
/// falls on every system alike instead of on whichever came last. Each report has the
/// latency percentiles over all rounds and the median round's throughputs.
pub fn measure_checks_side_by_side(
    queries: usize,
    seconds: f64,
    systems: &[&dyn Checker],
) -> SideBySide {
    let count = systems.len();
    let mut samples: Vec<Vec<Duration>> = vec![Vec::with_capacity(1 << 18); count];
    let mut next = vec![0_usize; count];
    let mut one_thread: Vec<Vec<f64>> = vec![Vec::new(); count];
    let mut all_cores: Vec<Vec<f64>> = vec![Vec::new(); count];
    let cores = cores();
    let slice = Duration::from_secs_f64(seconds.max(0.0) / ROUNDS as f64);
    if queries > 0 {
        for round in 0..ROUNDS {
            let order: Vec<usize> = (0..count).map(|k| (round + k) % count).collect();
            for &s in &order {
                if let (Some(system), Some(samples), Some(next)) =
                    (systems.get(s), samples.get_mut(s), next.get_mut(s))
                {
                    *next = system.time_each(queries, *next, slice, samples);
                }
            }
            for &s in &order {
                if let (Some(system), Some(rates)) = (systems.get(s), one_thread.get_mut(s)) {
                    rates.push(system.rate(queries, 1, slice));
                }
            }
            for &s in &order {
                if let (Some(system), Some(rates)) = (systems.get(s), all_cores.get_mut(s)) {
                    rates.push(system.rate(queries, cores, slice));
                }
            }
        }
    }
    let reports = samples
        .iter_mut()
        .zip(one_thread.iter().zip(&all_cores))
        .map(|(samples, (one, all))| {
            json!({
                "latency": percentiles(samples),
                "per_second_1_thread": median(one.clone()),
                "threads": cores,
                "per_second_all_cores": median(all.clone()),
                "rounds": { "per_second_1_thread": one, "per_second_all_cores": all },
            })
        })
        .collect();
    SideBySide {
        reports,
        one_thread,
        all_cores,
    }
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
