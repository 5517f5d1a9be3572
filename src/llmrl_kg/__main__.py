"""`python -m llmrl_kg` runs the command-line tool."""

from .cli import main

main()
