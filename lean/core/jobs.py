"""The job queue: work that runs after the request has answered, in a worker of its own.

huey keeps the queue: in a SQLite file beside the database by default (instance/jobs.sqlite,
nothing to install), in Redis when REDIS_URL is set (several app servers share one queue).
`flask jobs-worker` runs the worker (deploy/vertaa-worker.service); with JOBS_IMMEDIATE a
job runs at once in the process that enqueued it (tests, and a demo without a worker).

A job is enqueued only once the change that asked for it is committed (`enqueue_after_commit`,
or from a subscriber of the event seam, which runs after commit): a rolled-back change
enqueues nothing. A job runs in the app's context as a unit of work of its own: committed
when it returns, rolled back when it raises (then huey retries it if it has retries left).

Every module that defines jobs is named in JOB_MODULES: the worker imports them all before
it takes its first job, so that it knows each job it finds in the queue and each periodic
one. Work to do whenever a worker starts (picking up what a killed worker left) registers
with `on_startup`.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, after_this_request, current_app, has_app_context
from huey import Huey, crontab
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage

from lean.core.unit_of_work import after_commit, transaction

log = logging.getLogger(__name__)

# Every module that defines jobs (its jobs register with the queue when it is imported).
# A new module of jobs joins this list; tests/functional/test_jobs.py imports each.
JOB_MODULES: list[str] = [
    "lean.core.mail",
    "lean.core.daily",
    "lean.auth.mail",
    "lean.webhooks.delivery",
]

_STATE = "vertaa.jobs"
# The app of the last init_app: the worker's, whose context its jobs run in.
_app: Flask | None = None


@dataclass(frozen=True)
class _Mode:
    """One app's queue: where its jobs wait, or whether they run at once."""

    immediate: bool
    storage: BaseStorage


def _mode() -> _Mode | None:
    """The queue of the app in whose context the code runs, else of the worker's app."""
    app = current_app if has_app_context() else _app
    return app.extensions.get(_STATE) if app is not None else None


class AppQueue(Huey):
    """huey, whose storage and immediate mode are those of the current app.

    One process may hold several apps (the tests do: one that runs its jobs at once, one that
    queues them for a real worker); each enqueues into its own queue."""

    @property
    def storage(self) -> BaseStorage:
        mode = _mode()
        return mode.storage if mode is not None else self._default_storage

    @storage.setter
    def storage(self, value: BaseStorage) -> None:
        self._default_storage = value

    @property
    def _immediate(self) -> bool:
        mode = _mode()
        return mode.immediate if mode is not None else self._default_immediate

    @_immediate.setter
    def _immediate(self, value: bool) -> None:
        self._default_immediate = value


# Until init_app, and for tasks registered at import, the queue lives in memory. Results are
# not kept: nothing waits for a job's return value.
queue = AppQueue("vertaa", storage_class=MemoryStorage, utc=True, results=False)


def init_app(app: Flask) -> None:
    """Point the app's queue at the configured storage; jobs run in this app's context."""
    global _app
    _app = app
    storage: BaseStorage
    if app.config["JOBS_IMMEDIATE"]:
        # Retries that a failing job schedules wait here, where no worker looks.
        storage = MemoryStorage("vertaa")
    elif app.config.get("REDIS_URL"):
        storage = RedisStorage("vertaa", url=app.config["REDIS_URL"])
    else:
        path = app.config.get("JOBS_FILE") or str(Path(app.instance_path) / "jobs.sqlite")
        storage = SqliteStorage("vertaa", filename=path)
    app.extensions[_STATE] = _Mode(immediate=bool(app.config["JOBS_IMMEDIATE"]), storage=storage)


def runs_immediately() -> bool:
    """Whether the current app's jobs run at once instead of in a worker."""
    return bool(queue.immediate)


def job(
    *,
    retries: int = 0,
    retry_delay: int = 0,
    schedule: Callable[[datetime], bool] | None = None,
    **options: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """A function that runs as a job: in the app's context, as its own unit of work.

    With `schedule` (see `daily_at`) it is a periodic job the worker enqueues itself.
    With `context=True` it gets its huey task as the keyword argument `task` (whose
    `retries` says how many retries are left)."""

    def decorate(work: Callable[..., Any]) -> Any:
        @functools.wraps(work)
        def run(*args: Any, **kwargs: Any) -> Any:
            if has_app_context():
                # Immediate mode inside a request or command, after its commit: in a context,
                # and so a database session, of its own (the one that enqueued it is still
                # ending its commit, where it can run no statement).
                with current_app._get_current_object().app_context(), transaction():  # type: ignore[attr-defined]
                    return work(*args, **kwargs)
            if _app is None:
                raise RuntimeError("the job queue has no app: call lean.core.jobs.init_app")
            with _app.app_context(), transaction():
                return work(*args, **kwargs)

        if schedule is not None:
            return queue.periodic_task(
                schedule, retries=retries, retry_delay=retry_delay, **options
            )(run)
        return queue.task(retries=retries, retry_delay=retry_delay, **options)(run)

    return decorate


def daily_at(hour: int, minute: int, zone: str = "Europe/Helsinki") -> Callable[[datetime], bool]:
    """A periodic job's schedule: every day at hour:minute on the clocks of `zone`.

    huey asks each minute with the time in UTC (naive); summer time moves with the zone."""
    matches = crontab(minute=str(minute), hour=str(hour))
    local = ZoneInfo(zone)

    def due(moment: datetime) -> bool:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return bool(matches(aware.astimezone(local)))

    due.__doc__ = f"daily at {hour:02d}:{minute:02d} ({zone})"
    return due


def enqueue_after_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` once the current unit of work has committed.

    huey's own options go with the arguments: `retries=`, `retry_delay=`, `retry_backoff=`
    (each retry's delay multiplied by it), `delay=` (seconds before the first run)."""
    after_commit(functools.partial(task, *args, **kwargs))


def enqueue_after_response(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` once the response has gone out, and only when the
    request's changes were committed; a failure to enqueue is only logged.

    For a page whose timing must not tell anything (a password reset answers alike whether
    or not the address has an account): the request runs the same statements either way,
    and even with JOBS_IMMEDIATE the job runs only after the page was sent.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy, typed as its object

    def run() -> None:
        with app.app_context():
            try:
                task(*args, **kwargs)
            except Exception:  # the queue's storage or the job itself failed: nobody waits
                app.logger.exception("enqueueing a job after the response failed")

    def once_committed() -> None:
        @after_this_request
        def run_when_closed(response):
            response.call_on_close(run)
            return response

    # The request's commit comes before its response is sent (lean/core/unit_of_work.py).
    after_commit(once_committed)


# ---- the worker ------------------------------------------------------------------------------

_startup_hooks: list[Callable[[], Any]] = []


def on_startup(hook: Callable[[], Any]) -> Callable[[], Any]:
    """Call `hook()` whenever a worker starts, before it takes its first job: in the app's
    context, as a unit of work of its own (e.g. enqueue again what a killed worker left)."""
    if hook not in _startup_hooks:
        _startup_hooks.append(hook)
    return hook


def import_job_modules() -> None:
    """Import every module of JOB_MODULES, so that their jobs are known to the queue."""
    for name in JOB_MODULES:
        importlib.import_module(name)


def run_startup_hooks() -> None:
    """Each startup hook in its own unit of work; a failing one is logged, the others run."""
    for hook in list(_startup_hooks):
        try:
            with transaction():
                hook()
        except Exception:
            log.exception("the job worker's startup hook %s failed", hook)


def run_worker(app: Flask, *, workers: int, periodic: bool = True) -> None:
    """Run the worker in this process until it is stopped (SIGTERM or SIGINT: the jobs
    running finish first; SIGHUP: restart). Needs the app's context."""
    if runs_immediately():
        raise RuntimeError("JOBS_IMMEDIATE is on: jobs run where they are enqueued, not here")
    import_job_modules()
    consumer = queue.create_consumer(
        workers=workers,
        worker_type="thread",
        periodic=periodic,
        # A queue in SQLite is polled: at most a second passes before a new job is taken.
        initial_delay=0.1,
        max_delay=app.config["JOBS_POLL_SECONDS"],
        check_worker_health=True,
        graceful_signal="TERM",
        shutdown_timeout=app.config["JOBS_SHUTDOWN_SECONDS"],
    )
    run_startup_hooks()
    log.info("job worker started: %s workers, queue in %s", workers, describe_storage())
    consumer.run()


def describe_storage() -> str:
    """Where the current app's queue lives, for the worker's log."""
    storage = queue.storage
    if isinstance(storage, SqliteStorage):
        return f"SQLite ({storage.filename})"
    if isinstance(storage, RedisStorage):
        return "Redis"
    return type(storage).__name__


def app() -> Flask:
    """The app the jobs run in (for a job that needs its configuration outside a context)."""
    return current_app._get_current_object() if has_app_context() else _app  # type: ignore[attr-defined,return-value]
