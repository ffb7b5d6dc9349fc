"""`planner people …`: the network."""

from __future__ import annotations

from typing import Optional

import typer

from planner.cli.common import new_app, print_json, state, table

app = new_app("Your connections.")


@app.command("list")
def people_list(
    ctx: typer.Context,
    tag: Optional[str] = typer.Option(None, "--tag", help="Only people with this tag."),
    search: Optional[str] = typer.Option(None, "--search", "-s", help="Name, company or position contains this."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """List people (id, names, company, position, profile URL, connected on)."""
    from planner.services.people import list_people

    rows = state(ctx).store.call(list_people, tag=tag, search=search, limit=limit)
    if json:
        print_json([r.as_json() for r in rows])
        return
    table(["id", "name", "company", "position", "connected", "profile"],
          [[r.id, r.full_name, r.company, r.position, r.connected_on, r.profile_url] for r in rows])
