"""What every step of the review shares: its keys are live while it holds the focus, the way
through the review is in each step's keys (so the footer reads n, b, the step's own, f), and a
decision made in it goes up to the screen as a message."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable
from textual.worker import Worker

# rows added to the item tables at a time (a screenful is ~20): a busy week holds thousands and a
# DataTable row costs about a millisecond to add; more are added as the cursor nears the end
PAGE = 100


def short(text: str, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def step_keys(*own: Binding) -> list[Binding]:
    """A step's keys: its own between the way on (n, b) and the way out (f), which run on the
    screen whichever step is shown."""
    return [
        Binding("n", "screen.step(1)", "Next step"),
        Binding("b", "screen.step(-1)", "Back"),
        *own,
        Binding("f", "screen.finish", "Finish"),
    ]


class Step(Vertical):
    """One step of the review. The screen shows one step at a time and focuses it (its table, or
    the step itself), so a step's keys work only while it is the one shown: c carries forward in
    step 1 and copies a message in step 2 without either knowing of the other."""

    @dataclass
    class Decided(Message):
        """A decision made in a step (``what``: a key of ``ReviewScreen.decisions``): the review
        records it, says ``note`` and reads itself again."""

        what: str
        entry: list
        note: str

    def focus_step(self) -> None:
        """Take the focus as the step shown: the step's table, or the step itself."""
        tables = self.query(DataTable)
        (tables.first() if tables else self).focus()

    @on(Worker.StateChanged)
    def _forward_worker_state(self, event: Worker.StateChanged) -> None:
        self.app.report_worker_error(event)  # a step's worker reports to the step only (see screens.base)


def grow_near_end(table: DataTable, rows: list, more) -> None:
    """Add the next page of `rows` when the cursor nears the end of what `table` holds."""
    if table.cursor_row >= table.row_count - 10 and table.row_count < len(rows):
        more()


def redraw(table: DataTable, fill) -> None:
    """Clear `table`, `fill(rows_to_show)` it again and put the cursor back where it was."""
    keep, shown = table.cursor_row, table.row_count
    table.clear()
    fill(max(PAGE, shown, keep + 1))
    if table.row_count:
        table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
