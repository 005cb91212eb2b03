"""Real PostgreSQL and Redis servers for the tests, on loopback, in temporary folders.

PostgreSQL 15 is started with `initdb` + `pg_ctl` as an unprivileged user (the server refuses
to run as root: when the tests run as root, the `postgres` user, or a `callbot-pg` user made
with `useradd`, owns the data folder). Redis does not take port 0, so a free port is picked
first. When a server cannot be had, `Unavailable` says why and the tests that need it skip
with that sentence; `tests/support/ensure-servers.sh` (run by `make test`) installs them.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

START_SECONDS = 30.0


class Unavailable(Exception):
    """The server cannot be started here; the message says why, for the skip line."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes] | None, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise Unavailable(f"the server exited at start (code {proc.returncode})")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise Unavailable(f"nothing listened on 127.0.0.1:{port} after {seconds:.0f} s")


def pg_bin_dir() -> Path:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").is_file():
            return Path(candidate)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise Unavailable("PostgreSQL is not installed (no initdb under /usr/lib/postgresql/*/bin or on PATH)")


def _server_user() -> str | None:
    """None when not root; else an unprivileged user to run postgres as (made if need be)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "callbot-pg"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    subprocess.run(["useradd", "--system", "--no-create-home", "callbot-pg"], check=False, capture_output=True)
    try:
        pwd.getpwnam("callbot-pg")
    except KeyError:
        raise Unavailable("running as root and could not create an unprivileged user for PostgreSQL") from None
    return "callbot-pg"


@dataclass
class Postgres:
    root: Path
    port: int
    bin_dir: Path
    user: str | None

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://callbot@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user is not None:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd="/")

    def start(self) -> None:
        data = self.root / "data"
        init = self._run("initdb", "-D", str(data), "-U", "callbot", "--auth=trust", "-E", "UTF8", "--no-sync")
        if init.returncode != 0:
            raise Unavailable(f"initdb failed: {init.stderr.strip().splitlines()[-1:]}")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        started = self._run("pg_ctl", "-D", str(data), "-o", options, "-l", str(self.root / "log"), "-w", "start")
        if started.returncode != 0:
            raise Unavailable(f"pg_ctl start failed: {started.stderr.strip() or started.stdout.strip()}")
        _wait_port(self.port, None)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop")

    def new_database(self) -> str:
        """A fresh empty database's URL (one per test: no state leaks between tests)."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=callbot dbname=postgres", autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def running_postgres() -> Iterator[Postgres]:
    bin_dir = pg_bin_dir()
    user = _server_user()
    root = Path(tempfile.mkdtemp(prefix="callbot-pg-"))
    if user is not None:
        shutil.chown(root, user)
        root.chmod(0o700)
    server = Postgres(root, free_port(), bin_dir, user)
    try:
        server.start()
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Redis:
    port: int
    proc: subprocess.Popen[bytes]

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def flush(self) -> None:
        import redis

        redis.Redis.from_url(self.url()).flushall()


@contextlib.contextmanager
def running_redis() -> Iterator[Redis]:
    binary = shutil.which("redis-server") or (
        "/usr/bin/redis-server" if Path("/usr/bin/redis-server").is_file() else None
    )
    if binary is None:
        raise Unavailable(
            "redis-server is not installed (make test installs it when run as root: apt-get install redis-server)"
        )
    folder = tempfile.mkdtemp(prefix="callbot-redis-")
    port = free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc)
        yield Redis(port, proc)
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)
