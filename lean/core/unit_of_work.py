"""One unit of work: a request, a command or the work after a response commits once, at its end.

Services change the session and flush; they never commit. Here, and only here, the work is
ended: a request that may write (POST and the other unsafe methods) is committed once its
view has answered with a success (a status below 400) and rolled back when the answer is an
error, so a change made of several writes is kept whole or not at all. A commit that fails is
an error like any other: the app's error pages answer it (lean/core/errors.py: 503 when the
database is down or busy). Requests that only read end in the teardown's rollback. A command,
and the work done after a response, is committed when it returns and rolled back when it
raises.

What a change does outside the database hangs on its fate here: `after_commit` for what may
happen only once the change is kept (removing the files it replaced, a mail after the
response), `after_rollback` for undoing what was done for a change that is not kept (removing
the files written for it). The change's events reach their subscribers after the same commit
(lean/shared/events.py).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from flask import Flask, g, request
from sqlalchemy import event as orm_events
from sqlalchemy.orm import Session, SessionTransaction

from lean.core.extensions import BOOKKEEPING, READ_ONLY_METHODS, db

log = logging.getLogger(__name__)

_AFTER_COMMIT = "lean_after_commit"
_AFTER_ROLLBACK = "lean_after_rollback"
_WROTE = "lean_wrote"
_KEEP_ON_ERROR = "lean_commit_even_if_refused"

P = ParamSpec("P")
R = TypeVar("R")


# ---- ending the work -------------------------------------------------------------------------


def commit() -> None:
    """Commit the session's transaction: the one commit of a unit of work.

    A failed commit is rolled back at once (its files removed, its events dropped) and raised.
    """
    session = db.session()
    try:
        session.commit()
    except BaseException:
        rollback()
        raise


def rollback() -> None:
    """Undo the session's transaction; a connection that is gone already has nothing to undo."""
    try:
        db.session.rollback()
    except Exception:  # the database went away: the pool replaces the connection
        log.warning("rolling back the unit of work failed", exc_info=True)


@contextmanager
def transaction() -> Iterator[None]:
    """The block is one unit of work: committed when it ends, rolled back when it raises."""
    try:
        yield
    except BaseException:
        rollback()
        raise
    commit()


def in_one_transaction(work: Callable[P, R]) -> Callable[P, R]:
    """Run `work` (a command) as one unit of work: committed when it returns, rolled back when
    it raises."""

    @functools.wraps(work)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction():
            return work(*args, **kwargs)

    return run


def commit_now() -> None:
    """Commit the request's changes before it ends, for a view that must act outside the
    database on a kept change and say how that went on its page (a one-time link is mailed
    only once it is stored, and the page says whether the mail went). Nothing waits for the
    mail server with a transaction open, which on SQLite would hold every writer. The
    request's own end then finds nothing left to commit."""
    session = db.session()
    expire_on_commit = session.expire_on_commit
    # What the page still shows was read or written in this transaction: kept as it is, so
    # that nothing reloads it in a transaction of its own while the mail goes.
    session.expire_on_commit = False
    try:
        commit()
    finally:
        session.expire_on_commit = expire_on_commit


def commit_even_if_refused() -> None:
    """Keep this request's changes although its answer is an error: a refused login is still
    counted against the account and the address."""
    g.setdefault(_KEEP_ON_ERROR, True)


def end_read_only_transaction() -> None:
    """End the request's transaction, which has only read, so that slow work that follows
    (checking a password hash, shrinking photos) holds no transaction, and on SQLite not the
    one write lock that a writing request takes with its first statement. The writes that
    follow begin a new transaction, committed at the request's end as always."""
    if has_writes():
        raise RuntimeError("the request changed data before ending its read-only transaction")
    db.session.rollback()


@contextmanager
def bookkeeping() -> Iterator[None]:
    """The block's writes are kept at once, whatever the request's method and answer: what a
    request must record about itself even when it only reads (an API token's last use and
    its rate limit's count). The request's reads so far end first (it has written nothing);
    the block is a transaction that may write (on SQLite it takes the write lock), committed
    when it ends; what it loaded stays loaded for the rest of the request."""
    if has_writes():
        raise RuntimeError("the request changed data before its bookkeeping")
    db.session.rollback()
    g.setdefault(BOOKKEEPING, True)
    session = db.session()
    expire_on_commit = session.expire_on_commit
    session.expire_on_commit = False
    try:
        with transaction():
            yield
    finally:
        session.expire_on_commit = expire_on_commit
        g.pop(BOOKKEEPING, None)


def has_writes() -> bool:
    """Whether the session's transaction has changed anything, flushed or not yet."""
    session = db.session()
    return bool(session.new or session.dirty or session.deleted or session.info.get(_WROTE))


# ---- what happens outside the database, by the change's fate --------------------------------


def after_commit(callback: Callable[[], Any]) -> None:
    """Call `callback` once the current transaction has committed; never if it is rolled back.

    It runs inside the commit, where the session can run no statement: work with the database
    belongs to a subscriber of the change's events (lean/shared/events.py)."""
    db.session().info.setdefault(_AFTER_COMMIT, []).append(callback)


def after_rollback(callback: Callable[[], Any]) -> None:
    """Call `callback` when the current transaction ends without committing."""
    db.session().info.setdefault(_AFTER_ROLLBACK, []).append(callback)


def _run(callbacks: list[Callable[[], Any]]) -> None:
    # The transaction has ended either way: one callback's failure must not keep the others
    # (each removes files) from their work, nor turn a kept change into an error page.
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("%s after the end of a transaction failed", callback)


@orm_events.listens_for(Session, "after_flush")
def _remember_flushed_writes(session: Session, _flush_context) -> None:
    session.info[_WROTE] = True


@orm_events.listens_for(Session, "do_orm_execute")
def _remember_statement_writes(orm_execute_state) -> None:
    if orm_execute_state.is_insert or orm_execute_state.is_update or orm_execute_state.is_delete:
        orm_execute_state.session.info[_WROTE] = True


@orm_events.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the transaction goes on
    session.info.pop(_AFTER_ROLLBACK, None)
    session.info.pop(_WROTE, None)
    _run(session.info.pop(_AFTER_COMMIT, []))


@orm_events.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint or a flush's subtransaction; the transaction goes on
    # Rolled back or closed without a commit (after a commit, _after_commit emptied both).
    session.info.pop(_AFTER_COMMIT, None)
    session.info.pop(_WROTE, None)
    _run(session.info.pop(_AFTER_ROLLBACK, []))


# ---- the start of a request ------------------------------------------------------------------


def init_app(app: Flask) -> None:
    app.before_request(_read_statement_by_statement)


def _read_statement_by_statement() -> None:
    """On PostgreSQL a request that only reads runs each statement as its own transaction
    (autocommit), sparing the BEGIN and ROLLBACK round trips of every page. At PostgreSQL's
    READ COMMITTED, which Vertaa uses, each statement of a transaction sees the data committed
    when it starts anyway, so the page reads exactly what it read inside one. Its bookkeeping
    (`bookkeeping`) still runs in a transaction of its own. SQLite keeps its snapshot
    transaction (lean/core/extensions.py)."""
    if request.method not in READ_ONLY_METHODS or db.engine.dialect.name != "postgresql":
        return
    session = db.session()
    if not session.in_transaction():  # (a test's requests share its session, maybe begun)
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


# ---- the end of a request --------------------------------------------------------------------


def end_request(status: int) -> None:
    """Commit a writing request that answered with a success, roll back one that did not."""
    if request.method in READ_ONLY_METHODS:
        return  # it wrote nothing (tests refuse any write); the teardown ends its transaction
    if status < 400 or g.get(_KEEP_ON_ERROR):
        commit()
    else:
        rollback()


class UnitOfWorkFlask(Flask):
    """Flask, ending every request's unit of work once its view has answered.

    The response is made first, so its status decides; a commit that fails is answered by
    the app's error handlers as an error in the view would be. Responses of Flask's last
    resort (an error its handlers did not take) keep nothing.
    """

    def finalize_request(self, rv, from_error_handler: bool = False):
        if from_error_handler:
            rollback()
            return super().finalize_request(rv, from_error_handler=True)
        response = self.make_response(rv)
        try:
            end_request(response.status_code)
        except Exception as error:
            response = self.make_response(self.handle_user_exception(error))
        return super().finalize_request(response)
