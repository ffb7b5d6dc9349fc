"""`planner keywords …`: extraction, ad-hoc keywords for drafts, and trends per topic."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import typer

from planner.cli.common import MAX_LIMIT, err_console, new_app, print_json, progress_bar, say, state, table
from planner.errors import PlannerError
from planner.text import count

# `keywords for` reads at most this much of each file (the extractor scans a text's first
# 1,500 words, 45,000 characters, anyway): a 30 MB one-token file must not be read whole
KEYWORDS_TEXT_MAX = 1_000_000
ENGINE_HELP = (
    "planner (default: faster, more accurate) or keybert (stock KeyBERT, unigrams); "
    "default: [keywords] engine in config.toml."
)

app = new_app("Keywords: what your entries are about and what is rising in your topics.")


@app.command("extract")
def extract(
    ctx: typer.Context,
    everything: bool = typer.Option(False, "--all", help="Re-extract every entry, not only new or changed ones."),
    limit: int | None = typer.Option(
        None, "--limit", min=1, max=MAX_LIMIT, help="At most this many entries (newest first)."
    ),
    json: bool = typer.Option(False, "--json"),
    engine: str | None = typer.Option(None, "--engine", help=ENGINE_HELP),
) -> None:
    """Extract keywords for new or changed entries (incremental; a rerun does nothing)."""

    from planner.services.keywords import extract_pending, make_extractor

    st = state(ctx)
    if json:
        summary = extract_pending(
            st.store, make_extractor(st.settings, st.store, engine), everything=everything, limit=limit
        )
        print_json(summary)
        return
    with progress_bar() as bar:
        task = bar.add_task("loading the keyword model", total=None)
        extractor = make_extractor(st.settings, st.store, engine)
        bar.update(task, description="extracting keywords")

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        summary = extract_pending(st.store, extractor, everything=everything, limit=limit, progress=progress)
    if summary.extracted == 0:
        say("nothing to extract: every entry is up to date")
    else:
        say(
            f"extracted keywords for {count(summary.extracted, 'entry')} ({count(summary.keywords, 'keyword')}, model {summary.model})"
        )
    if summary.people:
        say(f"embedded the interests of {count(summary.people, 'person')}, for matching entries to them")


@app.command("for")
def keywords_for(
    ctx: typer.Context,
    text: str | None = typer.Argument(None, help="The text to analyse (or use --file)."),
    files: list[Path] | None = typer.Option(None, "--file", "-f", help="Read text from files; repeat for several."),
    top: int = typer.Option(10, "--top", min=1, max=50),
    json: bool = typer.Option(False, "--json"),
    engine: str | None = typer.Option(None, "--engine", help=ENGINE_HELP),
    diversity: float = typer.Option(
        0.0,
        "--diversity",
        min=0.0,
        max=1.0,
        help="Maximal marginal relevance: 0 = most relevant only, higher = more varied.",
    ),
) -> None:
    """Keywords for ad-hoc text — a draft, or several files in one go."""
    from planner.services.engines import make_extractor

    sources: list[tuple[str, str]] = []
    if text:
        sources.append(("text", text[:KEYWORDS_TEXT_MAX]))
    for f in files or []:
        try:
            with open(f, "rb") as fh:  # bounded: keywords come from a text's beginning anyway
                data = fh.read(KEYWORDS_TEXT_MAX + 1)
        except OSError as exc:
            raise PlannerError(f"cannot read {f}: {exc.strerror or exc}") from exc
        if len(data) > KEYWORDS_TEXT_MAX:
            err_console.print(
                f"planner: {f}: keywords from its first {KEYWORDS_TEXT_MAX // 1_000_000} MB only",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
        sources.append((str(f), data[:KEYWORDS_TEXT_MAX].decode("utf-8", errors="replace")))
    if not sources:
        raise PlannerError("give TEXT or --file FILE")
    extractor = make_extractor(state(ctx).settings, engine=engine)
    results = extractor.extract([body for _, body in sources], top_n=top, diversity=diversity)
    if json:
        print_json(
            [
                {"source": name, "keywords": [[p, s] for p, s in r.keywords]}
                for (name, _), r in zip(sources, results, strict=True)
            ]
        )
        return
    for (name, _), r in zip(sources, results, strict=True):
        if len(sources) > 1:
            say(f"{name}:")
        table(["keyword", "score"], [[p, f"{s:.3f}"] for p, s in r.keywords])


def _now():
    from datetime import datetime

    return datetime.now(UTC)


@app.command("trends")
def trends(
    ctx: typer.Context,
    topic: str | None = typer.Option(None, "--topic"),
    days: int = typer.Option(7, "--days", min=1, max=90, help="Window length; compared with the previous four."),
    min_support: int = typer.Option(3, "--min-support", min=1),
    json: bool = typer.Option(False, "--json"),
) -> None:
    """Keywords rising in a topic (this window vs the previous four)."""
    from planner.services.keywords import rising_now

    st = state(ctx)
    rows = st.store.read(rising_now, _now(), topic, days=days, min_support=min_support)
    if json:
        print_json(
            [
                {
                    "keyword": t.keyword,
                    "count": t.count,
                    "baseline": t.baseline,
                    "lift": t.lift,
                    "series": list(t.series),
                }
                for t in rows
            ]
        )
        return
    if not rows:
        say("nothing rising yet (run `planner keywords extract` after a refresh, or lower --min-support)")
        return
    table(
        ["keyword", "count", "baseline/window", "lift", "last 5 windows"],
        [[t.keyword, t.count, f"{t.baseline:.1f}", f"{t.lift:.2f}", " ".join(str(n) for n in t.series)] for t in rows],
    )
