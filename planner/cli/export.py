"""`planner export ics|csv|md|hootsuite`: the calendar, registered on the `export` group of feeds.py."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import typer

from planner.cli.common import check_folder, say, state
from planner.cli.feeds import export_app
from planner.errors import PlannerError

_FROM = typer.Option(None, "--from", help="First local day: 2026-12-01, 'tomorrow', 'next monday' (default: today).")
_TO = typer.Option(None, "--to", help="Last local day, inclusive: 2026-12-31, '+2w' (default: 4 weeks from --from).")


def _day(value: str | None, option: str, now: datetime, zone) -> date | None:
    from planner.services.when import parse_day

    return None if value is None else parse_day(value, now, zone, what=option)


def _items(ctx: typer.Context, first: str | None, last: str | None):
    from planner.services.calendar import calendar
    from planner.services.timeutil import user_timezone

    st, now = state(ctx), datetime.now(UTC)
    zone = st.store.read(user_timezone, st.settings.timezone) if first or last else None
    return st.store.read(calendar, now, _day(first, "--from", now, zone), _day(last, "--to", now, zone))


def _write(text: str, output: Path | None, what: str, count: int, human: bool = False) -> None:
    """To ``output``, or standard output for none or ``-``; ``human`` text (Markdown) going to a
    terminal is sanitized at this edge too, like every human-readable line (ICS and CSV are
    written as their formats require: CRLF, fields verbatim)."""
    if output is None or str(output) == "-":
        from planner.text import strip_controls

        typer.echo(strip_controls(text) if human else text, nl=False)
        return
    from planner.adapters.export import write_file

    check_folder(output)
    write_file(output, text)
    say(f"wrote {output}: {count} {what}")


def _export(ctx: typer.Context, fmt: str, first: str | None, last: str | None, output: Path | None, **options) -> None:
    from planner.adapters.export import render

    rng, items = _items(ctx, first, last)
    if fmt == "md":
        options["title"] = f"Planner agenda {rng.first_day:%d %b %Y} – {rng.last_day:%d %b %Y}"
    what = {"ics": "events", "csv": "rows", "md": "items"}[fmt]
    _write(render(fmt, items, rng.timezone, **options), output, what, len(items), human=fmt == "md")


_OUTPUT = typer.Option(None, "-o", "--output", help="File to write (default: standard output).")


@export_app.command("ics")
def export_ics(
    ctx: typer.Context,
    first: str | None = _FROM,
    last: str | None = _TO,
    output: Path | None = _OUTPUT,
    alarm: int = typer.Option(15, "--alarm", help="Reminder minutes before each item (0: none)."),
) -> None:
    """The calendar as iCalendar: one event per post and touchpoint, stable UIDs, your time zone."""
    _export(ctx, "ics", first, last, output, alarm_minutes=alarm or None)


@export_app.command("csv")
def export_csv(
    ctx: typer.Context, first: str | None = _FROM, last: str | None = _TO, output: Path | None = _OUTPUT
) -> None:
    """One row per item, ISO 8601 times with the offset."""
    _export(ctx, "csv", first, last, output)


@export_app.command("md")
def export_md(
    ctx: typer.Context, first: str | None = _FROM, last: str | None = _TO, output: Path | None = _OUTPUT
) -> None:
    """A Markdown agenda grouped by day."""
    _export(ctx, "md", first, last, output)


@export_app.command("hootsuite")
def export_hootsuite(
    ctx: typer.Context,
    first: str | None = _FROM,
    last: str | None = _TO,
    output: Path = typer.Option(
        Path("."), "-o", "--output", help="A folder for the files, or a .csv file name when there is one profile."
    ),
    date_format: str = typer.Option(
        "dmy", "--date-format", help="dmy, mdy or ymd: what you pick in Hootsuite's upload."
    ),
) -> None:
    """Hootsuite bulk-composer CSVs: one file per profile, at most 350 rows each."""
    from planner.adapters.export import to_hootsuite

    rng, items = _items(ctx, first, last)
    items = [i for i in items if i.kind == "post"]  # touchpoints are not for a social scheduler
    try:
        export = to_hootsuite(items, rng.timezone, now=datetime.now(UTC), date_format=date_format)
    except ValueError as exc:
        raise PlannerError(str(exc)) from exc
    if output.suffix.lower() == ".csv" and len(export.files) > 1:
        say(f"{len(export.files)} files (one per profile or per 350 rows): writing them beside {output}")
    if output.suffix.lower() != ".csv" and not output.is_dir():
        check_folder(output)  # the folder itself may be new; not a whole missing path to it
        if export.files:
            output.mkdir()
    targets = []
    for f in export.files:
        if output.suffix.lower() == ".csv":
            target = output if len(export.files) == 1 else output.with_name(f"{output.stem}-{f.name}")
        else:
            target = output / f.name
        targets.append((target, f))
    for target, f in targets:
        _write(f.text, target, "rows", sum(1 for _ in csv.reader(io.StringIO(f.text))))
    if not export.files:
        say("nothing to send to Hootsuite in that range")
    for note in export.notes:
        say(f"{'adjusted' if note.adjusted else 'left out'} {note.uid}: {note.reason}")
