"""`planner topics|feeds|entries …` and `planner export opml`."""

from __future__ import annotations

from pathlib import Path

import typer

from planner.cli.common import MAX_LIMIT, check_folder, new_app, print_json, progress_bar, say, state, table

topics_app = new_app("Topics you follow (your areas of expertise).")
feeds_app = new_app("RSS/Atom feeds: follow, check health, refresh.")
entries_app = new_app("Entries pulled from your feeds.")
export_app = new_app("Export your subscriptions and calendar.")


@topics_app.command("add")
def topics_add(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    description: str = typer.Option("", "--description"),
    keywords: str = typer.Option("", "--keywords", help="Comma-separated seed keywords."),
) -> None:
    """Add a topic."""
    from planner.services.feeds import ensure_topic

    topic, created = state(ctx).store.call(ensure_topic, name, description, keywords.split(","))
    say(f"{'added' if created else 'already have'} topic {topic.name!r} (id {topic.id})")


@topics_app.command("list")
def topics_list(ctx: typer.Context, json: bool = typer.Option(False, "--json")) -> None:
    """List topics with their feed and entry counts."""
    from planner.services.feeds import list_topics

    rows = state(ctx).store.read(list_topics)
    if json:
        print_json(rows)
        return
    table(
        ["id", "topic", "feeds", "entries", "unread", "keywords"],
        [[t.id, t.name, t.feeds, t.entries, t.unread, ", ".join(t.keywords)] for t in rows],
    )


@feeds_app.command("add")
def feeds_add(
    ctx: typer.Context,
    url: str = typer.Argument(..., help="An http(s) feed URL, or a local file path."),
    topic: str | None = typer.Option(None, "--topic", help="Topic name (created if new)."),
    title: str = typer.Option("", "--title"),
) -> None:
    """Follow a feed."""
    from planner.services.feeds import add_feed

    feed, created = state(ctx).store.call(add_feed, url, topic, title)
    say(f"{'following' if created else 'already following'} {feed.url} (id {feed.id})")


@feeds_app.command("list")
def feeds_list(
    ctx: typer.Context,
    topic: str | None = typer.Option(None, "--topic"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """List feeds with their health: last status, last error, failures, entries."""
    from planner.services.feeds import list_feeds

    rows = state(ctx).store.read(list_feeds, topic)
    if json:
        print_json(rows)
        return
    table(
        ["id", "title", "topic", "status", "failures", "entries", "unread", "last error / url"],
        [
            [
                f.id,
                f.title or "(untitled)",
                f.topic,
                ("" if f.enabled else "disabled ") + (f.last_status or "never fetched"),
                f.failure_count,
                f.entries,
                f.unread,
                f.disabled_reason or f.last_error or f.url,
            ]
            for f in rows
        ],
    )


@feeds_app.command("remove")
def feeds_remove(ctx: typer.Context, feed: str = typer.Argument(..., help="Feed id or exact URL.")) -> None:
    """Stop following a feed (its entries go with it)."""
    from planner.services.feeds import remove_feed

    say(f"removed {state(ctx).store.call(remove_feed, feed)}")


@feeds_app.command("refresh")
def feeds_refresh(
    ctx: typer.Context,
    topic: str | None = typer.Option(None, "--topic"),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Fetch every enabled feed (conditional GET, concurrent) and store new entries."""

    from planner.services.feeds import refresh

    st = state(ctx)
    if json:
        summary = refresh(st.store, topic)
        print_json(summary)
        return
    with progress_bar("refreshing") as bar:
        task = bar.add_task("refresh", total=None)

        def progress(done: int, total: int, _result) -> None:
            bar.update(task, completed=done, total=total)

        summary = refresh(st.store, topic, progress=progress)
    say(
        f"{summary.feeds} feeds: {summary.fetched} fetched, {summary.not_modified} not modified, "
        f"{summary.unchanged} unchanged, {summary.new_entries} new entries, {summary.updated_entries} updated, "
        f"{summary.errors} errors"
        + (f", {summary.disabled} disabled" if summary.disabled else "")
        + (f", {summary.merged} merged" if summary.merged else "")
    )
    for note in summary.notes:
        say(f"  {note}")
    for problem in summary.problems:
        say(f"  {problem}")


@entries_app.command("list")
def entries_list(
    ctx: typer.Context,
    topic: str | None = typer.Option(None, "--topic"),
    feed: int | None = typer.Option(None, "--feed", help="Feed id."),
    unread: bool = typer.Option(False, "--unread"),
    starred: bool = typer.Option(False, "--starred"),
    limit: int = typer.Option(50, "--limit", min=1, max=MAX_LIMIT),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Entries, newest first."""
    from planner.services.entries import list_entries

    rows = state(ctx).store.read(
        list_entries, topic=topic, feed_id=feed, unread=unread, starred=starred, limit=limit, with_summary=json
    )
    if json:
        print_json(rows)
        return
    table(
        ["id", "published", "feed", "title"],
        [
            [
                e.id,
                e.published_at.strftime("%Y-%m-%d") if e.published_at else "",
                e.feed_title,
                ("★ " if e.is_starred else "") + e.title,
            ]
            for e in rows
        ],
    )


@export_app.command("opml")
def export_opml_cmd(ctx: typer.Context, file: Path = typer.Argument(..., help="Where to write the OPML file.")) -> None:
    """Write your subscriptions as OPML 2.0 (topics become folders)."""
    from planner.services.opml import export_opml

    check_folder(file)
    text = state(ctx).store.read(export_opml)
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        from planner.errors import PlannerError

        raise PlannerError(f"cannot write {file}: {exc.strerror or exc}") from exc
    say(f"wrote {file}")
