"""Shared CLI plumbing: global state, the error boundary, JSON and table output."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from planner.config import Settings, load_settings
from planner.errors import PlannerError
from planner.jsonout import write as print_json  # noqa: F401  (the commands print with it)
from planner.text import strip_controls

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
            for line in self._store.notices:
                err_console.print(f"planner: {strip_controls(line)}", markup=False, highlight=False, soft_wrap=True)
        return self._store


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


# The root's options that may also come after the subcommand (`planner people list --db x.db`),
# as git and kubectl allow: the option and whether it takes a value.
GLOBAL_OPTIONS = {"--db": True, "--config": True, "--debug": False}


def hoist_global_options(args: list[str]) -> list[str]:
    """``args`` with the global options moved in front of the subcommand, where the root parses them.
    Nothing after a ``--`` moves; an option missing its value stays put for click to report."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            rest.extend(args[i:])
            break
        name = arg.split("=", 1)[0]
        if name in GLOBAL_OPTIONS:
            if GLOBAL_OPTIONS[name] and "=" not in arg:
                if i + 1 >= len(args):
                    rest.append(arg)
                    break
                front.extend(args[i : i + 2])
                i += 2
                continue
            front.append(arg)
        else:
            rest.append(arg)
        i += 1
    return front + rest


class PlannerGroup(TyperGroup):
    """Turns a PlannerError anywhere below into one clear line and a non-zero exit.

    ``--debug`` (or PLANNER_DEBUG=1) lets the traceback through instead. As the root, it also
    accepts the global options after the subcommand (``hoist_global_options``).
    """

    def parse_args(self, ctx, args: list[str]) -> list[str]:
        if ctx.parent is None:
            args = hoist_global_options(list(args))
        return super().parse_args(ctx, args)

    def invoke(self, ctx: typer.Context):
        try:
            return super().invoke(ctx)
        except PlannerError as exc:
            if _debug(ctx):
                raise
            err_console.print(f"planner: {strip_controls(str(exc))}", markup=False, highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except OverflowError as exc:  # a number or date past what Python, SQLite or PostgreSQL hold
            if _debug(ctx):
                raise
            err_console.print(f"planner: a number or date is out of range ({exc})", markup=False, highlight=False)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            err_console.print("planner: interrupted", markup=False)
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # the reader went away (`planner people list | head`): stop quietly, as `cat` does
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit's flush
            raise typer.Exit(141) from None
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
    """Rows as a table whose cells are literal text (names and titles from outside are not markup),
    without terminal escapes or control characters, whatever wrote them to the database.

    At a terminal: a Rich table fitted to its width, wrapping at spaces and cutting a word too
    long for its column with "…" (never folding it mid-word). Piped (grep, less, a file): one
    record per line, columns aligned and nothing cut or wrapped, so each line is a whole row."""
    cells = [["" if v is None else " ".join(strip_controls(str(v)).split()) for v in row] for row in rows]
    if not console.is_terminal:
        _plain_table(columns, cells, title)
        return
    from rich.table import Table
    from rich.text import Text

    t = Table(title=strip_controls(title) if title else None, header_style="bold", show_edge=False, pad_edge=False)
    for col in columns:
        t.add_column(col, overflow="ellipsis")
    for row in cells:
        t.add_row(*[Text(v) for v in row])
    console.print(t)


def _plain_table(columns: list[str], cells: list[list[str]], title: str | None) -> None:
    from rich.cells import cell_len  # the width a terminal gives a string (emoji and CJK take two)

    widths = [max([cell_len(c)] + [cell_len(row[i]) for row in cells if i < len(row)]) for i, c in enumerate(columns)]
    out = [title] if title else []
    for row in [columns, *cells]:
        line = "  ".join(v + " " * (w - cell_len(v)) for v, w in zip(row, widths, strict=False))
        out.append(line.rstrip())
    sys.stdout.write("\n".join(out) + "\n")


def progress_bar(description: str = "{task.description}"):
    """A bar with done/total and the time taken, on the console, gone when it ends."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True
    )


def check_folder(target, what: str = "") -> None:
    """Refuse to write ``target`` into a folder that does not exist (a typo should not become a
    new tree of folders, as ``mkdir -p`` would make it)."""
    from pathlib import Path

    parent = Path(target).parent
    if not parent.is_dir():
        raise PlannerError(f"cannot write {what or target}: the folder {parent} does not exist")


def say(message: str) -> None:
    """A line for a person: literal (never markup), without terminal escapes or control characters."""
    console.print(strip_controls(message), markup=False, highlight=False, soft_wrap=True)
