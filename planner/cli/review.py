"""`planner review`: the weekly review as a Markdown report (for notes) or JSON (for scripts)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from planner.cli.common import say, state
from planner.errors import PlannerError


def _now() -> datetime:
    return datetime.now(UTC)


def review(
    ctx: typer.Context,
    week: str | None = typer.Option(None, "--week", help="ISO week, e.g. 2026-W48, 'last week' or a day in it (default: the last full week).",
                                       metavar="WEEK"),
    fmt: str = typer.Option("md", "--format", help="md (Markdown report) or json.", metavar="md|json"),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file instead of printing."),
) -> None:
    """The weekly review: last week's posts and touchpoints, give:ask, who is going cold, what is
    rising, failing feeds, the kept-plan streak and suggestions for next week."""
    import sys

    from planner.services.review import review_for
    from planner.services.review_report import to_json, to_markdown

    fmt = fmt.strip().lower()
    if fmt not in ("md", "json"):
        raise PlannerError(f"--format {fmt!r}: expected md or json")
    now = _now()
    if week:
        from planner.services.timeutil import iso_week, user_timezone
        from planner.services.when import parse_week

        st = state(ctx)
        week = iso_week(parse_week(week, now, st.store.call(user_timezone, st.settings.timezone), what="--week"))
    result = state(ctx).store.call(review_for, week, now)
    text = to_json(result) if fmt == "json" else to_markdown(result)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PlannerError(f"cannot write {output}: {exc.strerror or exc}") from None
    say(f"wrote the {result.week} review to {output}")
