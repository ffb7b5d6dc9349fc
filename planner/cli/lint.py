"""`planner lint`: does this draft read as a pitch? Exits 1 when it does, like any linter."""

from __future__ import annotations

from pathlib import Path

import typer

from planner.adapters.textfile import decode, read_bytes
from planner.cli.common import err_console, print_json, say, state
from planner.errors import PlannerError

KINDS = ("message", "connection_note", "post")


# A draft is a message or a post; past this it is not one (`lint --file /dev/zero` read all memory)
MAX_DRAFT_BYTES = 1024 * 1024


def lint(
    ctx: typer.Context,
    text: str | None = typer.Argument(None, help="The draft to check (or use --file; '-' reads stdin)."),
    file: Path | None = typer.Option(None, "--file", "-f", help="Read the draft from this file."),
    kind: str = typer.Option("message", "--kind", help="message, connection_note (300-character limit) or post."),
    json: bool = typer.Option(False, "--json", help='{"score": …, "pitch": true|false, "reasons": […], "semantic": p}'),
    fast: bool = typer.Option(False, "--fast", help="Phrase rules only: skip the semantic model (no model load)."),
) -> None:
    """Score a draft for pitch language and print the phrases that make it read as a pitch.

    Two checks: phrase rules that name what reads as a pitch, and a semantic model (MiniLM
    sentence vectors, trained on the labelled messages planner ships) that catches pitches worded
    in ways no rule knows (ONNX Runtime: a fraction of a second); --fast skips it."""
    import sys

    from planner.services.pitch import CONNECTION_NOTE_LIMIT, pitch_score

    kind = kind.strip().lower().replace("-", "_")
    if kind not in KINDS:
        raise PlannerError(f"--kind: expected one of {', '.join(KINDS)}, got {kind!r}")
    if (text is None) == (file is None):
        raise PlannerError("give the draft as TEXT or with --file (one of them)")
    if file is not None:
        body = decode(read_bytes(file, "a draft", MAX_DRAFT_BYTES), str(file))
    elif text == "-":
        body = sys.stdin.read(MAX_DRAFT_BYTES + 1)
        if len(body) > MAX_DRAFT_BYTES:
            raise PlannerError(
                f"stdin: more than {MAX_DRAFT_BYTES // (1024 * 1024)} MB, more than a draft holds; not read"
            )
    else:
        body = text
    verdict = None if fast or not body.strip() else _semantic(ctx, body)
    result = pitch_score(body, semantic=verdict)
    over = kind == "connection_note" and len(body.strip()) > CONNECTION_NOTE_LIMIT
    if json:
        data = result.as_json()
        data["semantic"] = verdict.probability if verdict is not None else None
        if kind == "connection_note":
            data.update(length=len(body.strip()), limit=CONNECTION_NOTE_LIMIT, too_long=over)
        print_json(data)
    else:
        reading = "reads as a pitch" if result.pitch else "reads as value-first"
        say(f"score {result.score:.2f}: {reading}")
        for reason in result.reasons:
            say(f"  - {reason}")
        if kind == "connection_note":
            say(
                f"{len(body.strip())}/{CONNECTION_NOTE_LIMIT} characters"
                + (" — too long for a connection note" if over else "")
            )
    if result.pitch or over:
        raise typer.Exit(1)


def _semantic(ctx: typer.Context, body: str):
    """The semantic model's verdict, or None (with a note on stderr) when the model can't load."""
    from planner.adapters.pitch_model import SemanticPitchModel
    from planner.services.engines import make_embedder

    try:
        model = SemanticPitchModel(make_embedder(state(ctx).settings))
    except PlannerError as exc:
        err_console.print(f"planner: semantic check skipped: {exc}", markup=False)
        return None
    return model.judge([body])[0]
