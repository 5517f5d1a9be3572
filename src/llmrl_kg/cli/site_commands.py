"""`llmrl-kg site`: write the KG as a static website (and preview it locally)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("site")
@click.option("-o", "--output", "output", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="Folder to write the site into (replaced if it holds an earlier build).")
@click.option("--serve", is_flag=True, help="After building, preview the site on http://127.0.0.1:PORT/.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port of the local preview (0: any free port).")
def site(output: Path, serve: bool, port: int) -> None:
    """Write the KG as a static website: a page per entity, the tables, the network and SPARQL in the browser."""
    from llmrl_kg.errors import ServiceError
    from llmrl_kg.site import build_site

    summary = build_site(output)
    click.echo(f"wrote {summary.pages} pages ({summary.files} files) to {output} in {summary.seconds:.1f} s", err=True)
    if not serve:
        return
    from llmrl_kg.site.serve import preview_server

    try:
        server = preview_server(output, port)
    except OSError as error:
        raise ServiceError(f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}",
                           fix="choose another --port (0 picks a free one)") from None
    click.echo(f"serving {output} on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.server_close()
