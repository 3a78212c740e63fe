"""A real job worker for the tests: `flask jobs-worker` in a process of its own.

The test's app must queue its jobs instead of running them at once: make it with
`make_app(database, JOBS_IMMEDIATE=False, **queue)`, where `queue` is the `job_queue`
fixture's settings (a SQLite file of the test's own, or the test's Redis). Then

    worker = jobs_worker(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)  # started; settings as
    ...                                                            # LEAN_<NAME> variables
    worker.wait_for(lambda: condition(), timeout=20)  # poll until true (in the test process)
    worker.kill()       # SIGKILL: no job running finishes, nothing is cleaned up
    worker.start()      # again, on the same queue and database
    worker.stop()       # SIGTERM: the jobs running finish (the fixture stops it in any case)
    worker.log()        # what it wrote, for an assertion's message

The worker reads the test's database (commit before it is to see a change) and runs at the
real time, not the test's clock. `job_queue` is parametrized over both storages: a test
that asks for it runs once on SQLite and once on Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
STARTED = "job worker started"


class JobsWorker:
    """One `flask jobs-worker` process, started and killed at will."""

    def __init__(self, env: dict[str, str], log_path: Path, workers: int = 2):
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> JobsWorker:
        """Start the worker and wait until it takes jobs (its startup hooks have run)."""
        if self.running:
            raise RuntimeError("the worker is running already")
        offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = self.log_path.open("ab")
        try:
            command = ["jobs-worker", "--workers", str(self.workers)]
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "app", *command],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while STARTED not in self.log()[offset:]:
            if self.process.poll() is not None:
                raise AssertionError(f"the job worker exited at its start:\n{self.log()}")
            if time.monotonic() > deadline:
                self.kill()
                raise AssertionError(f"the job worker did not start:\n{self.log()}")
            time.sleep(0.05)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a machine that loses power or an OOM killer: nothing runs to its end."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM: the jobs running finish, then the worker exits."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for(self, condition: Callable[[], Any], timeout: float = 30, every: float = 0.1):
        """Poll `condition` until it returns something true; fails with the worker's log."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"not done within {timeout} s; the worker's log:\n{self.log()}"
                )
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"the job worker died:\n{self.log()}")
            time.sleep(every)


def worker_environment(database: str, settings: dict[str, Any]) -> dict[str, str]:
    """The environment of a worker on the test database, with LEAN_<NAME> for each setting."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("LEAN_") and key not in {"FLASK_APP", "FLASK_DEBUG"}
    }
    env.update(
        {
            "LEAN_DATABASE_URL": database,
            "LEAN_SECRET_KEY": "t" * 40,
            "LEAN_JOBS_IMMEDIATE": "false",
            # A queue in SQLite is looked into five times a second.
            "LEAN_JOBS_POLL_SECONDS": "0.2",
            "LEAN_JOBS_SHUTDOWN_SECONDS": "10",
            "PYTHONUNBUFFERED": "1",
        }
    )
    for name, value in settings.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        env[f"LEAN_{name}"] = str(value)
    return env


@pytest.fixture(params=["sqlite", "redis"])
def job_queue(request, tmp_path) -> dict[str, str]:
    """Where a real queue lives, as settings for the app and the worker: a SQLite file of
    the test's own, or the test's Redis (emptied)."""
    if request.param == "redis":
        return {"REDIS_URL": request.getfixturevalue("redis_url")}
    return {"JOBS_FILE": str(tmp_path / "jobs.sqlite")}


@pytest.fixture
def jobs_worker(app, database, job_queue, tmp_path) -> Iterator[Callable[..., JobsWorker]]:
    """Start real workers on the test's database and queue: `jobs_worker(**settings)`.

    Depends on `app` (the test module's app, which queues its jobs), so that every worker
    is stopped before the app's tables are emptied."""
    started: list[JobsWorker] = []

    def start(workers: int = 2, **settings: Any) -> JobsWorker:
        env = worker_environment(database, {**job_queue, **settings})
        worker = JobsWorker(env, tmp_path / f"worker-{len(started) + 1}.log", workers)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()
