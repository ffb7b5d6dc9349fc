"""`?`: this app's keys, grouped by screen (the one you are on first), a legend of every symbol the
screens draw, and how to close it. Only keys the app declares: none of Textual's own."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

CLOSE_KEYS = "esc, ? or q"


@dataclass(frozen=True)
class KeyGroup:
    title: str
    rows: list[tuple[str, str]]  # (keys, what they do)


EVERY_LIST = KeyGroup(
    "In every list, table and tree",
    [
        ("j / k  ↓ / ↑", "Next / previous row"),
        ("g / G", "First / last row"),
        ("ctrl+d / ctrl+u", "Page down / up"),
        ("⏎", "Open the selected item (the editor, or a detail view)"),
        ("h / l  ← / →", "Previous / next day (the Plan week grid)"),
    ],
)
FORMS = KeyGroup(
    "In the editor, forms and dialogs",
    [
        ("esc", "Back; asks save / discard / keep editing when something is unsaved"),
        ("tab / shift+tab", "Next / previous field (letters typed in a field never run keys)"),
        ("⏎", "Save the form"),
    ],
)

LEGEND: list[tuple[str | Text, str]] = [
    ("TL CS GE VE", "A post's pillar: thought leadership, content share, group engagement, virtual event"),
    ("☺", "A touchpoint (red: an ask, such as a pitch or a meeting request)"),
    ("· … slot", "An empty slot of the week, for the pillar named"),
    ("✎", "Placed or edited by hand: auto-plan leaves it where it is"),
    ("✓", "Done (a touchpoint) or published (a post)"),
    (Text("struck", style="strike"), "Skipped (a feed: disabled)"),
    ("+N more", "Touchpoints of that day the grid does not show (⏎ lists them)"),
    ("overdue ·", "Past its time and not done yet"),
    ("cold / due", "Network: overdue for a touch / due now (· nothing due)"),
    ("give:ask", "Value given to asks made; red when asking more than a third as often as giving"),
    ("evergreen  p1", "Posts: may be published again after a cooldown; its priority"),
    ("★", "A starred entry (bold: unread)"),
    ("⚠", "A feed whose last refresh failed"),
    ("▁▃▅▇ ×N", "Rising keywords: mentions per day this week, and in all"),
]


def keys_of(bindings, app) -> list[tuple[str, str, str]]:
    """(action, keys, description) per action, in declaration order; keys of one action joined."""
    by_action: dict[str, tuple[list[str], str]] = {}
    for b in bindings:
        if not isinstance(b, Binding) or b.system:
            continue
        keys, _ = by_action.setdefault(b.action, ([], b.description or b.action))
        shown = (
            [b.key_display] if b.key_display else [app.get_key_display(Binding(k, b.action)) for k in b.key.split(",")]
        )
        for key in shown:
            if key not in keys:
                keys.append(key)
    return [(action, ", ".join(keys), description) for action, (keys, description) in by_action.items()]


def _rows(bindings, app) -> list[tuple[str, str]]:
    """One row per key: a key a screen uses for different things in different places (Review's
    steps: c carries forward in step 1, copies a message in step 2) lists them together."""
    rows: dict[str, list[str]] = {}
    for _, keys, description in keys_of(bindings, app):
        if description not in rows.setdefault(keys, []):
            rows[keys].append(description)
    return [(keys, " · ".join(descriptions)) for keys, descriptions in rows.items()]


def screen_groups(app, under: Screen | None) -> list[KeyGroup]:
    """The key groups Help shows: everywhere, the screen below first, then every section, the editor."""
    from planner.tui.screens.post_editor import PostEditorScreen

    everywhere = [("1–6", "Go to a section: " + ", ".join(f"{s.key} {s.title}" for s in app.sections))]
    everywhere += _rows(type(app).BINDINGS, app)
    everywhere += [
        ("ctrl+p", "Command palette: every action of this screen and the app, by name"),
        ("ctrl+q", "Quit (asks first when an edit is unsaved)"),
    ]
    screens: list[tuple[str, type]] = [(s.title, s.factory.preload()) for s in app.sections]
    screens.append(("Post editor", PostEditorScreen))
    if under is not None:
        here = next((n for n, (_, cls) in enumerate(screens) if isinstance(under, cls)), None)
        if here is not None:
            title, cls = screens.pop(here)
            screens.insert(0, (f"{title} (this screen)", cls))
    groups = [KeyGroup("Everywhere", everywhere)]
    groups += [KeyGroup(title, _rows(cls.declared_bindings(), app)) for title, cls in screens[:1]]
    groups += [EVERY_LIST, FORMS]
    groups += [KeyGroup(title, _rows(cls.declared_bindings(), app)) for title, cls in screens[1:]]
    return groups


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, under: Screen):
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(Text(f"Keys · {CLOSE_KEYS} closes this", style="bold"), id="help-title")
            yield Static(self._keys(), id="help-keys")
            yield Static(self._legend(), id="help-legend")
            yield Static(Text(f"{CLOSE_KEYS} closes this · ↓ / PgDn scrolls", style="dim"), id="help-close")

    def as_text(self, width: int = 100) -> str:
        """Everything Help shows, as plain text (what a person reads)."""
        from io import StringIO

        from rich.console import Console

        console = Console(width=width, file=StringIO(), color_system=None)
        console.print(Text(f"Keys · {CLOSE_KEYS} closes this"))
        console.print(self._keys())
        console.print(self._legend())
        console.print(Text(f"{CLOSE_KEYS} closes this"))
        return console.file.getvalue()

    def _keys(self) -> Group:
        tables = []
        for group in screen_groups(self.app, self.under):
            table = Table(
                title=group.title,
                title_justify="left",
                title_style="bold",
                show_header=False,
                show_edge=False,
                expand=True,
                box=None,
                padding=(0, 1),
            )
            table.add_column("key", style="bold cyan", no_wrap=True, width=18)
            table.add_column("does", ratio=1)
            for keys, does in group.rows:
                table.add_row(Text(keys), Text(does))
            tables.append(table)
            tables.append(Text(""))
        return Group(*tables)

    def _legend(self) -> Table:
        table = Table(
            title="What the symbols mean",
            title_justify="left",
            title_style="bold",
            show_header=False,
            show_edge=False,
            expand=True,
            box=None,
            padding=(0, 1),
        )
        table.add_column("symbol", style="bold", no_wrap=True, width=18)
        table.add_column("means", ratio=1)
        for symbol, means in LEGEND:
            table.add_row(symbol if isinstance(symbol, Text) else Text(symbol), Text(means))
        return table
