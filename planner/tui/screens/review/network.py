"""Step 2, Network: who is going cold and who is new, each with a suggested action to accept (a) or
adjust (e), the message to copy (c) or the profile to open (o); the pitch audit and the touch charts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Static

from planner.services import review as review_service
from planner.text import count, label
from planner.tui.screens.review.step import Step, redraw, short, step_keys
from planner.tui.widgets.fit_table import FitTable
from planner.tui.widgets.review_charts import GiveAskChart, TouchesChart

if TYPE_CHECKING:
    from planner.services.audit import PitchAudit


class NetworkStep(Step):
    BINDINGS = step_keys(
        Binding("a", "accept", "Accept"),
        Binding("e", "adjust", "Adjust"),
        Binding("c", "send('copy')", "Copy message"),
        Binding("o", "send('open')", "Open profile"),
    )

    @dataclass
    class AuditRead(Message):
        audit: PitchAudit

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.people: list = []  # the rows: ColdPerson / NewConnection
        self.zone: ZoneInfo | None = None  # set by the screen: the review's zone
        self.plan_monday: date | None = None  # set by the screen: the week being planned

    def compose(self) -> ComposeResult:
        yield Static("Loading…", classes="counts", id="network-summary")
        table = FitTable(
            id="network-people",
            cursor_type="row",
            zebra_stripes=True,
            shrink=(("already planned", 12), ("why", 20), ("who", 14), ("already planned", 0)),
        )
        table.add_columns("who", "why", "suggested", "already planned")
        yield table
        yield Static("", classes="detail", id="review-person-detail")
        yield Static("", classes="detail", id="review-audit")
        with Horizontal(classes="review-charts"):
            yield TouchesChart(id="chart-touches")
            yield GiveAskChart(id="chart-give-ask")

    def show_charts(self, last: review_service.LastWeek) -> None:
        self.query_one(TouchesChart).show(last.charts.weeks)
        self.query_one(GiveAskChart).show(last.charts.weeks)

    def show(self, r: review_service.WeekReview) -> None:
        self.query_one("#network-summary", Static).update(
            Text(
                f"{r.going_cold_total} going cold (the {len(r.going_cold)} most overdue shown) · {len(r.new_connections)} new "
                f"connection{'s' if len(r.new_connections) != 1 else ''} without a value-first touch · "
                f"give:ask {r.give_ask_week.ratio_text} this week, {r.give_ask_90_days.ratio_text} over 90 days · "
                "a: accept the suggestion · e: adjust it"
            )
        )
        self.people = list(r.going_cold) + list(r.new_connections)
        redraw(self.query_one("#network-people", DataTable), self._fill)
        self._show_person_detail()

    def _fill(self, _count: int) -> None:
        table = self.query_one("#network-people", DataTable)
        for person in self.people:
            if isinstance(person, review_service.ColdPerson):
                since = (
                    "never contacted"
                    if person.last_contact_at is None
                    else f"{count(int(person.overdue_days), 'day')} overdue"
                )
                why = Text(f"{since} ({person.tier}, every {person.cadence_days}d)", style="red")
            else:
                why = Text(f"new · connected {person.connected_on:%a %d %b}", style="cyan")
            table.add_row(
                Text(short(person.name, 30)),
                why,
                Text(label(person.suggestion.kind) if person.suggestion else "—"),
                Text(person.planned or "", style="dim"),
                key=f"person:{person.connection_id}",
            )

    def selected(self):
        table = self.query_one("#network-people", DataTable)
        if not self.people or table.cursor_row < 0 or table.cursor_row >= len(self.people):
            return None
        return self.people[table.cursor_row]

    def _selected_or_warn(self):
        person = self.selected()
        if person is None:
            self.notify("Nobody selected", severity="warning")
        return person

    @on(DataTable.RowHighlighted, "#network-people")
    def _show_person_detail(self, _event=None) -> None:
        person = self.selected()
        detail = self.query_one("#review-person-detail", Static)
        if person is None or person.suggestion is None:
            detail.update(
                Text("Nobody is going cold and nobody new is waiting.", style="dim") if person is None else ""
            )
            return
        s = person.suggestion
        text = Text()
        text.append(f"{label(s.kind).capitalize()} · {person.name}", style="bold")
        text.append(f" — {s.reason}\n", style="dim")
        text.append(short(s.message, 400))
        detail.update(text)

    # --- the pitch audit (from the imported LinkedIn archive) ---------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-audit")
    def load_audit(self):
        from planner.services.audit import pitch_audit

        audit = self.app.store.call(pitch_audit)
        self.post_message(self.AuditRead(audit))
        return audit

    @on(AuditRead)
    def _show_audit(self, event: AuditRead) -> None:
        audit = event.audit
        panel = self.query_one("#review-audit", Static)
        if not audit.first_messages and not audit.early_pitches:
            panel.update(
                Text(
                    "Pitch audit: import your LinkedIn archive (planner import linkedin-archive) to see it.",
                    style="dim",
                )
            )
            return
        text = Text()
        text.append("Pitch audit ", style="bold")
        share = f"{audit.value_first_share:.0%}" if audit.value_first_share is not None else "—"
        text.append(
            f"give:ask {audit.give_ask} · first messages value-first {audit.value_first_first}/"
            f"{audit.first_messages} ({share})"
        )
        rates = [
            (name, r)
            for name, r in (("value-first", audit.value_first_replies), ("pitch", audit.pitch_replies))
            if r.sent
        ]
        if rates:
            text.append(" · replies " + ", ".join(f"{name} {r.rate:.0%} of {r.sent}" for name, r in rates))
        early = audit.early_pitches
        text.append(
            f"\n{len(early)} pitched before giving" + (": " if early else ""), style="yellow" if early else "green"
        )
        text.append(
            ", ".join(
                f"{p.name} ({p.channel}, day {p.days_after_connecting if p.days_after_connecting is not None else '?'})"
                for p in early[:5]
            )
            + (f" and {len(early) - 5} more (planner audit)" if len(early) > 5 else "")
        )
        panel.update(text)

    # --- acting on a person ------------------------------------------------------------------------

    def action_send(self, how: str) -> None:
        person = self._selected_or_warn()
        if person is not None:
            from planner.tui import send

            send.start(self.screen, how, "person", person.connection_id, then=self.screen.load)

    def action_accept(self) -> None:
        person = self._selected_or_warn()
        if person is not None:
            self.accept(person.connection_id)

    @work(thread=True, exclusive=False, exit_on_error=False, group="review-accept")
    def accept(self, connection_id: int):
        from planner.services.touches import accept_suggestion

        result = self.app.store.call(accept_suggestion, connection_id, self.app.now())
        verb = "planned" if result.created else "already planned"
        note = f"{label(result.kind)} for {result.person}: {verb}"
        self.post_message(self.Decided("accepted", [connection_id, result.touchpoint_id], note))
        return result

    def action_adjust(self) -> None:
        person = self._selected_or_warn()
        if person is None:
            return
        from planner.tui.modals.touch_form import TouchForm

        s = person.suggestion
        zone = self.zone or self.app.tz
        today = self.app.now().astimezone(zone).date()

        def done(form) -> None:
            if form is not None:
                self.plan_adjusted(person.connection_id, form)

        self.app.push_screen(
            TouchForm(
                "plan",
                person.name,
                max(today, self.plan_monday or today),
                zone,
                kind=s.kind if s else "check_in",
                message=s.message if s else "",
            ),
            done,
        )

    @work(thread=True, exclusive=False, exit_on_error=False, group="review-accept")
    def plan_adjusted(self, connection_id: int, form):
        from planner.services.touches import plan_touch

        s = next((p.suggestion for p in self.people if p.connection_id == connection_id), None)
        same = s is not None and s.kind == form.kind
        result = self.app.store.call(
            plan_touch,
            connection_id,
            form.kind,
            form.when,
            self.app.now(),
            message=form.message,
            note=form.note,
            entry_id=s.entry_id if same else None,
            event_id=s.event_id if same else None,
            source="suggestion",
        )
        note = f"{label(result.kind)} for {result.person}: planned"
        self.post_message(self.Decided("adjusted", [connection_id, result.touchpoint_id], note))
        return result
