"""`python -m llmrl_kg` runs the command-line tool."""

from llmrl_kg.cli import main

main()
