"""A long fuzz run: the properties of ``tests/fuzz`` with many random examples instead of a few.

The test command runs each property with a small, fixed (derandomised) set of examples so it
stays quick and reproducible. This runs the same properties with fresh random examples and many
more of them: the form reader, the image gate, the base64 reader, the whole endpoint (random
bodies, and signed requests with fuzzed photos) and the schemathesis run from the OpenAPI
description. A failure prints hypothesis's smallest failing example; re-run it with the seed
that is printed.

    .venv/bin/python bench/fuzz.py                      # 2000 examples per property
    .venv/bin/python bench/fuzz.py --examples 20000 -k form_reader
    .venv/bin/python bench/fuzz.py --seed 1234          # reproduce a run
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    """Run ``tests/fuzz`` under pytest with the requested example count; returns its exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per property (default 2000)")
    parser.add_argument("-k", dest="select", default=None, help="pytest -k expression to pick properties")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed, to reproduce a run")
    args = parser.parse_args()

    env = dict(os.environ, IDCARD_FUZZ_EXAMPLES=str(args.examples), IDCARD_FUZZ_RANDOM="1")
    command = [sys.executable, "-m", "pytest", "tests/fuzz", "-q", "-p", "no:cacheprovider"]
    command += ["--hypothesis-show-statistics"]
    if args.select:
        command += ["-k", args.select]
    if args.seed is not None:
        command += [f"--hypothesis-seed={args.seed}"]
    print(f"fuzzing with {args.examples} examples per property: {' '.join(command[2:])}", flush=True)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, check=False)
    print(f"fuzz run finished in {time.perf_counter() - started:.0f} s with exit code {result.returncode}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
