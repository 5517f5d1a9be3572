"""Text cleaning for the non-RDF exports.

Control characters (NUL, vertical tab, …) become spaces: XML cannot hold them
(networkx would write GraphML it cannot read back) and Markdown, CSV and BibTeX
readers break on them. Bidirectional-override characters and non-characters are
dropped: they make a label display differently from what it says. The RDF
exports keep every character (their serialisers escape them).
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
