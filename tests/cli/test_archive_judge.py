"""`import linkedin-archive`'s semantic check asked in chunks: verdicts in order, a long check
announced with how to skip it, and a count on a terminal only."""

from __future__ import annotations

import io

from rich.console import Console

from planner.cli.imports import ANNOUNCE_OVER, JUDGE_CHUNK, _judge_in_chunks


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=200, color_system=None), out


def test_verdicts_come_back_in_order_across_chunks():
    calls: list[int] = []

    def judge(texts):
        calls.append(len(texts))
        return [len(t) for t in texts]

    texts = ["x" * (i % 97) for i in range(ANNOUNCE_OVER + 10)]
    console, out = _console(terminal=True)
    assert _judge_in_chunks(judge, console)(texts) == [len(t) for t in texts]
    assert max(calls) == JUDGE_CHUNK and sum(calls) == len(texts)
    shown = out.getvalue()
    assert f"checking {len(texts):,} messages" in shown and "--fast" in shown
    assert f"{len(texts):,}/{len(texts):,} checked" in shown


def test_a_short_check_or_a_pipe_says_nothing():
    console, out = _console(terminal=False)
    assert _judge_in_chunks(lambda texts: [0] * len(texts), console)(["a"] * (JUDGE_CHUNK * 2)) == [0] * (
        JUDGE_CHUNK * 2
    )
    assert out.getvalue() == ""
