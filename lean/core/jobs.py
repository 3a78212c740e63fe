"""The job queue: work that runs after the request has answered, in a worker of its own.

huey keeps the queue: in a SQLite file beside the database by default (instance/jobs.sqlite,
nothing to install), in Redis when REDIS_URL is set (several app servers share one queue).
`flask jobs-worker` runs the worker (deploy/vertaa-worker.service); with JOBS_IMMEDIATE a
job runs at once in the process that enqueued it (tests, and a demo without a worker).

A job is enqueued only once the change that asked for it is committed (`enqueue_after_commit`,
or from a subscriber of the event seam, which runs after commit): a rolled-back change
enqueues nothing. A job runs in the app's context as a unit of work of its own: committed
when it returns, rolled back when it raises (then huey retries it if it has retries left).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from lean.core.unit_of_work import after_commit, transaction

# The queue's storage is chosen by the configuration (init_app); until then, and for tasks
# registered at import, it lives in memory.
queue = Huey("vertaa", storage_class=MemoryStorage, utc=True)

_app: Flask | None = None


def init_app(app: Flask) -> None:
    """Point the queue at the configured storage; jobs run in this app's context."""
    global _app
    _app = app
    if app.config["JOBS_IMMEDIATE"]:
        queue.immediate = True
        return
    queue.immediate = False
    if app.config.get("REDIS_URL"):
        queue.storage = RedisStorage("vertaa", url=app.config["REDIS_URL"])
    else:
        path = app.config.get("JOBS_FILE") or str(Path(app.instance_path) / "jobs.sqlite")
        queue.storage = SqliteStorage("vertaa", filename=path)


def job(
    *, retries: int = 0, retry_delay: int = 0, **options: Any
) -> Callable[[Callable[..., Any]], Any]:
    """A function that runs as a job: in the app's context, as its own unit of work."""

    def decorate(work: Callable[..., Any]) -> Any:
        @functools.wraps(work)
        def run(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                # Immediate mode inside a request or command: after its commit, in its context.
                with transaction():
                    return work(*args, **kwargs)
            if _app is None:
                raise RuntimeError("the job queue has no app: call lean.core.jobs.init_app")
            with _app.app_context(), transaction():
                return work(*args, **kwargs)

        return queue.task(retries=retries, retry_delay=retry_delay, **options)(run)

    return decorate


def enqueue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` once the current unit of work has committed."""
    after_commit(functools.partial(task, *args, **kwargs))


def app() -> Flask:
    """The app the jobs run in (for a job that needs its configuration outside a context)."""
    return current_app._get_current_object() if has_app_context() else _app  # type: ignore[attr-defined,return-value]
