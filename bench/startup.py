"""Start-up benchmark: whole `llmrl-kg` query commands against `python -c "import rdflib"`.

Each command runs as a fresh process (subprocess, timed with time.perf_counter),
interleaved with the others so that machine drift hits all of them alike; the
median of N runs is reported, after one warm-up run of each command that fills
the cache (inferences and the loaded dataset). The issue's target: the whole
`methods` query costs at most 1.5 x the rdflib import.

    python bench/startup.py            # 15 runs each
    python bench/startup.py --runs 30 --no-cache-case
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cli_command() -> list[str]:
    """The `llmrl-kg` entry point of this interpreter's environment (or `python -m llmrl_kg`)."""
    script = Path(sys.executable).with_name("llmrl-kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "llmrl_kg"]


def run_once(argv: list[str], env: dict[str, str], before=None) -> float:
    """Seconds one process takes from start to exit; fails loudly on a non-zero exit."""
    if before:
        before()
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace')}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15, help="runs per command (default 15)")
    parser.add_argument("--no-cache-case", action="store_true",
                        help="also time `methods` with the loaded-dataset cache removed before each run")
    args = parser.parse_args()

    cache = Path(tempfile.mkdtemp(prefix="llmrl-kg-bench-"))
    env = dict(os.environ, LLMRL_KG_CACHE=str(cache))
    kg = cli_command()

    def drop_dataset_cache() -> None:
        for path in cache.glob("dataset-*.nq"):
            path.unlink()

    cases = {
        "python -c pass": ([sys.executable, "-c", "pass"], None),
        'python -c "import rdflib" (reference)': ([sys.executable, "-c", "import rdflib"], None),
        "llmrl-kg methods --role planner --fine-tuned no --model GPT-4":
            (kg + ["methods", "--role", "planner", "--fine-tuned", "no", "--model", "GPT-4"], None),
        "llmrl-kg query role-fine-tuning-model": (kg + ["query", "role-fine-tuning-model"], None),
        "llmrl-kg query model-usage": (kg + ["query", "model-usage"], None),
        'llmrl-kg ask "non-fine-tuned planners using GPT-4"':
            (kg + ["ask", "non-fine-tuned planners using GPT-4"], None),
    }
    if args.no_cache_case:
        cases["methods, dataset cache removed (Turtle parsed)"] = (
            kg + ["methods", "--role", "planner", "--fine-tuned", "no", "--model", "GPT-4"], drop_dataset_cache)
    try:
        for argv, _ in cases.values():  # warm-up: fills the caches and the OS page cache
            run_once(argv, env)
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (argv, before) in cases.items():
                times[name].append(run_once(argv, env, before))
    finally:
        shutil.rmtree(cache, ignore_errors=True)

    reference = statistics.median(times['python -c "import rdflib" (reference)'])
    width = max(len(name) for name in cases)
    print(f"{'command':<{width}}  median ms  min ms  max ms  x import rdflib")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<{width}}  {median * 1000:9.1f}  {min(values) * 1000:6.1f}  {max(values) * 1000:6.1f}"
              f"  {median / reference:15.2f}")
    print(f"\n{args.runs} runs per command, interleaved, after one warm-up run each; Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
