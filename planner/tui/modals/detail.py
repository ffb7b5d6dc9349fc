"""A read-only detail view (a touchpoint, a person, an entry) over the list it was opened from."""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from planner import text as words


class DetailModal(ModalScreen[None]):
    """Esc (or q, Enter) goes back; j/k and the arrows scroll."""

    DEFAULT_CSS = """
    DetailModal { align: center middle; }
    DetailModal > VerticalScroll {
        width: 90; max-width: 95%; height: auto; max-height: 90%; border: thick $primary; background: $panel;
        padding: 1 2;
    }
    DetailModal .detail-title { text-style: bold; }
    DetailModal .detail-hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape,q,enter", "dismiss", "Back"),
        Binding("j", "scroll('down')", "Scroll down", show=False),
        Binding("k", "scroll('up')", "Scroll up", show=False),
    ]

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail-scroll"):
            yield Static(Text(self.title_text), classes="detail-title")
            yield Static(self.body, id="detail-body")
            yield Static("esc: back", classes="detail-hint")

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one("#detail-scroll", VerticalScroll)
        (scroll.scroll_down if direction == "down" else scroll.scroll_up)(animate=False)


def touch_text(d, tz: tzinfo) -> Text:
    """A services.network.TouchDetail as the detail view shows it."""
    t = d.touch
    out = Text()
    out.append(d.person, style="bold")
    if d.role:
        out.append(f" · {d.role}", style="dim")
    out.append("\n\n")
    due = t.due_at.astimezone(tz).strftime("%a %d %b %Y %H:%M") if t.due_at else "no date"
    out.append(f"{words.label(t.kind).capitalize()} · {t.status} · due {due}")
    if t.done_at:
        out.append(f" · done {t.done_at.astimezone(tz):%a %d %b %Y %H:%M}")
    source = {
        "manual": "added by hand",
        "plan": "planned by auto-plan",
        "suggestion": "from an accepted suggestion",
        "import": "imported",
    }.get(t.source, words.label(t.source))
    out.append(f"\n{source}\n", style="dim")
    if t.message:
        out.append("\nMessage\n", style="bold")
        out.append(t.message + "\n")
    if t.note:
        out.append("\nNote\n", style="bold")
        out.append(t.note + "\n")
    if t.entry_title or d.entry_link:
        out.append("\nEntry\n", style="bold")
        out.append((t.entry_title or "") + "\n")
        if d.entry_link:
            out.append(d.entry_link + "\n", style="underline")
    if t.event_title:
        out.append("\nEvent\n", style="bold")
        out.append(t.event_title + "\n")
    out.append("\nd: done · s: skip (on the list) · u: undo", style="dim")
    return out
