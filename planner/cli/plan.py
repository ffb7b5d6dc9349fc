"""`planner strategy|posts|plan|groups|events …`: the plan side of the app."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import typer

from planner.cli.common import (
    HUMAN_ROWS,
    MAX_LIMIT,
    new_app,
    print_json,
    say,
    shown_of,
    state,
    table,
)
from planner.errors import PlannerError
from planner.text import label

strategy_app = new_app("Your strategy: time zone, posting slots, pillar mix, capacity, guard thresholds.")
posts_app = new_app("Posts: idea → draft → scheduled → published (or skipped).")
plan_app = new_app("Plan a week: fill posting slots and schedule due touchpoints.")
groups_app = new_app("Communities you engage in, with a cadence.")
events_app = new_app("Virtual events you host or attend.")


def _now() -> datetime:
    return datetime.now(UTC)


def _zone(ctx: typer.Context):
    from planner.services.strategy import show_strategy

    return state(ctx).store.read(show_strategy, _now()).zone


def _local(dt: datetime | None, zone) -> str:
    return dt.astimezone(zone).strftime("%a %Y-%m-%d %H:%M") if dt else ""


def _read_body(body: str | None, body_file: Path | None) -> str | None:
    if body_file is None:
        return body
    if body is not None:
        raise PlannerError("give --body or --body-file, not both")
    try:
        return body_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlannerError(f"cannot read {body_file}: {exc}") from exc


# --- strategy ------------------------------------------------------------------------------------


@strategy_app.command("show")
def strategy_show(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Every setting, as `strategy set` takes it, and the posting slots."""
    from planner.services.strategy import show_strategy

    view = state(ctx).store.read(show_strategy, _now())
    if json:
        print_json(view.as_json())
        return
    table(["setting", "value"], [list(row) for row in view.settings()])


@strategy_app.command("set")
def strategy_set(
    ctx: typer.Context,
    key: str = typer.Argument(
        ...,
        help="timezone, working_days, daily_touch_capacity, pillar_mix, pitch_min_gives, "
        "pitch_min_days, tier_cadences, cadence.<tier>, slots.add, slots.remove",
    ),
    value: str = typer.Argument(
        ...,
        help='e.g. Europe/Berlin · mon,tue,thu · "thought_leadership=0.5,content_share=0.5" · '
        '"tue 09:00 thought_leadership"',
    ),
) -> None:
    """Change one setting (validated; nothing is saved on error)."""
    from planner.services.strategy import set_strategy

    view = state(ctx).store.call(set_strategy, key, value, _now())
    shown = dict(view.settings())
    key = key.strip().lower()
    say(f"{key} = {shown[key]}" if key in shown else f"{key}: done; slots: " + "; ".join(s.label() for s in view.slots))


# --- posts ---------------------------------------------------------------------------------------


@posts_app.command("list")
def posts_list(
    ctx: typer.Context,
    status: str | None = typer.Option(None, "--status", help="idea, draft, scheduled, published or skipped."),
    pillar: str | None = typer.Option(None, "--pillar"),
    limit: int | None = typer.Option(None, "--limit", min=1, max=MAX_LIMIT),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Posts in pipeline order: scheduled, drafts, ideas, published, skipped."""
    from planner.services.posts import count_posts, list_posts, parse_status

    by_default = limit is None and not json
    store = state(ctx).store
    rows = store.read(list_posts, status=status, pillar=pillar, limit=HUMAN_ROWS + 1 if by_default else limit)
    if json:
        from planner.services.analytics import post_metrics

        metrics = store.call(post_metrics, [r.id for r in rows])
        print_json(
            [
                {
                    **r.as_json(),
                    "impressions": metrics.get(r.id, (None, None))[0],
                    "engagements": metrics.get(r.id, (None, None))[1],
                }
                for r in rows
            ]
        )
        return
    more = by_default and len(rows) > HUMAN_ROWS
    rows = rows[:HUMAN_ROWS] if by_default else rows
    zone = _zone(ctx)
    table(
        ["id", "status", "when", "pillar", "title", "channel", "flags"],
        [
            [
                p.id,
                label(p.status),
                _local(p.scheduled_at, zone),
                label(p.pillar),
                p.display_title,
                p.channel,
                " ".join(
                    f
                    for f in (
                        "manual" if p.manual else "",
                        "evergreen" if p.evergreen else "",
                        f"p{p.priority}" if p.priority else "",
                    )
                    if f
                ),
            ]
            for p in rows
        ],
    )
    if more:
        counts = store.read(count_posts, pillar=pillar)
        shown_of(len(rows), counts.get(parse_status(status), 0) if status else sum(counts.values()), by_default)


@posts_app.command("add")
def posts_add(
    ctx: typer.Context,
    title: str = typer.Argument(...),
    body: str | None = typer.Option(None, "--body"),
    body_file: Path | None = typer.Option(None, "--body-file", help="Read the body from a file."),
    pillar: str = typer.Option("thought_leadership", "--pillar"),
    status: str = typer.Option("idea", "--status", help="idea or draft (use --at to schedule)."),
    channel: str = typer.Option("profile", "--channel", help="profile, newsletter, group:NAME or event:TITLE."),
    hashtags: str = typer.Option("", "--hashtags", help="Space or comma separated, with or without #."),
    evergreen: bool = typer.Option(False, "--evergreen", help="May be posted again after the cooldown."),
    cooldown: int = typer.Option(90, "--cooldown", help="Days before an evergreen post may come back."),
    priority: int = typer.Option(0, "--priority"),
    entry: int | None = typer.Option(None, "--entry", help="Link to a feed entry (id)."),
    at: str | None = typer.Option(
        None, "--at", help="Schedule at a local time: '2026-12-01 09:00', 'tomorrow 9am', 'fri 10:00'."
    ),
) -> None:
    """Add a post."""
    from planner.services.posts import add_post
    from planner.services.when import parse_when

    when = parse_when(at, _now(), _zone(ctx), what="--at") if at else None
    p = state(ctx).store.call(
        add_post,
        title,
        body=_read_body(body, body_file) or "",
        pillar=pillar,
        status=status,
        channel=channel,
        hashtags=hashtags,
        evergreen=evergreen,
        cooldown_days=cooldown,
        priority=priority,
        source_entry_id=entry,
        scheduled_at=when,
        now=_now(),
    )
    say(f"added post {p.id} ({p.status}): {p.display_title}")


@posts_app.command("edit")
def posts_edit(
    ctx: typer.Context,
    post_id: int = typer.Argument(..., metavar="ID"),
    title: str | None = typer.Option(None, "--title"),
    body: str | None = typer.Option(None, "--body"),
    body_file: Path | None = typer.Option(None, "--body-file"),
    pillar: str | None = typer.Option(None, "--pillar"),
    channel: str | None = typer.Option(None, "--channel"),
    hashtags: str | None = typer.Option(None, "--hashtags"),
    evergreen: bool | None = typer.Option(None, "--evergreen/--not-evergreen"),
    cooldown: int | None = typer.Option(None, "--cooldown"),
    priority: int | None = typer.Option(None, "--priority"),
    entry: int | None = typer.Option(None, "--entry"),
    status: str | None = typer.Option(
        None, "--status", help="idea, draft or skipped (schedule/publish have commands)."
    ),
    version: int | None = typer.Option(None, "--version", help="Fail if the post changed since this version."),
) -> None:
    """Edit a post (it becomes manual: plan_week will not move it)."""
    from planner.services.posts import edit_post, set_status

    changes = dict(
        title=title,
        body=_read_body(body, body_file),
        pillar=pillar,
        channel=channel,
        hashtags=hashtags,
        evergreen=evergreen,
        cooldown_days=cooldown,
        priority=priority,
    )
    if entry is not None:
        changes["source_entry_id"] = entry
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes and status is None:
        raise PlannerError("nothing to change: give at least one option (see --help)")
    store, now = state(ctx).store, _now()
    with store.transaction() as session:
        p = edit_post(session, post_id, now, expected_version=version, **changes) if changes else None
        if status is not None:
            p = set_status(session, post_id, status, now, expected_version=None if changes else version)
    say(f"post {p.id} ({p.status}, version {p.version}): {p.display_title}")


@posts_app.command("schedule")
def posts_schedule(
    ctx: typer.Context,
    post_id: int = typer.Argument(..., metavar="ID"),
    when: str = typer.Argument(
        ..., help="Local time in the strategy's zone: '2026-12-01 09:00', 'tomorrow 9am', 'next monday', '+2d'."
    ),
) -> None:
    """Schedule (or move) a post by hand."""
    from planner.services.posts import schedule_post
    from planner.services.when import parse_when

    zone = _zone(ctx)
    p = state(ctx).store.call(schedule_post, post_id, parse_when(when, _now(), zone, what="WHEN"), now=_now())
    say(f"post {p.id} scheduled {_local(p.scheduled_at, zone)}: {p.display_title}")


@posts_app.command("publish")
def posts_publish(
    ctx: typer.Context,
    post_id: int = typer.Argument(..., metavar="ID"),
    at: str | None = typer.Option(
        None, "--at", help="When it went out (default: now), e.g. 'yesterday 17:00' or '2 hours ago'."
    ),
    url: str | None = typer.Option(None, "--url", help="Where it was published."),
) -> None:
    """Mark a post published."""
    from planner.services.posts import publish_post
    from planner.services.when import parse_when

    zone = _zone(ctx)
    when = parse_when(at, _now(), zone, what="--at") if at else None
    p = state(ctx).store.call(publish_post, post_id, now=_now(), at=when, url=url)
    say(f"post {p.id} published {_local(p.published_at, zone)}: {p.display_title}")


@posts_app.command("copy")
def posts_copy(ctx: typer.Context, post_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Print the post's text alone, exactly as it goes out (pipe it: | wl-copy, | pbcopy)."""
    import sys

    from planner.services.send import send_item

    item = state(ctx).store.call(send_item, "post", post_id)
    sys.stdout.write(item.text + "\n")


# --- plan -------------------------------------------------------------------------------------


@plan_app.command("week")
def plan_week_cmd(
    ctx: typer.Context,
    week: str | None = typer.Option(
        None, "--week", help="ISO week like 2026-W49, 'next week' or a day in it (default: this week)."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be planned; change nothing."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Fill the week's empty slots and schedule due touchpoints (never moves what you placed)."""
    from planner.services.planning import plan_week
    from planner.services.timeutil import week_monday
    from planner.services.when import parse_week

    now = _now()
    zone = _zone(ctx)
    monday = parse_week(week, now, zone, what="--week") if week else week_monday(now.astimezone(zone).date())
    plan = state(ctx).store.call(plan_week, monday, now, dry_run=dry_run)
    if json:
        print_json(plan.as_json())
        return
    say(plan.summary())
    if plan.posts:
        table(
            ["when", "pillar", "post", "from", "why"],
            [[_local(p.at, zone), label(p.pillar), p.title, p.source, p.reason] for p in plan.posts],
            title="posts",
        )
    if plan.touchpoints:
        table(
            ["when", "person", "action", "why"],
            [[_local(t.at, zone), t.name, label(t.kind), t.reason] for t in plan.touchpoints],
            title="touchpoints",
        )
    for h in plan.held_asks:
        say(f"held back: {label(h.kind)} to {h.name}: {'; '.join(h.reasons)}")
    for o in plan.open_slots:
        say(f"open slot {_local(o.at, zone)} ({label(o.pillar)}): {o.why}")


@plan_app.command("show")
def plan_show(
    ctx: typer.Context,
    week: str | None = typer.Option(
        None, "--week", help="ISO week like 2026-W49, 'next week' or a day in it (default: this week)."
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """The week as the Plan screen shows it: its figures (posts, open slots, touchpoints) and items."""
    from planner.services.timeutil import week_monday
    from planner.services.week import week_figures, week_view
    from planner.services.when import parse_week

    now, zone = _now(), _zone(ctx)
    monday = parse_week(week, now, zone, what="--week") if week else week_monday(now.astimezone(zone).date())
    view = state(ctx).store.call(week_view, monday, now)
    figures = week_figures(view)
    if json:
        print_json(
            {
                "week": view.week,
                **figures.as_json(),
                "items": [
                    {"kind": i.kind, "id": i.id, "at": i.at, "title": i.title, "status": i.status} for i in view.items
                ],
            }
        )
        return
    say(f"{view.week}: {figures.summary()}")
    for weekday, hhmm, pillar in figures.open_slots:
        day = monday + timedelta(days=weekday)
        say(f"  open slot {day:%a %d %b} {hhmm} ({label(pillar)})")
    if view.items:
        table(
            ["when", "what", "title", "status"],
            [
                [_local(i.at, zone), "post" if i.kind == "post" else label(i.action), i.title, label(i.status)]
                for i in view.items
            ],
        )


# --- groups -------------------------------------------------------------------------------------


@groups_app.command("list")
def groups_list(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """Groups with their cadence and when they are next due."""
    from planner.services.community import list_groups

    rows = state(ctx).store.read(list_groups)
    if json:
        print_json(rows)
        return
    zone = _zone(ctx)
    table(
        ["id", "name", "platform", "every", "last engaged", "next due", "url"],
        [
            [
                g.id,
                g.name,
                g.platform,
                f"{g.cadence_days} d",
                _local(g.last_engaged_at, zone),
                _local(g.next_due_at, zone) or "now",
                g.url,
            ]
            for g in rows
        ],
    )


@groups_app.command("add")
def groups_add(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    url: str | None = typer.Option(None, "--url"),
    platform: str = typer.Option("", "--platform"),
    cadence: int = typer.Option(7, "--cadence", help="Engage every N days."),
    notes: str = typer.Option("", "--notes"),
) -> None:
    """Add a group."""
    from planner.services.community import add_group

    g = state(ctx).store.call(
        add_group, name, url=url, platform=platform, cadence_days=cadence, notes=notes, now=_now()
    )
    say(f"added group {g.id}: {g.name} (every {g.cadence_days} days)")


@groups_app.command("edit")
def groups_edit(
    ctx: typer.Context,
    group: str = typer.Argument(..., help="Id or exact name."),
    name: str | None = typer.Option(None, "--name"),
    url: str | None = typer.Option(None, "--url"),
    platform: str | None = typer.Option(None, "--platform"),
    cadence: int | None = typer.Option(None, "--cadence"),
    notes: str | None = typer.Option(None, "--notes"),
) -> None:
    """Change a group."""
    from planner.services.community import edit_group

    g = state(ctx).store.call(
        edit_group, group, name=name, url=url, platform=platform, cadence_days=cadence, notes=notes
    )
    say(f"group {g.id}: {g.name} (every {g.cadence_days} days)")


@groups_app.command("engaged")
def groups_engaged(ctx: typer.Context, group: str = typer.Argument(..., help="Id or exact name.")) -> None:
    """Record that you took part in the group today (restarts its cadence)."""
    from planner.services.community import engaged

    g = state(ctx).store.call(engaged, group, _now())
    say(f"{g.name}: engaged; next due {_local(g.next_due_at, _zone(ctx))}")


@groups_app.command("remove")
def groups_remove(ctx: typer.Context, group: str = typer.Argument(..., help="Id or exact name.")) -> None:
    """Remove a group (posts keep their text)."""
    from planner.services.community import remove_group

    say(f"removed group {state(ctx).store.call(remove_group, group)}")


# --- events -------------------------------------------------------------------------------------


@events_app.command("list")
def events_list(
    ctx: typer.Context,
    all_: bool = typer.Option(False, "--all", help="Include past events."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Upcoming events (all with --all)."""
    from planner.services.community import list_events

    rows = state(ctx).store.read(list_events, None if all_ else _now())
    if json:
        print_json(rows)
        return
    zone = _zone(ctx)
    table(
        ["id", "starts", "role", "title", "url"],
        [[e.id, _local(e.starts_at, zone), e.role, e.title, e.url] for e in rows],
    )


@events_app.command("add")
def events_add(
    ctx: typer.Context,
    title: str = typer.Argument(...),
    when: str = typer.Argument(..., help="Local start: '2026-12-03 16:00' or 'thu 16:00'."),
    duration: int = typer.Option(60, "--duration", help="Minutes."),
    url: str | None = typer.Option(None, "--url"),
    role: str = typer.Option("attending", "--role", help="hosting or attending."),
    notes: str = typer.Option("", "--notes"),
) -> None:
    """Add an event."""
    from planner.services.community import add_event
    from planner.services.when import parse_when

    zone = _zone(ctx)
    e = state(ctx).store.call(
        add_event,
        title,
        parse_when(when, _now(), zone, what="WHEN"),
        duration_minutes=duration,
        url=url,
        role=role,
        notes=notes,
        now=_now(),
    )
    say(f"added event {e.id}: {e.title} ({e.role}) {_local(e.starts_at, zone)}")


@events_app.command("edit")
def events_edit(
    ctx: typer.Context,
    event: str = typer.Argument(..., help="Id or exact title."),
    title: str | None = typer.Option(None, "--title"),
    when: str | None = typer.Option(None, "--when", help="New local start."),
    url: str | None = typer.Option(None, "--url"),
    role: str | None = typer.Option(None, "--role"),
    notes: str | None = typer.Option(None, "--notes"),
) -> None:
    """Change an event."""
    from planner.services.community import edit_event
    from planner.services.when import parse_when

    zone = _zone(ctx)
    starts = parse_when(when, _now(), zone, what="--when") if when else None
    e = state(ctx).store.call(edit_event, event, title=title, starts_at=starts, url=url, role=role, notes=notes)
    say(f"event {e.id}: {e.title} ({e.role}) {_local(e.starts_at, zone)}")


@events_app.command("remove")
def events_remove(ctx: typer.Context, event: str = typer.Argument(..., help="Id or exact title.")) -> None:
    """Remove an event."""
    from planner.services.community import remove_event

    say(f"removed event {state(ctx).store.call(remove_event, event)}")
