"""Unsaved work: the one question asked before an edit could be lost (save / discard / keep editing).

A screen that holds a person's edit (the post editor, every form) implements :class:`HoldsEdits`;
``PlannerApp.leave_safely`` asks this modal for each such screen with changes before it quits,
switches section or closes the screen, whichever key or palette command asked for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

SAVE, DISCARD, KEEP = "save", "discard", "keep"


@runtime_checkable
class HoldsEdits(Protocol):
    def unsaved_changes(self) -> str | None:
        """What is unsaved, for people ("the text of Error budgets"), or None when nothing is."""

    def save_then(self, then: Callable[[], None]) -> None:
        """Save (the screen's own save, with its validation); call ``then`` once saved. A save
        that fails leaves the screen open with everything typed, and never calls ``then``."""

    def discard_edits(self) -> None:
        """Drop the edit: a form closes, the editor returns to what is stored."""


class UnsavedModal(ModalScreen[str]):
    """Dismisses with SAVE (s), DISCARD (d) or KEEP (k, escape)."""

    DEFAULT_CSS = """
    UnsavedModal { align: center middle; }
    UnsavedModal > Vertical {
        width: 64; max-width: 95%; height: auto; border: thick $warning; background: $panel; padding: 1 2;
    }
    UnsavedModal .unsaved-title { text-style: bold; color: $warning; }
    UnsavedModal Horizontal { height: auto; margin-top: 1; }
    UnsavedModal Button { margin-right: 1; }
    """
    BINDINGS = [
        Binding("s", f"answer('{SAVE}')", "Save"),
        Binding("d", f"answer('{DISCARD}')", "Discard"),
        Binding("k,escape", f"answer('{KEEP}')", "Keep editing"),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Unsaved changes", classes="unsaved-title")
            yield Static(Text(f"{self.what[:1].upper()}{self.what[1:]} has changes that are not saved."))
            with Horizontal():
                yield Button("Save (s)", variant="primary", id="unsaved-save")
                yield Button("Discard (d)", variant="error", id="unsaved-discard")
                yield Button("Keep editing (esc)", id="unsaved-keep")

    def on_mount(self) -> None:
        self.query_one("#unsaved-keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id.removeprefix("unsaved-"))

    def action_answer(self, choice: str) -> None:
        self.dismiss(choice)


class EditForm(ModalScreen):
    """A modal form holding an edit (HoldsEdits): Esc and Cancel ask before dropping changes.

    Subclasses give ``initial_values()`` (from their arguments), ``values()`` (from their
    widgets), ``what`` (named in the question) and ``submit()`` (validate; dismiss with the result
    and return True, or mark what is wrong, keep everything typed and return False)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    closed = False
    what = "this form"

    def initial_values(self) -> tuple:
        raise NotImplementedError

    def values(self) -> tuple:
        raise NotImplementedError

    def submit(self) -> bool:
        raise NotImplementedError

    def dismiss(self, result=None):
        self.closed = True
        return super().dismiss(result)

    def unsaved_changes(self) -> str | None:
        if self.closed or not self.is_mounted:
            return None
        return self.what if self.values() != self.initial_values() else None

    def save_then(self, then: Callable[[], None]) -> None:
        if self.submit():
            then()

    def discard_edits(self) -> None:
        if not self.closed:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.app.leave_safely(self.discard_edits, screens=[self])
