"""`llmrl-kg fmt`: rewrite curated Turtle files in canonical form, or check that they are.

A rewrite never loses data: a file with RDF 1.2 terms the canonical form cannot
write (a base direction such as `"x"@ar--rtl`, a triple term `<<( … )>>`) is
refused, and the new text replaces the file only when it parses to exactly the
same triples. A file is not rewritten when replacing it would do harm: a
symbolic link (it would become a regular file), a file with other hard links
(they would keep the old text) or a read-only file; each is reported as a
finding. A write that fails (a read-only folder, a full disk) is a UsageError
(exit 2), and the file is left as it was.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg.errors import UsageError
from llmrl_kg.kg.files import SourceFile, parse_file
from llmrl_kg.kg.findings import ERROR, Finding, terminal_safe
from llmrl_kg.rdf.atomic import write_atomically
from llmrl_kg.rdf.turtle import BlankNodeError, canonical_turtle


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
        text, problem = _canonical_text(source)
        if problem:
            results.append(FormatResult(source.display, False, problem))
            continue
        changed = text != source.text
        if changed and not check:
            problem = _cannot_replace(source)
            if problem:
                results.append(FormatResult(source.display, True, problem))
                continue
            _write(source, text)
        results.append(FormatResult(source.display, changed))
    return results


def _finding(source: SourceFile, rule: str, message: str, fix: str) -> Finding:
    return Finding(source.display, None, ERROR, rule, message, fix)


def _canonical_text(source: SourceFile) -> tuple[str, Finding | None]:
    """The canonical text of the file, or the finding that says why there is none."""
    rdf12 = _rdf12_term(source.triples)
    if rdf12:
        return "", _finding(source, "rdf12-term", f"the file uses {rdf12}, which the canonical form cannot "
                            "write; the file was left as it is",
                            "curated data uses RDF 1.1 terms only: a plain language tag, no triple terms")
    try:
        text = canonical_turtle(source.triples)
    except BlankNodeError as error:
        return "", _finding(source, "no-blank-nodes", str(error),
                            "give every node an IRI; curated data has no blank nodes")
    before = set(source.triples)
    after = {q.triple for q in ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=source.base_iri)}
    if after != before:
        return "", _finding(source, "fmt-changes-triples",
                            f"the canonical form would change the triples ({len(before - after)} lost, "
                            f"{len(after - before)} added); the file was left as it is",
                            "report this as a bug of llmrl-kg fmt, with the file")
    return text, None


def _rdf12_term(triples: list[ox.Triple]) -> str | None:
    """A description of the first RDF 1.2 term in `triples` that RDF 1.1 does not have, if any."""
    for triple in triples:
        for term in (triple.subject, triple.object):
            if isinstance(term, ox.Triple):
                return "a triple term (<<( … )>>, RDF 1.2)"
            if isinstance(term, ox.Literal) and getattr(term, "direction", None):
                return f'a language tag with a base direction ("…"@{term.language}--{term.direction}, RDF 1.2)'
    return None


def _cannot_replace(source: SourceFile) -> Finding | None:
    """Why replacing the file by a new one would do harm, if it would."""
    if source.path.is_symlink():
        return _finding(source, "fmt-symlink", "the file is a symbolic link; replacing it would turn the link "
                        "into a regular file, so it was left as it is",
                        "run `llmrl-kg fmt` on the file the link points to")
    status = source.path.stat()
    if status.st_nlink > 1:
        return _finding(source, "fmt-hard-link", f"the file has {status.st_nlink} hard links; replacing it would "
                        "leave the others with the old text, so it was left as it is",
                        "remove the other links (keep one file per record), then run `llmrl-kg fmt` again")
    if not status.st_mode & stat.S_IWUSR:
        return _finding(source, "fmt-read-only", "the file is read-only, so it was left as it is",
                        "make it writable (chmod u+w) if it should be formatted")
    return None


def _write(source: SourceFile, text: str) -> None:
    try:
        write_atomically(source.path, text)
    except OSError as error:
        reason = error.strerror or str(error)
        raise UsageError(f"cannot write {terminal_safe(source.display)}: {reason[:1].lower() + reason[1:]}; "
                         "the file was left as it is",
                         fix="make the folder writable, or free some disk space") from None

