"""Linking one target: look every paper up in batches, decide the matches, write the link file.

A target whose endpoint fails (after the client's retries) or whose answers are
not all in the cache in `--offline` mode gets no file written: an existing link
file stays exactly as it was, and the other targets go on.
"""

from __future__ import annotations

from pathlib import Path

from llmrl_kg.link.aligner import Aligner, batches, collect, decide
from llmrl_kg.link.client import EndpointError, SparqlClient
from llmrl_kg.link.papers import Lookup, Paper
from llmrl_kg.link.rejected import RejectedMatch
from llmrl_kg.link.report import TargetReport
from llmrl_kg.link.writer import link_triples, write_links


def link_target(aligner: Aligner, papers: list[Paper], client: SparqlClient, *, endpoint: str,
                output: Path, output_display: str, rejected: list[RejectedMatch],
                dry_run: bool = False) -> TargetReport:
    """Look `papers` up in `aligner`'s graph at `endpoint` and write the links to `output` (unless `dry_run`)."""
    report = TargetReport(aligner.name, aligner.title, endpoint, output_display, papers=len(papers),
                          dry_run=dry_run)
    lookups: list[Lookup] = []
    for paper in papers:
        found, problems = paper.lookups()
        report.notes += problems
        usable = [lookup for lookup in found if aligner.forms(lookup)]
        if usable:
            lookups += usable
        else:
            report.without_identifier.append(paper.iri)
    report.lookups = len(lookups)
    looked_up = sorted({lookup.paper for lookup in lookups})
    rejected_pairs = {(r.resource, r.external): r.reason for r in rejected if r.target == aligner.name}

    candidates: dict = {}
    requests_before, hits_before = client.requests_sent, client.cache_hits
    for batch in batches(lookups, aligner.batch_size):
        try:
            answer = client.select(endpoint, aligner.query(batch))
            collect(aligner, endpoint, batch, answer.rows, answer.fetched_at, candidates)
        except EndpointError as error:
            if error.kind == "offline-miss":
                report.offline_misses.append(batch)
                continue
            report.errors.append(error.message)
            break  # a failing endpoint is not asked again in this run
    report.requests = client.requests_sent - requests_before
    report.answers_from_cache = client.cache_hits - hits_before
    if not report.ok:
        return report

    report.outcomes = decide(looked_up, candidates, set(rejected_pairs))
    report.rejected_reasons = {
        (o.paper, c.entity): rejected_pairs[(o.paper, c.entity)] for o in report.outcomes for c in o.rejected
    }
    triples = link_triples(aligner.name, aligner.title, endpoint, report.outcomes)
    if dry_run:
        report.file_state = "dry run"
    else:
        try:
            report.file_state = "written" if write_links(output, triples) else "unchanged"
        except OSError as error:
            report.errors.append(f"cannot write {output_display}: {error.strerror or error}")
    return report
