"""The cost curve: build synthetic curated layers at ×1, ×10, ×100 the shipped statements, time each build phase and
the competency queries over each.

Usage (from the repository root): PYTHONPATH=. .venv/bin/python bench/scale.py [--factors 1,10,100] [--rounds 5]

For each factor, ``bench/synthetic.py`` writes the shipped curation plus ``factor - 1`` synthetic sources into a
temporary folder; ``dystonia-kg build`` runs over it (``Sources(curation_dir=...)``, HPO, its annotation layer and
the UBERON, MONDO and ChEBI modules included, as a real build) in a child process, whose progress lines give each
phase's seconds (the build times its own steps; nothing is timed here but the latencies). The child's peak RSS is
its own high-water mark (``ru_maxrss``); the process tree's (HermiT's Java process included) is sampled every
0.1 s. Then our server serves the build on a free port and one client POSTs every competency query (each text made
distinct by a comment, so that no cache helps) for ``--rounds`` rounds after one warm-up round.

Writes bench/results/scale.{md,json,png}: seconds per phase and factor, each phase's time at ×f over its time at ×1
divided by f (about 1: linear; well above 1 at ×100: super-linear; well below: a fixed cost), and a log-log plot of
phase time against statements. The machine's load average is recorded with each build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import psutil
import requests

from bench.synthetic import synthesize
from graph.query import named_queries
from server.live import serve_release, tree_memory_mb

ROOT = Path(__file__).resolve().parent.parent
# The build's step names (graph/build.py) -> a short phase name; two term-check steps add up to one phase.
PHASES = {
    "parse ontology and curation sources": "parse",
    "HPO release": "HPO → OWL",
    "annotation layer": "annotations",
    "UBERON, MONDO and ChEBI modules": "modules",
    "HPO term checks": "term checks",
    "UBERON, MONDO and ChEBI term checks": "term checks",
    "SHACL validation": "SHACL",
    "QC checks": "QC",
    "HermiT reasoning": "HermiT",
    "reasoning (owlready2 + HermiT; the rest of it": "HermiT wait",
    "canonical N-Quads": "N-Quads",
    "on-disk store, dumps and catalog": "store, dumps",
}
ORDER = ["parse", "HPO → OWL", "annotations", "modules", "term checks", "SHACL", "QC", "HermiT", "HermiT wait",
         "N-Quads", "store, dumps", "total"]
_STEP = re.compile(r"^  (.+): ([0-9.]+) s$")
_BUILT = re.compile(r"^built .* in ([0-9.]+) s$")
TIMEOUT = 120.0
TARGET_S = 120.0  # the whole build at ×100 (the target), drawn on the plot


def phase_times(lines: list[str]) -> dict[str, float]:
    """Seconds per phase from the build's progress lines (see PHASES), with the whole build as ``total``."""
    times: dict[str, float] = {}
    for line in lines:
        if match := _BUILT.match(line):
            times["total"] = float(match.group(1))
        elif match := _STEP.match(line):
            name = next((short for step, short in PHASES.items() if match.group(1).startswith(step)), match.group(1))
            times[name] = round(times.get(name, 0.0) + float(match.group(2)), 2)
    return times


def build_child(curation: Path, release: Path) -> None:
    """In the child process: build, echo the progress lines to stderr, print one JSON line of results."""
    from graph.build import Sources, build

    lines: list[str] = []

    def progress(message: str) -> None:
        lines.append(message)
        print(message, file=sys.stderr, flush=True)

    build(release, progress, Sources(curation_dir=curation))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"phases": phase_times(lines), "peak_rss_mb": round(peak, 1)}))


def run_build(curation: Path, release: Path) -> dict[str, object]:
    """Build in a child process; its phases, its own peak RSS and its process tree's (sampled)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--build-child", str(curation), str(release)]
    load = os.getloadavg()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    tree_peak = 0.0
    while child.poll() is None:
        tree_peak = max(tree_peak, tree_memory_mb(child.pid) or 0.0)
        time.sleep(0.1)
    out = child.stdout.read() if child.stdout else ""
    if child.returncode != 0:
        raise RuntimeError(f"the build failed (exit {child.returncode})")
    result = json.loads(out.strip().splitlines()[-1])
    return {**result, "tree_peak_rss_mb": round(tree_peak, 1), "load_before": [round(x, 2) for x in load],
            "load_after": [round(x, 2) for x in os.getloadavg()]}


def latencies(release: Path, rounds: int) -> dict[str, object]:
    """Median and p99 (ms) of the competency queries, one client, POSTed with distinct texts, over a live server."""
    queries = named_queries()
    server = serve_release(release)
    per_query: dict[str, list[float]] = {q.name: [] for q in queries}
    errors = 0
    try:
        endpoint = server.url + "/sparql"
        session = requests.Session()
        for turn in range(rounds + 1):  # the first round warms up and is not counted
            for query in queries:
                start = time.perf_counter()
                response = session.post(endpoint, data={"query": f"{query.text}\n#scale-{turn}"}, timeout=TIMEOUT,
                                         headers={"Accept": "application/sparql-results+json"})
                _ = response.content
                elapsed = (time.perf_counter() - start) * 1000
                if response.status_code != 200:
                    errors += 1
                elif turn:
                    per_query[query.name].append(elapsed)
    finally:
        server.stop()
    every = sorted(t for times in per_query.values() for t in times)
    p99 = every[min(len(every) - 1, int(len(every) * 0.99))] if every else float("nan")
    slowest = max(per_query, key=lambda n: statistics.median(per_query[n]) if per_query[n] else 0.0)
    return {"median_ms": round(statistics.median(every), 2) if every else float("nan"), "p99_ms": round(p99, 2),
            "errors": errors, "queries": len(queries), "rounds": rounds, "slowest": slowest,
            "per_query_median_ms": {n: round(statistics.median(t), 2) for n, t in per_query.items() if t}}


def measure(factor: int, rounds: int, keep: Path | None) -> dict[str, object]:
    """One factor: synthesize, build, serve and query; the folder is removed unless ``keep`` names a parent."""
    folder = Path(tempfile.mkdtemp(prefix=f"dkg-scale-x{factor}-", dir=keep))
    try:
        start = time.perf_counter()
        curation, _, statements = synthesize(folder, factor)
        generated = time.perf_counter() - start
        print(f"×{factor}: {statements} statements written in {generated:.1f} s; building …", file=sys.stderr,
              flush=True)
        release = folder / "release"
        built = run_build(curation, release)
        manifest = json.loads((release / "current" / "manifest.json").read_text())
        print(f"×{factor}: built in {built['phases']['total']} s; querying …", file=sys.stderr, flush=True)  # type: ignore[index]
        return {"factor": factor, "statements": statements, "quads": manifest["quads"],
                "synthesis_s": round(generated, 2), **built, "latency": latencies(release, rounds)}
    finally:
        if keep is None:
            subprocess.run(["rm", "-rf", str(folder)], check=False)


def ratios(results: list[dict]) -> dict[str, dict[str, float]]:  # type: ignore[type-arg]
    """Each phase's growth: its time at ×f over its time at a smaller factor, divided by the ratio of the factors
    (1: linear). Against ×1, as asked; and between each factor and the one before it, where a fixed cost (JVM start,
    the ontology) weighs less and a growth faster than linear shows sooner."""
    growth: dict[str, dict[str, float]] = {}
    pairs = [(results[0], r) for r in results[1:]] + list(pairwise(results[1:]))
    for low, high in pairs:
        scale = high["factor"] / low["factor"]
        growth[f"×{high['factor']} vs ×{low['factor']}"] = {
            p: round(high["phases"][p] / low["phases"][p] / scale, 2) for p in ORDER
            if p in high["phases"] and low["phases"].get(p)}
    return growth


def report(results: list[dict], out: Path, when: str, command: str) -> None:  # type: ignore[type-arg]
    """Write scale.md, scale.json and scale.png."""
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB"
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            check=False).stdout.strip()
    phases = [p for p in ORDER if any(p in r["phases"] for r in results)]
    lines = [f"Run {when} on {machine}, commit {commit}: `{command}`.", "",
             "Seconds per build phase (the build's own progress lines; HermiT runs beside the term, SHACL and QC "
             "checks, so *HermiT* is its own time and *HermiT wait* what the build still waited for it after them):",
             "", "| factor | statements | quads | " + " | ".join(phases) + " | peak RSS MB (build / tree) | "
             "load avg (1 min, before → after) |",
             "|---|---|---|" + "---|" * len(phases) + "---|---|"]
    for r in results:
        cells = " | ".join(f"{r['phases'].get(p, float('nan')):.2f}" for p in phases)
        lines.append(f"| ×{r['factor']} | {r['statements']:,} | {r['quads']:,} | {cells} | "
                     f"{r['peak_rss_mb']:.0f} / {r['tree_peak_rss_mb']:.0f} | "
                     f"{r['load_before'][0]:.2f} → {r['load_after'][0]:.2f} |")
    growth = ratios(results)
    lines += ["", "Growth: (time at ×b / time at ×a) / (b / a). About 1 is linear; well above 1 is faster than linear; "
              "well below 1 is a cost that does not grow with the curated layer (or not yet).", "",
              "| growth | " + " | ".join(phases) + " |", "|---|" + "---|" * len(phases)]
    for pair, row in growth.items():
        lines.append(f"| {pair} | " + " | ".join(str(row.get(p, "–")) for p in phases) + " |")
    lines += ["", "Competency queries through our server (one client, POST, JSON results; every query once a round, "
              "after a warm-up round):", "",
              "| factor | queries × rounds | median ms | p99 ms | slowest query (its median ms) | errors |",
              "|---|---|---|---|---|---|"]
    for r in results:
        lat = r["latency"]
        slowest = lat["slowest"]
        lines.append(f"| ×{r['factor']} | {lat['queries']} × {lat['rounds']} | {lat['median_ms']} | {lat['p99_ms']} | "
                     f"{slowest} ({lat['per_query_median_ms'].get(slowest, 'nan')}) | {lat['errors']} |")
    text = "\n".join(lines) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale.md").write_text(text)
    (out / "scale.json").write_text(json.dumps({"when": when, "machine": machine, "commit": commit,
                                                "command": command, "results": results,
                                                "growth": growth}, indent=1) + "\n")
    plot(results, out / "scale.png", when)
    print(text)


def plot(results: list[dict], path: Path, when: str) -> None:  # type: ignore[type-arg]
    """Log-log: seconds of each phase against statements, with a line of slope 1 (linear growth) for reference."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5.5))
    xs = [r["statements"] for r in results]
    for phase in ORDER:
        ys = [r["phases"].get(phase) for r in results]
        if any(y is None for y in ys) or phase == "HermiT wait":
            continue
        ax.plot(xs, [max(y, 0.01) for y in ys], marker="o", linewidth=2.5 if phase == "total" else 1.2,
                label=phase, color="black" if phase == "total" else None)
    total = results[0]["phases"]["total"]
    ax.plot(xs, [total * x / xs[0] for x in xs], linestyle=":", color="grey", label="linear (slope 1)")
    ax.axhline(TARGET_S, linestyle="--", color="red", linewidth=0.8, label=f"target at ×100: {TARGET_S:g} s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("curated statements")
    ax.set_ylabel("seconds")
    ax.set_title(f"Build phases against statements (×1, ×10, ×100) — {when}")
    ax.legend(fontsize=8, ncol=2)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--factors", default="1,10,100")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the competency queries per factor")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--keep", type=Path, help="keep each factor's folder (curation, texts, release) under this one")
    parser.add_argument("--replot", action="store_true", help="redraw scale.png from scale.json")
    parser.add_argument("--build-child", nargs=2, type=Path, metavar=("CURATION", "RELEASE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build_child:
        build_child(*args.build_child)
        return
    if args.replot:
        last = json.loads((args.out / "scale.json").read_text())
        plot(last["results"], args.out / "scale.png", last["when"])
        return
    factors = [int(f) for f in args.factors.split(",")]
    if 1 not in factors:
        parser.error("--factors must include 1: growth is measured against it")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    results = [measure(factor, args.rounds, args.keep) for factor in sorted(factors)]
    command = "python bench/scale.py " + " ".join(sys.argv[1:])
    report(results, args.out, when, command.strip())


if __name__ == "__main__":
    main()
