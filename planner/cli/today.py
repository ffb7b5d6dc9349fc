"""`planner today`: the Today agenda as text, as JSON, or as one line for a status bar.

Read like the TUI's first frame: a SQLite file at the head revision goes through the stdlib
`sqlite3` reader (store.reader), so neither SQLAlchemy nor the tables are imported and a tmux
status bar can run it every few seconds; anything else (PostgreSQL, a schema to migrate) goes
through the store.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import typer

from planner.cli.common import print_json, say, state
from planner.errors import PlannerError
from planner.services import today as today_service
from planner.text import count

LINE_MAX = 80  # a tmux status-right or a prompt segment


def _now() -> datetime:
    return datetime.now(UTC)


def read_agenda(ctx: typer.Context, now: datetime, limit: int) -> tuple[today_service.TodayAgenda, ZoneInfo]:
    from planner.services.timeutil import user_timezone
    from planner.store.reader import open_sqlite_reader

    st = state(ctx)
    reader = open_sqlite_reader(st.settings.db_url)
    if reader is not None:
        with reader:
            tz = user_timezone(reader, st.settings.timezone)
            return today_service.agenda(reader, now, tz, limit=limit), tz
    tz = st.store.call(user_timezone, st.settings.timezone)
    return st.store.call(today_service.agenda, now, tz, limit=limit), tz


def status_line(agenda: today_service.TodayAgenda, now: datetime, tz: ZoneInfo, limit: int = LINE_MAX) -> str:
    """ "3 due · post 10:00 · review due": what is due, the next post still to come today, the review."""
    due = len(agenda.items) + agenda.more
    parts = [f"{due} due" + (f" ({agenda.overdue} overdue)" if agenda.overdue else "") if due else "nothing due"]
    later = [i for i in agenda.items if i.kind == "post" and not i.overdue and i.due_at > now]
    if later:
        parts.append(f"post {later[0].due_at.astimezone(tz):%H:%M}")
    elif any(i.kind == "post" for i in agenda.items):
        parts.append("post due")
    if agenda.review_due:
        parts.append("review due")
    line = " · ".join(parts)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _when(item: today_service.AgendaItem, now: datetime, tz: ZoneInfo) -> str:
    local = item.due_at.astimezone(tz)
    when = local.strftime("%H:%M") if local.date() == now.astimezone(tz).date() else local.strftime("%a %d %b")
    return ("overdue · " if item.overdue else "") + when


def _as_json(agenda: today_service.TodayAgenda, now: datetime, tz: ZoneInfo) -> dict:
    return {
        "date": now.astimezone(tz).date().isoformat(),
        "timezone": str(tz),
        "line": status_line(agenda, now, tz),
        "due": len(agenda.items) + agenda.more,
        "overdue": agenda.overdue,
        "not_listed": agenda.more,
        "items": [
            {
                "kind": i.kind,
                "id": i.id,
                "uid": f"{i.kind}-{i.id}@planner",
                "due_at": i.due_at.astimezone(tz).isoformat(),
                "overdue": i.overdue,
                "title": i.title,
                "detail": i.detail,
                "send": i.send,
            }
            for i in agenda.items
        ],
        "review_due": agenda.review_due,
        "counts": agenda.counts,
    }


def _print_text(agenda: today_service.TodayAgenda, now: datetime, tz: ZoneInfo) -> None:
    local = now.astimezone(tz)
    due = len(agenda.items) + agenda.more
    head = f"Today, {local:%a %d %b %Y} ({tz}): " + (count(due, "item") + " due" if due else "nothing due")
    say(head + (f", {agenda.overdue} overdue" if agenda.overdue else ""))
    posts = [i for i in agenda.items if i.kind == "post"]
    touches = [i for i in agenda.items if i.kind == "touchpoint"]
    if posts:
        say("")
        say("Post of the day" if len(posts) == 1 else "Posts")
        for item in posts:
            say(f"  {_when(item, now, tz)}  {item.title}" + (f" ({item.detail})" if item.detail else ""))
    if touches:
        say("")
        say("People to touch, and what to send")
        for item in touches:
            say(f"  {_when(item, now, tz)}  {item.title}")
            if item.detail:
                say(f"      {' '.join(item.detail.split())}")
            if item.send and item.send != item.detail:
                say(f"      send: {' '.join(item.send.split())}")
    if agenda.more:
        say("")
        say(f"{count(agenda.more, 'older overdue item')} not listed: plan or skip them in the app (Plan, Network)")
    if agenda.review_due:
        say("")
        say(f"{agenda.review_due}: `planner review`, or key 6 in the app")


def today(
    ctx: typer.Context,
    json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    line: bool = typer.Option(False, "--line", help=f"One line of at most {LINE_MAX} characters (tmux, a prompt)."),
    limit: int = typer.Option(
        50, "--limit", help="List at most this many items: all of today's, then the most overdue."
    ),
) -> None:
    """What is due today: the post of the day, the people to touch and what to send, the review."""
    if limit < 1:
        raise PlannerError(f"--limit must be at least 1, not {limit}")
    now = _now()
    agenda, tz = read_agenda(ctx, now, limit)
    if line:
        sys.stdout.write(status_line(agenda, now, tz) + "\n")
    elif json:
        print_json(_as_json(agenda, now, tz))
    else:
        _print_text(agenda, now, tz)
