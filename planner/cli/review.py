"""`planner review`: the weekly review as a Markdown report (for notes) or JSON (for scripts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from planner.cli.common import check_folder, print_json, say, state
from planner.errors import PlannerError


def _now() -> datetime:
    return datetime.now(UTC)


def review(
    ctx: typer.Context,
    week: str | None = typer.Option(
        None,
        "--week",
        help="ISO week, e.g. 2026-W48, 'last week' or a day in it (default: the last full week).",
        metavar="WEEK",
    ),
    fmt: str = typer.Option("md", "--format", help="md (Markdown report) or json.", metavar="md|json"),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write to this file instead of printing."),
) -> None:
    """The weekly review: last week's posts and touchpoints, give:ask, who is going cold, what is
    rising, failing feeds, the kept-plan streak and suggestions for next week."""
    import sys

    from planner.services.review import review_for
    from planner.services.review.report import to_json, to_markdown

    fmt = fmt.strip().lower()
    if fmt not in ("md", "json"):
        raise PlannerError(f"--format {fmt!r}: expected md or json")
    from planner.services.analytics import has_results, results, results_markdown

    now, store = _now(), state(ctx).store
    if week:
        from planner.services.timeutil import iso_week, user_timezone
        from planner.services.when import parse_week

        week = iso_week(parse_week(week, now, store.read(user_timezone, state(ctx).settings.timezone), what="--week"))
    result = store.read(review_for, week, now)
    text = to_json(result) if fmt == "json" else to_markdown(result)
    measured = store.read(results, result.monday, result.sunday + timedelta(days=1))
    if has_results(measured):  # only with imported analytics: reports without them stay as they were
        if fmt == "json":
            import json

            from planner.jsonout import dumps

            data = json.loads(text)
            data["results"] = measured
            text = dumps(data, indent=2, sort_keys=True) + "\n"
        else:
            text += results_markdown(measured)
    if output is None:
        sys.stdout.write(text)
        return
    check_folder(output)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise PlannerError(f"cannot write {output}: {exc.strerror or exc}") from None
    say(f"wrote the {result.week} review to {output}")


def audit(
    ctx: typer.Context,
    json: bool = typer.Option(
        False, "--json", help='{"early_pitches": [...], "give_ask": ..., "first_messages": ..., "reply_rates": ...}'
    ),
) -> None:
    """Your own "connect and pitch" record, from the imported LinkedIn archive."""
    from planner.services.audit import pitch_audit

    a = state(ctx).store.read(pitch_audit)
    if json:
        print_json(a.as_json())
        return
    from planner.text import count

    say(f"Give:ask over your history {a.give_ask}")
    share = f"{a.value_first_share:.0%}" if a.value_first_share is not None else "—"
    say(f"First messages: {a.value_first_first} of {a.first_messages} value-first ({share})")
    for label_, r in (("value-first", a.value_first_replies), ("pitch", a.pitch_replies)):
        rate = f"{r.rate:.0%}" if r.rate is not None else "—"
        say(f"  replies to {label_} first messages: {r.replied}/{r.sent} ({rate})")
    say(
        f"Asked or pitched before giving (invitation note, or a message within {a.window_days} days of connecting): "
        f"{count(len(a.early_pitches), 'person')}"
    )
    for p in a.early_pitches:
        days = (
            f"{p.days_after_connecting} days after connecting"
            if p.days_after_connecting is not None
            else "connection date unknown"
        )
        say(f"  {p.name} · {p.channel} · {days} · {p.at:%Y-%m-%d}")
        for reason in p.reasons:
            say(f"    - {reason}")
        excerpt = " ".join(p.text.split())
        say(f"    \u201c{excerpt[:117] + '…' if len(excerpt) > 118 else excerpt}\u201d")
