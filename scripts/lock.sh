#!/usr/bin/env bash
# Regenerates requirements.lock from requirements.txt in one command: every package the pins pull in,
# transitive ones included, pinned to one version with the sha256 of every file PyPI publishes for it,
# so `pip install --require-hashes -r requirements.lock` refuses any file that differs by one byte.
#
#   bash scripts/lock.sh      # after adding or changing a pin in requirements.txt; commit both files
#
# Resolution and hashes come from PyPI alone (PIP_CONFIG_FILE=/dev/null): a machine's own pip
# configuration (mirrors, extra indexes, constraints) never leaks into the lock. Pins already in
# requirements.lock are kept unless requirements.txt forces a change. The lock is for CPython 3.11 on
# Linux x86_64, the platform docledger is tested on.
set -euo pipefail
cd "$(dirname "$0")/.."
PIP_TOOLS_VERSION=7.6.2
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools/venv"
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
"$tools/venv/bin/pip" install -q "pip-tools==$PIP_TOOLS_VERSION"
CUSTOM_COMPILE_COMMAND="bash scripts/lock.sh" "$tools/venv/bin/pip-compile" --quiet --generate-hashes \
  --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
  --output-file requirements.lock requirements.txt
echo "docledger: requirements.lock regenerated ($(grep -c '^[a-z0-9]' requirements.lock) packages)"
