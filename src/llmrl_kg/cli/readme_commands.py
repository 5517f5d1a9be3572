"""`llmrl-kg readme`: refresh (or --check) the generated KG summary in README.md."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("readme")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the summary in README.md is stale.")
@click.option("--file", "path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The README to refresh (default: README.md of the KG's checkout).")
def readme(check: bool, path: Path | None) -> None:
    """Write the taxonomy with counts and a diagram between README.md's kg-summary markers."""
    from llmrl_kg import locations
    from llmrl_kg.errors import DataError
    from llmrl_kg.export.records import load_kg
    from llmrl_kg.export.summary import END, START, readme_is_fresh, refresh_readme

    path = path or locations.kg_root() / "README.md"
    if not path.is_file():
        raise DataError(f"{path}: no such file", fix="Name the README with --file PATH.")
    kg = load_kg()
    if check:
        if not readme_is_fresh(path, kg):
            raise DataError(f"{path}: the summary between {START} and {END} is stale",
                            fix="Run `llmrl-kg readme` and commit README.md.")
        click.echo(f"{path}: the summary is up to date", err=True)
        return
    changed = refresh_readme(path, kg)
    click.echo(f"{path}: {'summary written' if changed else 'the summary was already up to date'}", err=True)
