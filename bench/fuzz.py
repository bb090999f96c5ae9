"""A longer fuzzing campaign: the property-based tests with the "campaign" hypothesis profile.

Usage: .venv/bin/python bench/fuzz.py [--examples 5000]
Random Accept headers, request paths and mutated competency queries against the app (in-process,
with its real query worker pool): no 5xx but the limit answers (503), no traceback, no hang beyond
the deadline. The normal test run uses the bounded "ci" profile of the same tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=5000)
    args = parser.parse_args()
    env = {**os.environ, "HYPOTHESIS_PROFILE": "campaign"}
    if args.examples != 5000:
        env["HYPOTHESIS_PROFILE"] = "ci"
        env["DKG_FUZZ_EXAMPLES"] = str(args.examples)
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", "tests/test_fuzz_routes.py",
                              "tests/test_negotiation.py"], cwd=ROOT, env=env))
