"""With no PostgreSQL server reachable, the suite starts its own throw-away cluster (tests/pgcluster.py)."""

from __future__ import annotations

import glob
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.postgres
def test_unreachable_server_falls_back_to_a_private_cluster_that_is_removed_afterwards() -> None:
    before = set(glob.glob("/tmp/docledger-pg-*"))
    env = {**os.environ, "DOCLEDGER_TEST_PG": "postgresql://postgres@127.0.0.1:1"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-s",
            "-p",
            "no:cacheprovider",
            "tests/contract/test_contract_registry.py",
            "-k",
            "postgres",
            "--maxfail=1",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    m = re.search(r"private PostgreSQL cluster at postgresql://postgres@127\.0\.0\.1:(\d+) \((\S+)\)", out)
    assert m and m.group(1) != "1", out[-2000:]
    assert re.search(r"\d+ passed", out) and " skipped" not in out
    assert not Path(m.group(2)).exists() and set(glob.glob("/tmp/docledger-pg-*")) <= before
