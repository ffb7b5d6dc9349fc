"""`planner import …`: bring in what people already have."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from planner.cli.common import new_app, print_json, say, state
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
    from planner.services.people import import_connections

    parsed = read_connections(file)
    report = state(ctx).store.call(import_connections, parsed.records)
    report.skipped[:0] = parsed.problems
    if json:
        print_json(report.as_dict())
        return
    say(f"{file.name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, {len(report.skipped)} skipped")
    for change in report.job_changes:
        say(f"  job change: {change} (a congratulate touchpoint is planned)")
    for problem in report.skipped:
        say(f"  skipped {problem}")


@app.command("opml")
def import_opml(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="An OPML subscription list."),
    topic: Optional[str] = typer.Option(None, "--topic", help="Put every feed in this topic (else OPML folders become topics)."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Import feeds from OPML; folders become topics; re-importing adds nothing twice."""
    from planner.services.opml import import_opml_file

    report = state(ctx).store.call(import_opml_file, file, topic)
    if json:
        print_json(report.as_dict())
        return
    say(f"{file.name}: {report.added} feeds added, {report.existing} already followed, {report.topics_added} topics added, {len(report.problems)} problems")
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
    from planner.services.shares import import_shares

    parsed = read_shares(file)
    report = state(ctx).store.call(import_shares, parsed.records)
    report.skipped[:0] = parsed.problems
    if json:
        print_json(report.as_dict())
        return
    say(f"{file.name}: {count(report.added, 'post')} added, {report.updated} updated, {report.unchanged} unchanged, {len(report.skipped)} skipped")
    for problem in report.skipped:
        say(f"  skipped {problem}")


@app.command("csv")
def import_csv_cmd(
    ctx: typer.Context,
    file: Path = typer.Argument(..., help="Any address-book CSV (Google, Outlook, a CRM export)."),
    map: Optional[str] = typer.Option(None, "--map", help="column=field,... fields: first_name, last_name, name, url, "
                                      "email, company, position, connected_on, tags, tier, notes. Unmapped columns "
                                      "named like a field are used as that field."),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Import people from another address book; nobody is added twice."""
    from planner.adapters.csv_import import parse_mapping, read_address_book
    from planner.services.address_book import import_address_book

    parsed = read_address_book(file, parse_mapping(map))
    report = state(ctx).store.call(import_address_book, parsed)
    if json:
        print_json({**report.as_dict(), "mapping": parsed.mapping})
        return
    say(f"{file.name}: {report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.tagged} tagged, {len(report.skipped)} skipped")
    say("  columns used: " + ", ".join(f"{c} → {f}" for c, f in parsed.mapping.items()))
    for change in report.job_changes:
        say(f"  job change: {change} (a congratulate touchpoint is planned)")
    for problem in report.skipped:
        say(f"  skipped {problem}")
