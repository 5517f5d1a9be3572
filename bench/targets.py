"""Issue 11's target table (and issue 10's `ask` start-up), judged from the benchmark's result rows.

Each target row says what was measured, the target, and `met` / `not met`. A
target stated for 1M triples is judged only on a size of at least 1M triples
(smaller sizes show their figures as `not judged`); a row whose measurement did
not run says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

MILLION = 1_000_000


@dataclass
class Verdict:
    """One row of the target table."""

    what: str
    measured: str
    target: str
    verdict: str


def _find(rows: list[dict], **match) -> dict | None:
    for row in rows:
        if all(str(row.get(k)) == str(v) for k, v in match.items()) and "error" not in row:
            return row
    return None


def _errors(rows: list[dict], **match) -> str | None:
    for row in rows:
        if all(str(row.get(k)) == str(v) for k, v in match.items()) and "error" in row:
            return row["error"]
    return None


def _met(ok: bool) -> str:
    return "met" if ok else "NOT MET"


COMMAND_TARGETS: list[tuple[str, str, float, str]] = [
    ("first-call", "first call after a cache miss (shipped KG)", 3.0,
     "≤ 3 × import rdflib, one line on stderr"),
    ("validate", "`validate` on the shipped KG", 4.0, "≤ 4 ×"),
    ("validate-file", "`validate FILE` after editing one method file", 2.0, "≤ 2 ×"),
    ("methods", "warm `methods`", 0.9, "≤ 0.9 ×"),
    ("query", "warm `query`", 0.9, "≤ 0.9 ×"),
    ("ask", "warm `ask`", 0.9, "≤ 0.9 ×"),
    ("show", "warm `show`", 0.9, "≤ 0.9 ×"),
    ("ask", "`ask` start-up (issue 10)", 1.2, "≤ 1.2 ×"),
]


def command_verdicts(rows: list[dict]) -> list[Verdict]:
    """The whole-command targets: the median pair ratio against `python -c "import rdflib"`."""
    verdicts = []
    for key, what, limit, target in COMMAND_TARGETS:
        row = _find(rows, operation="command", query=key)
        if row is None:
            verdicts.append(Verdict(what, "not measured", target, "not measured"))
            continue
        measured = f"{float(row['ratio']):.2f} × ({float(row['seconds']):.2f} s)"
        ok = float(row["ratio"]) <= limit
        if key == "first-call":
            lines = int(row.get("stderr_lines") or 0)
            measured += f", {lines} stderr line{'s' if lines != 1 else ''}"
            ok = ok and lines == 1
        verdicts.append(Verdict(what, measured, target, _met(ok)))
    return verdicts


def _at_size(size: int, ok: bool) -> str:
    return _met(ok) if size >= MILLION else "not judged (target at 1M)"


def _seconds_gb(row: dict) -> tuple[float, float]:
    return float(row["seconds"]), float(row.get("peak_rss_mb") or 0) / 1024


def size_verdicts(rows: list[dict], size: int, triples: int) -> list[Verdict]:
    """The per-size targets: validate, saved queries, exports, load + one query."""
    at = f"{triples:,} triples"
    verdicts = []
    checks: list[tuple[str, dict, str, Callable[[dict], tuple[str, bool]]]] = [
        (f"`validate` (no OWL-RL check) at {at}", {"operation": "validate-no-reasoning"},
         "≤ 35 s, ≤ 1 GB (at 1M)", lambda r: _limits(r, 35, 1.0)),
        (f"GraphML export at {at}", {"operation": "export-graphml"}, "≤ 10 s, ≤ 1 GB (at 1M)",
         lambda r: _limits(r, 10, 1.0)),
        (f"GEXF export at {at}", {"operation": "export-gexf"}, "≤ 10 s, ≤ 1 GB (at 1M)",
         lambda r: _limits(r, 10, 1.0)),
        (f"load + one query at {at}", {"operation": "load-query", "store": "project"}, "≤ 0.4 GB (at 1M)",
         lambda r: (f"{_seconds_gb(r)[1]:.2f} GB ({float(r['seconds']):.2f} s)", _seconds_gb(r)[1] <= 0.4)),
    ]
    for what, match, target, judge in checks:
        row = _find(rows, size=size, **match)
        if row is None:
            error = _errors(rows, size=size, **match)
            verdicts.append(Verdict(what, f"failed: {error}" if error else "not measured", target,
                                    "not measured"))
            continue
        measured, ok = judge(row)
        floor = _floor(rows, size, match["operation"])
        verdicts.append(Verdict(what, measured + (f"; {floor}" if floor and not ok else ""), target,
                                _at_size(size, ok)))
    verdicts.insert(1, _queries_verdict(rows, size, at))
    return verdicts


# The reference rows that show how low a figure can go with the data held the way the project holds it.
_FLOORS = {
    "validate-no-reasoning": ({"operation": "validate-floor"},
                              "floor {gb:.2f} GB, {s:.1f} s: the files parsed into triples (findings name lines) "
                              "and the store the shapes run on, before any check"),
    "load-query": ({"operation": "load-query", "store": "raw"},
                   "floor {gb:.2f} GB: raw pyoxigraph holding the same quads (a named graph per file, "
                   "the inferences) and running the same query"),
}


def _floor(rows: list[dict], size: int, operation: str) -> str:
    """The floor line for a target that was not met, from its reference row (empty when there is none)."""
    if operation not in _FLOORS:
        return ""
    match, text = _FLOORS[operation]
    row = _find(rows, size=size, **match)
    if row is None:
        return ""
    seconds, gigabytes = _seconds_gb(row)
    return text.format(gb=gigabytes, s=seconds)


def _limits(row: dict, seconds: float, gigabytes: float) -> tuple[str, bool]:
    taken, peak = _seconds_gb(row)
    return f"{taken:.2f} s, {peak:.2f} GB", taken <= seconds and peak <= gigabytes


def _queries_verdict(rows: list[dict], size: int, at: str) -> Verdict:
    """Every saved query on the in-memory store within 1.1 × raw pyoxigraph (pairs in one process)."""
    queries = [r for r in rows if str(r.get("size")) == str(size) and r.get("store") == "oxigraph"
               and r.get("operation") == "query" and "error" not in r and r.get("ratio") is not None]
    target = "all within 1.1 × raw pyoxigraph (at 1M)"
    what = f"every saved query at {at}"
    if not queries:
        return Verdict(what, "not measured", target, "not measured")
    worst = max(queries, key=lambda r: float(r["ratio"]))
    within = sum(1 for r in queries if float(r["ratio"]) <= 1.1)
    differ = sum(1 for r in queries if "ROWS DIFFER" in str(r.get("note", "")))
    measured = f"{within} of {len(queries)} within 1.1 ×, worst {float(worst['ratio']):.2f} × ({worst['query']})"
    if differ:
        measured += f"; {differ} with different rows"
    return Verdict(what, measured, target, _at_size(size, within == len(queries) and not differ))


def all_verdicts(rows: list[dict]) -> list[Verdict]:
    """The whole target table: the command rows, then each size's rows."""
    verdicts = command_verdicts(rows)
    sizes = sorted({(int(r["size"]), int(r["triples"])) for r in rows
                    if str(r.get("size")).isdigit() and r.get("triples") not in (None, "")})
    for size, triples in sizes:
        verdicts += size_verdicts(rows, size, triples)
    return verdicts


def markdown(verdicts: list[Verdict]) -> str:
    """The target table in Markdown."""
    lines = ["| what | measured | target | verdict |", "|---|---|---|---|"]
    lines += [f"| {v.what} | {v.measured} | {v.target} | {v.verdict} |" for v in verdicts]
    return "\n".join(lines) + "\n"


def text(verdicts: list[Verdict]) -> str:
    """The target table as aligned plain text."""
    table = [("what", "measured", "target", "verdict")] + [(v.what, v.measured, v.target, v.verdict)
                                                           for v in verdicts]
    widths = [max(len(line[i]) for line in table) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
                     for line in table)
