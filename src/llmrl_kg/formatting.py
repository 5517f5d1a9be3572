"""`llmrl-kg fmt`: rewrite curated Turtle files in canonical form, or check that they are."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .atomic import write_atomically
from .canonical import BlankNodeError, canonical_turtle
from .findings import ERROR, Finding
from .sources import parse_file


@dataclass
class FormatResult:
    """What `fmt` found or did for one file."""

    display: str
    changed: bool
    finding: Finding | None = None


def format_files(paths: list[Path], check: bool) -> list[FormatResult]:
    """Canonicalise each file (or, with `check`, only compare); files that fail to parse are left alone."""
    results = []
    for path in paths:
        source, problems = parse_file(path)
        if problems:
            results.append(FormatResult(source.display, False, problems[0]))
            continue
        try:
            text = canonical_turtle(source.triples)
        except BlankNodeError as error:
            results.append(FormatResult(source.display, False, Finding(
                source.display, None, ERROR, "no-blank-nodes", str(error),
                "give every node an IRI; curated data has no blank nodes")))
            continue
        changed = text != source.text
        if changed and not check:
            write_atomically(path, text)
        results.append(FormatResult(source.display, changed))
    return results
