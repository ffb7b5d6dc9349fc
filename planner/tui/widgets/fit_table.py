"""A DataTable whose columns fit its width: the columns named in ``shrink`` give up room, in that
order and down to their minimum, so the others (dates, status, ratios: short and the reason to
look) stay whole on a narrow terminal; a cut cell ends with "…" instead of stopping mid-word.

DataTable sizes each column to its widest cell and lets the table scroll sideways, so at 80
columns the right-hand columns of most tables were off screen, and a cell wider than its column
was wrapped to its first line (cut at a word, no sign of the cut).
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from planner.tui.widgets.lists import PlannerTable


def ellipsis(cell):
    """A cell that ends with "…" when its column is narrower than it."""
    if isinstance(cell, Text):
        if cell.overflow is None:
            cell.overflow = "ellipsis"
        cell.no_wrap = True
        return cell
    if isinstance(cell, str):  # a plain str cell would be parsed as markup: keep it literal
        return Text(cell, overflow="ellipsis", no_wrap=True)
    return cell


class FitTable(PlannerTable):
    DEFAULT_CSS = """
    FitTable {
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *args, shrink: Iterable[tuple[str, int]] = (), **kwargs) -> None:
        """``shrink``: (column key, the fewest cells it keeps) in the order the columns give way;
        a column may come back later with a smaller minimum."""
        super().__init__(*args, **kwargs)
        self.shrink = list(shrink)

    def add_columns(self, *labels):
        """Columns keyed by their label (as ``shrink`` names them)."""
        return [self.add_column(label, key=str(label) or f"col{n}") for n, label in enumerate(labels)]

    def add_column(self, label, *, width=None, key=None, default=None):
        return super().add_column(ellipsis(label), width=width, key=key, default=default)

    def add_row(self, *cells, **kwargs):
        return super().add_row(*(ellipsis(c) for c in cells), **kwargs)

    def update_cell_at(self, coordinate, value, *, update_width: bool = False) -> None:
        super().update_cell_at(coordinate, ellipsis(value), update_width=update_width)

    def update_cell(self, row_key, column_key, value, *, update_width: bool = False) -> None:
        super().update_cell(row_key, column_key, ellipsis(value), update_width=update_width)

    def on_resize(self) -> None:
        self.fit_columns()

    def _update_dimensions(self, new_rows) -> None:  # the columns' content widths are measured here
        super()._update_dimensions(new_rows)
        self.fit_columns()

    def fit_columns(self) -> None:
        room = self.scrollable_content_region.width
        if room <= 0 or not self.columns:
            return
        pad = 2 * self.cell_padding
        widths = {key.value: column.content_width for key, column in self.columns.items()}
        excess = sum(w + pad for w in widths.values()) + self._row_label_column_width - room
        for key, least in self.shrink:
            if excess <= 0:
                break
            if key in widths and widths[key] > least:
                give = min(excess, widths[key] - least)
                widths[key] -= give
                excess -= give
        changed = False
        for key, column in self.columns.items():
            fits = widths[key.value] >= column.content_width
            width = widths[key.value]
            if column.auto_width != fits or (not fits and column.width != width):
                column.auto_width, column.width = fits, width
                changed = True
        if changed:
            self._clear_caches()
            total = sum(c.get_render_width(self) for c in self.columns.values()) + self._row_label_column_width
            self.virtual_size = self.virtual_size.__class__(total, self.virtual_size.height)
            self.refresh()
