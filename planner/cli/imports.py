"""`planner import …`: bring in what people already have."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from planner.cli.common import new_app, print_json, say, state

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
