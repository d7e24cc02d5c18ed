"""Start and stop a throwaway PostgreSQL server on a loopback port (for the tests and .ci/run).

As root, initdb and pg_ctl must run as the ``postgres`` user. From a shell,
``python tests/pgserver.py start DIR`` prints the server's URL and ``... stop DIR`` stops it.
"""

from __future__ import annotations

import glob
import os
import shlex
import shutil
import socket
import subprocess
import sys
from pathlib import Path


def binaries() -> Path | None:
    """The folder of Debian's PostgreSQL server programs, newest version first."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if candidates:
        return Path(candidates[0]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(command)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(directory: Path) -> str:
    """initdb + start in ``directory``; returns a SQLAlchemy URL for the ``postgres`` database."""
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL server programs not found (apt-get install postgresql)")
    directory.mkdir(parents=True, exist_ok=True)
    data, sockets = directory / "data", directory / "sockets"
    sockets.mkdir(exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    run = lambda cmd: subprocess.run(  # noqa: E731
        _as_server_user(cmd), check=True, capture_output=True, text=True
    )
    run([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(
        [
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(directory / "log"),
            "-w",
            "start",
        ]
    )
    (directory / "port").write_text(str(port))
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def stop(directory: Path) -> None:
    bindir = binaries()
    if bindir and (directory / "data").exists():
        subprocess.run(
            _as_server_user(
                [str(bindir / "pg_ctl"), "-D", str(directory / "data"), "-m", "fast", "-w", "stop"]
            ),
            capture_output=True,
        )


if __name__ == "__main__":
    action, folder = sys.argv[1], Path(sys.argv[2]).resolve()
    if action == "start":
        print(start(folder))
    else:
        stop(folder)
