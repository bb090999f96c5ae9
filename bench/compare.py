"""Side by side, in one run: our server, a real Oxigraph server, and rdflib-endpoint, on the same release.

Usage (from the repository root, after `dystonia-kg build`, and `make bench-tools` for wrk and the bench extra):
    .venv/bin/python bench/compare.py [--release release] [--duration 5] [--clients 1,8,32] [--driver wrk|python]

Each system serves the same data (curated graph + HPO + annotation layer): ours and Oxigraph read
the release's on-disk store (default graph = union of the named graphs), rdflib-endpoint loads the
release's union N-Triples dump. The same workload goes to each: a light query (its cost is each server's own
overhead), competency queries, HPO hierarchy queries and a join-heavy mix, each POSTed with its text made
distinct per request (no cache can help); the competency queries again as repeated GETs (the "repeated"
class: a cache may help); and (ours only, the others have none) IRI lookups. Reported per system
and query class: median and p99 latency (1 client), throughput at each client count, start-up time
and peak memory of the server's whole process tree, RSS and PSS (``server.live.tree_memory_mb``: RSS counts
a shared library once per process that maps it, PSS once in all); ratios ours/Oxigraph and ours/rdflib-endpoint are
computed pair by pair within the run. Writes bench/results/latest.{md,json,png}. Warm-up requests
are not counted.

The load driver (``--driver``) is wrk by default (``drive_wrk``, a C load generator scripted by
bench/wrk_cycle.lua): on a 2-core machine a driver of Python threads is GIL-bound and its own
scheduling decides the numbers, so it measures itself rather than the servers. ``--driver python``
keeps the old driver (``drive``: one ``requests`` session per client thread). Both send the same
requests with the same headers, ``clients`` keep-alive connections, each cycling through the class's
requests, and count as an error every response whose status is not 200 and every socket error or
timeout. They differ in what is timed: the Python driver times successful requests only, while wrk's
latency histogram holds every completed response, non-200 ones included (wrk records it before the
script sees the status, so failures cannot be left out; a clean run has none), and socket errors are
not timed. wrk stops at the end of the duration and drops requests still in flight (the Python driver
waits for them), and its percentiles come from an HdrHistogram, not from the sorted list.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psutil
import requests

from graph.query import named_query
from graph.release import Release
from server.live import LiveProcess, tree_memory_mb

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "queries"
# Every query text is made distinct per request (a comment line holding the client and a counter) unless its class
# is "repeated": no cache, ours or a peer's, can then answer a request from an earlier one. "light" is a
# query whose evaluation costs next to nothing, so that what it measures is each server's own overhead per request.
LIGHT = "SELECT ?s ?p WHERE { ?s ?p <http://purl.obolibrary.org/obo/UBERON_0001897> }"  # 6 rows: the thalamus
REPEATED = "repeated"  # the competency queries again, as GETs with fixed texts: a cache may answer them
CLASSES = {
    "light": [],
    "competency": ["lesion-sites-by-dystonia-type", "contralateral-lesion-sites", "genes-by-onset-age",
                   "drugs-causing-dystonia"],
    "hierarchy": ["focal-dystonia-lesion-sites", "statements-under-dystonia-type"],
    "join-heavy": ["genes-for-craniofacial-dystonia", "diseases-with-dystonia-and-parkinsonism",
                   "tor1a-dystonia-types"],
    REPEATED: [],
}
Request = tuple[str, dict[str, str] | None]  # a URL, and the form of a POST (None: a GET)
LOOKUPS = ["/data/S0010.ttl", "/data/HandDystonia.jsonld", "/data/Source000.nt", "/page/S0010"]
TIMEOUT = 60.0
WRK_SCRIPT = Path(__file__).resolve().with_name("wrk_cycle.lua")


@dataclass
class System:
    name: str
    command: list[str]
    endpoint_path: str
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    server: LiveProcess | None = None
    peak_rss: float = 0.0
    peak_pss: float = 0.0

    @property
    def base(self) -> str:
        assert self.server is not None
        return self.server.url

    @property
    def startup(self) -> float:
        return self.server.startup if self.server is not None else float("nan")

    def start(self) -> None:
        self.server = LiveProcess(self.command, self.endpoint_path, self.env, cwd=self.cwd, timeout=600)

    def sample_memory(self) -> None:
        """Keep the peaks of the server process tree's resident and proportional memory (a sample taken while
        the tree changed is skipped)."""
        assert self.server is not None
        self.peak_rss = max(self.peak_rss, tree_memory_mb(self.server.process.pid) or 0.0)
        self.peak_pss = max(self.peak_pss, tree_memory_mb(self.server.process.pid, proportional=True) or 0.0)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


@dataclass
class Cell:
    """One measured cell: successful (200) responses, errors, seconds of load, latency percentiles in ms."""

    ok: int
    errors: int
    elapsed: float
    median_ms: float
    p99_ms: float

    @property
    def throughput(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    @classmethod
    def from_latencies(cls, latencies: list[float], errors: int, elapsed: float) -> Cell:
        """The Python driver's cell: percentiles of the successful requests' latencies (ms)."""
        ordered = sorted(latencies)

        def percentile(q: float) -> float:
            return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")

        return cls(len(ordered), errors, elapsed, percentile(0.5), percentile(0.99))


def drive(system: System, requests_list: list[Request], clients: int, duration: float) -> Cell:
    """``clients`` threads, each cycling through the requests for ``duration`` seconds (each POST's query text
    made distinct: see ``distinct``)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def worker(offset: int) -> None:
        session = requests.Session()
        i = offset
        while time.perf_counter() < stop_at:
            url, form = requests_list[i % len(requests_list)]
            i += 1
            start = time.perf_counter()
            try:
                if form is None:
                    response = session.get(url, timeout=TIMEOUT)
                else:
                    response = session.post(url, data=distinct(form, offset, i), timeout=TIMEOUT,
                                            headers={"Accept": "application/sparql-results+json"})
                ok = response.status_code == 200
                _ = response.content
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - start
            with lock:
                if ok:
                    latencies.append(elapsed * 1000)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        system.sample_memory()
        time.sleep(0.25)
    return Cell.from_latencies(latencies, errors[0], time.perf_counter() - started)


def drive_wrk(system: System, requests_list: list[Request], clients: int, duration: float) -> Cell:
    """What ``drive`` does, by wrk: ``clients`` keep-alive connections cycling through the requests.

    bench/wrk_cycle.lua reads the requests from a file, cycles through them per wrk thread (thread n
    starting at request n), counts the non-200 responses and prints one ``WRK_RESULT`` JSON line from
    done(), parsed here (not wrk's human text). Throughput is the 200 responses over wrk's measured
    duration; errors are the non-200 responses plus wrk's socket connect/read/write errors and timeouts
    (a response slower than TIMEOUT, which wrk counts as a timeout rather than timing it). The median
    and p99 are wrk's, over every completed response (see the module docstring). Two wrk threads, or
    one when ``clients`` is 1 or odd: wrk gives each thread ``connections // threads`` connections, so
    this keeps exactly ``clients`` of them. The server's memory is sampled every 0.25 s while wrk runs.
    """
    wrk = shutil.which("wrk")
    assert wrk is not None, "main() checks that wrk is installed"
    parts = urlsplit(requests_list[0][0])
    lines = []
    for url, form in requests_list:
        target = urlsplit(url)
        assert (target.scheme, target.netloc) == (parts.scheme, parts.netloc), "one server per cell"
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        lines.append(f"GET\t{path}" if form is None else f"POST\t{path}\t{urlencode(form)}")
    threads = 2 if clients % 2 == 0 else 1
    with tempfile.TemporaryDirectory(prefix="dkg-wrk-") as scratch:
        listing, out = Path(scratch) / "requests.tsv", Path(scratch) / "wrk.out"
        listing.write_text("\n".join(lines) + "\n")
        command = [wrk, "-t", str(threads), "-c", str(clients), "-d", f"{int(duration)}s",
                   "--timeout", f"{int(TIMEOUT)}s", "-s", str(WRK_SCRIPT), f"{parts.scheme}://{parts.netloc}",
                   "--", str(listing)]
        with out.open("w") as output:
            process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
            while process.poll() is None:
                system.sample_memory()
                time.sleep(0.25)
        text = out.read_text(errors="replace")
    found = [line for line in text.splitlines() if line.startswith("WRK_RESULT ")]
    if process.returncode != 0 or not found:
        raise RuntimeError(f"wrk failed (exit {process.returncode}): {' '.join(command)}\n{text}")
    result = json.loads(found[-1].removeprefix("WRK_RESULT "))
    ok = int(result["requests"]) - int(result["non200"])
    errors = int(result["non200"]) + sum(int(result[k]) for k in ("connect", "read", "write", "timeout"))
    if result["statuses"]:
        print(f"    non-200 statuses: {result['statuses']}", file=sys.stderr, flush=True)
    # as in drive(): no percentile without a success (wrk's empty histogram would say 0)
    median, p99 = (result["p50_us"] / 1000, result["p99_us"] / 1000) if ok else (float("nan"), float("nan"))
    return Cell(ok, errors, result["duration_us"] / 1e6, median, p99)


def wrk_version() -> str:
    """e.g. "wrk 4.1.0" (Debian's `wrk -v` says "wrk debian/4.1.0-3+b2 [epoll] …")."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return "wrk"
    first = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False).stdout.split("\n")[0].split()
    version = first[1].removeprefix("debian/").split("-")[0] if len(first) > 1 else ""
    return f"wrk {version}".strip()


def workload(system: System, kind: str) -> list[Request]:
    endpoint = system.base + system.endpoint_path
    if kind == "lookup":
        return [(system.base + path, None) for path in LOOKUPS]
    if kind == "light":
        return [(endpoint, {"query": LIGHT})]
    if kind == REPEATED:
        return [(f"{endpoint}?{urlencode({'query': query})}", None) for _, query in _competency()]
    # Bound to the base IRI (a BASE declaration), as every peer must read the query files' relative IRIs.
    return [(endpoint, {"query": named_query(QUERIES / f"{name}.rq").text}) for name in CLASSES[kind]]


def _competency() -> list[tuple[str, str]]:
    return [(name, named_query(QUERIES / f"{name}.rq").text) for name in CLASSES["competency"]]


def distinct(form: dict[str, str], client: int, n: int) -> dict[str, str]:
    """``form`` with its query made distinct by a trailing comment (the Lua script appends the same)."""
    return {**form, "query": f"{form['query']}\n#{client}-{n}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--release", type=Path, default=ROOT / "release")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--workers", type=int, default=2, help="our query worker processes")
    parser.add_argument("--threads", type=int, help="our server's request threads (default: the server's own)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--replot", action="store_true", help="redraw the plot of the last run's latest.json")
    parser.add_argument("--baseline", metavar="REV", help="also run our server as of git revision REV (checked out "
                        "in a temporary worktree, run with this environment's packages), to compare changes")
    parser.add_argument("--classes", default="", help="comma-separated query classes to run (default: all, and "
                        "lookups for our server)")
    parser.add_argument("--systems", default="", help="comma-separated names to run (default: all)")
    parser.add_argument("--rounds", type=int, default=1, help="measure every system this many times, taking turns; "
                        "each figure is the median over the rounds (use 3 or more while other work shares the machine)")
    parser.add_argument("--driver", choices=["wrk", "python"], default="wrk",
                        help="load generator: wrk (default; C, see `make bench-tools`) or the old Python threads "
                        "(GIL-bound: on 2 cores it measures itself as much as the servers)")
    args = parser.parse_args()
    if args.replot:
        last = json.loads((args.out / "latest.json").read_text())
        plot(last["results"], args.out / "latest.png", last["when"])
        return
    if args.driver == "wrk":
        if shutil.which("wrk") is None:
            sys.exit("compare.py: the default load driver is wrk, which is not installed: run `make bench-tools` "
                     "(apt-get install wrk), or pass --driver python for the old, GIL-bound Python driver")
        if args.duration < 1 or args.duration != int(args.duration):
            parser.error("--duration must be whole seconds (at least 1) with --driver wrk")
    clients = [int(c) for c in args.clients.split(",")]
    if 8 not in clients:
        parser.error("--clients must include 8: the ratios and the plot compare throughput at 8 clients")
    current = Release.current(args.release)
    threads = ["--threads", str(args.threads)] if args.threads else []
    oxigraph = Path(sys.executable).parent / "oxigraph"
    systems = [
        System("dystonia-kg", [sys.executable, "-m", "graph.cli", "--release", str(args.release), "serve", "--port",
                               "{port}", *threads], "/sparql", {"DKG_WORKERS": str(args.workers)}),
        System("oxigraph", [str(oxigraph), "serve-read-only", "--location", str(current.store_path), "--bind",
                            "127.0.0.1:{port}", "--union-default-graph"], "/query"),
        System("rdflib-endpoint", [str(Path(sys.executable).parent / "rdflib-endpoint"), "serve",
                                   str(current.dump("nt")), "--host", "127.0.0.1", "--port", "{port}"],
               "/"),  # rdflib-endpoint 0.6 answers SPARQL at its root
    ]
    if args.baseline:
        tree = Path(tempfile.mkdtemp(prefix="dkg-baseline-"))
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.baseline], check=True)
        systems.insert(1, System(f"dystonia-kg@{args.baseline}", systems[0].command, "/sparql",
                                 {"DKG_WORKERS": str(args.workers), "PYTHONPATH": str(tree)}, cwd=tree))
    if args.systems:
        wanted = set(args.systems.split(","))
        systems = [s for s in systems if s.name in wanted or s.name.startswith("dystonia-kg@")]
    try:
        run(systems, clients, args)
    finally:
        if args.baseline:  # the baseline's checkout is scratch: never leave it behind
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


def run(systems: list[System], clients: list[int], args: argparse.Namespace) -> None:
    """Drive every system through every query class at each client count, ``--rounds`` times, then write the
    report: each figure is the median over the rounds. The systems take turns, in reversed order every other
    round, so that a change in the machine's other load falls on each system alike."""
    rounds: dict[str, list[dict[str, dict[str, float]]]] = {}
    startups: dict[str, list[float]] = {}
    for turn in range(args.rounds):
        for system in systems if turn % 2 == 0 else systems[::-1]:
            print(f"round {turn + 1}/{args.rounds}: starting {system.name} …", file=sys.stderr, flush=True)
            rounds.setdefault(system.name, []).append(measure(system, clients, args))
            startups.setdefault(system.name, []).append(system.startup)
    results = {name: {kind: {key: round(statistics.median(r[kind][key] for r in runs), 2) for key in runs[0][kind]}
                      for kind in runs[0]} for name, runs in rounds.items()}
    meta = {s.name: {"startup_s": round(statistics.median(startups[s.name]), 2), "peak_rss_mb": round(s.peak_rss, 1),
                     "peak_pss_mb": round(s.peak_pss, 1)}
            for s in systems}
    report(results, meta, clients, args)


def measure(system: System, clients: list[int], args: argparse.Namespace) -> dict[str, dict[str, float]]:
    """One round of one system: every query class at each client count (peak memory kept on the system)."""
    results: dict[str, dict[str, float]] = {}
    system.start()
    try:
        kinds = [*CLASSES, "lookup"] if system.name.startswith("dystonia-kg") else list(CLASSES)
        kinds = [kind for kind in kinds if not args.classes or kind in args.classes.split(",")]
        for kind in kinds:
            load = workload(system, kind)
            for url, form in load:  # warm-up: one pass of each request, not counted
                # a peer slower than the timeout shows it in the measured cells
                with contextlib.suppress(requests.RequestException):
                    (requests.get(url, timeout=TIMEOUT) if form is None else
                     requests.post(url, data=form, timeout=TIMEOUT, headers={"Accept": "application/json"}))
            row: dict[str, float] = {}
            for count in clients:
                cell = (drive_wrk if args.driver == "wrk" else drive)(system, load, count, args.duration)
                row[f"rps@{count}"] = round(cell.throughput, 2)
                row[f"errors@{count}"] = cell.errors
                if count == 1:
                    row["median_ms"] = round(cell.median_ms, 2)
                    row["p99_ms"] = round(cell.p99_ms, 2)
                print(f"  {system.name} {kind} x{count}: {cell.throughput:.1f} req/s, "
                      f"median {cell.median_ms:.1f} ms, errors {cell.errors}", file=sys.stderr, flush=True)
            results[kind] = row
    finally:
        system.stop()
    return results


def report(results: dict[str, dict[str, dict[str, float]]], meta: dict[str, dict[str, float]], clients: list[int],
           args: argparse.Namespace) -> None:
    args.out.mkdir(parents=True, exist_ok=True)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, {psutil.virtual_memory().total / 2**30:.0f} GiB"
    driver = wrk_version() if args.driver == "wrk" else "python (requests, one thread per client)"
    lines = [f"Run {when} on {machine}; {args.duration:g} s per cell, median of {args.rounds} round(s); load driver "
             f"{driver}; our server with "
             f"{args.workers} query worker processes.", "",
             "| system | class | median ms (1 client) | p99 ms (1 client) | "
             + " | ".join(f"req/s @{c}" for c in clients) + " | errors |",
             "|---|---|---|---|" + "---|" * len(clients) + "---|"]
    for system, rows in results.items():
        for kind, row in rows.items():
            errors = sum(int(row[f"errors@{c}"]) for c in clients)
            lines.append(f"| {system} | {kind} | {row.get('median_ms', '–')} | {row.get('p99_ms', '–')} | "
                         + " | ".join(str(row[f"rps@{c}"]) for c in clients) + f" | {errors} |")
    lines += ["", "| system | start-up s | peak RSS MB | peak PSS MB |", "|---|---|---|---|"]
    lines += [f"| {s} | {m['startup_s']} | {m['peak_rss_mb']} | {m['peak_pss_mb']} |"
              for s, m in meta.items()]
    peers = [name for name in results if name != "dystonia-kg"]
    lines += ["", "Ratios at 8 clients (throughput, ours / peer):", "",
              "| class | " + " | ".join(f"ours/{p}" for p in peers) + " |", "|---|" + "---|" * len(peers)]
    ours = results.get("dystonia-kg", {})
    for kind in [*CLASSES, "lookup"]:
        def ratio(peer: str, kind: str = kind) -> str:
            theirs = results.get(peer, {}).get(kind, {}).get("rps@8", 0.0)
            if kind not in ours or kind not in results.get(peer, {}):
                return "–"
            return f"{ours[kind]['rps@8'] / theirs:.2f}" if theirs else "∞ (peer answered nothing)"
        lines.append(f"| {kind} | " + " | ".join(ratio(p) for p in peers) + " |")
    text = "\n".join(lines) + "\n"
    (args.out / "latest.md").write_text(text)
    (args.out / "latest.json").write_text(json.dumps({"when": when, "machine": machine, "driver": driver,
                                                      "rounds": args.rounds,
                                                      "results": results, "meta": meta}, indent=1) + "\n")
    plot(results, args.out / "latest.png", when)
    print(text)


def plot(results: dict[str, dict[str, dict[str, float]]], path: Path, when: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kinds = [*CLASSES, "lookup"]
    systems = list(results)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    width = 0.8 / len(systems)
    for i, system in enumerate(systems):
        xs = [x + i * width for x, k in enumerate(kinds) if k in results[system]]
        values = [results[system][k]["rps@8"] for k in kinds if k in results[system]]
        ax.bar(xs, [max(v, 0.01) for v in values], width, label=system)
        for x, value in zip(xs, values, strict=True):
            if value == 0:  # answered nothing within the timeout
                ax.text(x, 0.012, "0", ha="center", fontsize=8)
    ax.set_xticks([x + width * (len(systems) - 1) / 2 for x in range(len(kinds))], kinds)
    ax.set_yscale("log")
    ax.set_ylabel("requests/s at 8 clients (log)")
    ax.set_title(f"Throughput by query class, 8 clients — {when} (lookups: ours only)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()
