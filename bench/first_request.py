"""The first request after our server reports ready, per route, each on a freshly started server.

Usage (from the repository root, after `dystonia-kg build`):
    .venv/bin/python bench/first_request.py [--release release] [--runs 3]

A server is ready when it accepts connections: it binds its port only after starting its query
workers and reading the release's catalog. For each route, a fresh server is started, and the time
of its first request (and, for comparison, the median of the next 20) is reported, with the
start-up time.
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.parse
import urllib.request
from pathlib import Path

from server.live import LiveProcess, serve_release

ROOT = Path(__file__).resolve().parent.parent
ROUTES = {
    "/": "/",
    "/page/{ID}": "/page/S0010",
    "/api/search": "/api/search?q=" + urllib.parse.quote("cervical dystonia"),
    "/sparql": "/sparql?query=" + urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s a ?c }"),
}


def timed(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--release", type=Path, default=ROOT / "release")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("| route | first request ms (median of runs) | next 20, median ms | start-up s |")
    print("|---|---|---|---|")
    for name, path in ROUTES.items():
        firsts, nexts, startups = [], [], []
        for _ in range(args.runs):
            server: LiveProcess = serve_release(args.release, ready=None)
            try:
                firsts.append(timed(server.url + path))
                nexts.append(statistics.median(timed(server.url + path) for _ in range(20)))
                startups.append(server.startup)
            finally:
                server.stop()
        print(f"| {name} | {statistics.median(firsts):.1f} | {statistics.median(nexts):.1f} | "
              f"{statistics.median(startups):.2f} |", flush=True)


if __name__ == "__main__":
    main()
