"""The curated list of rejected matches: pairs a person has checked and found wrong.

A tab-separated file (`data/links/rejected.tsv`): a header line
`target<TAB>resource<TAB>external<TAB>reason`, then one rejected pair per line;
lines starting with `#` and blank lines are ignored. The aligners never link a
rejected pair, and a rejected candidate does not make a paper ambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg.kg.findings import ERROR, Finding

HEADER = ["target", "resource", "external", "reason"]


@dataclass(frozen=True)
class RejectedMatch:
    """One rejected (our resource, external entity) pair for one target, and why."""

    target: str
    resource: str
    external: str
    reason: str


def default_rejected_file() -> Path:
    """`data/links/rejected.tsv` of the knowledge graph."""
    from llmrl_kg.locations import data_dir

    return data_dir() / "links" / "rejected.tsv"


def load_rejected(path: Path, targets: set[str],
                  display: str | None = None) -> tuple[list[RejectedMatch], list[Finding]]:
    """Read the rejected matches; a missing file means none. Findings name the line and the fix."""
    shown = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError) as error:
        return [], [Finding(shown, None, ERROR, "rejected-matches", f"cannot read the file: {error}",
                            "check the path; the file must be UTF-8 text")]
    matches, findings = [], []
    header_seen = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            header_seen = True
            if cells != HEADER:
                findings.append(Finding(shown, number, ERROR, "rejected-matches",
                                        f"the header must be {' <TAB> '.join(HEADER)}",
                                        "write the four column names separated by tabs"))
            continue
        if len(cells) != 4:
            findings.append(Finding(shown, number, ERROR, "rejected-matches",
                                    f"expected 4 tab-separated columns, found {len(cells)}",
                                    "separate target, resource, external IRI and reason by single tabs"))
            continue
        target, resource, external, reason = (c.strip() for c in cells)
        problem = _problem(target, resource, external, reason, targets)
        if problem:
            findings.append(Finding(shown, number, ERROR, "rejected-matches", problem[0], problem[1]))
            continue
        matches.append(RejectedMatch(target, resource, external, reason))
    return matches, findings


def _problem(target: str, resource: str, external: str, reason: str, targets: set[str]):
    if target not in targets:
        return f"unknown target {target!r}", f"use one of {', '.join(sorted(targets))}"
    for name, iri in (("resource", resource), ("external", external)):
        try:
            ox.NamedNode(iri)
        except ValueError:
            return f"the {name} column {iri!r} is not an IRI", "write full IRIs, without angle brackets"
        if not iri.startswith(("http://", "https://")):
            return f"the {name} column {iri!r} is not an http(s) IRI", "write full IRIs, without angle brackets"
    if not reason:
        return "the reason is empty", "say why the match is wrong, for the next person"
    return None
