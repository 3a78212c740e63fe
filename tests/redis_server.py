"""A real Redis for the tests: Debian's redis-server, started once per test process.

It listens on a free loopback port and keeps its files in a temporary folder; nothing is
saved to disk. Tests that use it (`redis_url`) get an empty database. Without redis-server
the tests that need it are skipped, and in CI (CI=true) they fail: install the package
(.ci/system-packages lists it).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest
import redis

IN_CI_MESSAGE = "redis-server is not installed; CI runs the tests on a real Redis"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """The URL of a redis-server of this test process's own, for the whole run."""
    from tests.conftest import IN_CI

    binary = shutil.which("redis-server")
    if binary is None:
        if IN_CI:
            pytest.fail(IN_CI_MESSAGE)
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    folder = tmp_path_factory.mktemp("redis")
    port = _free_port()
    process = subprocess.Popen(
        [
            binary,
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--dir", str(folder),
            "--save", "",
            "--appendonly", "no",
            "--logfile", str(folder / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 20
    try:
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (folder / "redis.log").read_text(errors="replace")
                    pytest.fail(f"redis-server did not start:\n{log}")
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The test's Redis, emptied before it starts."""
    client = redis.Redis.from_url(redis_server)
    client.flushall()
    client.close()
    return redis_server
