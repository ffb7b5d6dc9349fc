"""The command line: thin — parse arguments, call services, print.

``planner`` alone opens the TUI. Every listing command takes ``--json``.
"""

from __future__ import annotations

import gc
from pathlib import Path

import typer

from planner import __version__
from planner.cli.common import PlannerGroup, check_folder, console, new_app, print_json, say, state, table

app = typer.Typer(
    help="planner — grow your network by giving value first: discover, publish, relate, review.",
    cls=PlannerGroup,
    invoke_without_command=True,
    pretty_exceptions_enable=False,
    add_completion=True,  # --install-completion / --show-completion: bash, zsh, fish (Typer's own)
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        print(f"planner {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: str | None = typer.Option(
        None, "--db", help="Database URL or SQLite file path (env PLANNER_DB).", metavar="URL"
    ),
    config: Path | None = typer.Option(None, "--config", help="Settings file (env PLANNER_CONFIG)."),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks instead of one-line errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    st = state(ctx)
    st.db, st.config, st.debug = db, str(config) if config else None, debug
    if ctx.invoked_subcommand is None:
        end_process(run_tui(st.settings))


def run_tui(settings) -> int:
    """Run the app until it quits; its return code. What it stored is committed by then (quit
    waits for saves), and its store is closed here."""
    from planner.tui.app import make_app

    app = make_app(settings)
    app.run()
    if app._store is not None:
        app._store.dispose()  # connections closed (SQLite checkpoints its WAL) before the fast exit
    return app.return_code or 0


def end_process(code: int) -> None:
    """End the process now, once the app has closed and everything is written: the interpreter's
    finalization (every module and object torn down, the model's native threads waited for) took
    0.5 s after the app had closed, which a person sees as a slow quit. The parse pool's atexit
    hook is run by hand, and the output flushed."""
    import os
    import sys

    feeds = sys.modules.get("planner.adapters.feeds")
    if feeds is not None:
        feeds.shutdown_parse_pool()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# --- db --------------------------------------------------------------------------------------

db_app = new_app("The database: where it is, and its schema.")
app.add_typer(db_app, name="db")


def _where(url: str) -> str:
    """A database as a person reads it: a SQLite file's path, else the URL without its password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.database if parsed.get_backend_name() == "sqlite" else parsed.render_as_string(hide_password=True)


@db_app.command("path")
def db_path(ctx: typer.Context) -> None:
    """Print the database URL in use (a file path for SQLite)."""
    say(_where(state(ctx).settings.db_url))


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply pending migrations (a SQLite file is backed up first)."""
    from planner.store.db import Store, head_revision, make_engine

    st = state(ctx)
    store = Store(make_engine(st.settings.db_url), st.settings.db_url)
    before = store.current_revision()
    backup = store.upgrade("head")
    after = store.current_revision()
    if before == after:
        say(f"schema is current ({after})")
    else:
        say(f"schema upgraded {before or 'empty'} → {after}" + (f"; backup at {backup}" if backup else ""))
    assert after == head_revision()


# --- backup / restore / stats -------------------------------------------------------------------


@app.command()
def backup(ctx: typer.Context, file: Path = typer.Argument(..., help="Where to write the JSON backup.")) -> None:
    """Write the whole store as versioned JSON."""
    from planner.store.backup import write_backup

    check_folder(file)
    counts = write_backup(state(ctx).store, file)
    say(f"wrote {file}: {sum(counts.values())} rows in {sum(1 for n in counts.values() if n)} tables")


@app.command()
def restore(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="A backup written by `planner backup`."),
    replace: bool = typer.Option(False, "--replace", help="Overwrite a database that already holds data."),
    partial: bool = typer.Option(
        False,
        "--partial",
        help="Restore a backup that lacks some tables: only the tables "
        "it holds are replaced, the others keep their rows.",
    ),
) -> None:
    """Load a JSON backup into an empty database."""
    from planner.store.backup import restore_file

    store = state(ctx).store
    with store.holding(f"restoring {file.name}"):
        counts = restore_file(store, file, replace=replace, partial=partial)
    say(f"restored {sum(counts.values())} rows from {file}")


@app.command()
def stats(ctx: typer.Context, json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """How many rows of each kind the store holds."""
    from planner.services.stats import table_counts

    counts = state(ctx).store.read(table_counts)
    if json:
        print_json(counts)
    else:
        from planner.text import label

        table(["kind", "rows"], [[label(k), v] for k, v in counts.items()])


# --- demo -----------------------------------------------------------------------------------------


@app.command()
def demo(
    ctx: typer.Context,
    no_tui: bool = typer.Option(False, "--no-tui", help="Only build the demo database and print where it is (kept)."),
    keep: bool = typer.Option(False, "--keep", help="Keep the temporary demo folder when the app closes."),
) -> None:
    """Build a fresh demo world (offline) and open the app on it (in a temporary folder unless --db)."""
    import shutil
    import tempfile

    from planner.config import sqlite_url
    from planner.demo import build_demo

    st = state(ctx)
    folder = None
    if st.db is None:
        folder = Path(tempfile.mkdtemp(prefix="planner-demo-"))
        st.db = sqlite_url(folder / "demo.db")
        gone = (
            "kept: nothing opens it now"
            if no_tui
            else ("kept (--keep)" if keep else "removed when the app closes; --keep keeps it")
        )
        say(f"demo folder: {folder} ({gone})")
    try:
        report = build_demo(st.settings, st.store)
        for line in report.lines():
            say(line)
        say(f"demo database: {_where(st.settings.db_url)}")
        code = None
        if not no_tui:
            st.store.dispose()
            code = run_tui(st.settings)
    finally:
        if folder is not None and not keep and not no_tui:
            if st._store is not None:
                st.store.dispose()
            shutil.rmtree(folder, ignore_errors=True)
            say(f"removed the demo folder {folder}")
    if code is not None:
        end_process(code)


# sub-command groups, each in its own module
from planner.cli import feeds as _feeds  # noqa: E402
from planner.cli import imports as _imports  # noqa: E402
from planner.cli import keywords as _keywords  # noqa: E402
from planner.cli import people as _people  # noqa: E402

app.add_typer(_imports.app, name="import")
app.add_typer(_people.app, name="people")
app.add_typer(_feeds.topics_app, name="topics")
app.add_typer(_feeds.feeds_app, name="feeds")
app.add_typer(_feeds.entries_app, name="entries")
app.add_typer(_feeds.export_app, name="export")
app.add_typer(_keywords.app, name="keywords")

from planner.cli import lint as _lint  # noqa: E402
from planner.cli import touch as _touch  # noqa: E402

app.add_typer(_touch.app, name="touch")
app.command("lint")(_lint.lint)

from planner.cli import export as _export  # noqa: E402,F401  (registers ics/csv/md/hootsuite on `export`)
from planner.cli import plan as _plan  # noqa: E402

app.add_typer(_plan.strategy_app, name="strategy")
app.add_typer(_plan.posts_app, name="posts")
app.add_typer(_plan.plan_app, name="plan")
app.add_typer(_plan.groups_app, name="groups")
app.add_typer(_plan.events_app, name="events")

from planner.cli import review as _review  # noqa: E402

app.command("review")(_review.review)
app.command("audit")(_review.audit)

from planner.cli import notify as _notify  # noqa: E402
from planner.cli import today as _today  # noqa: E402
from planner.cli import vdir as _vdir  # noqa: E402,F401  (registers `export vdir`)

app.command("today")(_today.today)
app.command("notify")(_notify.notify)


def main() -> None:
    # Start-up and the big listings allocate hundreds of thousands of objects that stay alive
    # (modules, rows): at the default gen-0 threshold of 700 the collector keeps re-scanning them.
    # Measured: `people list --json` on 10,000 people 1.20 s -> 1.10 s; no change in peak memory.
    gc.set_threshold(10_000, 50, 100)
    app(prog_name="planner")


__all__ = ["app", "main", "console"]
