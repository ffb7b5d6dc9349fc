"""`planner lint`: does this draft read as a pitch? Exits 1 when it does, like any linter."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from planner.cli.common import print_json, say
from planner.errors import PlannerError

KINDS = ("message", "connection_note", "post")


def lint(
    text: Optional[str] = typer.Argument(None, help="The draft to check (or use --file; '-' reads stdin)."),
    file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the draft from this file."),
    kind: str = typer.Option("message", "--kind", help="message, connection_note (300-character limit) or post."),
    json: bool = typer.Option(False, "--json", help='{"score": …, "pitch": true|false, "reasons": […]}'),
) -> None:
    """Score a draft for pitch language and print the phrases that make it read as a pitch."""
    import sys

    from planner.services.pitch import CONNECTION_NOTE_LIMIT, pitch_score

    kind = kind.strip().lower().replace("-", "_")
    if kind not in KINDS:
        raise PlannerError(f"--kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    if (text is None) == (file is None):
        raise PlannerError("give the draft as TEXT or with --file (one of them)")
    if file is not None:
        try:
            body = file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PlannerError(f"no such file: {file}") from None
        except (OSError, UnicodeError) as exc:
            raise PlannerError(f"cannot read {file}: {exc}") from exc
    else:
        body = sys.stdin.read() if text == "-" else text
    result = pitch_score(body)
    over = kind == "connection_note" and len(body.strip()) > CONNECTION_NOTE_LIMIT
    if json:
        data = result.as_json()
        if kind == "connection_note":
            data.update(length=len(body.strip()), limit=CONNECTION_NOTE_LIMIT, too_long=over)
        print_json(data)
    else:
        verdict = "reads as a pitch" if result.pitch else "reads as value-first"
        say(f"score {result.score:.2f}: {verdict}")
        for reason in result.reasons:
            say(f"  - {reason}")
        if kind == "connection_note":
            say(f"{len(body.strip())}/{CONNECTION_NOTE_LIMIT} characters" + (" — too long for a connection note" if over else ""))
    if result.pitch or over:
        raise typer.Exit(1)
