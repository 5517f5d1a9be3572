"""The report of a linking run: per target, what was linked, not found or ambiguous, and why a target failed."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from llmrl_kg.link import identifiers as ids
from llmrl_kg.link.aligner import AMBIGUOUS, LINKED, NOT_FOUND, PaperOutcome
from llmrl_kg.link.papers import Lookup
from llmrl_kg.rdf.namespaces import PAPER


@dataclass
class TargetReport:
    """What linking one target did: counts, outcomes per paper, errors, and the file written."""

    target: str
    title: str
    endpoint: str
    output: str
    papers: int = 0
    without_identifier: list[str] = field(default_factory=list)
    lookups: int = 0
    requests: int = 0
    answers_from_cache: int = 0
    outcomes: list[PaperOutcome] = field(default_factory=list)
    rejected_reasons: dict[tuple[str, str], str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    offline_misses: list[list[Lookup]] = field(default_factory=list)
    file_state: str = ""  # "written", "unchanged", "dry run", or "" when nothing was written
    dry_run: bool = False  # asked to write nothing (set even when the lookups failed)

    @property
    def ok(self) -> bool:
        """True when every lookup got an answer (and the file, unless a dry run, is up to date)."""
        return not self.errors and not self.offline_misses

    def with_status(self, status: str) -> list[PaperOutcome]:
        """The outcomes with `status` (LINKED, NOT_FOUND or AMBIGUOUS)."""
        return [o for o in self.outcomes if o.status == status]


def short(iri: str) -> str:
    """`paper:x` for a paper of the KG, `<iri>` otherwise."""
    return "paper:" + iri[len(PAPER):] if iri.startswith(PAPER) else f"<{iri}>"


def _candidate_line(candidate) -> str:
    titles = "; ".join(f'"{t}"' for t in sorted(candidate.titles))
    matched = ", ".join(sorted(candidate.identifiers))
    return f"<{candidate.entity}> ({matched})" + (f" {titles}" if titles else "")


def format_text(report: TargetReport, *, verbose: bool = False) -> list[str]:
    """The report of one target as lines of text.

    Lookups without a cached answer (`--offline`) are summarised in one line;
    `verbose` lists them, one per line.
    """
    lines = [f"{report.target}: {report.title} at {report.endpoint}"]
    lines.append(f"  {report.papers} papers, {report.lookups} identifiers; requests sent: {report.requests}, "
                 f"answers from the cache: {report.answers_from_cache}")
    lines += [f"  note: {note}" for note in report.notes]
    if report.without_identifier:
        lines.append(f"  no identifier {report.title} can be searched by: "
                     + ", ".join(short(p) for p in report.without_identifier))
    for error in report.errors:
        lines.append(f"  error: {error}")
    lines += _offline_misses(report, verbose)
    if report.ok:
        linked, ambiguous = report.with_status(LINKED), report.with_status(AMBIGUOUS)
        not_found = report.with_status(NOT_FOUND)
        rejected = sum(len(o.rejected) for o in report.outcomes)
        lines.append(f"  linked {len(linked)}, not found {len(not_found)}, ambiguous {len(ambiguous)}, "
                     f"rejected candidates {rejected}")
        for outcome in linked:
            lines.append(f"  linked {short(outcome.paper)} → {_candidate_line(outcome.candidates[0])}")
        for outcome in ambiguous:
            lines.append(f"  ambiguous {short(outcome.paper)} ({outcome.reason}; nothing written, "
                         "add the wrong ones to rejected.tsv):")
            lines += [f"      {_candidate_line(c)}" for c in outcome.candidates]
        for outcome in report.outcomes:
            for candidate in outcome.rejected:
                reason = report.rejected_reasons.get((outcome.paper, candidate.entity), "")
                lines.append(f"  rejected {short(outcome.paper)} → <{candidate.entity}>: {reason}")
        if not_found:
            lines.append("  not found: " + ", ".join(short(o.paper) for o in not_found))
    if report.file_state == "written":
        lines.append(f"  wrote {report.output} ({len(report.with_status(LINKED))} links)")
    elif report.file_state == "unchanged":
        lines.append(f"  {report.output} is up to date ({len(report.with_status(LINKED))} links)")
    elif report.file_state == "dry run":
        lines.append(f"  dry run: {report.output} not written")
    elif report.dry_run:
        lines.append("  dry run: nothing written")
    else:
        lines.append(f"  FAILED: {report.output} left untouched")
    return lines


def _offline_misses(report: TargetReport, verbose: bool) -> list[str]:
    """One summary line for the lookups an offline run had no cached answer for (each on its own with `verbose`)."""
    missing = [lookup for batch in report.offline_misses for lookup in batch]
    if not missing:
        return []
    papers = len({lookup.paper for lookup in missing})
    summary = (f"  no cached answer (offline) for {len(missing)} of {report.lookups} lookups "
               f"({papers} {'paper' if papers == 1 else 'papers'}); run without --offline to ask the endpoint")
    if not verbose:
        return [summary + ", or add --verbose to list them"]
    return [summary + ":"] + [f"      {short(m.paper)} {ids.display(m.scheme, m.value)}" for m in missing]


def as_dict(report: TargetReport) -> dict:
    """The report of one target as a JSON-ready dictionary."""
    def outcome(o: PaperOutcome) -> dict:
        return {"paper": o.paper, "status": o.status, "reason": o.reason,
                "candidates": [{"entity": c.entity, "identifiers": sorted(c.identifiers),
                                "titles": sorted(c.titles)} for c in o.candidates],
                "rejected": [{"entity": c.entity,
                              "reason": report.rejected_reasons.get((o.paper, c.entity), "")}
                             for c in o.rejected]}

    return {
        "target": report.target, "endpoint": report.endpoint, "output": report.output, "ok": report.ok,
        "file": report.file_state or ("dry run" if report.dry_run else "untouched"),
        "papers": report.papers, "lookups": report.lookups,
        "requests": report.requests, "answers_from_cache": report.answers_from_cache,
        "linked": len(report.with_status(LINKED)), "not_found": len(report.with_status(NOT_FOUND)),
        "ambiguous": len(report.with_status(AMBIGUOUS)),
        "without_identifier": report.without_identifier, "notes": report.notes, "errors": report.errors,
        "offline_misses": [[{"paper": m.paper, "identifier": ids.display(m.scheme, m.value)} for m in batch]
                           for batch in report.offline_misses],
        "outcomes": [outcome(o) for o in report.outcomes],
    }


def format_json(reports: list[TargetReport]) -> str:
    """All targets' reports as one JSON document."""
    return json.dumps({"targets": [as_dict(r) for r in reports],
                       "ok": all(r.ok for r in reports)}, ensure_ascii=False, indent=2)
