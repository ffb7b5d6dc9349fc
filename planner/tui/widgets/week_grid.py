"""A week as a grid: days across, times down; posts coloured by pillar, touchpoints plain.

Each cell holds at most one item (two items at the same time get two rows), so the cell under the
cursor is exactly one item. A day shows every post but at most `TOUCH_PER_DAY` touchpoints (a
week can hold thousands): the most overdue planned ones first, then a last row says how many
more each day has. The widget only shows: the screen decides what keys do.
"""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.binding import Binding

from planner.services.week import WeekItem, WeekView, week_figures
from planner.text import label
from planner.tui.widgets.lists import PlannerTable

PILLAR_STYLES = {
    "thought_leadership": "bold magenta",
    "content_share": "bold cyan",
    "group_engagement": "bold green",
    "virtual_event": "bold yellow",
}
PILLAR_MARKS = {"thought_leadership": "TL", "content_share": "CS", "group_engagement": "GE", "virtual_event": "VE"}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TOUCH_PER_DAY = 8  # touchpoints a day shows in the grid; the agenda lists them all


def grid_items(view: WeekView, zone: ZoneInfo, per_day: int = TOUCH_PER_DAY) -> tuple[list[WeekItem], list[int]]:
    """The items the grid shows (every post; per day the `per_day` most urgent touchpoints: planned
    ones earliest due first, then the rest in time order) and how many touchpoints each day hides."""
    shown: list[WeekItem] = []
    touches: list[list[WeekItem]] = [[] for _ in range(7)]
    for item in view.items:
        day = (item.at.astimezone(zone).date() - view.monday).days
        if not 0 <= day < 7:
            continue
        (shown if item.kind == "post" else touches[day]).append(item)
    hidden = [0] * 7
    for day, items in enumerate(touches):
        if len(items) > per_day:
            # view.items is in time order: a stable sort puts planned (still to do) first
            items = sorted(items, key=lambda i: i.status != "planned")
            hidden[day] = len(items) - per_day
            items = items[:per_day]
        shown.extend(items)
    shown.sort(key=lambda i: (i.at, i.kind, i.id))
    return shown, hidden


def fit(label: str, width: int) -> str:
    """``label`` in ``width`` cells, cut with "…" when longer."""
    label = " ".join(label.split())
    if cell_len(label) <= width:
        return label
    return set_cell_size(label, max(0, width - 1)) + "…" if width > 0 else ""


def short_name(name: str, width: int) -> str:
    """A person's name in ``width`` cells: whole, else first name and initial ("Grace O."), else cut."""
    name = " ".join(name.split())
    parts = name.split(" ")
    if cell_len(name) > width and len(parts) > 1 and cell_len(f"{parts[0]} {parts[-1][0]}.") <= width:
        return f"{parts[0]} {parts[-1][0]}."
    return fit(name, width)


def day_label(day: date, width: int) -> str:
    """ "Mon 23 Nov", "Mon 23" or "Mon", whichever fits."""
    for text in (f"{DAY_NAMES[day.weekday()]} {day:%d %b}", f"{DAY_NAMES[day.weekday()]} {day:%d}"):
        if len(text) <= width:
            return text
    return DAY_NAMES[day.weekday()]


def slot_label(pillar: str, width: int) -> str:
    """An empty slot: "· thought leadership slot", "· TL slot" or "· TL", whichever fits."""
    mark = PILLAR_MARKS.get(pillar, "P")
    for text in (f"· {label(pillar)} slot", f"· {mark} slot"):
        if cell_len(text) <= width:
            return text
    return f"· {mark}"


def cell_width(room: int) -> int:
    """The width of each day column when a grid has ``room`` cells: a 5-cell time column and seven
    day columns, each with a cell of padding either side."""
    return max(5, (room - 7) // 7 - 2)


def item_text(item: WeekItem, width: int = 22) -> Text:
    """One cell in ``width`` cells: a mark (pillar or ☺ for a touchpoint), the title (a touchpoint:
    the person's name) cut with "…"; ✎ placed by hand; done/published dim with ✓, skipped struck
    through."""
    if item.kind == "post":
        mark = PILLAR_MARKS.get(item.pillar or "", "P")
        style = PILLAR_STYLES.get(item.pillar or "", "bold")
    else:
        mark = "☺"
        style = "bold white" if item.action not in ("pitch", "meeting_request", "referral_request") else "bold red"
    # a touchpoint cell names the person (the action is in the detail line and the agenda)
    manual = item.manual and item.kind == "post"
    finished = item.status in ("done", "published")
    room = width - cell_len(mark) - 1 - 2 * (manual + finished)
    if item.kind == "touchpoint" and item.person:
        label = short_name(item.person, room)
    else:
        label = fit(item.title, room)
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append(mark + " ", style=style)
    text.append(label)
    if manual:
        text.append(" ✎", style="dim")
    if item.status in ("skipped",):
        text.stylize("strike dim")
    elif finished:
        text.stylize("dim")
        text.append(" ✓", style="green")
    return text


class WeekGrid(PlannerTable):
    """Rows are local times (HH:MM), columns the seven days of the week. h/j/k/l move the cursor."""

    BINDINGS = [
        Binding("h", "cursor_left", "Left", show=False),
        Binding("l", "cursor_right", "Right", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, **kwargs)
        self.view: WeekView | None = None
        self.cells: dict[tuple[int, int], WeekItem] = {}  # (row, day) → item
        self.more: dict[tuple[int, int], int] = {}  # (row, day) → touchpoints the day does not show
        self.row_times: list[str] = []
        self.cell_width = 20
        self.today: date | None = None

    def _room(self) -> int:
        room = self.scrollable_content_region.width
        return room if room > 0 else self.app.size.width - 1  # not laid out yet: the screen's width

    def on_resize(self) -> None:
        if self.view is not None and cell_width(self._room()) != self.cell_width:
            self.show_week(self.view, self.today)

    def show_week(
        self, view: WeekView, today: date | None = None, open_slots: tuple[tuple[int, str, str], ...] | None = None
    ) -> None:
        """``open_slots``: planning.week_figures' open slots (computed here when not given), each shown
        as "· pillar slot" in the first row of its time, so the grid and the header count the same."""
        keep = self.cursor_coordinate
        self.view, self.today = view, today
        zone = ZoneInfo(view.timezone)
        self.clear(columns=True)
        # the seven days share the width, all visible down to 80 columns (short labels there)
        width = cell_width(self._room())
        self.cell_width = width
        self.add_column(Text("time"), key="time", width=5)
        for n in range(7):
            day = view.monday + timedelta(days=n)
            style = "bold reverse" if day == today else ("dim" if n not in view.working_days else "bold")
            self.add_column(Text(day_label(day, width), style=style), key=f"d{n}", width=width)
        # rows: every slot time and item time; a second item at the same day+time gets its own row
        if open_slots is None:
            open_slots = week_figures(view).open_slots
        by_time: dict[str, list[list[WeekItem | str | None]]] = {}
        for _weekday, hhmm, _pillar in view.slots:
            by_time.setdefault(hhmm, [])
        for weekday, hhmm, pillar in open_slots:
            rows = by_time[hhmm] or [[None] * 7]
            rows[0][weekday] = pillar  # the open slot keeps its cell: other items at that time go below
            by_time[hhmm] = rows
        shown, hidden = grid_items(view, zone)
        for item in shown:
            local = item.at.astimezone(zone)
            hhmm = f"{local:%H:%M}"
            rows = by_time.setdefault(hhmm, [])
            day = (local.date() - view.monday).days
            if not 0 <= day < 7:
                continue
            for row in rows:
                if row[day] is None:
                    row[day] = item
                    break
            else:
                row = [None] * 7
                row[day] = item
                rows.append(row)
        self.cells = {}
        self.row_times = []
        for hhmm in sorted(by_time):
            rows = by_time[hhmm] or [[None] * 7]
            for n, row in enumerate(rows):
                cells: list[Text] = [Text(hhmm if n == 0 else "", style="bold")]
                for day, item in enumerate(row):
                    if isinstance(item, str):  # an open slot (see planning.week_figures)
                        cells.append(Text(slot_label(item, width), style=f"dim {PILLAR_STYLES.get(item, '')}"))
                    elif item is not None:
                        self.cells[(len(self.row_times), day)] = item
                        cells.append(item_text(item, width=width))
                    else:
                        cells.append(Text(""))
                self.add_row(*cells, key=f"r{len(self.row_times)}")
                self.row_times.append(hhmm)
        self.more = {}
        if any(hidden):
            row = len(self.row_times)
            cells = [Text("more", style="bold")]
            for day, n in enumerate(hidden):
                if n:
                    self.more[(row, day)] = n
                more = f"+{n:,} more" if len(f"+{n:,} more") <= width else f"+{n:,}"
                cells.append(Text(more if n else "", style="bold dim"))
            self.add_row(*cells, key="more")
            self.row_times.append("more")
        if self.row_count:
            self.move_cursor(row=min(keep.row, self.row_count - 1), column=max(1, min(keep.column, 7)))

    def selected_item(self) -> WeekItem | None:
        coord = self.cursor_coordinate
        return self.cells.get((coord.row, coord.column - 1))

    def selected_more(self) -> tuple[int, int] | None:
        """(day, hidden touchpoints) when the cursor is on a day's "+N more" cell."""
        coord = self.cursor_coordinate
        n = self.more.get((coord.row, coord.column - 1))
        return (coord.column - 1, n) if n else None

    def selected_day(self) -> int:
        return max(0, self.cursor_coordinate.column - 1)

    def select_item(self, kind: str, item_id: int) -> None:
        for (row, day), item in self.cells.items():
            if item.kind == kind and item.id == item_id:
                self.move_cursor(row=row, column=day + 1)
                return
