"""Every command-line task: flask --app app <command>.

Commands whose work belongs to an area get it handed in by create_app (lean/__init__.py, the
one module that knows every area) as an AreaWork, so this module stays below the areas. Each
command is one unit of work (lean/core/unit_of_work.py): what it changed is committed once
when it ends, and nothing of it is kept when it fails.
"""

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import func, select

from lean.core.extensions import db
from lean.core.unit_of_work import in_one_transaction
from lean.models import Organization, User


@dataclass(frozen=True)
class AreaWork:
    """What the commands do inside the areas."""

    password_problem: Callable[[str], str | None]
    seed_demo: Callable[[], object]
    seed_scale: Callable[..., object]
    purge_deleted_kaizens: Callable[[], int]
    remove_orphaned_files: Callable[[], int]
    prune_throttle_records: Callable[[], tuple[int, int]]
    notify_due_tomorrow: Callable[[], int]
    send_digests: Callable[[], int]
    # Every board column over its work-in-progress limit now counts a day over it.
    record_over_limit_days: Callable[[], int]
    make_recurring_cards: Callable[[], int]


def area_work() -> AreaWork:
    return current_app.extensions["vertaa.area_work"]


@click.command("init-db")
@with_appcontext
@in_one_transaction
def init_db_command():
    """Create or upgrade the database schema to the latest migration."""
    upgrade()
    click.echo("Database is up to date.")


@click.command("create-admin")
@with_appcontext
@in_one_transaction
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--organization", prompt=True, help="Name of the admin's organization.")
@click.password_option()
def create_admin_command(email: str, name: str, organization: str, password: str):
    """Create an installation admin (and their organization when it is new)."""
    problem = area_work().password_problem(password)
    if problem:
        raise click.BadParameter(problem, param_hint="password")
    org = db.session.scalar(select(Organization).where(Organization.name == organization))
    if org is None:
        org = Organization(name=organization)
        db.session.add(org)
    user = User(email=email.strip().lower(), name=name, organization=org, is_admin=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()  # a taken address fails here, before the admin is reported created
    click.echo(f"Admin {user.email} created.")


@click.command("seed-demo")
@with_appcontext
@in_one_transaction
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has users.")
def seed_demo_command(if_empty: bool):
    """Load the Finnish demo network (never in production)."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("seed-demo refuses to run in production (LEAN_ENV=production).")
    if db.session.scalar(select(func.count(User.id))):
        if if_empty:
            click.echo("The database has data already; demo data not loaded.")
            return
        raise click.ClickException("The database is not empty; seed-demo needs an empty one.")
    area_work().seed_demo()
    click.echo("Demo data loaded. Log in as one of the demo users listed in README.md.")


@click.command("seed-scale")
@with_appcontext
@in_one_transaction
@click.option("--organizations", default=16, show_default=True, type=click.IntRange(1))
@click.option("--teams-per-organization", default=30, show_default=True, type=click.IntRange(1))
@click.option("--people-per-team", default=10, show_default=True, type=click.IntRange(1))
@click.option("--cards-per-team", default=200, show_default=True, type=click.IntRange(0))
@click.option("--events-per-card", default=10, show_default=True, type=click.IntRange(1))
def seed_scale_command(
    organizations: int,
    teams_per_organization: int,
    people_per_team: int,
    cards_per_team: int,
    events_per_card: int,
):
    """Fill an empty database with DESIGN.md's scale of data, for benchmarks (not production)."""
    if current_app.config["ENV"] == "production":
        raise click.ClickException("seed-scale refuses to run in production (LEAN_ENV=production).")
    if db.session.scalar(select(func.count(User.id))) or db.session.scalar(
        select(func.count(Organization.id))
    ):
        raise click.ClickException("The database is not empty; seed-scale needs an empty one.")
    area_work().seed_scale(
        organizations=organizations,
        teams_per_organization=teams_per_organization,
        people_per_team=people_per_team,
        cards_per_team=cards_per_team,
        events_per_card=events_per_card,
        echo=click.echo,
    )


# ---- the daily work: these commands, and the job worker's periodic jobs (lean/core/daily.py)
# Each takes where to say what it did: click.echo from a command, the log from the worker.


def purge_deleted(echo: Callable[[str], object]) -> None:
    """Remove kaizens deleted longer ago than the recovery period, with their files, and files
    no attachment names; record the board columns over their limits today."""
    work = area_work()
    # Orphans first: the files of the entries purged now go only after the commit.
    orphans = work.remove_orphaned_files()
    count = work.purge_deleted_kaizens()
    echo(f"{count} deleted kaizen entries removed for good.")
    echo(f"{orphans} files without an attachment removed.")
    # The nightly run also keeps which board columns stand over their limits today.
    columns = work.record_over_limit_days()
    echo(f"{columns} columns over their work-in-progress limits today.")


def prune(echo: Callable[[str], object]) -> None:
    """Remove failed logins and password reset requests older than their window, and failed
    mails older than their 90 days in the admins' list."""
    from lean.core.mail import forget_old_failures

    login_failures, reset_requests = area_work().prune_throttle_records()
    echo(f"{login_failures} failed logins and {reset_requests} reset requests removed.")
    echo(f"{forget_old_failures()} failed e-mails older than 90 days removed.")


def notify_due(echo: Callable[[str], object]) -> None:
    """Tell owners of the cards due tomorrow."""
    echo(f"{area_work().notify_due_tomorrow()} reminders")


def send_digests(echo: Callable[[str], object]) -> None:
    """Make the due-tomorrow reminders, then queue the e-mail digests that are due."""
    work = area_work()
    work.notify_due_tomorrow()
    echo(f"{work.send_digests()} digests sent")


def make_recurring_cards(echo: Callable[[str], object]) -> None:
    """Make the cards of recurring card templates due today."""
    echo(f"{area_work().make_recurring_cards()} recurring cards made")


@click.command("purge-deleted")
@with_appcontext
@in_one_transaction
def purge_deleted_command():
    """Remove kaizens deleted longer ago than the recovery period, with their files, and files
    no attachment names; record the board columns over their limits today (run daily)."""
    purge_deleted(click.echo)


@click.command("prune")
@with_appcontext
@in_one_transaction
def prune_command():
    """Remove failed logins and password reset requests older than the window they are counted
    over, and failed e-mails older than 90 days (run daily, beside purge-deleted)."""
    prune(click.echo)


@click.command("notify-due")
@with_appcontext
@in_one_transaction
def notify_due_command():
    """Tell owners of the cards due tomorrow (run daily, e.g. by cron)."""
    notify_due(click.echo)


@click.command("send-digests")
@with_appcontext
@in_one_transaction
def send_digests_command():
    """Send the e-mail digests that are due (run daily; weekly digests wait their week)."""
    send_digests(click.echo)


@click.command("make-recurring-cards")
@with_appcontext
@in_one_transaction
def make_recurring_cards_command():
    """Make the cards of recurring card templates due today, in Idea, each date's once; a date
    missed within the last 7 days is made too (run daily, beside purge-deleted)."""
    make_recurring_cards(click.echo)


@click.command("jobs-worker")
@click.option(
    "--workers", default=4, show_default=True, type=click.IntRange(1), help="Jobs run at once."
)
@click.option("--no-periodic", is_flag=True, help="Leave out the daily jobs (another runs them).")
@with_appcontext
def jobs_worker_command(workers: int, no_periodic: bool):
    """Run the job queue's worker: e-mails, webhook deliveries and the daily jobs (until
    stopped; SIGTERM lets the jobs running finish)."""
    import logging

    from lean.core import jobs

    if current_app.config["JOBS_IMMEDIATE"]:
        raise click.ClickException("LEAN_JOBS_IMMEDIATE is on: jobs run in the app, not here.")
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
    jobs.run_worker(jobs.app(), workers=workers, periodic=not no_periodic)


POSTGRESQL_BACKUP_ADVICE = (
    "The database is PostgreSQL: back it up with pg_dump and put it back with pg_restore "
    "(see README.md, Backups)."
)
# Tables every Vertaa database has, whatever its later migrations added.
VERTAA_TABLES = {"alembic_version", "organization", "team", "user", "improvement", "event"}


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(POSTGRESQL_BACKUP_ADVICE)
    if not url.database or url.database == ":memory:":
        raise click.ClickException("The database is not a file; there is nothing to back up.")
    return Path(url.database)


def _problem_with_copy(path: Path) -> str | None:
    """Why the file at path is no sound Vertaa database at the current migration, or None."""
    try:
        copy = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return f"cannot open it: {error}"
    try:
        result = copy.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            return "integrity check failed: " + "; ".join(row[0] for row in result[:5])
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        if not VERTAA_TABLES.issubset(tables):
            return "it is not a Vertaa database"
        versions = {row[0] for row in copy.execute("SELECT version_num FROM alembic_version")}
    except sqlite3.DatabaseError as error:
        return f"it is not a readable SQLite database: {error}"
    finally:
        copy.close()
    config = current_app.extensions["migrate"].migrate.get_config()
    heads = set(ScriptDirectory.from_config(config).get_heads())
    if versions != heads:
        return (
            f"it is at migration {', '.join(sorted(versions)) or 'none'}, this version of "
            f"Vertaa at {', '.join(sorted(heads))}"
        )
    return None


@click.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@in_one_transaction
def backup_command(destination: Path):
    """Copy the SQLite database to DESTINATION, consistently, while the app keeps running."""
    source_path = _sqlite_path()
    if destination.exists():
        raise click.ClickException(f"{destination} exists; choose a new file name.")
    timeout = current_app.config["SQLITE_BUSY_TIMEOUT"]
    source = sqlite3.connect(source_path, timeout=timeout)
    target = sqlite3.connect(destination)
    try:
        # One step: the copy is a single snapshot. In WAL mode it reads while the app writes.
        source.backup(target)
    finally:
        target.close()
        source.close()
    problem = _problem_with_copy(destination)
    if problem:
        raise click.ClickException(f"The copy in {destination} is not sound: {problem}.")
    click.echo(f"Backed up {source_path} to {destination} (integrity checked).")


@click.command("restore")
@click.argument(
    "source", type=click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
)
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
@with_appcontext
@in_one_transaction
def restore_command(source: Path, yes: bool):
    """Check a backup made by `flask backup` and put it in place of the SQLite database.

    Stop the app servers first: the requests in between would see the data change under them.
    """
    target_path = _sqlite_path()
    problem = _problem_with_copy(source)
    if problem:
        raise click.ClickException(f"{source} cannot be restored: {problem}.")
    if not yes:
        click.confirm(f"Replace everything in {target_path} with {source}?", abort=True)
    db.engine.dispose()
    backup = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=current_app.config["SQLITE_BUSY_TIMEOUT"])
    try:
        # The backup API writes through SQLite's own locking and WAL, unlike a file copy.
        backup.backup(target)
    finally:
        target.close()
        backup.close()
    click.echo(f"Restored {target_path} from {source}.")


def init_app(app: Flask, work: AreaWork) -> None:
    app.extensions["vertaa.area_work"] = work
    for command in (
        init_db_command,
        create_admin_command,
        seed_demo_command,
        seed_scale_command,
        purge_deleted_command,
        prune_command,
        notify_due_command,
        send_digests_command,
        make_recurring_cards_command,
        jobs_worker_command,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
