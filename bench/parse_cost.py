"""What the parse that decides a request's shape costs, per named query (median of repeated parses).

Usage: .venv/bin/python bench/parse_cost.py [--repeat 200]

Reports, for every ``.rq`` of ``queries/``, which grammar decided (tree-sitter, or rdflib as the
second) and the median time of ``graph.query_shape.shape_of``; then the median over all of them.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from graph.query_shape import _from_tree_sitter, _parse, shape_of

QUERIES = Path(__file__).resolve().parent.parent / "queries"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    medians = []
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        grammar = "tree-sitter" if _from_tree_sitter(_parse(text)) else "rdflib"
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            shape_of(text)
            times.append(time.perf_counter() - start)
        medians.append(statistics.median(times))
        print(f"{path.stem:50} {grammar:12} {medians[-1] * 1e6:8.1f} µs")
    print(f"median over {len(medians)} queries: {statistics.median(medians) * 1e6:.1f} µs "
          f"(max {max(medians) * 1e6:.1f} µs)")


if __name__ == "__main__":
    main()
