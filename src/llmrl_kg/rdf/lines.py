"""Map a subject (and optionally a predicate) back to a line of the file that states it.

SHACL and OWL findings name nodes, not lines. Curated files are canonical
Turtle, where each subject starts a block at the beginning of a line, so a
text search over the forms a term can take (`<iri>` or `prefix:local` with the
file's own prefixes) finds the right line; for other layouts it falls back to
the first line that mentions the term.
"""

from __future__ import annotations

import re

_PREFIX_STARTS = ("@", "p", "P")
_PREFIX_LINE = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)


# Files that declare the same prefixes share one dict (read only): 20,000 files with the same 25
# prefixes held 100 MB of copies. At most _SHARED_LIMIT different sets are kept.
_SHARED: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
_SHARED_LIMIT = 1_000


def _shared(prefixes: dict[str, str]) -> dict[str, str]:
    key = tuple(prefixes.items())
    found = _SHARED.get(key)
    if found is None:
        if len(_SHARED) >= _SHARED_LIMIT:
            return prefixes
        found = _SHARED[key] = prefixes
    return found


class LineIndex:
    """Finds the lines of one file's text where terms appear."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None  # split when a line is first looked up (findings are rare)
        prefixes: dict[str, str] = {}
        for line in text.splitlines():
            # Only a line whose first non-space character is @, p or P can declare a prefix.
            if line.lstrip()[:1] in _PREFIX_STARTS:
                match = _PREFIX_LINE.match(line)
                if match:
                    prefixes[match.group(1) or ""] = match.group(2)
        self.prefixes = _shared(prefixes)

    @property
    def lines(self) -> list[str]:
        """The lines of the text."""
        if self._lines is None:
            self._lines = self.text.splitlines()
        return self._lines

    def forms(self, iri: str) -> list[str]:
        """The ways this file can write `iri`."""
        written = [f"<{iri}>"]
        for prefix, namespace in self.prefixes.items():
            if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
                written.append(f"{prefix}:{iri[len(namespace):]}")
        if iri == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type":
            written.append("a")
        return written

    def _find(self, forms: list[str], start: int = 0, stop: int | None = None,
              at_start: bool = False) -> int | None:
        pattern = re.compile(
            ("^\\s*" if at_start else "(?:^|[\\s;,(\\[])")
            + "(?:" + "|".join(re.escape(f) for f in forms) + ")(?=[\\s;,.)\\]]|$)"
        )
        for number in range(start, len(self.lines) if stop is None else stop):
            if pattern.search(self.lines[number]):
                return number
        return None

    def subject_line(self, iri: str) -> int | None:
        """1-based line where `iri` is first used as a subject (best effort)."""
        forms = self.forms(iri)
        found = self._find(forms, at_start=True)
        if found is None:
            found = self._find(forms)
        return None if found is None else found + 1

    def statement_line(self, subject: str, predicate: str | None) -> int | None:
        """1-based line of `predicate` within `subject`'s block, else the subject's line."""
        first = self.subject_line(subject)
        if first is None or predicate is None:
            return first
        # The block ends where the next top-level subject starts.
        stop = first
        while stop < len(self.lines) and not (
            stop > first and self.lines[stop][:1] not in ("", " ", "\t", "#")
        ):
            stop += 1
        found = self._find(self.forms(predicate), first - 1, stop)
        return first if found is None else found + 1
