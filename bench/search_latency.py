"""Search latency over the merged release: in the process (the index alone) and over HTTP (``/api/search`` on
``dystonia-kg serve``), median and p99 per kind of query and over all of them.

Usage: python bench/search_latency.py [--rounds N] [--release DIR]
The queries are what people type: labels, prefixes, typos, identifiers in each form, accented words, synonyms,
type filters, and the shortest texts (two letters: the autocomplete's first request and the costliest, as every
word starting with them matches; one letter, which matches itself as a word only).
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from graph.catalog import search_entries
from graph.release import Release
from graph.search import SearchIndex
from server.live import serve_release

QUERIES: dict[str, list[dict[str, str]]] = {
    "label": [{"q": "putamen"}, {"q": "cervical dystonia"}, {"q": "blepharospasm"}, {"q": "thalamus"},
              {"q": "haloperidol"}, {"q": "geste antagoniste"}, {"q": "Parkinson disease"}],
    "prefix": [{"q": "puta"}, {"q": "blepharo"}, {"q": "dyst"}, {"q": "torti"}],
    "typo": [{"q": "putamn"}, {"q": "blepharospams"}, {"q": "torticolis"}, {"q": "haloperidl"},
             {"q": "cervicle dystnia"}],
    "identifier": [{"q": "HP:0000643"}, {"q": "HP_0000643"}, {"q": "http://purl.obolibrary.org/obo/HP_0000643"},
                   {"q": "S0010"}, {"q": "dkg:S0010"}, {"q": "UBERON:0001874"}, {"q": "NCBIGene:1861"}],
    "accent": [{"q": "dystonía"}, {"q": "Kienböck"}, {"q": "Albers-Schonberg"}, {"q": "PUTÁMEN"}],
    "synonym": [{"q": "DYT1"}, {"q": "wry neck"}, {"q": "spasmodic torticollis"}],
    "type filter": [{"q": "dystonia", "type": "gene"}, {"q": "dystonia", "type": "statement"},
                    {"q": "nucleus", "type": "lesion-site,anatomy"}],
    "two letters": [{"q": "dy"}, {"q": "ce"}, {"q": "pu"}],  # the autocomplete's first request
    "one letter": [{"q": "c"}],  # a whole word only ("hepatitis C")
}


def timed(run: Callable[[], object], rounds: int) -> list[float]:
    """Milliseconds of ``rounds`` runs, after three unmeasured ones."""
    for _ in range(3):
        run()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(title: str, by_kind: dict[str, list[float]]) -> None:
    """A markdown table: median and p99 per kind of query, then over all."""
    print(f"\n{title}\n\n| queries | median (ms) | p99 (ms) |\n|---|---|---|")
    everything = [t for times in by_kind.values() for t in times]
    for kind, times in [*by_kind.items(), ("all", everything)]:
        ordered = sorted(times)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"| {kind} | {statistics.median(ordered):.2f} | {p99:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--release", type=Path, default=Path("release"))
    args = parser.parse_args()
    release = Release.current(args.release)
    assert release.catalog is not None, "the release has no catalog: rebuild it"
    started = time.perf_counter()
    index = SearchIndex(search_entries(release.catalog))
    print(f"index of {len(index.entries)} entries built in {time.perf_counter() - started:.2f} s")
    in_process = {kind: [t for params in queries for t in timed(
        lambda p=params: index.find(p["q"], 10, p["type"].split(",") if "type" in p else None), args.rounds)]
        for kind, queries in QUERIES.items()}
    report("In the process (SearchIndex.find, limit 10)", in_process)
    with serve_release(args.release) as server:
        over_http = {kind: [t for params in queries for t in timed(
            lambda p=params: urllib.request.urlopen(
                f"{server.url}/api/search?{urllib.parse.urlencode(p)}", timeout=30).read(), args.rounds)]
            for kind, queries in QUERIES.items()}
    report("Over HTTP (GET /api/search, one client, limit 10)", over_http)


if __name__ == "__main__":
    main()
