"""`planner export vdir DIR`: the calendar as a vdir (one .ics per item) for khal and vdirsyncer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from planner.cli.common import check_folder, say, state
from planner.cli.feeds import export_app
from planner.errors import PlannerError


def _now() -> datetime:
    return datetime.now(UTC)


@export_app.command("vdir")
def export_vdir(
    ctx: typer.Context,
    folder: Path = typer.Argument(
        ..., help="The calendar's folder (khal's `path`, vdirsyncer's storage); made if only it is missing."
    ),
    first: str | None = typer.Option(
        None, "--from", help="First local day, YYYY-MM-DD (default: every item with a time)."
    ),
    last: str | None = typer.Option(None, "--to", help="Last local day, inclusive (with --from)."),
    alarm: int = typer.Option(15, "--alarm", help="Reminder minutes before each item (0: none)."),
) -> None:
    """One .ics per post and touchpoint, named from its UID: re-run it to update the folder."""
    from planner.adapters.export.vdir import write_vdir

    store, now = state(ctx).store, _now()
    if first is None and last is None:
        from planner.services.calendar import whole_calendar

        tz, items = store.call(whole_calendar, now)
    else:
        from planner.cli.export import _day
        from planner.services.calendar import calendar

        rng, items = store.call(calendar, now, _day(first, "--from"), _day(last, "--to"))
        tz = rng.timezone
    if folder.exists() and not folder.is_dir():
        raise PlannerError(f"{folder} is a file, not a folder: give the calendar's folder")
    if not folder.exists():
        check_folder(folder)  # the calendar's folder may be new; not a whole missing path to it
        folder.mkdir()
    try:
        report = write_vdir(folder, items, tz, alarm_minutes=alarm or None)
    except OSError as exc:
        raise PlannerError(f"cannot write {folder}: {exc.strerror or exc}") from exc
    say(f"{folder}: {report.summary()} ({len(items)} items)")
