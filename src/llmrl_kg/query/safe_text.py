"""Text made safe where it lands: exports, result tables and spreadsheets.

Control characters (NUL, vertical tab, …) become spaces: XML cannot hold them
(networkx would write GraphML it cannot read back) and Markdown, CSV and BibTeX
readers break on them. Bidirectional-override characters and non-characters are
dropped: they make a label display differently from what it says. The RDF
exports keep every character (their serialisers escape them).

Curated text is also kept inert where it lands: a spreadsheet cell that starts like
a formula is prefixed with a quote (OWASP's advice against CSV injection), and HTML
markup is escaped in Markdown cells.
"""

from __future__ import annotations

import re
import unicodedata

_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_NONCHARACTERS = re.compile("[\ufffe\uffff\ud800-\udfff]")


def clean_text(text: str) -> str:
    """`text` without control, bidi-override or non-characters (controls become spaces)."""
    text = "".join(" " if unicodedata.category(c) == "Cc" else c for c in text)
    return _NONCHARACTERS.sub("", _BIDI.sub("", text))


# OWASP "CSV injection": a cell starting with one of these is a formula to spreadsheets.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """`text`, prefixed with `'` when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def html_safe(text: str) -> str:
    """`text` with `&`, `<` and `>` as HTML entities, so that Markdown renders no markup from it."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
