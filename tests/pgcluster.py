"""A private, throw-away PostgreSQL cluster for the test suite (what pytest-postgresql does).

Used when no server answers at DOCLEDGER_TEST_PG: the binaries of Debian's ``postgresql``
package (installed with apt-get when missing), ``initdb`` into a temporary directory with trust
authentication, a free port on 127.0.0.1, ``fsync=off``; stopped and deleted when the session
ends (and at interpreter exit, should the session be interrupted). ``initdb`` refuses to run
as root, so under root the cluster belongs to the ``postgres`` system user (``runuser``).
"""

from __future__ import annotations

import atexit
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

_state: dict[str, object] = {}


class ClusterError(RuntimeError):
    pass


def reachable(base_url: str) -> bool:
    import psycopg

    try:
        psycopg.connect(f"{base_url}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _install() -> Path:
    bindir = _bin_dir()
    if bindir is not None:
        return bindir
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in ([*sudo, "apt-get", "update", "-qq"], [*sudo, "apt-get", "install", "-y", "-qq", "postgresql"]):
        run = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if run.returncode != 0:
            raise ClusterError(f"`{' '.join(cmd)}` failed: {run.stderr.strip()[-400:]}")
    bindir = _bin_dir()
    if bindir is None:
        raise ClusterError("the postgresql package installed no /usr/lib/postgresql/*/bin/initdb")
    return bindir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str], user: str | None) -> list[str]:
    return ["runuser", "-u", user, "--", *cmd] if user else cmd


def start_private_cluster() -> str:
    """Start (once per process) a private cluster; returns its base URL (no database name)."""
    if "url" in _state:
        return str(_state["url"])
    bindir = _install()
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError as exc:
            raise ClusterError("running as root and there is no `postgres` user to own the cluster") from exc
        user = "postgres"
    root = Path(tempfile.mkdtemp(prefix="docledger-pg-"))
    if user:
        shutil.chown(root, user=user)
    data, port = root / "data", _free_port()
    _state.update(root=root, data=data, user=user, bindir=bindir)
    atexit.register(stop_private_cluster)
    steps = [
        [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"],
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200",
            "start",
        ],
    ]
    for cmd in steps:
        run = subprocess.run(_as_owner(cmd, user), capture_output=True, text=True)
        if run.returncode != 0:
            log = (root / "server.log").read_text()[-400:] if (root / "server.log").exists() else ""
            stop_private_cluster()
            raise ClusterError(f"`{Path(cmd[0]).name}` failed: {(run.stderr or run.stdout).strip()[-400:]} {log}")
    url = f"postgresql://postgres@127.0.0.1:{port}"
    _state["url"] = url
    print(f"\ndocledger tests: private PostgreSQL cluster at {url} ({root})")  # noqa: T201
    return url


def stop_private_cluster() -> None:
    """Stop and delete the private cluster, if this process started one."""
    root = _state.pop("root", None)
    if root is None:
        return
    data, user, bindir = _state.pop("data"), _state.pop("user"), _state.pop("bindir")
    _state.pop("url", None)
    if (Path(str(data)) / "postmaster.pid").exists():
        subprocess.run(
            _as_owner(
                [str(Path(str(bindir)) / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                user if isinstance(user, str) else None,
            ),
            capture_output=True,
        )
    shutil.rmtree(str(root), ignore_errors=True)
