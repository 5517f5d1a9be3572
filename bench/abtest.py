"""A/B timing: a reference (A) and a candidate (B) run alternately, compared pair by pair.

On a shared machine the load changes from second to second, so timings taken
at different moments are not comparable. Here every run of B is paired with a
run of A taken right next to it (the order alternates: A B, B A, A B, ...), the
ratio B/A is computed for each pair, and the median of those ratios is the
figure reported, beside the medians of A and of B.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Pairs:
    """The timings of interleaved runs: `a[i]` and `b[i]` were taken next to each other."""

    a: list[float] = field(default_factory=list)
    b: list[float] = field(default_factory=list)
    cold_a: float | None = None
    cold_b: float | None = None
    result_a: object = None
    result_b: object = None

    def add(self, a_seconds: float, b_seconds: float) -> None:
        """Record one pair."""
        self.a.append(a_seconds)
        self.b.append(b_seconds)

    @property
    def median_a(self) -> float:
        return statistics.median(self.a)

    @property
    def median_b(self) -> float:
        return statistics.median(self.b)

    @property
    def ratio(self) -> float:
        """The median of the pair ratios b[i] / a[i]."""
        return statistics.median(b / a for a, b in zip(self.a, self.b, strict=True) if a > 0)

    def row(self) -> dict:
        """The CSV fields of these pairs: seconds (B), reference_seconds (A), ratio, cold times, runs."""
        return {"seconds": self.median_b, "reference_seconds": self.median_a, "ratio": self.ratio,
                "cold": self.cold_b, "reference_cold": self.cold_a, "runs": len(self.a)}


def timed(action: Callable[[], object]) -> tuple[float, object]:
    """(seconds, result) of one call, by time.perf_counter."""
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def interleave(a: Callable[[], object], b: Callable[[], object], runs: int, *,
               budget: float | None = None) -> Pairs:
    """Time `runs` pairs of `a` and `b` in alternating order, after one cold run of each (not in the pairs).

    The cold runs (first call in the process) are kept in `cold_a` / `cold_b`; the
    results of the last runs in `result_a` / `result_b` (to compare row counts).
    With `budget` (seconds), slow actions get fewer pairs (`runs_for`).
    """
    pairs = Pairs()
    pairs.cold_a, pairs.result_a = timed(a)
    pairs.cold_b, pairs.result_b = timed(b)
    if budget is not None:
        runs = runs_for(max(pairs.cold_a, pairs.cold_b), runs, budget=budget)
    for index in range(max(runs, 1)):
        if index % 2 == 0:
            seconds_a, pairs.result_a = timed(a)
            seconds_b, pairs.result_b = timed(b)
        else:
            seconds_b, pairs.result_b = timed(b)
            seconds_a, pairs.result_a = timed(a)
        pairs.add(seconds_a, seconds_b)
    return pairs


def runs_for(cold_seconds: float, runs: int, *, budget: float = 20.0) -> int:
    """Fewer pairs for slow actions: at most `runs`, at least 1, about `budget` seconds of B in all."""
    if cold_seconds <= 0:
        return runs
    return max(1, min(runs, int(budget / cold_seconds)))
