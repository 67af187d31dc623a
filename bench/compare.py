#!/usr/bin/env python3
"""Habilis next to Cedar, Casbin and the bare hash-map chains, on the workload of BENCH.md.

For each preset: `habilis bench --preset P --export DIR --json --no-store` generates the
workload, writes its files and measures Habilis on it; then `peers --workload DIR --json`
measures the peers on those files. Prints a markdown report: the commands, the machine, every
system's figures and Habilis's ratio to each.

    python3 bench/compare.py --preset small
    python3 bench/compare.py --preset all --seconds 2 --out /tmp/peers.md

Python 3 standard library only.
"""

import argparse
import datetime
import json
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS_MANIFEST = ROOT / "bench" / "peers" / "Cargo.toml"
PRESETS = ["tiny", "small", "medium", "full"]
# The order of the rows; the keys are those of both reports.
PEER_SYSTEMS = [
    ("bare_chain_numeric_ids", "bare `HashMap` chain, numeric ids"),
    ("bare_chain_string_ids", "bare `HashMap` chain, string ids"),
    ("casbin", "Casbin"),
    ("cedar", "Cedar"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="small", choices=PRESETS + ["all"])
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="seconds of each timed phase, for Habilis and the peers alike")
    parser.add_argument("--habilis", default=str(ROOT / "target" / "release" / "habilis"),
                        help="the habilis binary (build it with `cargo build --release -p habilis`)")
    parser.add_argument("--peers", help="the peers binary; default: build bench/peers with cargo")
    parser.add_argument("--workdir", help="where the workload files go; default: a temporary directory")
    parser.add_argument("--out", help="also write the markdown report to this file")
    args = parser.parse_args()

    habilis = Path(args.habilis)
    if not habilis.is_file():
        sys.exit(f"no habilis binary at {habilis}: build it with `cargo build --release -p habilis`")
    commands = []
    if args.peers:
        peers = Path(args.peers)
    else:
        peers, build = build_peers()
        commands.append(build)
    presets = PRESETS if args.preset == "all" else [args.preset]

    with tempfile.TemporaryDirectory(prefix="habilis-peers-") as temporary:
        workdir = Path(args.workdir or temporary)
        sections = []
        peers_report = None
        for preset in presets:
            directory = workdir / f"workload-{preset}"
            habilis_command = [str(habilis), "bench", "--preset", preset, "--export",
                               str(directory), "--json", "--no-store",
                               "--seconds", fmt_seconds(args.seconds)]
            peers_command = [str(peers), "--workload", str(directory), "--json",
                             "--seconds", fmt_seconds(args.seconds)]
            commands += [habilis_command, peers_command]
            habilis_report = run_json(habilis_command)
            peers_report = run_json(peers_command)
            sections.append(preset_section(preset, habilis_report, peers_report))

    report = "\n".join([header(commands, peers_report)] + sections)
    print(report)
    if args.out:
        Path(args.out).write_text(report + "\n", encoding="utf-8")
        print(f"written to {args.out}", file=sys.stderr)


def build_peers():
    command = ["cargo", "build", "--release", "--manifest-path", str(PEERS_MANIFEST)]
    print("$ " + shlex.join(command), file=sys.stderr)
    subprocess.run(command, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", PEERS_MANIFEST.parent / "target"))
    return target / "release" / "peers", command


def run_json(command):
    print("$ " + shlex.join(command), file=sys.stderr)
    result = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(result.stdout)


def fmt_seconds(seconds):
    return f"{seconds:g}"


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except (OSError, ValueError, IndexError):
        pass
    return os.cpu_count(), cpu, memory


def header(commands, peers_report):
    cores, cpu, memory = machine()
    versions = (peers_report or {}).get("versions", {})
    lines = [
        "# Habilis next to its peers",
        "",
        f"Run of {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, "
        f"`{shlex.join(['python3', 'bench/compare.py'] + sys.argv[1:])}`.",
        "",
        f"Machine: {cores} cores (nproc), {cpu}, {memory}. "
        f"Peers: casbin {versions.get('casbin', '?')}, cedar-policy {versions.get('cedar-policy', '?')}, "
        f"built with {versions.get('rustc', '?')}.",
        "",
        "Commands, from the repository root:",
        "",
        "```sh",
        *[shlex.join(relative(c)) for c in commands],
        "```",
        "",
        "Habilis is measured inside `habilis bench`, each peer in a process of its own by "
        "`bench/peers`, with the same timing code, on the same files. Memory is the resident "
        "memory a load adds (VmRSS after − before; for Habilis this includes its list of "
        "changes). The machine is shared and noisy: read the ratios, not the absolute figures.",
    ]
    return "\n".join(lines)


def relative(command):
    out = []
    for part in command:
        try:
            out.append(str(Path(part).relative_to(ROOT)) if part.startswith("/") else part)
        except ValueError:
            out.append(part)
    return out


def preset_section(preset, habilis, peers):
    w = habilis.get("workload", {})
    threads = get(habilis, "check", "habilis", "threads") or peers.get("threads")
    lookup_results = get(habilis, "lookup", "mean_results")

    rows = [system_row("**Habilis** (engine)", habilis_as_system(habilis))]
    systems = peers.get("systems", {})
    for key, label in PEER_SYSTEMS:
        if key in systems:
            rows.append(system_row(label, systems[key]))

    lines = [
        "",
        f"## Preset `{preset}`: {num(w.get('organizations'))} organisations, {num(w.get('users'))} users, "
        f"{num(w.get('grants'))} grants, {num(w.get('dossiers'))} dossiers, "
        f"{num(w.get('queries'))} queries ({pct(w.get('allowed_share'))} allowed)",
        "",
        f"Checks on one thread and on {threads} threads; lookup: \"which dossiers may this user read "
        f"at level 2\", mean {lookup_results} results.",
        "",
        "| system | check p50 | p99 | p99.9 | checks/s, 1 thread "
        f"| {threads} threads | lookup p50 | lookup p99 | load | memory | mismatches, checks / lookups |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "Habilis's ratio to each (throughput: Habilis ÷ system, above 1 = Habilis does more; "
        "p99: Habilis ÷ system, below 1 = Habilis answers sooner):",
        "",
        f"| system | checks/s, 1 thread | {threads} threads | check p99 | lookup p99 |",
        "|---|---|---|---|---|",
    ]
    h = habilis_as_system(habilis)
    for key, label in PEER_SYSTEMS:
        s = systems.get(key)
        if s is None:
            continue
        lines.append(
            f"| {label} "
            f"| {ratio(get(h, 'check', 'per_second_1_thread'), get(s, 'check', 'per_second_1_thread'))} "
            f"| {ratio(get(h, 'check', 'per_second_all_cores'), get(s, 'check', 'per_second_all_cores'))} "
            f"| {ratio(get(h, 'check', 'latency', 'p99_us'), get(s, 'check', 'latency', 'p99_us'))} "
            f"| {ratio(get(h, 'lookup', 'latency', 'p99_us'), get(s, 'lookup', 'latency', 'p99_us'))} |"
        )

    # The chains run in both programs: how far apart they land shows the noise between
    # the two processes.
    lines += [
        "",
        "Cross-check, the same chains measured by both programs (checks/s, 1 thread / "
        f"{threads} threads):",
        "",
        "| chain | in `habilis bench` | in `bench/peers` |",
        "|---|---|---|",
    ]
    for key, label in PEER_SYSTEMS[:2]:
        inside = get(habilis, "check", key) or {}
        outside = systems.get(key, {}).get("check", {})
        lines.append(
            f"| {label} | {rate(inside.get('per_second_1_thread'))} / {rate(inside.get('per_second_all_cores'))} "
            f"| {rate(outside.get('per_second_1_thread'))} / {rate(outside.get('per_second_all_cores'))} |"
        )
    return "\n".join(lines)


def habilis_as_system(report):
    """Habilis's figures in the shape of a peer's."""
    engine = report.get("engine", {})
    before, after = engine.get("resident_before_mib"), engine.get("resident_mib")
    return {
        "load_s": engine.get("load_s"),
        "resident_delta_mib": after - before if before is not None and after is not None else None,
        "check": get(report, "check", "habilis") or {},
        "lookup": get(report, "lookup", "habilis"),
        "mismatches": report.get("mismatches", {}),
    }


def system_row(label, s):
    latency = get(s, "check", "latency") or {}
    lookup = get(s, "lookup", "latency") or {}
    mismatches = s.get("mismatches", {})
    lookup_mismatches = mismatches.get("lookups")
    return (
        f"| {label} | {us(latency.get('p50_us'))} | {us(latency.get('p99_us'))} "
        f"| {us(latency.get('p999_us'))} | {rate(get(s, 'check', 'per_second_1_thread'))} "
        f"| {rate(get(s, 'check', 'per_second_all_cores'))} "
        f"| {us(lookup.get('p50_us'))} | {us(lookup.get('p99_us'))} "
        f"| {secs(s.get('load_s'))} | {mib(s.get('resident_delta_mib'))} "
        f"| {mismatches.get('checks', '?')} / {'none' if lookup_mismatches is None else lookup_mismatches} |"
    )


def get(value, *keys):
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value





def num(n):
    return f"{n:,}" if isinstance(n, int) else "?"


def pct(share):
    return f"{share * 100:.0f}%" if isinstance(share, (int, float)) else "?"


def us(micros):
    """Microseconds, or milliseconds past 1,000 µs; "none" for a system without the answer."""
    if micros is None:
        return "none"
    if micros >= 1000:
        return f"{micros / 1000:.3g} ms"
    return f"{micros:.3g} µs"


def rate(per_second):
    if per_second is None:
        return "–"
    if per_second >= 1e6:
        return f"{per_second / 1e6:.3g} M"
    if per_second >= 1e3:
        return f"{per_second / 1e3:.3g} k"
    return f"{per_second:.3g}"


def secs(seconds):
    """Reports round seconds to the millisecond."""
    if seconds is None:
        return "?"
    if seconds < 0.001:
        return "< 1 ms"
    if seconds < 1:
        return f"{seconds * 1000:.3g} ms"
    return f"{seconds:.3g} s"


def mib(value):
    if value is None:
        return "?"
    if value >= 1024:
        return f"{value / 1024:.2f} GiB"
    if value >= 10:
        return f"{value:.0f} MiB"
    return f"{value:.1f} MiB"


def ratio(habilis, system):
    if not habilis or not system:
        return "–"
    value = habilis / system
    return f"{value:.0f}×" if value >= 10 else f"{value:.2g}×"


if __name__ == "__main__":
    main()
