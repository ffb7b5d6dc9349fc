"""`planner import …`: bring in what people already have."""

from __future__ import annotations

from pathlib import Path

import typer

from planner.cli.common import new_app, print_json, say, state
from planner.jsonout import plain
from planner.text import count

app = new_app("Import connections and subscriptions from files.")


@app.command("linkedin")
def import_linkedin(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Connections.csv from LinkedIn's 'download your data'."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Import LinkedIn connections; re-importing adds nobody twice and notes job changes."""
    from planner.adapters.linkedin import read_connections
    from planner.services.people import import_people

    parsed = read_connections(file)
    report = _holding(ctx, file, import_people, parsed.records)
    report.skipped[:0] = parsed.problems
    if json:
        print_json(report)
        return
    say(
        f"{file.name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, {len(report.skipped)} skipped"
    )
    _people_report(report)


def _holding(ctx: typer.Context, file: Path, import_fn, *args):
    """``import_fn(store, *args, what=file.name)`` with the store held for the import (others wait,
    and are told why); ``what`` names the file if an interrupted import is undone later."""
    store = state(ctx).store
    with store.holding(f"importing {file.name}"):
        return import_fn(store, *args, what=file.name)


def _skipped(problems) -> None:
    for problem in problems:
        say(f"  skipped {problem}")


def _people_report(report) -> None:
    """What an import of people did beyond its counts: how rows matched, job changes, skipped rows."""
    say(f"  {report.match_line()}")
    _name_matches(report)
    for change in report.job_changes:
        say(f"  job change: {change} (a congratulate touchpoint is planned)")
    _skipped(report.skipped)


NAME_MATCHES_SHOWN = 20


def _name_matches(report) -> None:
    """The rows matched by name + company, which a person may want to check (the rest: --json)."""
    from planner.services.people import MATCH_NAME

    rows = [r for r in report.rows if r.matched_by == MATCH_NAME]
    for row in rows[:NAME_MATCHES_SHOWN]:
        say(
            f"  line {row.line}: {row.name} matched by name + company"
            + ("; profile URL filled in" if row.url_filled else "")
        )
    if len(rows) > NAME_MATCHES_SHOWN:
        say(f"  … and {len(rows) - NAME_MATCHES_SHOWN} more matched by name + company (--json lists every row)")


@app.command("opml")
def import_opml(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="An OPML subscription list."),
    topic: str | None = typer.Option(
        None, "--topic", help="Put every feed in this topic (else OPML folders become topics)."
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Import feeds from OPML; folders become topics; re-importing adds nothing twice."""
    from planner.services.opml import import_opml_file

    report = state(ctx).store.call(import_opml_file, file, topic)
    if json:
        print_json(report)
        return
    from planner.text import count

    say(
        f"{file.name}: {count(report.added, 'feed')} added, {report.existing} already followed, "
        f"{count(report.topics_added, 'topic')} added, {count(len(report.problems), 'problem')}"
        + (
            f" ({count(report.scheme_guessed, 'feed')} without http(s) in the list: taken as https, http tried if that fails)"
            if report.scheme_guessed
            else ""
        )
    )
    for problem in report.problems:
        say(f"  {problem}")


@app.command("shares")
def import_shares_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Shares.csv from LinkedIn's 'download your data'."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Import your LinkedIn shares as published posts history; re-importing adds nothing twice."""
    from planner.adapters.shares import read_shares
    from planner.services.shares import import_shares_batched

    parsed = read_shares(file)
    report = _holding(ctx, file, import_shares_batched, parsed.records)
    report.skipped[:0] = parsed.problems
    if json:
        print_json(report)
        return
    say(
        f"{file.name}: {count(report.added, 'post')} added, {report.updated} updated, {report.unchanged} unchanged, {len(report.skipped)} skipped"
    )
    _skipped(report.skipped)


@app.command("csv")
def import_csv_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Any address-book CSV (Google, Outlook, a CRM export)."),
    map: str | None = typer.Option(
        None,
        "--map",
        help="column=field,... fields: first_name, last_name, name, url, "
        "email, company, position, connected_on, tags, tier, notes. Unmapped columns "
        "named like a field are used as that field.",
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Import people from another address book; nobody is added twice."""
    from planner.adapters.csv_import import parse_mapping, read_address_book
    from planner.services.address_book import import_address_book_batched

    parsed = read_address_book(file, parse_mapping(map))
    report = _holding(ctx, file, import_address_book_batched, parsed)
    if json:
        print_json({**plain(report), "mapping": parsed.mapping})
        return
    say(
        f"{file.name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.tagged} tagged, {len(report.skipped)} skipped"
    )
    say("  columns used: " + ", ".join(f"{c} → {f}" for c, f in parsed.mapping.items()))
    _people_report(report)


@app.command("linkedin-archive")
def import_linkedin_archive(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="LinkedIn's 'Get a copy of your data' zip, or the folder it unpacks to."),
    fast: bool = typer.Option(
        False, "--fast", help="Pitch check by phrase rules only (skips the semantic model's load)."
    ),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Import what happened on LinkedIn: messages, invitations, endorsements, recommendations,
    connections and shares; each file on its own, re-importing adds nothing twice."""
    from planner.services.linkedin_archive import import_archive

    st = state(ctx)
    judge = None if fast else _pitch_judge(st)
    report = import_archive(st.store, path, judge=judge)
    if json:
        print_json(report)
        return
    say(f"{path.name}: owner {report.owner or 'unknown'}" + (f" ({report.owner_url})" if report.owner_url else ""))
    for f in report.files:
        say(
            f"  {f.file}: {f.read} read, {f.imported} imported, {f.matched} matched, {f.unchanged} already imported, "
            f"{len(f.skipped)} skipped"
        )
        for problem in f.skipped[:20]:
            say(f"    skipped {problem}")
        if len(f.skipped) > 20:
            say(f"    … and {len(f.skipped) - 20} more (--json lists them all)")


def _pitch_judge(st):
    """The semantic pitch model's batch verdicts, or None (rules only) when it cannot load."""
    from planner.cli.common import err_console
    from planner.errors import PlannerError

    try:
        from planner.adapters.pitch_model import SemanticPitchModel
        from planner.services.keywords import make_embedder

        model = SemanticPitchModel(make_embedder(st.settings))
    except PlannerError as exc:
        err_console.print(f"planner: semantic pitch check skipped: {exc}", markup=False)
        return None
    return _judge_in_chunks(model.judge, err_console)


JUDGE_CHUNK = 256  # texts per call of the model: a count on a terminal between calls
ANNOUNCE_OVER = 1_000  # texts: a check this long says so first (the model does ~30 a second here)


def _judge_in_chunks(judge, console):
    """The model's verdicts, asked in chunks: a long check says how long it will be and how to
    skip it, and on a terminal counts what it has done (on stderr: stdout stays the report)."""

    def chunked(texts: list[str]) -> list:
        if len(texts) > ANNOUNCE_OVER:
            console.print(
                f"planner: checking {len(texts):,} messages for pitch language with the semantic model "
                "(about 30 a second; --fast uses the phrase rules only)",
                markup=False,
            )
        verdicts: list = []
        for start in range(0, len(texts), JUDGE_CHUNK):
            verdicts += judge(texts[start : start + JUDGE_CHUNK])
            if console.is_terminal and len(texts) > JUDGE_CHUNK:
                console.print(f"\r  {len(verdicts):,}/{len(texts):,} checked", end="", markup=False)
        if console.is_terminal and len(texts) > JUDGE_CHUNK:
            console.print()
        return verdicts

    return chunked


@app.command("linkedin-analytics")
def import_linkedin_analytics(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="LinkedIn's creator analytics export (Analytics → Export, .xlsx)."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Import impressions, engagements and followers; overlapping exports merge (latest wins)."""
    from planner.adapters.linkedin_analytics import read_analytics
    from planner.services.analytics import import_analytics

    parsed = read_analytics(file)
    report = state(ctx).store.call(import_analytics, parsed)
    if json:
        print_json(report)
        return
    say(
        f"{file.name}: days {report.days_added} added, {report.days_updated} updated, {report.days_unchanged} unchanged; "
        f"posts {report.posts_added} added, {report.posts_updated} updated, {report.posts_unchanged} unchanged; "
        f"{len(report.matched)} matched to your posts, {len(report.unmatched)} not matched"
    )
    if report.total_followers is not None:
        say(f"  total followers {report.total_followers:,}")
    for line in report.unmatched:
        say(f"  not matched: {line}")
    _skipped(report.skipped)
