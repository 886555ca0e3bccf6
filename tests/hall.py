"""A real hall server in its own process, for tests that need sockets or kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.services import free_port


class ServerProcess:
    """``hemicycle serve`` as a child process: start, kill -9, start again."""

    def __init__(
        self, db_url: str, data: Path, admin_token: str = "test-admin-token-0001", extra: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.db_url = db_url
        self.data = data
        self.extra = extra
        self.env = env or {}
        self.admin_token = admin_token
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        log = open(self.data / "server.log", "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "hemicycle.cli", "serve", "--port", str(self.port),
             "--db", self.db_url, "--data", str(self.data), "--admin-token", self.admin_token, *self.extra],
            stdout=log, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise TimeoutError("server did not start")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
