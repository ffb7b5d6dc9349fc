"""Copy (c) and open on LinkedIn (o) for any screen that shows posts or touches, then the one
"Posted?"/"Sent?" question. Screens say what is selected; this module does the rest.

The item is read in a worker (services.send), the clipboard and the browser are used on the UI
thread, and only a yes in :class:`SentPrompt` writes anything.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from planner.services import send as send_service
from planner.text import count


def start(screen: Screen, how: str, kind: str, item_id: int, then: Callable[[], None] | None = None) -> None:
    """``how``: "copy" or "open"; ``kind``: "post", "touchpoint" or "person" (their next touch or
    suggestion); ``then`` runs after a yes (the screen reloads)."""
    app = screen.app

    def read():
        if kind == "person":
            return app.store.call(send_service.person_send, item_id, app.now())
        return app.store.call(send_service.send_item, kind, item_id)

    def work() -> None:
        item = read()
        app.call_from_thread(deliver, screen, item, how, then)

    screen.run_worker(work, thread=True, exit_on_error=False, group="send", name=f"send {kind} {item_id}")


def deliver(screen: Screen, item: send_service.SendItem, how: str, then: Callable[[], None] | None) -> None:
    from planner.adapters.browser import open_url
    from planner.tui.modals.sent_prompt import SentPrompt

    app = screen.app
    shown_url = None
    if how == "copy":
        app.copy_to_clipboard(item.text)
        what = "post text" if item.kind == "post" else "message"
        app.notify(f"Copied the {what} ({count(len(item.text), 'character')}) for {item.label}", markup=False)
    elif open_url(item.url):
        where = "the share composer with the text filled in" if item.kind == "post" else f"{item.label}'s profile"
        app.notify(f"Opened LinkedIn: {where}", markup=False)
    else:
        app.copy_to_clipboard(item.url)
        shown_url = item.url
    if item.done:
        if shown_url:
            app.notify(f"No browser here; link copied: {shown_url}", markup=False)
        return  # already published / done: nothing to ask

    def answered(answer: tuple[bool, str | None] | None) -> None:
        if answer and answer[0]:
            confirm(screen, item, answer[1], then)

    app.push_screen(SentPrompt(item.question, item.label, shown_url=shown_url, ask_url=item.kind == "post"), answered)


def confirm(screen: Screen, item: send_service.SendItem, url: str | None, then: Callable[[], None] | None) -> None:
    app = screen.app

    def work() -> None:
        message = app.store.call(send_service.confirm_item, item, app.now(), url=url)
        app.call_from_thread(app.notify, message, markup=False)
        if then is not None:
            app.call_from_thread(then)

    screen.run_worker(
        work, thread=True, exit_on_error=False, group="send-confirm", name=f"confirm {item.kind} {item.id}"
    )
