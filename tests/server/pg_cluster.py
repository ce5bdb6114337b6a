"""A real PostgreSQL for the server tests: ``FLOW_NB_TEST_POSTGRES_URL``, or a throwaway cluster.

With ``FLOW_NB_TEST_POSTGRES_URL`` (a URL of a role that may CREATE DATABASE) each test database is made
there. Otherwise, if PostgreSQL's binaries are installed (``/usr/lib/postgresql/*/bin/initdb``; Debian's
``apt-get install postgresql``), a cluster is made in a temporary directory, on a free port, with its
socket in that directory, and removed afterwards. initdb refuses to run as root, so as root it runs as
the ``postgres`` OS user (``runuser -u postgres --``).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

__all__ = ["Cluster", "PostgresUnavailable", "postgres"]


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL to test against; the message says how to get one."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    if shutil.which("runuser") is None:
        raise PostgresUnavailable("running as root without runuser: cannot run initdb as the postgres user")
    return ["runuser", "-u", "postgres", "--", *command]


class Cluster:
    """A PostgreSQL server to make test databases in."""

    def __init__(self, admin_url: str, *, data_dir: Path | None = None, bin_dir: Path | None = None):
        self.admin_url = admin_url
        self.data_dir = data_dir
        self.bin_dir = bin_dir
        self._made: list[str] = []

    def database(self) -> str:
        """A new empty database; its SQLAlchemy URL."""
        name = f"flow_nb_test_{secrets.token_hex(4)}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self._made.append(name)
        base = self.admin_url.rsplit("/", 1)[0]
        return f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)

    def stop(self) -> None:
        """Drop the databases made (an external server), or stop and remove the throwaway cluster."""
        if self.data_dir is None:
            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                for name in self._made:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            return
        assert self.bin_dir is not None
        subprocess.run(
            _as_postgres(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"]
            ),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.data_dir.parent, ignore_errors=True)


def _throwaway() -> Cluster:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb) and FLOW_NB_TEST_POSTGRES_URL "
            "is not set: apt-get install -y postgresql, or point FLOW_NB_TEST_POSTGRES_URL at a server"
        )
    bin_dir = Path(found[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="flow_nb-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
    port = _free_port()
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"]
    done = subprocess.run(_as_postgres(initdb), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"initdb failed: {done.stderr.strip()[-500:]}")
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    start = [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(data / "log"), "-w", "start"]
    done = subprocess.run(_as_postgres(start), capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        log = (data / "log").read_text(errors="replace")[-500:] if (data / "log").exists() else done.stderr
        shutil.rmtree(root, ignore_errors=True)
        raise PostgresUnavailable(f"pg_ctl start failed: {log.strip()}")
    return Cluster(f"postgresql://postgres@127.0.0.1:{port}/postgres", data_dir=data, bin_dir=bin_dir)


def postgres() -> Cluster:
    """The PostgreSQL to test against (see the module's docstring), or :class:`PostgresUnavailable`."""
    url = os.environ.get("FLOW_NB_TEST_POSTGRES_URL")
    if url:
        return Cluster(url.replace("postgresql+psycopg://", "postgresql://", 1))
    return _throwaway()
