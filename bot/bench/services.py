"""Real PostgreSQL and Redis, started from the Debian packages in a temporary folder.

The multi-school tests and the load benchmark run against the same servers an operator runs, never
a mock: each is started on a free loopback port with its data in a folder of its own, and stopped
(with the folder removed) afterwards. `make test` installs the packages the way it installs
chromium; where they cannot be found, `ServiceUnavailable` says which and why, and the tests that
need them are skipped with that message.

PostgreSQL refuses to run as root, so when the tests run as root (a CI container) the server is
started as the `postgres` account the Debian package creates, in a folder that account owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class ServiceUnavailable(RuntimeError):
    """The server cannot be started here; the message says what is missing."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_port(port: int, seconds: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ServiceUnavailable(f"the server exited at start (status {process.returncode})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise ServiceUnavailable(f"nothing answered on port {port} within {seconds:.0f} s")


class RedisServer:
    """`redis-server` on a loopback port, persistence off; `url` is what flask-limiter takes."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server")
        if not self.binary:
            raise ServiceUnavailable("redis-server is not installed (Debian package redis-server; "
                                     "`make test` installs it where apt can)")
        self.folder = Path(tempfile.mkdtemp(prefix="bot-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_port(self.port, 20, self.process)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        shutil.rmtree(self.folder, ignore_errors=True)


def _postgres_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if found:
        return Path(found[0]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise ServiceUnavailable("PostgreSQL is not installed (Debian package postgresql; "
                             "`make test` installs it where apt can)")


class PostgresServer:
    """A throwaway PostgreSQL cluster on a loopback port (trust authentication, loopback only).

    `url` is an SQLAlchemy address for its database `bot`; `database(name)` makes another one, so
    tests that must not see each other's rows each get their own.
    """

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="bot-postgres-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.user = "bot"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            if not shutil.which("runuser"):
                raise ServiceUnavailable("PostgreSQL will not run as root and runuser is missing")
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise ServiceUnavailable(f"{args[0]} failed: {(result.stderr or result.stdout).strip()[:400]}")
        return result

    def start(self) -> PostgresServer:
        if self.as_root:
            try:
                shutil.chown(self.folder, "postgres", "postgres")
            except (LookupError, PermissionError) as exc:
                raise ServiceUnavailable(f"no postgres account to run the server as ({exc})") from None
        self._run("initdb", "-D", str(self.data), "-U", self.user, "--auth=trust", "--encoding=UTF8",
                  "--no-instructions")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
                        "-c max_connections=300", "start")
        self.database("bot")
        return self

    def database(self, name: str) -> str:
        """Create database `name` (if new) and return its address."""
        result = self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name,
                           check=False)
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise ServiceUnavailable(f"createdb failed: {result.stderr.strip()[:400]}")
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{name}"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/bot"

    def stop(self) -> None:
        if self.data.is_dir():
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)
