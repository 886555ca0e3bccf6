"""Real services for tests: PostgreSQL and Redis from the environment, or our own.

``DATABASE_URL``/``REDIS_URL`` point at running servers when set; otherwise
each is started from the installed binaries in a temporary folder. Never a
skip: a missing binary fails the run.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator

import psycopg


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def _pg_bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))), None)
    if not found:
        raise RuntimeError(f"PostgreSQL binary {name} not found: install postgresql")
    return found


class PostgresProcess:
    """Our own PostgreSQL in a temporary folder, on a free port, driven by ``pg_ctl``: start, stop, start again.

    ``stop(fast=True)`` is a fast shutdown (sessions cut, transactions rolled back);
    ``stop(fast=False)`` an immediate one (no checkpoint: crash recovery on the next start).
    """

    def __init__(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="hc-pg-")
        self.data = os.path.join(self.tmp, "data")
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        subprocess.run([*self.as_user, _pg_bin("initdb"), "-D", self.data, "-A", "trust", "-U", "postgres"],
                       check=True, capture_output=True)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run([*self.as_user, _pg_bin("pg_ctl"), "-D", self.data, "-w", "-t", "60", *args],
                       check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.tmp} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._ctl("-l", os.path.join(self.tmp, "postgres.log"), "-o", options, "start")

    def stop(self, fast: bool = True) -> None:
        self._ctl("-m", "fast" if fast else "immediate", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server URL (admin database), ours or the environment's."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    pg = PostgresProcess()
    pg.start()
    try:
        yield pg.url
    finally:
        pg.remove()


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new empty database on the server, dropped afterwards."""
    name = f"hc_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = server_url.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class RedisProcess:
    """Our own redis-server on a free port, no persistence: start, kill -9, start again."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError("redis-server not found: install redis-server")
        self.binary = binary
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL)
        _wait_port(self.port)

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    redis = RedisProcess()
    redis.start()
    try:
        yield redis.url
    finally:
        redis.stop()
