"""A throwaway PostgreSQL cluster under a temp dir on a free port (Debian's server binaries)."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bindir() -> Path:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise RuntimeError("PostgreSQL server binaries not found: run scripts/ensure-postgres.sh")
    return Path(candidates[-1]).parent


@dataclass
class Cluster:
    directory: Path
    port: int
    bindir: Path
    fsync: bool = False

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        data = str(self.directory / "data")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            data,
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.resume()

    def resume(self) -> None:
        """Start the server on the cluster made by `start` (after `stop`: the same data, port and settings)."""
        data = str(self.directory / "data")
        fsync = "on" if self.fsync else "off"
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync={fsync} -c max_connections=300"
            " -c wal_recycle=off"  # erasure scrubs the WAL: old segments are deleted, not recycled (README)
            " -c max_wal_size=64MB -c min_wal_size=32MB"  # a small WAL: the erasure test reads all of it
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            data,
            "-l",
            str(self.directory / "server.log"),
            "-w",
            "-t",
            "30",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_cluster(fsync: bool = False) -> Cluster:
    """Tests run without fsync; benchmarks ask for it so that commits cost what they cost in production."""
    directory = Path(tempfile.mkdtemp(prefix="hub-pg-"))
    cluster = Cluster(directory=directory, port=free_port(), bindir=postgres_bindir(), fsync=fsync)
    cluster.start()
    return cluster
