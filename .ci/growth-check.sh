#!/usr/bin/env bash
# CI: the KG survives growth. On a throw-away copy of the repository, add one valid method with
# `llmrl-kg new` (CONTRIBUTING.md's example), regenerate what the documented command regenerates, and
# run the tests: they must pass with no other edit.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
copy="$work/llmrl-kg"
mkdir "$copy"
# The repository's files only: no virtual environments, caches or build output.
tar -C "$repo" --exclude=.git --exclude='.ci-venv' --exclude='.venv' --exclude='__pycache__' \
    --exclude='.pytest_cache' --exclude='.mypy_cache' --exclude='.ruff_cache' \
    --exclude=test-artifacts --exclude='*.whl' --exclude='*.egg-info' --exclude=build --exclude=dist -cf - . | tar -C "$copy" -xf -
cd "$copy"
export PYTHONPATH="$copy/src${PYTHONPATH:+:$PYTHONPATH}"  # the copy's code, whatever is installed
export XDG_CACHE_HOME="$work/cache"                       # a cache of its own, not the caller's

# A method of its own (not CONTRIBUTING's example, which the documentation test replays on a copy).
llmrl-kg new growth-agent --name "GrowthAgent" --role parametric-agent \
    --model "Llama 2" --model GPT-4 --fine-tuned peft \
    --rl-role pi_l --rl-role v_l --rl-role rft --metric acc --metric rew \
    --code https://github.com/example/growth-agent --arxiv 2502.09876 \
    --title "GrowthAgent: A Parametric Agent Added by the Growth Check" \
    --authors "Ann Smith; et al." --venue "NeurIPS 2025" --benchmark HotpotQA
llmrl-kg validate
llmrl-kg fmt --check
python -m pytest -q -p no:cacheprovider -m generated --update-expected   # CONTRIBUTING's one regenerate command
python -m pytest -q -p no:cacheprovider -m "not slow" "$@"
echo "growth check passed: one method added with llmrl-kg new, tests pass after --update-expected"
