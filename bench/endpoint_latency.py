"""Latency of named queries and IRI lookups through the live endpoint (our server, real HTTP).

Usage: python bench/endpoint_latency.py [--requests N] [--release DIR]
Starts `dystonia-kg serve` on a loopback port over the release (default ./release), warms up, then
times N sequential requests per item and prints median and p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request
from pathlib import Path

from server.live import serve_release

ITEMS = {
    "query statements-under-dystonia-type (rdfs:subClassOf* over HPO)": "/queries/statements-under-dystonia-type",
    "query focal-dystonia-lesion-sites (rdfs:subClassOf*)": "/queries/focal-dystonia-lesion-sites",
    "query genes-for-craniofacial-dystonia": "/queries/genes-for-craniofacial-dystonia",
    "query lesion-sites-by-dystonia-type": "/queries/lesion-sites-by-dystonia-type",
    "IRI lookup /data/S0010.ttl": "/data/S0010.ttl",
    "IRI lookup /data/HandDystonia.jsonld": "/data/HandDystonia.jsonld",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--release", type=Path, default=Path("release"))
    args = parser.parse_args()
    server = serve_release(args.release)
    base = server.url
    try:
        print("| request | median (ms) | p99 (ms) |\n|---|---|---|")
        for name, path in ITEMS.items():
            for _ in range(10):  # warm-up, not counted
                urllib.request.urlopen(base + path, timeout=30).read()
            times = []
            for _ in range(args.requests):
                start = time.perf_counter()
                urllib.request.urlopen(base + path, timeout=30).read()
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"| {name} | {statistics.median(times):.1f} | {p99:.1f} |")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
