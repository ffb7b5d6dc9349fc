"""Long work that must never hold up quitting: a model load, keyword extraction, a feed refresh.

A Textual thread worker runs in the event loop's default executor, and the loop joins that
executor when the app exits: a worker still loading the model made quitting take ~4 s. Work run
through :func:`run_detached` goes to a daemon thread the worker waits on; once the worker is
cancelled (quit cancels it), the worker returns at once and the daemon thread is left to end with
the process. What it leaves half done is safe: each batch or feed is its own transaction, and
whatever was not stored is simply still pending next time. The CLI ends the process at once
(``os._exit``, planner.cli.end_process) once the app has closed, so such a thread never holds it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from textual.worker import get_current_worker

T = TypeVar("T")
POLL_S = 0.05


class Abandoned(Exception):
    """The worker was cancelled while its detached work was still running."""


def run_detached(fn: Callable[..., T], *args, **kwargs) -> T:
    """``fn(*args, **kwargs)`` in a daemon thread; from a thread worker. Raises Abandoned when the
    worker is cancelled first (its return value or error is then dropped)."""
    worker = get_current_worker()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting worker, which reports it
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"planner-{getattr(fn, '__name__', 'work')}", daemon=True)
    thread.start()
    while thread.is_alive():
        thread.join(POLL_S)
        if worker.is_cancelled:
            raise Abandoned()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def pause(seconds: float) -> bool:
    """Sleep in a thread worker, waking early when it is cancelled. False when cancelled."""
    return not get_current_worker().cancelled_event.wait(seconds)
