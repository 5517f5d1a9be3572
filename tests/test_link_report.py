"""The text report of `llmrl-kg link` (issue 14): a dry run never says FAILED, offline misses are summarised.

A dry run that could not look everything up writes nothing, so its report ends
with "dry run: nothing written", not with "FAILED: FILE left untouched". An
offline run without cached answers used to print every missing lookup on one
line of ~3,000 characters per target; it now prints one short line per target,
and `--verbose` lists the lookups one per line.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from llmrl_kg.link import identifiers as ids
from llmrl_kg.link.papers import Lookup
from llmrl_kg.link.report import TargetReport, as_dict, format_text

PAPER = "https://w3id.org/llmrl-kg/paper/"
PREFIXES = "PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> PREFIX bibo: <http://purl.org/ontology/bibo/> "
LONGEST_SUMMARY_LINE = 160


def _report(**fields) -> TargetReport:
    return TargetReport("wikidata", "Wikidata", "http://127.0.0.1:9/sparql", "data/links/wikidata.ttl", **fields)


MISSES = [[Lookup(PAPER + "agile", ids.ARXIV, "2405.14751"),
           Lookup(PAPER + "agile", ids.DOI, "10.48550/arXiv.2405.14751", derived=True)],
          [Lookup(PAPER + "reflexion", ids.ARXIV, "2303.11366")]]


def test_a_failed_dry_run_says_that_nothing_was_written():
    report = _report(papers=2, lookups=3, offline_misses=MISSES, dry_run=True)
    lines = format_text(report)
    assert lines[-1] == "  dry run: nothing written"
    assert not [line for line in lines if "FAILED" in line or "left untouched" in line]
    assert as_dict(report)["file"] == "dry run"


def test_a_failed_real_run_still_says_its_file_was_left_untouched():
    lines = format_text(_report(papers=2, lookups=3, errors=["connection failed"]))
    assert lines[-1] == "  FAILED: data/links/wikidata.ttl left untouched"


def test_a_successful_dry_run_names_the_file_it_did_not_write():
    lines = format_text(_report(papers=0, file_state="dry run", dry_run=True))
    assert lines[-1] == "  dry run: data/links/wikidata.ttl not written"


def test_offline_misses_are_one_summary_line():
    lines = format_text(_report(papers=2, lookups=4, offline_misses=MISSES))
    assert lines[2:] == ["  no cached answer (offline) for 3 of 4 lookups (2 papers); run without --offline "
                         "to ask the endpoint, or add --verbose to list them",
                         "  FAILED: data/links/wikidata.ttl left untouched"]


def test_verbose_lists_each_offline_miss_on_its_own_line():
    lines = format_text(_report(papers=2, lookups=4, offline_misses=MISSES), verbose=True)
    assert lines[2:] == ["  no cached answer (offline) for 3 of 4 lookups (2 papers); run without --offline "
                         "to ask the endpoint:",
                         "      paper:agile arXiv:2405.14751",
                         "      paper:agile doi:10.48550/arXiv.2405.14751",
                         "      paper:reflexion arXiv:2303.11366",
                         "  FAILED: data/links/wikidata.ttl left untouched"]


# Through the CLI, offline with an empty cache: nothing is sent anywhere.

def _link(*args: str, cache: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "LLMRL_KG_ENDPOINTS"}
    environment["LLMRL_KG_CACHE"] = str(cache)
    return subprocess.run([sys.executable, "-m", "llmrl_kg", "link", *args], capture_output=True, text=True,
                          timeout=300, env=environment)


def _wikidata_lookups(store) -> set[tuple[str, str]]:
    """(paper, identifier) of every Wikidata lookup, from the KG: arXiv ID, its DataCite DOI, stated DOIs."""
    rows = store.query(PREFIXES + "SELECT DISTINCT ?p ?id WHERE { GRAPH ?g { "
                       "{ ?p llmrl:arxivId ?a BIND(CONCAT('arxiv:', ?a) AS ?id) } "
                       "UNION { ?p llmrl:arxivId ?a BIND(CONCAT('doi:10.48550/arxiv.', ?a) AS ?id) } "
                       "UNION { ?p bibo:doi ?d BIND(CONCAT('doi:', LCASE(?d)) AS ?id) } } }")
    return {("paper:" + row["p"].value[len(PAPER):], row["id"].value.lower()) for row in rows}


def test_an_offline_dry_run_without_answers_writes_nothing_and_says_so(tmp_path):
    output = tmp_path / "links" / "wikidata.ttl"
    result = _link("wikidata", "--offline", "--dry-run", "--output", str(output), cache=tmp_path / "cache")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "  dry run: nothing written"
    assert "FAILED" not in result.stdout
    assert not output.parent.exists()


def test_link_all_offline_prints_short_lines_and_verbose_lists_every_lookup(tmp_path, asserted_store):
    folder = tmp_path / "links"
    short = _link("all", "--offline", "--output-dir", str(folder), cache=tmp_path / "cache")
    assert short.returncode == 1
    summaries = [line for line in short.stdout.splitlines() if "no cached answer" in line]
    assert len(summaries) == 4  # one per target
    assert max(len(line) for line in short.stdout.splitlines()) <= LONGEST_SUMMARY_LINE
    assert short.stdout.splitlines()[-1] == "failed: wikidata, dblp, semopenalex, orkg"

    verbose = _link("wikidata", "--offline", "--verbose", "--output-dir", str(folder), cache=tmp_path / "cache")
    assert verbose.returncode == 1, verbose.stderr
    listed = [line.split() for line in verbose.stdout.splitlines() if line.startswith("      paper:")]
    assert {(paper, identifier.lower()) for paper, identifier in listed} == _wikidata_lookups(asserted_store)
    assert len(listed) == len(_wikidata_lookups(asserted_store))  # each lookup once
    assert not folder.exists()
