"""Finding the knowledge graph's Turtle files and parsing them strictly.

Parsing uses pyoxigraph, which implements the Turtle grammar exactly and
reports line and column; rdflib's own parser accepts many invalid files.
Each file becomes its own named graph, so every triple can be traced back to
the file that states it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import resources
from .findings import ERROR, Finding

MAX_FILE_BYTES = 2 * 1024 * 1024
FILE_GRAPH_PREFIX = "urn:llmrl-kg:file:"


@dataclass
class SourceFile:
    """A Turtle file, how to name it in messages, and what it parsed to."""

    path: Path
    display: str
    triples: list[ox.Triple] = field(default_factory=list)
    text: str = ""
    ok: bool = False

    @property
    def base_iri(self) -> str:
        """The file's own URI, the base for relative IRIs."""
        return self.path.resolve().as_uri()

    @property
    def graph_name(self) -> ox.NamedNode:
        """The named graph that holds this file's triples."""
        return ox.NamedNode(FILE_GRAPH_PREFIX + self.display.replace(" ", "%20"))


def display_name(path: Path) -> str:
    """A short, stable name for `path`: relative to the KG root or to the working directory."""
    path = path.resolve()
    for base in (resources.kg_root(), Path.cwd()):
        try:
            return path.relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def discover(paths: list[Path]) -> list[Path]:
    """All `.ttl` files under `paths` (files are taken as given), sorted, without repeats."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.ttl") if p.is_file()))
        else:
            found.append(path)
    seen: set[Path] = set()
    unique = []
    for path in found:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def shipped_data_files() -> list[Path]:
    """The curated instance data that ships with the package."""
    return discover([resources.data_dir()])



def parse_file(path: Path) -> tuple[SourceFile, list[Finding]]:
    """Parse one Turtle file strictly; return it with any syntax findings."""
    source = SourceFile(path=path, display=display_name(path))
    try:
        raw = path.read_bytes()
    except OSError as error:
        return source, [Finding(source.display, None, ERROR, "unreadable-file",
                                f"cannot read the file: {error.strerror or error}",
                                "check the path and its permissions")]
    if len(raw) > MAX_FILE_BYTES:
        return source, [Finding(source.display, None, ERROR, "file-too-large",
                                f"the file has {len(raw)} bytes, more than the {MAX_FILE_BYTES} allowed",
                                "split it into one file per record")]
    if raw.startswith(b"\xef\xbb\xbf"):
        return source, [Finding(source.display, 1, ERROR, "turtle-syntax",
                                "the file starts with a UTF-8 byte-order mark",
                                "save the file as UTF-8 without BOM")]
    source.text = raw.decode("utf-8", errors="replace")
    try:
        # Relative IRIs resolve against the file's own URI (as the Turtle spec says);
        # the hygiene check then reports them, since curated data must use absolute IRIs.
        source.triples = [q.triple for q in ox.parse(raw, format=ox.RdfFormat.TURTLE,
                                                      base_iri=source.base_iri)]
    except SyntaxError as error:
        message = _plain(str(error.msg or error))
        return source, [Finding(source.display, error.lineno, ERROR, "turtle-syntax", message,
                                _syntax_fix(message))]
    source.ok = True
    return source, []


def _syntax_fix(message: str) -> str:
    prefix = re.search(r"prefix (\S*:) has not been declared", message)
    if prefix:
        return (f"declare it at the top of the file with `@prefix {prefix.group(1)} <IRI> .`; "
                "the project's prefixes are listed in docs/data-model.md")
    return "fix the Turtle syntax at this place; see https://www.w3.org/TR/turtle/"


def _plain(message: str) -> str:
    """pyoxigraph's parser message without its own location prefix (we print ours)."""
    return re.sub(r"^Parser error (at|between) [^:]*: ", "", message)


def parse_files(paths: list[Path]) -> tuple[list[SourceFile], list[Finding]]:
    """Parse every file; return all of them (parsed or not) and the syntax findings."""
    sources, findings = [], []
    for path in paths:
        source, problems = parse_file(path)
        sources.append(source)
        findings.extend(problems)
    return sources, findings
