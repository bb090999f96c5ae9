"""Soak: mixed load at 32 clients for a bounded time; errors, memory growth and p99 per minute.

Usage: .venv/bin/python bench/soak.py [--minutes 10] [--clients 32] [--release release]

Starts our server over the release on a loopback port and drives a mix of competency queries,
hierarchy queries, join-heavy queries and IRI lookups. Prints one row per minute (requests, errors,
median, p99, RSS and PSS of the server's process tree) and a summary: their growth and p99 first vs last minute.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

import requests

from server.live import serve_release, tree_memory_mb

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["lesion-sites-by-dystonia-type", "contralateral-lesion-sites", "genes-by-onset-age",
           "focal-dystonia-lesion-sites", "statements-under-dystonia-type", "genes-for-craniofacial-dystonia",
           "tor1a-dystonia-types"]
LOOKUPS = ["/data/S0010.ttl", "/data/HandDystonia.jsonld", "/page/S0236", "/api/search?q=putamn", "/id/S0001"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--release", type=Path, default=ROOT / "release")
    args = parser.parse_args()
    server = serve_release(args.release, "--threads", "48")
    base = server.url
    work = [("post", f"{base}/sparql", (ROOT / "queries" / f"{q}.rq").read_text()) for q in QUERIES]
    work += [("get", base + path, "") for path in LOOKUPS]
    samples: list[tuple[float, float, bool]] = []
    refused: Counter[str] = Counter()  # status (or exception) of each request that failed
    lock = threading.Lock()
    stop_at = 0.0

    def client(offset: int) -> None:
        session = requests.Session()
        i = offset
        while time.perf_counter() < stop_at:
            method, url, query = work[i % len(work)]
            i += 1
            start = time.perf_counter()
            try:
                if method == "post":
                    response = session.post(url, data={"query": query}, timeout=60,
                                            headers={"Accept": "application/sparql-results+json"})
                else:
                    response = session.get(url, timeout=60)
                ok = response.status_code in (200, 303)
                outcome = str(response.status_code)
            except requests.RequestException as exc:
                ok, outcome = False, type(exc).__name__
            with lock:
                samples.append((start, time.perf_counter() - start, ok))
                if not ok:
                    refused[outcome] += 1

    try:
        for method, url, query in work:  # warm-up, not counted
            requests.request("POST" if method == "post" else "GET", url, data={"query": query} if query else None)
        begin = time.perf_counter()
        stop_at = begin + args.minutes * 60
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        memory: list[tuple[float, float, float]] = []  # (time, RSS, PSS)
        while any(t.is_alive() for t in threads):
            rss, pss = tree_memory_mb(server.process.pid), tree_memory_mb(server.process.pid, proportional=True)
            if rss is not None and pss is not None:  # a worker replaced between listing and reading is skipped
                memory.append((time.perf_counter(), rss, pss))
            time.sleep(2)
    finally:
        server.stop()
    print("| minute | requests | errors | median ms | p99 ms | RSS / PSS MB (end of minute) |")
    print("|---|---|---|---|---|---|")
    minutes = int(args.minutes + 0.999)
    per_minute = []
    for m in range(minutes):
        lo, hi = begin + m * 60, begin + (m + 1) * 60
        window = sorted(lat * 1000 for t, lat, _ in samples if lo <= t < hi)
        errors = sum(1 for t, _, ok in samples if lo <= t < hi and not ok)
        held = [(rss, pss) for t, rss, pss in memory if t < hi][-1:] or [(0.0, 0.0)]
        if not window:
            continue
        p99 = window[min(len(window) - 1, int(len(window) * 0.99))]
        per_minute.append((p99, *held[0]))
        print(f"| {m + 1} | {len(window)} | {errors} | {statistics.median(window):.1f} | {p99:.1f} | "
              f"{held[0][0]:.0f} / {held[0][1]:.0f} |")
    total_errors = sum(1 for _, _, ok in samples if not ok)
    (_, first_rss, first_pss), (_, last_rss, last_pss) = per_minute[0], per_minute[-1]
    print(f"\n{len(samples)} requests, {total_errors} errors; RSS {first_rss:.0f} → {last_rss:.0f} MB "
          f"({(last_rss - first_rss) / first_rss * 100:+.1f} %), PSS {first_pss:.0f} → {last_pss:.0f} MB; peak PSS "
          f"{max(pss for _, _, pss in memory):.0f} MB; p99 first minute {per_minute[0][0]:.1f} ms, "
          f"last minute {per_minute[-1][0]:.1f} ms")
    # A 503 is the bounded queue turning a request away (with Retry-After), by design: told apart from failures.
    print("errors by status or exception: " + (", ".join(f"{k}: {n}" for k, n in refused.most_common()) or "none"))


if __name__ == "__main__":
    main()
