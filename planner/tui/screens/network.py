"""Network: who is due, who is going cold, what to send them — and the pitch guard.

People load a page at a time (``network_page`` computes cadence and ledger per page, set-wise),
the next page arriving as the cursor nears the end, so 10,000 people open as fast as 100. The
detail pane shows the profile, cadence, ledger, the suggested next action and the timeline of
touchpoints. Names and notes are untrusted: they reach widgets as ``Text``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Input, Static

from planner.services import ledger as ledger_service
from planner.services import network as network_service
from planner.services import people as people_service
from planner.services import touches as touch_service
from planner.text import count, label
from planner.tui.cache import NOW
from planner.tui.screens.base import PlannerScreen
from planner.tui.widgets.fit_table import FitTable
from planner.tui.widgets.footer import PlannerFooter
from planner.tui.widgets.section_bar import SectionBar

if TYPE_CHECKING:
    from planner.tui.app import PlannerApp

PAGE = 200
FILTERS = (None, "due", "cold")
FILTER_LABELS = {None: "everyone", "due": "due now", "cold": "going cold"}


@dataclass(frozen=True)
class Query:
    search: str | None = None
    only: str | None = None


def _page(app: PlannerApp, q: Query, limit: int, offset: int) -> network_service.NetworkPage:
    return app.cache.read(
        ("people",),
        network_service.network_page,
        NOW,
        search=q.search,
        only=q.only,
        limit=limit,
        offset=offset,
    )


def _detail(app: PlannerApp, person_id: int) -> network_service.PersonDetail:
    # the suggestion draws on fresh entries and the interests matched to them
    return app.cache.read(("people", "feeds", "keywords"), network_service.person_detail, person_id, NOW)


class PersonPane(Static):
    """The selected person's detail: the screen sets ``detail`` (None: the empty text)."""

    detail: reactive[network_service.PersonDetail | None] = reactive(None, init=False)
    EMPTY = Text(
        "Nobody here. Import people with `planner import linkedin Connections.csv`, or clear the filter (f, esc).",
        style="dim",
    )

    def watch_detail(self, detail: network_service.PersonDetail | None) -> None:
        self.update(self.EMPTY if detail is None else NetworkScreen.person_text(detail, self.app.tz))


class NetworkScreen(PlannerScreen):
    class PageLoaded(Message, bubble=False):
        """A page of people read by the page worker, for the query it was asked for."""

        def __init__(self, query: Query, offset: int, page: network_service.NetworkPage) -> None:
            super().__init__()
            self.query, self.offset, self.page = query, offset, page

    class DetailLoaded(Message, bubble=False):
        """A person's detail read by the detail worker."""

        def __init__(self, detail: network_service.PersonDetail) -> None:
            super().__init__()
            self.detail = detail

    BINDINGS = [
        Binding("a", "accept", "Accept suggestion"),
        Binding("l", "log_touch", "Log touch"),
        Binding("p", "plan_touch", "Plan touch"),
        Binding("e", "edit_person", "Edit tier/tags"),
        Binding("c", "send('copy')", "Copy message"),
        Binding("o", "send('open')", "Open profile"),
        Binding("f", "cycle_filter", "All/due/cold"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("escape", "clear_search", "Clear search", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.query_state = Query()
        self.rows: list[network_service.NetworkRow] = []
        self.total = 0
        self.drawn_query: Query | None = None  # the query self.rows answer
        self.exhausted = False
        self.loading_page = False
        self.detail_asked: int | None = None  # the person whose detail was last asked for

    def compose(self) -> ComposeResult:
        yield SectionBar()
        yield Input(
            placeholder="search names, companies, positions… (enter to apply, esc to clear)", id="network-search"
        )
        yield Static("Loading…", classes="counts", id="network-status")
        # next due and give:ask are why one looks here: company and name give way first
        table = FitTable(
            id="network-table",
            cursor_type="row",
            zebra_stripes=True,
            shrink=(("company", 8), ("name", 16), ("company", 0)),
        )
        table.add_columns("", "name", "company", "tier", "last contact", "next due", "give:ask")
        yield table
        with VerticalScroll(classes="detail", id="network-detail-box"):
            yield PersonPane("", id="network-detail")
        yield PlannerFooter()

    @staticmethod
    def prefetch(app) -> None:
        """The first page and its first person, read in the background after start-up (tui.app):
        the first open draws them at once instead of waiting on queries slowed by the drawing."""
        page = _page(app, Query(), PAGE, 0)
        if page.rows:
            _detail(app, page.rows[0].id)

    def on_mount(self) -> None:
        self.sub_title = "Network"
        self.query_one("#network-search", Input).display = False
        self.query_one("#network-table", DataTable).focus()
        self.reload_rows()

    def on_screen_resume(self) -> None:
        if self.rows:
            self.reload_rows(keep_cursor=True)

    def palette_commands(self):
        from textual.app import SystemCommand

        yield SystemCommand(
            "Network: show people due", "Filter the people table to those due now", lambda: self.set_filter("due")
        )
        yield SystemCommand(
            "Network: show people going cold", "Overdue people, most overdue first", lambda: self.set_filter("cold")
        )
        yield SystemCommand("Network: show everyone", "Clear the due/cold filter", lambda: self.set_filter(None))

    # --- loading --------------------------------------------------------------------------------

    def reload_rows(self, keep_cursor: bool = False) -> None:
        table = self.query_one("#network-table", DataTable)
        self._keep = table.cursor_row if keep_cursor else 0
        self.exhausted = False
        self.loading_page = True
        self.load_page(0, max(PAGE, self._keep + 1))

    @work(thread=True, exclusive=True, exit_on_error=False, group="network-page")
    def load_page(self, offset: int, limit: int = PAGE) -> None:
        q = self.query_state
        self.post_message(self.PageLoaded(q, offset, _page(self.app, q, limit, offset)))

    @on(PageLoaded)
    def append_rows(self, message: PageLoaded) -> None:
        q, offset, page = message.query, message.offset, message.page
        if q != self.query_state:  # a stale page from before a filter change
            return
        table = self.query_one("#network-table", DataTable)
        if offset == 0:  # a (re)load: the rows shown so far stay until it arrives
            if (q, page.total, page.rows) == (self.drawn_query, self.total, self.rows):
                # back from another section and nothing changed: keep the table as drawn
                self.loading_page = False
                self.exhausted = len(self.rows) >= page.total
                if self.rows:
                    self.load_detail(self.rows[table.cursor_row].id)
                return
            table.clear()
            self.rows = []
            self.drawn_query = q
        elif offset != len(self.rows):  # a page from before a reload
            return
        tz = self.app.tz
        for row in page.rows:
            table.add_row(*self._cells(row, tz), key=str(row.id))
        self.rows.extend(page.rows)
        self.total = page.total
        self.exhausted = len(self.rows) >= page.total
        self.loading_page = False
        shown = FILTER_LABELS[q.only]
        search = f" · matching {q.search!r}" if q.search else ""
        self.query_one("#network-status", Static).update(
            Text(
                f"{count(page.total, 'person')} ({shown}){search} · f: all/due/cold · /: search · a: accept suggestion"
            )
        )
        if offset == 0:
            if self.rows:
                table.move_cursor(row=min(getattr(self, "_keep", 0), len(self.rows) - 1))
                box = self.query_one("#network-search", Input)
                if not (box.display and self.focused is box):  # never steal the keys of someone typing a search
                    table.focus()
                self.load_detail(self.rows[table.cursor_row].id)
            else:
                self.detail_pane.detail = None
                self.detail_pane.update(PersonPane.EMPTY)  # also when it was None already

    @staticmethod
    def _cells(row: network_service.NetworkRow, tz) -> list[Text]:
        marker = row.due.marker
        style = {"cold": "bold red", "due": "yellow"}.get(marker, "")
        last = row.due.last_contact_at.astimezone(tz).strftime("%d %b %Y") if row.due.last_contact_at else "never"
        nxt = row.due.next_due_at.astimezone(tz).strftime("%d %b %Y")
        ledger = Text(row.ledger.ratio_text)
        if row.ledger.asks and row.ledger.gives < row.ledger.asks * 3:
            ledger.stylize("red")
        return [
            Text(marker or "·", style=style),
            Text(row.name),
            Text(row.company),
            Text(row.tier),
            Text(last, style="dim" if not row.due.last_contact_at else ""),
            Text(nxt, style=style),
            ledger,
        ]

    # --- selection and detail ---------------------------------------------------------------------

    def current(self) -> network_service.NetworkRow | None:
        table = self.query_one("#network-table", DataTable)
        if not self.rows or not (0 <= table.cursor_row < len(self.rows)):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted, "#network-table")
    def highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self.current()
        if row is not None and row.id != self.detail_asked:  # a (re)load asked for it already
            self.load_detail(row.id)
        if not self.exhausted and not self.loading_page and event.cursor_row >= len(self.rows) - 20:
            self.loading_page = True
            self.load_page(len(self.rows))

    def load_detail(self, person_id: int) -> None:
        self.detail_asked = person_id
        self._load_detail(person_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="network-detail")
    def _load_detail(self, person_id: int) -> None:
        self.post_message(self.DetailLoaded(_detail(self.app, person_id)))

    @on(DetailLoaded)
    def show_detail(self, message: DetailLoaded) -> None:
        row = self.current()
        if row is None or row.id == message.detail.id:  # else the cursor moved on
            self.detail_pane.detail = message.detail  # redrawn only if it differs

    @property
    def detail_pane(self) -> PersonPane:
        return self.query_one("#network-detail", PersonPane)

    @property
    def detail(self) -> network_service.PersonDetail | None:
        """What the detail pane shows."""
        return self.detail_pane.detail

    @on(DataTable.RowSelected, "#network-table")
    def open_person(self, _event: DataTable.RowSelected) -> None:
        """Enter: the person's whole detail (profile, ledger, suggestion, timeline) in a view of its own."""
        from planner.tui.modals.detail import DetailModal

        row = self.current()
        if row is not None and self.detail is not None and self.detail.id == row.id:
            self.app.push_screen(
                DetailModal(self.detail.name, self.person_text(self.detail, self.app.tz, timeline=200))
            )

    @staticmethod
    def person_text(d: network_service.PersonDetail, tz, timeline: int = 30) -> Text:
        t = Text()
        t.append(d.name, style="bold")
        role = " at ".join(p for p in (d.position, d.company) if p)
        if role:
            t.append(f"\n{role}")
        if d.headline:
            t.append(f"\n{d.headline}", style="dim")
        if d.previous_company or d.previous_position:
            prev = " at ".join(p for p in (d.previous_position, d.previous_company) if p)
            t.append(f"\npreviously {prev}", style="dim")
        if d.profile_url:
            t.append(f"\n{d.profile_url}", style="underline")
        t.append("\n\n")
        t.append(f"tier {d.tier} · every {count(d.due.cadence_days, 'day')} ({d.due.cadence_source})\n")
        t.append(f"tags: {', '.join(d.tags) or '—'}\n")
        t.append(f"connected {d.connected_on:%d %b %Y}\n" if d.connected_on else "connected: unknown\n")
        last = d.due.last_contact_at.astimezone(tz).strftime("%d %b %Y") if d.due.last_contact_at else "never"
        t.append(f"last contact {last} · next due {d.due.next_due_at.astimezone(tz):%d %b %Y}")
        if d.due.marker:
            t.append(f"  {d.due.standing}", style="bold red" if d.due.marker == "cold" else "yellow")
        lg = d.ledger
        t.append("\n\nLedger\n", style="bold")
        t.append(f"{lg.gives} given · {lg.asks} asked · give:ask {lg.ratio_text} · {lg.planned} planned\n")
        last_ask = lg.last_ask_at.astimezone(tz).strftime("%d %b %Y") if lg.last_ask_at else "never"
        t.append(f"last ask {last_ask} · asks need {d.guard_min_gives} gives and {d.guard_min_days} days connected\n")
        if d.suggestion:
            s = d.suggestion
            t.append("\nSuggested (a to accept)\n", style="bold")
            t.append(f"{label(s.kind)}: {s.reason}\n", style="green")
            t.append(f"{s.message}\n", style="italic")
        if d.notes:
            t.append("\nNotes\n", style="bold")
            t.append(d.notes + "\n")
        t.append("\nTimeline\n", style="bold")
        if not d.touchpoints:
            t.append("no touchpoints yet\n", style="dim")
        for tp in d.touchpoints[:timeline]:
            when = tp.when.astimezone(tz).strftime("%d %b %Y") if tp.when else "undated"
            style = {"planned": "cyan", "skipped": "dim strike"}.get(tp.status, "")
            t.append(f"{when}  {tp.status:<7} ", style=style)
            t.append(label(tp.kind), style="bold red" if tp.is_ask else "")
            about = tp.note or tp.message or tp.entry_title or tp.event_title or ""
            if about:
                t.append(f" — {about[:90]}", style="dim")
            t.append("\n")
        return t

    # --- search and filters -------------------------------------------------------------------------

    def set_filter(self, only: str | None) -> None:
        from dataclasses import replace

        self.query_state = replace(self.query_state, only=only)
        self.reload_rows()

    def action_cycle_filter(self) -> None:
        self.set_filter(FILTERS[(FILTERS.index(self.query_state.only) + 1) % len(FILTERS)])

    def action_search(self) -> None:
        box = self.query_one("#network-search", Input)
        box.display = True
        box.focus()

    def action_clear_search(self) -> None:
        from dataclasses import replace

        box = self.query_one("#network-search", Input)
        box.value = ""
        box.display = False
        if self.query_state.search:
            self.query_state = replace(self.query_state, search=None)
            self.reload_rows()
        self.query_one("#network-table", DataTable).focus()

    @on(Input.Submitted, "#network-search")
    def apply_search(self, event: Input.Submitted) -> None:
        from dataclasses import replace

        self.query_state = replace(self.query_state, search=event.value.strip() or None)
        self.query_one("#network-table", DataTable).focus()
        self.reload_rows()

    def action_reload(self) -> None:
        self.reload_rows(keep_cursor=True)

    # --- actions ---------------------------------------------------------------------------------------

    def _selected_or_warn(self) -> network_service.NetworkRow | None:
        row = self.current()
        if row is None:
            self.notify("Nobody selected", severity="warning")
        return row

    def action_send(self, how: str) -> None:
        row = self._selected_or_warn()
        if row is not None:
            from planner.tui import send

            send.start(self, how, "person", row.id, then=lambda: self.reload_rows(True))

    def action_accept(self) -> None:
        row = self._selected_or_warn()
        if row is not None:
            self.accept(row.id)

    @work(thread=True, exit_on_error=False, group="network-act")
    def accept(self, person_id: int) -> None:
        result = self.app.store.call(touch_service.accept_suggestion, person_id, self.app.now())
        verb = "Planned" if result.created else "Already planned"
        self.app.call_from_thread(self.app.notify, f"{verb}: {label(result.kind)} with {result.person}", markup=False)
        self.app.call_from_thread(self.reload_rows, True)

    def _today(self):
        return self.app.now().astimezone(self.app.tz).date()

    def action_log_touch(self) -> None:
        self._open_touch_form("log")

    def action_plan_touch(self) -> None:
        self._open_touch_form("plan")

    def _open_touch_form(self, mode: str) -> None:
        from planner.tui.modals.touch_form import TouchForm

        row = self._selected_or_warn()
        if row is None:
            return
        kind, message = "check_in", ""
        if mode == "plan" and self.detail and self.detail.id == row.id and self.detail.suggestion:
            kind, message = self.detail.suggestion.kind, self.detail.suggestion.message

        def done(result) -> None:
            if result is not None:
                self.submit_touch(mode, row.id, row.name, result, False)

        self.app.push_screen(TouchForm(mode, row.name, self._today(), self.app.tz, kind=kind, message=message), done)

    @work(thread=True, exit_on_error=False, group="network-act")
    def submit_touch(self, mode: str, person_id: int, name: str, form, force: bool) -> None:
        now = self.app.now()
        if not force:
            guard = self.app.store.call(ledger_service.check_ask, person_id, form.kind, max(now, form.when))
            if not guard.allowed:
                self.app.call_from_thread(self.confirm_ask, mode, person_id, name, form, guard)
                return
        if mode == "log":
            when = min(form.when, now)
            result = self.app.store.call(
                touch_service.log_touch,
                person_id,
                form.kind,
                now,
                when=when,
                note=form.note,
                message=form.message,
                force=force,
            )
            text = f"Logged {label(form.kind)} with {name}"
        else:
            result = self.app.store.call(
                touch_service.plan_touch,
                person_id,
                form.kind,
                form.when,
                now,
                note=form.note,
                message=form.message,
                force=force,
            )
            text = f"Planned {label(form.kind)} with {name}"
        if result.lint and result.lint["pitch"]:
            text += "\nThe message reads as a pitch: " + "; ".join(result.lint["reasons"])
        self.app.call_from_thread(self.app.notify, text, markup=False)
        self.app.call_from_thread(self.reload_rows, True)

    def confirm_ask(self, mode: str, person_id: int, name: str, form, guard: ledger_service.GuardResult) -> None:
        from planner.tui.modals.confirm import ConfirmModal

        body = (
            f"A {label(form.kind)} to {name} looks too early:\n\n"
            + "\n".join(f"• {r}" for r in guard.reasons)
            + "\n\nValue before ask: give first (share, introduce, congratulate), then ask."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.submit_touch(mode, person_id, name, form, True)
            else:
                self.notify("Not recorded. Give first — press a for a value-first suggestion.", markup=False)

        self.app.push_screen(
            ConfirmModal("Pitch guard", body, confirm_label="Record the ask anyway", cancel_label="Give first"),
            answered,
        )

    def action_edit_person(self) -> None:
        from planner.tui.modals.person_form import PersonForm

        row = self._selected_or_warn()
        if row is None:
            return
        d = self.detail if self.detail and self.detail.id == row.id else None
        override = d.due.cadence_days if d and d.due.cadence_source == "person" else None
        tags = d.tags if d else row.tags
        version = d.version if d else None
        with self.app.reading_on_ui_thread("the tier names: a handful of rows, read as the form opens"):
            tiers = self.app.store.call(people_service.valid_tiers)

        def done(result) -> None:
            if result is not None:
                self.save_person(row.id, result, version)

        self.app.push_screen(PersonForm(row.name, row.tier, tiers, override, tags), done)

    @work(thread=True, exit_on_error=False, group="network-act")
    def save_person(self, person_id: int, form, version: int | None) -> None:
        def edit(session) -> str:
            return people_service.edit_person(
                session,
                person_id,
                self.app.now(),
                tier=form.tier,
                cadence_days=form.cadence_days,
                clear_cadence=form.cadence_days is None,
                add_tags=form.add_tags,
                remove_tags=form.remove_tags,
                expected_version=version,
            ).full_name

        name = self.app.store.call(edit)
        self.app.call_from_thread(self.app.notify, f"Saved {name}", markup=False)
        self.app.call_from_thread(self.reload_rows, True)
