"""`export csv`: one row per surveyed method, the survey's columns plus the paper's extra ones.

The survey's columns (Model(s), FT, RL Role, Metrics, Code) come from the README
entry by default, or from the paper's Table 1 entry with `source="paper"`; the
columns only the paper has (FM Role, RL Agent, RL Task, RL Setting) always come
from the paper entry. Codes are written as the survey prints them (`✓*`,
`π_l, v_l, rft`); an empty cell means the survey prints `-`. Rows follow the
survey's order. Text is cleaned of control characters (cleaning.clean_text), and a
cell that a spreadsheet would run as a formula starts with `'` (cleaning.spreadsheet_safe).
"""

from __future__ import annotations

import csv
import io

from llmrl_kg.export.records import Entry, Method, Records
from llmrl_kg.query.safe_text import clean_text, spreadsheet_safe
from llmrl_kg.rdf.namespaces import BIBO, FABIO, LLMRL

COLUMNS = ("Method", "Citation", "Category", "Model(s)", "FT", "RL Role", "Metrics", "Code",
           "FM Role", "RL Agent", "RL Task", "RL Setting", "Year", "arXiv", "DOI", "IRI")
_DOCUMENT = {"readme": "readme", "paper": "paper-v1"}


def _survey_order(method: Method) -> tuple[int, int]:
    entry = method.entry("paper-v1") or method.entry("readme")
    assert entry is not None, method.iri  # only the survey's methods are sorted
    return (0, entry.row) if entry.document == "paper-v1" else (1, entry.row)


def method_row(kg: Records, method: Method, source: str = "readme") -> dict[str, str]:
    """The CSV cells of one method."""
    ix = kg.index
    main: Entry = method.entry(_DOCUMENT[source]) or method.entries[0]
    paper_entry = method.entry("paper-v1")

    def codes(iris) -> str:
        return ", ".join(ix.notation(i) for i in iris)

    def paper_code(attribute: str) -> str:
        value = getattr(paper_entry, attribute) if paper_entry else None
        return ix.notation(value) if value else ""

    paper = method.paper or ""
    return {
        "Method": method.label,
        "Citation": main.citation,
        "Category": ix.label(method.leaf_class) if method.leaf_class else "",
        "Model(s)": ", ".join(main.model_labels),
        "FT": ix.notation(main.fine_tuning) if main.fine_tuning else "",
        "RL Role": codes(main.rl_roles),
        "Metrics": codes(main.metrics),
        "Code": main.code or "",
        "FM Role": codes(paper_entry.fm_roles) if paper_entry else "",
        "RL Agent": paper_code("rl_agent"),
        "RL Task": paper_code("rl_task"),
        "RL Setting": paper_code("rl_setting"),
        "Year": ix.value(paper, FABIO + "hasPublicationYear") or "",
        "arXiv": ix.value(paper, LLMRL + "arxivId") or "",
        "DOI": " ".join(o.value for o in ix.objects(paper, BIBO + "doi")),
        "IRI": method.iri,
    }


def methods_csv(kg: Records, source: str = "readme") -> str:
    """The CSV text (RFC 4180, CRLF line ends, a header row) of every surveyed method."""
    if source not in _DOCUMENT:
        raise ValueError(f"unknown source {source!r}; use readme or paper")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    surveyed = sorted((m for m in kg.methods if m.surveyed), key=_survey_order)
    for method in surveyed:
        writer.writerow({k: spreadsheet_safe(clean_text(v)) for k, v in method_row(kg, method, source).items()})
    return out.getvalue()
