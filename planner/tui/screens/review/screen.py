"""The review screen: reads the review (step 1 first, then the rest), shows one step at a time,
keeps the decisions made in the steps and saves them when the review is finished. The steps are
widgets of their own (one module each, here): each holds its keys and the actions behind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import ContentSwitcher, Static
from textual.worker import get_current_worker

from planner.services import review as review_service
from planner.tui.cache import DOMAINS
from planner.tui.screens.base import PlannerScreen
from planner.tui.screens.review.discover import DiscoverStep
from planner.tui.screens.review.export import ExportStep
from planner.tui.screens.review.last_week import LastWeekStep
from planner.tui.screens.review.network import NetworkStep
from planner.tui.screens.review.next_week import NextWeekStep
from planner.tui.screens.review.step import Step
from planner.tui.widgets.footer import PlannerFooter
from planner.tui.widgets.section_bar import SectionBar

STEPS = (
    (LastWeekStep, "step-last", "Last week"),
    (NetworkStep, "step-network", "Network"),
    (DiscoverStep, "step-discover", "Discover"),
    (NextWeekStep, "step-next", "Next week"),
    (ExportStep, "step-export", "Export"),
)


def _last_week(app, monday: date, now) -> review_service.LastWeek:
    return app.cache.read_as(("review_last_week", monday), DOMAINS, review_service.last_week, monday, now)


def _week_review(app, last: review_service.LastWeek) -> review_service.WeekReview:
    review = app.cache.read_as(("review_week", last.monday), DOMAINS, review_service.complete_review, last)
    if not review_service.built_from(review, last):  # completed from a first step read before a change
        review = app.store.call(review_service.complete_review, last)
    return review


def _plan_monday(last: review_service.LastWeek) -> date:
    """The week steps 4 and 5 plan and export: the one after the review, or the current one once
    that is under way."""
    today = last.now.astimezone(ZoneInfo(last.timezone)).date()
    return max(last.next_monday, today - timedelta(days=today.weekday()))


class ReviewScreen(PlannerScreen):
    BINDINGS = [Binding("r", "reload", "Reload", show=False)]
    KEY_PARTS = tuple(cls for cls, _, _ in STEPS)  # the steps' keys are the screen's too (Help, palette)

    @dataclass
    class FirstStepRead(Message):
        last: review_service.LastWeek

    @dataclass
    class ReviewRead(Message):
        """The rest of the review (steps 2-4), completed from the first step `last`."""

        review: review_service.WeekReview
        last: review_service.LastWeek

    @dataclass
    class Finished(Message):
        week: str

    def __init__(self, week_monday: date | None = None) -> None:
        super().__init__()
        self.week_monday = week_monday
        self.last: review_service.LastWeek | None = None  # step 1, drawn first
        self.review: review_service.WeekReview | None = None  # the rest (steps 2-4), drawn once read
        self.step = 0
        self.plan_monday: date | None = None
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

    def compose(self) -> ComposeResult:
        yield SectionBar()
        yield Static("Review", classes="section-title", id="review-title")
        yield Static("", id="review-steps")
        with ContentSwitcher(initial="step-last", id="review-switcher"):
            for cls, step_id, _ in STEPS:
                yield cls(id=step_id)
        yield PlannerFooter()

    def on_mount(self) -> None:
        self.sub_title = "Review"
        self._show_step()
        self.load()

    # what the steps hold, read through the screen (the steps own them)
    @property
    def last_items(self) -> list:
        return self.query_one(LastWeekStep).items

    @property
    def people(self) -> list:
        return self.query_one(NetworkStep).people

    @property
    def entries(self) -> list:
        return self.query_one(DiscoverStep).entries

    @property
    def week_view(self):
        return self.query_one(NextWeekStep).week_view

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
        monday = self.week_monday or review_service.last_full_week(now, self.app.tz)
        last = _last_week(self.app, monday, now)
        self.post_message(self.FirstStepRead(last))
        review = _week_review(self.app, last)
        if not get_current_worker().is_cancelled:  # a newer load (after an action) draws its own
            self.post_message(self.ReviewRead(review, last))
        return review

    @on(FirstStepRead)
    def _first_step_read(self, event: FirstStepRead) -> None:
        last = self.last = event.last
        self.week_monday = last.monday
        if self.plan_monday is None:
            self.plan_monday = _plan_monday(last)
        saved = " · reviewed" if last.saved and last.saved.completed_at else ""
        self.query_one("#review-title", Static).update(
            Text(f"Review · {last.week} · {last.monday:%d %b} – {last.sunday:%d %b %Y} · {last.timezone}{saved}")
        )
        first, network = self.query_one(LastWeekStep), self.query_one(NetworkStep)
        first.show(last)
        first.load_results(last.monday, last.sunday)
        network.zone, network.plan_monday = ZoneInfo(last.timezone), self.plan_monday
        network.show_charts(last)
        network.load_audit()
        next_week = self.query_one(NextWeekStep)
        next_week.zone, next_week.monday = ZoneInfo(last.timezone), self.plan_monday
        self.query_one(ExportStep).monday = self.plan_monday
        self._show_step()
        if self.step == 3:
            next_week.load_week(self.plan_monday)

    @on(ReviewRead)
    def _review_read(self, event: ReviewRead) -> None:
        if event.last is not self.last:
            return  # the rest of an older first step than the one on screen: its own load draws it
        self.review = event.review
        self.query_one(NetworkStep).show(event.review)
        self.query_one(DiscoverStep).show(event.review)
        self.query_one(NextWeekStep).show_suggestions(event.review)
        self.query_one(ExportStep).review = event.review

    def action_reload(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.last is not None:  # shown again: what changed meanwhile (the cache keeps the rest)
            self.load()

    def on_planner_app_keywords_progress(self, message) -> None:
        """Background keyword extraction finished: what is rising and the interest matches were
        read without its keywords, so read the review again."""
        if message.finished and self.last is not None:
            self.load()

    # --- the steps -------------------------------------------------------------------------------

    def _show_step(self) -> None:
        steps = Text(no_wrap=True, overflow="ellipsis")  # the keys are in the footer too
        for i, (_, _, title) in enumerate(STEPS):
            if i:
                steps.append("  ›  ", style="dim")
            steps.append(f"{i + 1} {title}", style="bold reverse" if i == self.step else "")
        steps.append("    n: next · b: back · f: finish", style="dim")
        self.query_one("#review-steps", Static).update(steps)
        switcher = self.query_one(ContentSwitcher)
        switcher.current = STEPS[self.step][1]
        switcher.query_one(f"#{switcher.current}", Step).focus_step()  # its keys are live while it has the focus

    def action_step(self, delta: int) -> None:
        if self.step + delta >= len(STEPS):
            self.action_finish()
            return
        self.step = max(0, self.step + delta)
        self._show_step()
        if self.step == 3 and self.plan_monday is not None:
            self.query_one(NextWeekStep).load_week(self.plan_monday)

    # --- decisions and finishing -------------------------------------------------------------------

    @on(Step.Decided)
    def _decided(self, event: Step.Decided) -> None:
        self.decisions[event.what].append(event.entry)
        self.notify(event.note, markup=False)
        self.load()

    @on(ExportStep.Written)
    def _exported(self, event: ExportStep.Written) -> None:
        self.decisions["exported"].extend(str(p) for p in event.paths)

    def undone(self, change) -> None:
        """`u` undid a change made here: the review no longer records it as a decision."""
        for what in ("marked", "carried", "dropped", "moved"):
            entries = self.decisions[what]
            for n in range(len(entries) - 1, -1, -1):
                if entries[n][:2] == [change.kind, change.id]:
                    del entries[n]
                    return

    def action_finish(self) -> None:
        if self.last is not None:
            self.finish(self.last.week, self.last.monday, {what: list(made) for what, made in self.decisions.items()})

    @work(thread=True, exclusive=True, exit_on_error=False, group="review-finish")
    def finish(self, week: str, monday: date, decisions: dict[str, list]):
        saved = self.app.store.call(review_service.finish_review, monday, decisions, self.app.now())
        self.post_message(self.Finished(week))
        return saved

    @on(Finished)
    def _finished(self, event: Finished) -> None:
        self.notify(f"Review of {event.week} saved", title="Review", markup=False)
        self.load()
