"""`planner people …`: the network — who is due, one person in full, tier/cadence/tags."""

from __future__ import annotations

from datetime import UTC

import typer

from planner.cli.common import HUMAN_ROWS, MAX_LIMIT, new_app, print_json, say, shown_of, state, table
from planner.text import label

app = new_app("Your connections: cadence, ledger, tiers and tags.")


def _now(ctx: typer.Context):
    from datetime import datetime

    return datetime.now(UTC)


def _local(dt, settings) -> str:
    if not dt:
        return "—"
    try:
        return dt.astimezone(settings.tz).strftime("%Y-%m-%d")
    except OverflowError:  # year 9999 stored raw: its UTC day, not a crash
        return dt.strftime("%Y-%m-%d")


def _print_rows(rows) -> None:
    """A JSON array with one compact object per line: the C encoder (indent=2 takes the pure-Python
    one) and a third of the bytes for 10,000 people, still one person per line to grep and diff."""
    import json
    import sys

    encode = json.JSONEncoder(
        ensure_ascii=False
    ).encode  # one encoder, not one per row as json.dumps(…, ensure_ascii=False) builds
    sys.stdout.write("[" + ",\n ".join(encode(row) for row in rows) + "]\n")


@app.command("list")
def people_list(
    ctx: typer.Context,
    due: bool = typer.Option(False, "--due", help="Only people due for a touch (or overdue), most overdue first."),
    cold: bool = typer.Option(
        False,
        "--cold",
        help="Only people going cold (overdue by half their cadence or more), most overdue relative to cadence first.",
    ),
    tag: str | None = typer.Option(None, "--tag", help="Only people with this tag."),
    search: str | None = typer.Option(None, "--search", "-s", help="Name, company or position contains this."),
    limit: int | None = typer.Option(None, "--limit", min=1, max=MAX_LIMIT),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """List people with tier, last contact, next due date and give:ask ledger."""
    from planner.services.network import network_page

    st = state(ctx)
    only = "cold" if cold else "due" if due else None
    by_default = limit is None and not json
    page = st.store.read(
        network_page, _now(ctx), search=search, tag=tag, only=only, limit=HUMAN_ROWS if by_default else limit, offset=0
    )
    if json:
        _print_rows(r.as_json() for r in page.rows)
        return
    table(
        ["id", "", "name", "company", "tier", "cadence", "last contact", "next due", "give:ask"],
        [
            [
                r.id,
                r.due.marker,
                r.name,
                r.company,
                r.tier,
                f"{r.due.cadence_days}d",
                _local(r.due.last_contact_at, st.settings),
                _local(r.due.next_due_at, st.settings),
                r.ledger.ratio_text,
            ]
            for r in page.rows
        ],
    )
    shown_of(len(page.rows), page.total, by_default)


@app.command("show")
def people_show(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="An id, a profile URL or an unambiguous name."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """One person: profile, tier, cadence, last contact, next due date, ledger, touchpoints, suggestion."""
    from planner.services.network import person_detail
    from planner.services.people import resolve_person

    st = state(ctx)

    def load(session):
        return person_detail(session, resolve_person(session, person).id, _now(ctx))

    d = st.store.read(load)
    if json:
        print_json(d.as_json())
        return
    role = " at ".join(p for p in (d.position, d.company) if p)
    say(f"{d.name} (id {d.id})" + (f" — {role}" if role else ""))
    if d.headline:
        say(f"  {d.headline}")
    if d.previous_company or d.previous_position:
        prev = " at ".join(p for p in (d.previous_position, d.previous_company) if p)
        say(f"  previously {prev}; changed {_local(d.job_changed_at, st.settings)}")
    if d.profile_url:
        say(f"  {d.profile_url}")
    say(f"tier {d.tier} · every {d.due.cadence_days} days ({d.due.cadence_source}) · tags: {', '.join(d.tags) or '—'}")
    say(
        f"connected {d.connected_on or '—'} · last contact {_local(d.due.last_contact_at, st.settings) if d.due.last_contact_at else 'never'} · "
        f"next due {_local(d.due.next_due_at, st.settings)} ({d.due.standing})"
    )
    lg = d.ledger
    say(
        f"ledger: {lg.gives} given, {lg.asks} asked (give:ask {lg.ratio_text}), last ask {_local(lg.last_ask_at, st.settings)}, "
        f"{lg.planned} planned · asks need {d.guard_min_gives} gives and {d.guard_min_days} days connected"
    )
    if d.notes:
        say(f"notes: {d.notes}")
    if d.suggestion:
        say(f"suggested: {label(d.suggestion.kind)} — {d.suggestion.reason}")
        say(f"  draft: {d.suggestion.message}")
    if d.touchpoints:
        table(
            ["id", "when", "status", "kind", "note / message"],
            [
                [
                    t.id,
                    _local(t.when, st.settings),
                    t.status,
                    label(t.kind) + (" (ask)" if t.is_ask else ""),
                    (t.note or t.message or t.entry_title or t.event_title or "")[:80],
                ]
                for t in d.touchpoints
            ],
        )


@app.command("edit")
def people_edit(
    ctx: typer.Context,
    person: str = typer.Argument(..., help="An id, a profile URL or an unambiguous name."),
    tier: str | None = typer.Option(None, "--tier", help="inner, active, warm, dormant (or a tier of your strategy)."),
    cadence: str | None = typer.Option(
        None, "--cadence", help="Days between touches for this person; 'tier' (or 0) clears it."
    ),
    tags: list[str] = typer.Option([], "--tag", help="Add a tag (repeatable)."),
    untags: list[str] = typer.Option([], "--untag", help="Remove a tag (repeatable)."),
    notes: str | None = typer.Option(None, "--notes", help="Replace the notes."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Change a person's tier, cadence override or tags."""
    from planner.errors import PlannerError
    from planner.services.network import person_detail
    from planner.services.people import edit_person, resolve_person

    clear, days = False, None
    if cadence is not None:
        if cadence.strip().lower() in ("tier", "default", "none", "0"):
            clear = True
        else:
            try:
                days = int(cadence.strip().rstrip("d"))
            except ValueError:
                raise PlannerError(f"--cadence: expected a number of days or 'tier', got {cadence!r}") from None
    if tier is None and cadence is None and not tags and not untags and notes is None:
        raise PlannerError("nothing to change: give --tier, --cadence, --tag, --untag or --notes")
    now = _now(ctx)

    def run(session):
        pid = resolve_person(session, person).id
        edit_person(
            session,
            pid,
            now,
            tier=tier,
            cadence_days=days,
            clear_cadence=clear,
            add_tags=tags,
            remove_tags=untags,
            notes=notes,
        )
        return person_detail(session, pid, now)

    d = state(ctx).store.call(run)
    if json:
        print_json(d.as_json())
        return
    say(
        f"{d.name}: tier {d.tier}, every {d.due.cadence_days} days ({d.due.cadence_source}), "
        f"tags {', '.join(d.tags) or '—'}; next due {_local(d.due.next_due_at, state(ctx).settings)}"
    )
