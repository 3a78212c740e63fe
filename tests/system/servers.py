"""Real servers for the system tests: a throwaway PostgreSQL and gunicorn running the app.

PostgreSQL is started the way .ci/with-postgres.sh starts it (its own data directory and free
port on 127.0.0.1; as root, run as the `postgres` OS user), so that the tests can stop and
start it under load.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
AS_ROOT = os.geteuid() == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def postgresql_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: p.parts)
    if not found:
        raise RuntimeError(
            "no PostgreSQL server in /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        )
    return found[-1].parent


class PostgresServer:
    """initdb, start, stop and restart one throwaway cluster."""

    user = "vertaa"
    password = "vertaa"
    database = "vertaa_system"

    def __init__(self):
        self.bin = postgresql_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="vertaa-system-pg-"))
        if AS_ROOT:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.port = free_port()

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if AS_ROOT:  # postgres refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, cwd=self.folder, capture_output=True, timeout=120)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def create(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "--username=postgres",
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        self.start()
        self._run(
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            str(self.folder),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            f"CREATE ROLE {self.user} LOGIN PASSWORD '{self.password}'",
            "-c",
            f"CREATE DATABASE {self.database} OWNER {self.user}",
        )

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} "
            "-c fsync=off -c full_page_writes=off -c max_connections=100"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
            "-o",
            options,
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


class Gunicorn:
    """`gunicorn app:app` with sync workers on a loopback port, as deploy/ runs it."""

    def __init__(
        self,
        environment: dict[str, str],
        workers: int = 2,
        log: Path | None = None,
        wrap: list[str] = (),
    ):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log or Path(tempfile.mkstemp(prefix="vertaa-gunicorn-", suffix=".log")[1])
        # Jobs run in the app's processes, as before there was a queue: no worker to start,
        # and nothing queued into the repository's instance/jobs.sqlite.
        env = {**os.environ, "LEAN_JOBS_IMMEDIATE": "true", **environment, "PYTHONUNBUFFERED": "1"}
        env.pop("LEAN_TEST_DATABASE_URL", None)
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                [
                    *wrap,
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--workers",
                    str(workers),
                    "--worker-class",
                    "sync",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "5",
                    "app:app",
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.wait_until_ready()

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:  # not listening yet, or its workers still booting
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer: {self.log.read_text()[-3000:]}")

    def worker_pids(self) -> list[int]:
        """The master's children: its workers."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids

    def kill_a_worker(self) -> int:
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")
