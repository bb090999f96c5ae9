"""Time `dystonia-kg build` and `dystonia-kg query` as a user runs them (start-up included).

Usage: python bench/build_and_query.py [--runs N]
Prints medians and every run; run from the repository root with the venv's python.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "graph.cli"]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        release = ["--release", str(Path(tmp) / "release")]
        curated_only = [timed([*CLI, *release, "build", "--no-hpo"]) for _ in range(args.runs)]
        builds = [timed([*CLI, *release, "build"]) for _ in range(args.runs)]
        queries = {
            name: [timed([*CLI, *release, "query", name]) for _ in range(args.runs)]
            for name in ("lesion-sites-by-dystonia-type", "contralateral-lesion-sites", "genes-by-onset-age")
            if (Path("queries") / f"{name}.rq").exists()
        }
    print("| command | median (s) | runs (s) |\n|---|---|---|")
    for name, times in (("build --no-hpo", curated_only), ("build (HPO and annotation layer)", builds)):
        print(f"| dystonia-kg {name} | {statistics.median(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} |")
    for name, times in queries.items():
        print(f"| dystonia-kg query {name} | {statistics.median(times):.2f} | {', '.join(f'{t:.2f}' for t in times)} |")


if __name__ == "__main__":
    main()
