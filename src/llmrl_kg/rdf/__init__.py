"""RDF building blocks: namespaces, terms, canonical Turtle, line lookup, SPARQL text, atomic writes."""
