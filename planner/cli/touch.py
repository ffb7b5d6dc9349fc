"""`planner touch …`: log a contact that happened, or plan one — asks pass the pitch guard."""

from __future__ import annotations

from datetime import UTC, datetime, time

import typer

from planner.cli.common import new_app, print_json, say, state
from planner.services.when import parse_when
from planner.text import label

app = new_app("Log or plan touchpoints (value-first first; asks are checked by the pitch guard).")


def _zone(st):
    """The strategy's zone (the one planning and the TUI use), else the config's."""
    from planner.services.timeutil import user_timezone

    return st.store.call(user_timezone, st.settings.timezone)


def _report(result, json: bool, verb: str, settings) -> None:
    if json:
        print_json(result)
        return
    kind = label(result.kind)
    extra = " (completed the planned one)" if result.completed_planned else ""
    say(f"{verb} {kind} with {result.person}{extra} [touchpoint {result.touchpoint_id}]")
    if result.guard.reasons:
        say("  pitch guard overridden with --force: " + "; ".join(result.guard.reasons))
    if result.next_due_at:
        say(f"  next due {result.next_due_at.astimezone(settings.tz):%Y-%m-%d}")
    if result.lint and result.lint["pitch"]:
        say(f"  the message reads as a pitch (score {result.lint['score']:.2f}): " + "; ".join(result.lint["reasons"]))


@app.command("log")
def touch_log(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="An id, a profile URL or an unambiguous name."),
    kind: str = typer.Option(
        ...,
        "--kind",
        "-k",
        help="share_content, comment_on_post, congratulate, introduce, "
        "invite_to_event, recommend, thank, check_in; asks: pitch, meeting_request, referral_request.",
    ),
    when: str | None = typer.Option(
        None,
        "--date",
        help="When it happened (default now), e.g. 'yesterday', '2026-11-20 14:00' or '2 days ago'; a past date restarts the cadence from it.",
    ),
    note: str = typer.Option("", "--note"),
    message: str = typer.Option("", "--message", help="What you sent (linted for pitch language)."),
    force: bool = typer.Option(False, "--force", help="Record an ask even if the pitch guard says it is too early."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Record a contact that happened."""
    from planner.services.people import resolve_person
    from planner.services.touches import log_touch

    st = state(ctx)
    now = datetime.now(UTC)
    zone = _zone(st) if when else None
    at = parse_when(when, now, zone, default_time=time(12, 0), what="--date") if when else None
    if at is not None and at > now and at.astimezone(zone).date() == now.astimezone(zone).date():
        at = now  # "today" logged in the morning: noon would be in the future

    def run(session):
        return log_touch(
            session, resolve_person(session, person).id, kind, now, when=at, note=note, message=message, force=force
        )

    _report(st.store.call(run), json, "logged", st.settings)


@app.command("plan")
def touch_plan(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="An id, a profile URL or an unambiguous name."),
    kind: str = typer.Option(..., "--kind", "-k", help="A touch kind (see `touch log --help`)."),
    due: str = typer.Option(
        ..., "--due", help="When it is due, e.g. 2026-12-01, 'tomorrow 9am', 'next monday' or '+2d'."
    ),
    message: str = typer.Option("", "--message", help="A draft of what to send (linted for pitch language)."),
    note: str = typer.Option("", "--note"),
    force: bool = typer.Option(False, "--force", help="Plan an ask even if the pitch guard says it is too early."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Plan a touch for later."""
    from planner.services.people import resolve_person
    from planner.services.touches import plan_touch

    st = state(ctx)
    now = datetime.now(UTC)
    due_at = parse_when(due, now, _zone(st), default_time=time(9, 0), what="--due")

    def run(session):
        return plan_touch(
            session, resolve_person(session, person).id, kind, due_at, now, message=message, note=note, force=force
        )

    _report(st.store.call(run), json, "planned", st.settings)


@app.command("send")
def touch_send(
    ctx: typer.Context,
    touch_id: int = typer.Argument(..., metavar="ID", help="A planned touchpoint's id."),
    done: bool = typer.Option(False, "--done", help="It went out: log the touch done now."),
    json: bool = typer.Option(False, "--json", help='{"text": …, "url": the profile page, …}'),
) -> None:
    """Print the touch's message alone (to paste into LinkedIn); --done logs it as sent now."""
    import sys

    from planner.services.send import confirm_sent, send_item

    store = state(ctx).store
    item = store.call(send_item, "touchpoint", touch_id)
    if json:
        print_json(item.as_json())
    else:
        sys.stdout.write(item.text + "\n")
    if done:
        message = store.call(confirm_sent, "touchpoint", touch_id, datetime.now(UTC))
        typer.echo(message, err=True)  # stdout stays the message alone
