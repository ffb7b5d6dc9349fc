"""Shared CLI plumbing: global state, the error boundary, JSON and table output."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from planner.adapters.sanitize import terminal_safe
from planner.config import Settings, load_settings
from planner.errors import PlannerError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class State:
    db: str | None = None
    config: str | None = None
    debug: bool = False
    _settings: Settings | None = None
    _store: Any = None
    cleanup: list = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.db, self.config, self.debug)
        return self._settings

    @property
    def store(self):
        if self._store is None:
            from planner.store import open_store

            self._store = open_store(self.settings.db_url)
        return self._store


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


class PlannerGroup(TyperGroup):
    """Turns a PlannerError anywhere below into one clear line and a non-zero exit.

    ``--debug`` (or PLANNER_DEBUG=1) lets the traceback through instead.
    """

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except PlannerError as exc:
            if _debug(ctx):
                raise
            err_console.print(f"planner: {terminal_safe(str(exc))}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except OverflowError as exc:  # a number or date past what Python, SQLite or PostgreSQL hold
            if _debug(ctx):
                raise
            err_console.print(f"planner: a number or date is out of range ({exc})", markup=False, highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("planner: interrupted", markup=False)
            raise typer.Exit(130) from None
        except (OSError, UnicodeError) as exc:
            # not anticipated in the code path, but still the user's input or machine: keep it short
            if _debug(ctx):
                raise
            err_console.print(f"planner: {type(exc).__name__}: {exc} (run with --debug for details)", markup=False)
            raise typer.Exit(1) from None


def _debug(ctx: typer.Context) -> bool:
    import os

    root = ctx.find_root()
    return bool(getattr(root.obj, "debug", False)) or os.environ.get("PLANNER_DEBUG") == "1" or "--debug" in sys.argv


def new_app(help: str) -> typer.Typer:
    return typer.Typer(
        help=help,
        cls=PlannerGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
    )


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "as_json"):
        return value.as_json()
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def print_json(data: Any) -> None:
    """Indented for a person at a terminal; compact when piped (scripts, large listings)."""
    indent = 2 if sys.stdout.isatty() else None
    separators = None if indent else (",", ":")
    sys.stdout.write(json.dumps(data, default=_default, ensure_ascii=False, indent=indent, separators=separators) + "\n")


# A person reading a table reads the first screens of it: a list that could hold thousands of
# rows (people, posts) shows this many unless --limit says otherwise; --json always gives them all.
# (Rich lays out every row: 10,000 people took 9 s to print.)
HUMAN_ROWS = 200
# --limit past this is not a number of rows anyone has (and overflowed the database's integer)
MAX_LIMIT = 1_000_000_000


def shown_of(shown: int, total: int, limited_by_default: bool) -> None:
    """The "200 of 10,000 shown" line under a table that does not hold every row."""
    if total > shown:
        hint = f"; --limit {total} for all of them, --json for scripts" if limited_by_default else ""
        say(f"{shown:,} of {total:,} shown{hint}")


def table(columns: list[str], rows: list[list[Any]], title: str | None = None) -> None:
    """A Rich table whose cells are literal text (names and titles from outside are not markup)
    without terminal escapes or control characters, whatever wrote them to the database."""
    from rich.table import Table
    from rich.text import Text

    t = Table(title=terminal_safe(title) if title else None, header_style="bold", show_edge=False, pad_edge=False)
    for col in columns:
        t.add_column(col, overflow="fold")
    for row in rows:
        t.add_row(*[Text("" if v is None else terminal_safe(str(v))) for v in row])
    console.print(t)


def say(message: str) -> None:
    """A line for a person: literal (never markup), without terminal escapes or control characters."""
    console.print(terminal_safe(message), markup=False, highlight=False, soft_wrap=True)
