"""Where queries run: backends, the on-disk store, pushes to SPARQL servers, the local server."""
