"""A linking run over one or all targets: check the options, load papers and rejections, link each target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from llmrl_kg.errors import FindingsError, UsageError
from llmrl_kg.link import TARGETS

TARGET_NAMES = tuple(TARGETS)


@dataclass
class LinkOptions:
    """What `llmrl-kg link` was asked to do (the defaults are the command's)."""

    target: str
    endpoint: str | None = None
    output: Path | None = None
    output_dir: Path | None = None
    offline: bool = False
    refresh: bool = False
    dry_run: bool = False
    timeout: float = 75.0
    retries: int = 3
    cache_dir: Path | None = None
    rejected_file: Path | None = None

    def targets(self) -> list[str]:
        """The target names this run covers."""
        return list(TARGET_NAMES) if self.target == "all" else [self.target]

    def check(self, overrides: dict[str, str]) -> None:
        """Refuse option combinations and endpoint URLs that cannot work (UsageError)."""
        from llmrl_kg.link.client import check_endpoint_url

        if self.target == "all" and (self.endpoint or self.output):
            raise UsageError("link: --endpoint and --output need a single TARGET, not 'all' (use --output-dir)")
        if self.output and self.output_dir:
            raise UsageError("link: give --output or --output-dir, not both")
        if self.offline and self.refresh:
            raise UsageError("link: --offline and --refresh exclude each other")
        given = [("--endpoint", self.endpoint)] if self.endpoint else []
        for option, url in given + [("$LLMRL_KG_ENDPOINTS", url) for url in overrides.values()]:
            try:
                check_endpoint_url(url)
            except ValueError as error:
                raise UsageError(f"link: {option}: {error}") from None
        if self.rejected_file and not self.rejected_file.is_file():
            raise UsageError(f"link: --rejected: no such file: {self.rejected_file}")


@dataclass
class LinkRun:
    """The reports of every target, and how many answers could not be cached."""

    reports: list = field(default_factory=list)
    cache_failures: int = 0
    cache_directory: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every target asked for was done."""
        return all(report.ok for report in self.reports)


def run_link(options: LinkOptions, *, on_report: Callable[[object], None] = lambda report: None,
             log: Callable[[str], None] = lambda message: None) -> LinkRun:
    """Link every target of `options`; `on_report` sees each target's report as soon as it is done."""
    from llmrl_kg import locations
    from llmrl_kg.kg.files import display_name
    from llmrl_kg.link import make_aligner
    from llmrl_kg.link.cache import ResponseCache, default_cache_dir
    from llmrl_kg.link.client import SparqlClient, endpoint_overrides
    from llmrl_kg.link.papers import load_papers
    from llmrl_kg.link.rejected import default_rejected_file, load_rejected
    from llmrl_kg.link.runner import link_target

    overrides = endpoint_overrides()
    options.check(overrides)
    rejected_path = options.rejected_file or default_rejected_file()
    rejected, findings = load_rejected(rejected_path, set(TARGET_NAMES), display_name(rejected_path))
    if findings:
        raise FindingsError("\n".join(finding.format() for finding in findings))
    papers = load_papers()
    cache = ResponseCache(options.cache_dir or default_cache_dir())
    client = SparqlClient(cache=cache, offline=options.offline, refresh=options.refresh, timeout=options.timeout,
                          retries=options.retries, log=log)
    run = LinkRun(cache_directory=cache.directory)
    for name in options.targets():
        aligner = make_aligner(name)
        path = options.output or (options.output_dir or locations.writable_data_dir("link") / "links") / f"{name}.ttl"
        url = options.endpoint or overrides.get(aligner.endpoint, aligner.endpoint)
        report = link_target(aligner, papers, client, endpoint=url, output=path, output_display=display_name(path),
                             rejected=rejected, dry_run=options.dry_run)
        run.reports.append(report)
        on_report(report)
    run.cache_failures = client.cache_failures
    return run
