"""Whole-command benchmark: `llmrl-kg` commands against `python -c "import rdflib"`, pair by pair.

Every command runs as a fresh process; each run is paired with a run of the
reference taken right next to it (alternating order, see bench/abtest.py), and
the median of the pair ratios is reported. The commands run on a snapshot of
the KG copied to a temporary folder (`LLMRL_KG_ROOT`), so edits others make to
the checkout during the run do not change what is measured, and the benchmark
never writes into the checkout (but for the package's ignored __pycache__/, below).
Peak memory is each process's ru_maxrss.

The cases (the rows of issue 11's target table, and issue 10's `ask` start-up):

* first-call       `methods ...` with an empty cache folder (as after installing, or after a data edit);
* validate         `validate` of the whole KG (caches warm);
* validate-file    `validate data/methods/<one>.ttl` right after that file was edited;
* methods, query, ask, show   warm calls (caches filled by one untimed run each).

Before timing, the package measured is byte-compiled (`python -m compileall`),
as `pip install` does: an editable install run with PYTHONDONTWRITEBYTECODE=1
would otherwise recompile every module from source on every call (~0.1 s),
which no installed copy pays.

    python bench/startup.py [--runs 11] [--slow-runs 5] [--cases methods,ask]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from abtest import Pairs  # noqa: E402

REFERENCE = [sys.executable, "-c", "import rdflib"]
EDITED_METHOD = "eureka.ttl"  # the method file `validate-file` edits (any method file will do)


@dataclass
class Case:
    """One whole command: its argv, what to do before each run (returns env overrides), the exits it may have."""

    key: str
    argv: list[str]
    root: Path
    before: Callable[[int], dict[str, str]] | None = None
    slow: bool = False
    exits: tuple[int, ...] = (0,)


@dataclass
class Run:
    """One finished process: wall seconds, exit code, peak RSS (MB) and its stderr."""

    seconds: float
    exit_code: int
    peak_rss_mb: float
    stderr: str


def cli_command() -> list[str]:
    """The `llmrl-kg` entry point of this interpreter's environment (or `python -m llmrl_kg`)."""
    script = Path(sys.executable).with_name("llmrl-kg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "llmrl_kg"]


def run_process(argv: list[str], env: dict[str, str], cwd: Path, timeout: float = 600) -> Run:
    """Run `argv` to its end; its wall time (perf_counter around start and reaping) and its own ru_maxrss."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        errors.seek(0)
        stderr = errors.read().decode("utf-8", errors="replace")
    return Run(seconds, process.returncode, usage.ru_maxrss / 1024, stderr)


def byte_compile_package() -> None:
    """Write the .pyc files of the `llmrl_kg` package measured, as `pip install` does."""
    import llmrl_kg

    package = Path(llmrl_kg.__file__).resolve().parent
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True)


def snapshot_kg(into: Path, name: str = "kg") -> Path:
    """A copy of the KG this checkout uses (ontology/, data/, queries/) as `into/name`."""
    from llmrl_kg import locations

    source = locations.kg_root()
    root = into / name
    for part in ("ontology", "data", "queries"):
        shutil.copytree(source / part, root / part)
    return root


def edit_method_file(path: Path, number: int) -> None:
    """Change one literal of a method file (its paper's title), differently on every call."""
    text = path.read_text(encoding="utf-8")
    edited, count = re.subn(r'(dcterms:title "[^"\\]*?)(?: \[bench edit \d+\])?"',
                            lambda m: f'{m.group(1)} [bench edit {number}]"', text, count=1)
    if not count:
        raise SystemExit(f"{path}: no dcterms:title to edit")
    path.write_text(edited, encoding="utf-8")


def cases(work: Path) -> list[Case]:
    """The measured commands, on KG snapshots under `work` (one only for the edits, so the others stay warm)."""
    kg = cli_command()
    root, edited = snapshot_kg(work), snapshot_kg(work, "kg-edited")
    methods = ["methods", "--role", "planner", "--fine-tuned", "no", "--model", "GPT-4"]
    method_file = Path("data", "methods", EDITED_METHOD)

    def fresh_cache(number: int) -> dict[str, str]:
        return {"LLMRL_KG_CACHE": tempfile.mkdtemp(prefix=f"first-{number}-", dir=work)}

    def edit(number: int) -> dict[str, str]:
        edit_method_file(edited / method_file, number)
        return {"LLMRL_KG_ROOT": str(edited), "LLMRL_KG_CACHE": str(work / "cache-edited")}

    return [
        Case("first-call", kg + methods, root, fresh_cache, slow=True),
        Case("validate", kg + ["validate"], root, slow=True, exits=(0, 1)),
        Case("validate-file", kg + ["validate", str(method_file)], edited, edit, slow=True, exits=(0, 1)),
        Case("methods", kg + methods, root),
        Case("query", kg + ["query", "role-fine-tuning-model"], root),
        Case("ask", kg + ["ask", "non-fine-tuned planners using GPT-4"], root),
        Case("show", kg + ["show", "Eureka"], root),
    ]


def _one(case: Case, number: int, env: dict[str, str]) -> Run:
    extra = case.before(number) if case.before else {}
    run = run_process(case.argv, {**env, "LLMRL_KG_ROOT": str(case.root), **extra}, case.root)
    if run.exit_code not in case.exits:
        raise SystemExit(f"{' '.join(case.argv)} failed ({run.exit_code}): {run.stderr.strip()[-2000:]}")
    return run


def measure(runs: int, slow_runs: int, progress: Callable[[str], None] = lambda text: None,
            only: set[str] | None = None) -> list[dict]:
    """Every case (or those named in `only`) paired with the reference, interleaved; one row per case."""
    byte_compile_package()
    with tempfile.TemporaryDirectory(prefix="llmrl-kg-bench-") as folder:
        work = Path(folder)
        env = dict(os.environ, LLMRL_KG_CACHE=str(work / "cache"))
        all_cases = [case for case in cases(work) if only is None or case.key in only]
        for case in all_cases:  # warm-up: fills the caches and the OS page cache
            if case.key != "first-call":
                progress(f"warm-up {case.key}")
                _one(case, 0, env)
        pairs = {case.key: Pairs() for case in all_cases}
        last: dict[str, Run] = {}
        peaks: dict[str, float] = {}
        for index in range(max(runs, slow_runs)):
            progress(f"round {index + 1}")
            for case in all_cases:
                if index >= (slow_runs if case.slow else runs):
                    continue
                order = (0, 1) if index % 2 == 0 else (1, 0)
                done = {}
                for side in order:
                    done[side] = run_process(REFERENCE, env, case.root) if side == 0 else _one(case, index + 1, env)
                pairs[case.key].add(done[0].seconds, done[1].seconds)
                last[case.key] = done[1]
                peaks[case.key] = max(peaks.get(case.key, 0.0), done[1].peak_rss_mb)
    return [_row(case, pairs[case.key], last[case.key], peaks[case.key]) for case in all_cases]


def _row(case: Case, pairs: Pairs, last: Run, peak: float) -> dict:
    lines = [line for line in last.stderr.splitlines() if line.strip()]
    note = f"exit {last.exit_code}; stderr: {len(lines)} line(s)"
    if lines:
        note += f", first: {lines[0][:120]}"
    return {"size": "shipped", "store": "cli", "operation": "command", "query": case.key,
            "command": " ".join(case.argv[1:]) if len(case.argv) > 1 else case.argv[0],
            "stderr_lines": len(lines), "peak_rss_mb": round(peak, 1), "note": note, **pairs.row()}


def print_rows(rows: list[dict]) -> None:
    """The rows as an aligned text table."""
    print(f"{'case':<14} {'median ms':>10} {'import rdflib ms':>17} {'ratio':>6} {'runs':>5} {'peak MB':>8}  command")
    for row in rows:
        print(f"{row['query']:<14} {row['seconds'] * 1000:10.1f} {row['reference_seconds'] * 1000:17.1f} "
              f"{row['ratio']:6.2f} {row['runs']:5d} {row['peak_rss_mb']:8.1f}  llmrl-kg {row['command']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11, help="pairs per fast command (default 11)")
    parser.add_argument("--slow-runs", type=int, default=5, help="pairs per slow command (default 5)")
    parser.add_argument("--cases", help="comma-separated cases to run (default: all), e.g. methods,query,ask,show")
    args = parser.parse_args(argv)
    only = set(args.cases.split(",")) if args.cases else None
    known = {"first-call", "validate", "validate-file", "methods", "query", "ask", "show"}
    if only is not None and only - known:
        parser.error(f"unknown case(s) {', '.join(sorted(only - known))}; known: {', '.join(sorted(known))}")
    rows = measure(args.runs, args.slow_runs, lambda text: print(f"  {text}", file=sys.stderr), only)
    print_rows(rows)
    print(f"\nratio = median over pairs of (command / `python -c \"import rdflib\"` run next to it); "
          f"Python {sys.version.split()[0]}")


if __name__ == "__main__":
    main()
