"""Review: the weekly ritual in five steps, each actionable where it stands.

1 Last week — mark a missed item as happened, carry it forward or drop it.
2 Network — who is going cold and who is new; accept or adjust the suggested action.
3 Discover — what is rising in your topics; share an entry or write about it (→ post ideas).
4 Next week — run the auto-plan, move what does not fit.
5 Export — write the week's calendar (ICS, CSV, Markdown) and the review report to a folder.

Finishing (f, or n on the last step) saves the review with the decisions made.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import ContentSwitcher, DataTable, Input, Label, Static
from textual.worker import get_current_worker

from planner.services import review as review_service
from planner.text import count, label
from planner.tui.screens.base import PlannerScreen
from planner.tui.widgets.fit_table import FitTable
from planner.tui.widgets.footer import PlannerFooter
from planner.tui.widgets.review_charts import GiveAskChart, PillarMixChart, TouchesChart
from planner.tui.widgets.section_bar import SectionBar

STEPS = (
    ("step-last", "Last week"),
    ("step-network", "Network"),
    ("step-discover", "Discover"),
    ("step-next", "Next week"),
    ("step-export", "Export"),
)
# which step each action belongs to (None: every step)
ACTION_STEP = {
    "happened": 0,
    "carry": 0,
    "drop": 0,
    "accept": 1,
    "adjust": 1,
    "send": 1,
    "share": 2,
    "write_about": 2,
    "auto_plan": 3,
    "move": 3,
    "export": 4,
}


# rows added to the item tables at a time (a screenful is ~20): a busy week holds thousands and a
# DataTable row costs about a millisecond to add; more are added as the cursor nears the end
PAGE = 100


def _short(text: str, width: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _last_week(app, monday: date, now) -> review_service.LastWeek:
    return app.cached(("review_last_week", monday), review_service.last_week, monday, now)


def _week_review(app, last: review_service.LastWeek) -> review_service.WeekReview:
    review = app.cached(("review_week", last.monday), review_service.complete_review, last)
    if not review_service.built_from(review, last):  # completed from a first step read before a change
        review = app.store.call(review_service.complete_review, last)
    return review


class ReviewScreen(PlannerScreen):
    BINDINGS = [
        Binding("n", "step(1)", "Next step"),
        Binding("b", "step(-1)", "Back"),
        Binding("d", "happened", "Happened"),
        Binding("c", "carry", "Carry forward"),
        Binding("x", "drop", "Drop"),
        Binding("a", "accept", "Accept"),
        Binding("e", "adjust", "Adjust"),
        Binding("s", "share", "Share it"),
        Binding("w", "write_about", "Write about it"),
        Binding("p", "auto_plan", "Auto-plan"),
        Binding("shift+left", "move(-1)", "Day earlier", key_display="⇧←"),
        Binding("shift+right", "move(1)", "Day later", key_display="⇧→"),
        Binding("o", "export", "Write files"),
        Binding("c", "send('copy')", "Copy message"),
        Binding("o", "send('open')", "Open profile"),
        Binding("f", "finish", "Finish"),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, week_monday: date | None = None) -> None:
        super().__init__()
        self.week_monday = week_monday
        self.last: review_service.LastWeek | None = None  # step 1, drawn first
        self.review: review_service.WeekReview | None = None  # the rest (steps 2-4), drawn once read
        self.step = 0
        self.plan_monday: date | None = None
        self.week_view = None
        self.last_items: list = []  # rows of step 1 in table order (the first `shown` are in the table)
        self.next_items: list = []  # rows of step 4 in table order
        self.people: list = []  # rows of step 2: ColdPerson / NewConnection
        self.entries: list = []  # rows of step 3: (topic, EntryPick)
        self.decisions: dict[str, list] = {
            "marked": [],
            "carried": [],
            "dropped": [],
            "accepted": [],
            "adjusted": [],
            "ideas": [],
            "planned": [],
            "moved": [],
            "exported": [],
        }

    # --- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SectionBar()
        yield Static("Review", classes="section-title", id="review-title")
        yield Static("", id="review-steps")
        with ContentSwitcher(initial="step-last", id="review-switcher"):
            with Vertical(id="step-last"):
                yield Static("Loading…", classes="counts", id="last-summary")
                table = FitTable(id="last-items", cursor_type="row", zebra_stripes=True, shrink=(("item", 16),))
                table.add_columns("when", "what", "item", "outcome")
                yield table
                yield Static("", classes="detail", id="last-results")
                with Horizontal(classes="review-charts"):
                    yield PillarMixChart(id="chart-mix")
            with Vertical(id="step-network"):
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
            with Vertical(id="step-discover"):
                yield Static("Loading…", classes="counts", id="discover-summary")
                table = FitTable(
                    id="discover-entries",
                    cursor_type="row",
                    zebra_stripes=True,
                    shrink=(("rising", 12), ("entry", 20), ("topic", 10)),
                )
                table.add_columns("topic", "entry", "rising", "idea")
                yield table
            with Vertical(id="step-next"):
                yield Static("", classes="counts", id="next-suggestions")
                yield Static("", classes="counts", id="next-summary")
                table = FitTable(id="next-items", cursor_type="row", zebra_stripes=True, shrink=(("item", 16),))
                table.add_columns("day", "time", "what", "item", "status")
                yield table
            with Vertical(id="step-export"):
                yield Label("Folder for the calendar files (ICS, CSV, Markdown) and the review report:")
                yield Input(id="export-folder")
                yield Static("", classes="counts", id="export-result")
        yield PlannerFooter()

    def on_mount(self) -> None:
        self.sub_title = "Review"
        from planner.tui.screens.plan import export_folder

        self.query_one("#export-folder", Input).value = str(export_folder(self.app))
        self._show_step()
        self.load()

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.last.timezone) if self.last else self.app.tz

    # --- loading ---------------------------------------------------------------------------------

    @staticmethod
    def prefetch(app) -> None:
        """Last week's review takes 0.3-0.5 s on a big store: computed in the background after
        start-up (tui.app), the first open shows it at once."""
        now = app.now()
        _week_review(app, _last_week(app, review_service.last_full_week(now, app.tz), now))

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-load")
    def load(self) -> review_service.WeekReview:
        """Step 1 first (a tenth of the cost), then the rest: the review opens on its first step
        while the people going cold and the rising keywords are still being read."""
        now = self.app.now()
        if self.week_monday is None:
            self.week_monday = review_service.last_full_week(now, self.app.tz)
        last = _last_week(self.app, self.week_monday, now)
        if self.plan_monday is None:
            today = now.astimezone(ZoneInfo(last.timezone)).date()
            self.plan_monday = max(last.next_monday, today - timedelta(days=today.weekday()))
        self.app.call_from_thread(self.show_last, last)
        self.app.call_from_thread(self.load_audit)
        self.app.call_from_thread(self.load_results, last.monday, last.sunday)
        review = _week_review(self.app, last)
        if not get_current_worker().is_cancelled:  # a newer load (after an action) draws its own
            self.app.call_from_thread(self.show, review, last)
        return review

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-results")
    def load_results(self, monday: date, sunday: date):
        from planner.services.analytics import results

        measured = self.app.store.call(results, monday, sunday + timedelta(days=1))
        self.app.call_from_thread(self.show_results, measured)
        return measured

    def show_results(self, r) -> None:
        """Step 1's results (LinkedIn analytics): impressions and engagement per pillar and per
        slot, the week's best post, follower growth as a one-line chart."""
        from planner.services.analytics import has_results, sparkline
        from planner.text import count

        panel = self.query_one("#last-results", Static)
        if not has_results(r):
            panel.update(
                Text(
                    "Results: import LinkedIn's analytics export (planner import linkedin-analytics FILE.xlsx) "
                    "to see impressions and engagement here.",
                    style="dim",
                )
            )
            return
        text = Text()
        text.append("Results ", style="bold")
        text.append(
            f"{count(r.posts_measured, 'post')} measured · {r.impressions:,} impressions · {r.engagements:,} engagements"
        )
        if r.best_post:
            text.append(" · best: ")
            text.append(f"{r.best_post['title']} ({r.best_post['impressions']:,})", style="bold")
        if r.pillars:
            text.append(
                "\nper pillar: "
                + ", ".join(f"{b.label.replace('_', ' ')} {b.impressions:,}/{b.engagements:,}" for b in r.pillars)
            )
        if r.slots:
            text.append("\nper slot: " + ", ".join(f"{b.label} {b.impressions:,}/{b.engagements:,}" for b in r.slots))
        if r.followers:
            total = f" (total {r.total_followers:,})" if r.total_followers is not None else ""
            text.append(f"\nfollowers +{r.follower_growth:,}{total} ")
            text.append(sparkline([n for _d, n in r.followers]), style="green")
        panel.update(text)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-audit")
    def load_audit(self):
        from planner.services.audit import pitch_audit

        audit = self.app.store.call(pitch_audit)
        self.app.call_from_thread(self.show_audit, audit)
        return audit

    def show_audit(self, audit) -> None:
        """The pitch audit panel of step 2 (from the imported LinkedIn archive)."""
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

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-next")
    def load_next_week(self, monday: date):
        """Step 4's week: read when the step is shown (and after each change made there), so the
        review opens without waiting for a week of plan it may never reach."""
        from planner.services.week import week_view

        view = self.app.store.call(week_view, monday, self.app.now())
        self.app.call_from_thread(self._show_next_week, view)
        return view

    def _show_next_week(self, view) -> None:
        self.week_view = view
        self._show_next(view)

    def show_last(self, last: review_service.LastWeek) -> None:
        self.last = last
        saved = " · reviewed" if last.saved and last.saved.completed_at else ""
        self.query_one("#review-title", Static).update(
            Text(f"Review · {last.week} · {last.monday:%d %b} – {last.sunday:%d %b %Y} · {last.timezone}{saved}")
        )
        self._show_last(last)
        self.query_one(TouchesChart).show(last.charts.weeks)
        self.query_one(GiveAskChart).show(last.charts.weeks)
        self._show_step()
        if self.step == 3 and self.plan_monday is not None:
            self.load_next_week(self.plan_monday)

    def show(self, review: review_service.WeekReview, last: review_service.LastWeek) -> None:
        """Steps 2-4 of `last`, once the whole review is read (step 1 is on screen already)."""
        if last is not self.last:
            return  # the rest of an older first step than the one on screen: its own load draws it
        self.review = review
        self._show_network(review)
        self._show_discover(review)
        self._show_suggestions(review)

    def _show_step(self) -> None:
        steps = Text(no_wrap=True, overflow="ellipsis")  # the keys are in the footer too
        for i, (_, title) in enumerate(STEPS):
            if i:
                steps.append("  ›  ", style="dim")
            steps.append(f"{i + 1} {title}", style="bold reverse" if i == self.step else "")
        steps.append("    n: next · b: back · f: finish", style="dim")
        self.query_one("#review-steps", Static).update(steps)
        switcher = self.query_one(ContentSwitcher)
        switcher.current = STEPS[self.step][0]
        table = {0: "#last-items", 1: "#network-people", 2: "#discover-entries", 3: "#next-items"}.get(self.step)
        if table:
            self.query_one(table, DataTable).focus()
        else:
            self.set_focus(None)  # letters reach the screen's keys; click or tab into the folder to edit it
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        step = ACTION_STEP.get(action)
        return step is None or step == self.step

    # step 1 -------------------------------------------------------------------------------------------

    def _show_last(self, r: review_service.LastWeek) -> None:
        p, t, kept = r.posts, r.touchpoints, r.streak.this_week
        text = Text()
        text.append(f"Posts {p.published}/{p.planned} published", style="bold")
        text.append(f" · {p.skipped} skipped · {p.missed} missed   ")
        text.append(f"Touchpoints {t.done}/{t.planned} done", style="bold")
        text.append(f" · {t.skipped} skipped · {t.overdue} overdue   ")
        text.append(f"Give:ask {r.give_ask_week.ratio_text} (90 days {r.give_ask_90_days.ratio_text})\n", style="bold")
        text.append("Plan kept " if kept.kept else "Plan not kept ", style="green" if kept.kept else "yellow")
        text.append(f"· streak {r.streak.weeks} week{'s' if r.streak.weeks != 1 else ''} · ")
        text.append(
            "per pillar: "
            + ", ".join(
                f"{label(row.pillar)} {row.published}/{row.planned} ({row.share:.0%} vs {row.target:.0%})"
                for row in p.pillars
            )
        )
        missed = len(r.missed_items)
        text.append(
            f"\n{missed} missed: d happened · c carry forward · x drop" if missed else "\nNothing missed.", style="dim"
        )
        if len(p.items) + len(t.items) > PAGE:
            text.append(f" · {len(p.items) + len(t.items):,} items: more rows load as you scroll", style="dim")
        self.query_one("#last-summary", Static).update(text)
        table = self.query_one("#last-items", DataTable)
        keep, shown = table.cursor_row, table.row_count
        table.clear()
        # the missed items first: what this step asks you to act on stays at the top, in view at
        # any size and in a week of thousands (rows load a page at a time); then the rest by time
        self.last_items = sorted(p.items + t.items, key=lambda i: (not i.missed, i.at, i.kind, i.id))
        self._more_last(max(PAGE, shown, keep + 1))
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
        self.query_one(PillarMixChart).show(r.charts.pillar_mix)

    def _more_last(self, count: int = PAGE) -> None:
        table = self.query_one("#last-items", DataTable)
        zone = ZoneInfo(self.last.timezone)
        for item in self.last_items[table.row_count : table.row_count + count]:
            style = {"missed": "bold red", "published": "green", "done": "green", "skipped": "dim"}.get(
                item.outcome, ""
            )
            local = item.at.astimezone(zone)
            table.add_row(
                Text(f"{local:%a %d %b %H:%M}"),
                Text("post" if item.kind == "post" else label(item.action or "touch")),
                Text(_short(item.title, 70)),
                Text(item.outcome, style=style),
                key=f"{item.kind}:{item.id}",
            )

    def _more_next(self, count: int = PAGE) -> None:
        table = self.query_one("#next-items", DataTable)
        zone = ZoneInfo(self.week_view.timezone)
        for item in self.next_items[table.row_count : table.row_count + count]:
            local = item.at.astimezone(zone)
            what = "post" if item.kind == "post" else label(item.action or "touch")
            table.add_row(
                Text(f"{local:%a %d %b}"),
                Text(f"{local:%H:%M}"),
                Text(what),
                Text(_short(item.title, 60)),
                Text(item.status),
                key=f"{item.kind}:{item.id}",
            )

    @on(DataTable.RowHighlighted, "#last-items")
    def _near_end_of_last(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - 10 and event.data_table.row_count < len(self.last_items):
            self._more_last()

    @on(DataTable.RowHighlighted, "#next-items")
    def _near_end_of_next(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= event.data_table.row_count - 10 and event.data_table.row_count < len(self.next_items):
            self._more_next()

    def _selected_item(self) -> review_service.ReviewItem | None:
        if self.last is None:
            return None
        table = self.query_one("#last-items", DataTable)
        if not table.row_count or table.cursor_row < 0:
            return None
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        return next((i for i in self.last.posts.items + self.last.touchpoints.items if f"{i.kind}:{i.id}" == key), None)

    def _missed_selected(self) -> review_service.ReviewItem | None:
        item = self._selected_item()
        if item is None or not item.missed:
            self.notify("Select a missed item (red) first", severity="warning")
            return None
        return item

    def action_happened(self) -> None:
        item = self._missed_selected()
        if item:
            self.change_item("marked", item, None)

    def action_send(self, how: str) -> None:
        person = self._selected_person()
        if person is None:
            self.notify("Nobody selected", severity="warning")
            return
        from planner.tui import send

        send.start(self, how, "person", person.connection_id, then=self.load)

    def action_carry(self) -> None:
        item = self._missed_selected()
        if item:
            self.change_item("carried", item, review_service.carry_target(item.at, self.app.now(), self.zone()))

    def action_drop(self) -> None:
        item = self._missed_selected()
        if item:
            self.change_item("dropped", item, None)

    @work(thread=True, exclusive=False, exit_on_error=False, group="review-item")
    def change_item(self, what: str, item: review_service.ReviewItem, to: datetime | None) -> str:
        now, v = self.app.now(), item.version
        change = {
            "marked": lambda s: review_service.mark_happened(s, item.kind, item.id, now, expected_version=v),
            "carried": lambda s: review_service.carry_forward(s, item.kind, item.id, to, now, expected_version=v),
            "dropped": lambda s: review_service.drop_item(s, item.kind, item.id, now, expected_version=v),
        }[what]
        message = self.app.undoable(item.kind, item.id, change)  # u undoes it
        if what == "carried":
            message = f"{message.split(' to ')[0]} to {to.astimezone(self.zone()):%a %d %b %H:%M}"
        entry = [item.kind, item.id] + ([to.isoformat()] if to else [])
        self.app.call_from_thread(self._record, what, entry, message)
        return message

    def undone(self, change) -> None:
        """`u` undid a change made here: the review no longer records it as a decision."""
        for what in ("marked", "carried", "dropped", "moved"):
            entries = self.decisions[what]
            for n in range(len(entries) - 1, -1, -1):
                if entries[n][:2] == [change.kind, change.id]:
                    del entries[n]
                    return

    def _record(self, what: str, entry, message: str) -> None:
        self.decisions[what].append(entry)
        self.notify(message, markup=False)
        self.load()

    # step 2 -------------------------------------------------------------------------------------------

    def _show_network(self, r: review_service.WeekReview) -> None:
        self.query_one("#network-summary", Static).update(
            Text(
                f"{r.going_cold_total} going cold (the {len(r.going_cold)} most overdue shown) · {len(r.new_connections)} new "
                f"connection{'s' if len(r.new_connections) != 1 else ''} without a value-first touch · "
                f"give:ask {r.give_ask_week.ratio_text} this week, {r.give_ask_90_days.ratio_text} over 90 days · "
                "a: accept the suggestion · e: adjust it"
            )
        )
        table = self.query_one("#network-people", DataTable)
        keep = table.cursor_row
        table.clear()
        self.people = list(r.going_cold) + list(r.new_connections)
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
            kind = label(person.suggestion.kind) if person.suggestion else "—"
            table.add_row(
                Text(_short(person.name, 30)),
                why,
                Text(kind),
                Text(person.planned or "", style="dim"),
                key=f"person:{person.connection_id}",
            )
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))
        self._show_person_detail()

    def _selected_person(self):
        table = self.query_one("#network-people", DataTable)
        if not self.people or table.cursor_row < 0 or table.cursor_row >= len(self.people):
            return None
        return self.people[table.cursor_row]

    @on(DataTable.RowHighlighted, "#network-people")
    def _show_person_detail(self, _event=None) -> None:
        person = self._selected_person()
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
        text.append(_short(s.message, 400))
        detail.update(text)

    def action_accept(self) -> None:
        person = self._selected_person()
        if person is None:
            self.notify("Nobody selected", severity="warning")
            return
        self.accept(person.connection_id)

    @work(thread=True, exclusive=False, exit_on_error=False, group="review-accept")
    def accept(self, connection_id: int):
        from planner.services.touches import accept_suggestion

        result = self.app.store.call(accept_suggestion, connection_id, self.app.now())
        verb = "planned" if result.created else "already planned"
        message = f"{label(result.kind)} for {result.person}: {verb}"
        self.app.call_from_thread(self._record, "accepted", [connection_id, result.touchpoint_id], message)
        return result

    def action_adjust(self) -> None:
        person = self._selected_person()
        if person is None:
            self.notify("Nobody selected", severity="warning")
            return
        from planner.tui.modals.touch_form import TouchForm

        s = person.suggestion
        today = self.app.now().astimezone(self.zone()).date()

        def done(form) -> None:
            if form is not None:
                self.plan_adjusted(person.connection_id, form)

        self.app.push_screen(
            TouchForm(
                "plan",
                person.name,
                max(today, self.plan_monday or today),
                self.zone(),
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
        message = f"{label(result.kind)} for {result.person}: planned"
        self.app.call_from_thread(self._record, "adjusted", [connection_id, result.touchpoint_id], message)
        return result

    # step 3 -------------------------------------------------------------------------------------------

    def _show_discover(self, r: review_service.WeekReview) -> None:
        text = Text()
        if not r.rising:
            text.append("Nothing rising in your topics right now.\n", style="dim")
        for topic in r.rising:
            text.append(f"{topic.topic}: ", style="bold")
            text.append(", ".join(f"{k.keyword} ({k.count}, ×{k.lift:g})" for k in topic.keywords) + "\n")
        if r.failing_feeds:
            text.append(
                f"{len(r.failing_feeds)} failing feed{'s' if len(r.failing_feeds) != 1 else ''}: ", style="yellow"
            )
            text.append(
                "; ".join(
                    f"{f.title} ({f.error or f.disabled_reason or f.status or 'failing'})" for f in r.failing_feeds[:4]
                )
                + "\n"
            )
        text.append(
            "s: share the entry (a content-share idea) · w: write about it (a thought-leadership idea)", style="dim"
        )
        self.query_one("#discover-summary", Static).update(text)
        table = self.query_one("#discover-entries", DataTable)
        keep = table.cursor_row
        table.clear()
        self.entries = [(topic.topic, e) for topic in r.rising for e in topic.entries]
        for topic, e in self.entries:
            table.add_row(
                Text(_short(topic, 24)),
                Text(_short(e.title, 60)),
                Text(", ".join(e.keywords)),
                Text("idea" if e.has_idea else "", style="green"),
                key=f"entry:{topic}:{e.entry_id}",
            )
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))

    def _selected_entry(self):
        table = self.query_one("#discover-entries", DataTable)
        if not self.entries or table.cursor_row < 0 or table.cursor_row >= len(self.entries):
            self.notify("No entry selected", severity="warning")
            return None
        return self.entries[table.cursor_row][1]

    def action_share(self) -> None:
        entry = self._selected_entry()
        if entry:
            self.make_idea(entry, "share")

    def action_write_about(self) -> None:
        entry = self._selected_entry()
        if entry:
            self.make_idea(entry, "write")

    @work(thread=True, exclusive=False, exit_on_error=False, group="review-idea")
    def make_idea(self, entry: review_service.EntryPick, how: str):
        now = self.app.now()
        if how == "share":
            from planner.services.entries import idea_from_entry

            post_id = self.app.store.call(lambda s: idea_from_entry(s, entry.entry_id, now).id)
            message = f"Share idea: {entry.title}"
        else:
            from planner.services.posts import add_post

            topic = ", ".join(entry.keywords) or entry.title
            view = self.app.store.call(
                add_post,
                f"Write about {topic}"[:300],
                body=f"Prompted by: {entry.title}\n{entry.link or ''}".strip(),
                pillar="thought_leadership",
                source_entry_id=entry.entry_id,
                now=now,
            )
            post_id = view.id
            message = f"Thought-leadership idea: write about {topic}"
        self.app.call_from_thread(self._record, "ideas", [how, entry.entry_id, post_id], message)
        return post_id

    # step 4 -------------------------------------------------------------------------------------------

    def _show_suggestions(self, r: review_service.WeekReview) -> None:
        text = Text("Suggestions for next week\n", style="bold")
        for s in r.suggestions:
            text.append(f"• {s}\n")
        self.query_one("#next-suggestions", Static).update(text)
        if self.week_view is None:
            self.query_one("#next-summary", Static).update(Text("Loading the week…", style="dim"))

    def _show_next(self, view) -> None:
        posts = [i for i in view.items if i.kind == "post"]
        touches = [i for i in view.items if i.kind == "touchpoint"]
        self.query_one("#next-summary", Static).update(
            Text(
                f"{view.week} · {count(len(posts), 'post')} for {count(len(view.slots), 'slot')} · {count(len(touches), 'touchpoint')} · "
                "p: auto-plan · ⇧←/⇧→ move the selected item a day"
            )
        )
        table = self.query_one("#next-items", DataTable)
        keep, shown = table.cursor_row, table.row_count
        table.clear()
        self.next_items = list(view.items)
        self._more_next(max(PAGE, shown, keep + 1))
        if table.row_count:
            table.move_cursor(row=min(max(keep, 0), table.row_count - 1))

    def action_auto_plan(self) -> None:
        if self.plan_monday is not None:
            self.auto_plan(self.plan_monday)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-plan")
    def auto_plan(self, monday: date):
        from planner.services.planning import plan_week

        plan = self.app.store.call(plan_week, monday, self.app.now())
        self.app.call_from_thread(
            self._record, "planned", [plan.week, len(plan.posts), len(plan.touchpoints)], plan.summary()
        )
        return plan

    def action_move(self, days: int) -> None:
        if self.week_view is None:
            return
        table = self.query_one("#next-items", DataTable)
        if not table.row_count or table.cursor_row < 0:
            self.notify("Select an item to move", severity="warning")
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        item = next((i for i in self.week_view.items if f"{i.kind}:{i.id}" == key), None)
        if item is None:
            return
        zone = self.zone()
        wall = item.at.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
        self.move(item, wall.replace(tzinfo=zone).astimezone(UTC))

    @work(thread=True, exclusive=False, exit_on_error=False, group="review-move")
    def move(self, item, when: datetime) -> str:
        from planner.services.week import move_item

        now = self.app.now()
        message = self.app.undoable(
            item.kind, item.id, lambda s: move_item(s, item.kind, item.id, when, now, expected_version=item.version)
        )
        self.app.call_from_thread(self._record, "moved", [item.kind, item.id, when.isoformat()], message)
        return message

    # step 5 -------------------------------------------------------------------------------------------

    @on(Input.Submitted, "#export-folder")
    def _folder_submitted(self, _event: Input.Submitted) -> None:
        self.action_export()

    def action_export(self) -> None:
        if self.review is None:
            self.notify("The review is still being read: try again in a moment", severity="warning")
            return
        raw = self.query_one("#export-folder", Input).value.strip()
        if not raw:
            self.notify("Type a folder to write to", severity="warning")
            return
        self.set_focus(None)
        self.export(Path(raw).expanduser())

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-export")
    def export(self, folder: Path) -> list[Path]:
        from planner.adapters.export import write_exports
        from planner.services.calendar import calendar
        from planner.services.review.report import to_markdown as review_markdown
        from planner.services.timeutil import iso_week

        monday = self.plan_monday
        rng, items = self.app.store.call(calendar, self.app.now(), monday, monday + timedelta(days=6))
        paths = write_exports(
            folder,
            ("ics", "csv", "md"),
            items,
            rng.timezone,
            stem=f"planner-{rng.first_day:%Y-%m-%d}",
            title=f"Plan for {iso_week(monday)}",
            also={f"review-{self.review.week}.md": review_markdown(self.review)},
        )
        self.app.call_from_thread(self._exported, paths)
        return paths

    def _exported(self, paths: list[Path]) -> None:
        self.decisions["exported"].extend(str(p) for p in paths)
        self.query_one("#export-result", Static).update(Text("Written:\n" + "\n".join(str(p) for p in paths)))
        self.notify("\n".join(str(p) for p in paths), title="Calendar and review written", markup=False, timeout=8)

    # --- navigation and finishing ------------------------------------------------------------------

    def action_step(self, delta: int) -> None:
        if self.step + delta >= len(STEPS):
            self.action_finish()
            return
        self.step = max(0, self.step + delta)
        self._show_step()
        if self.step == 3 and self.plan_monday is not None:
            self.load_next_week(self.plan_monday)

    def action_reload(self) -> None:
        self.load()

    def action_finish(self) -> None:
        if self.last is not None:
            self.finish(self.last.week, self.week_monday)

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-finish")
    def finish(self, week: str, monday: date):
        now = self.app.now()
        fresh = self.app.store.call(review_service.last_week, monday, now)
        kept = fresh.streak.this_week.counts()
        # an item carried out of the week was still planned there and did not happen in it
        for kind, *_ in self.decisions["carried"]:
            kept["posts_planned" if kind == "post" else "touches_planned"] += 1
        decisions = {**{k: v for k, v in self.decisions.items() if v}, "kept": kept}
        saved = self.app.store.call(review_service.save_review, week, decisions, now)
        self.app.call_from_thread(self.notify, f"Review of {week} saved", title="Review", markup=False)
        self.app.call_from_thread(self.load)
        return saved
