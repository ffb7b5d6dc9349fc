"""The review as a plain dataclass tree, its definitions and thresholds, and its stable JSON form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from planner.jsonout import plain_fields
from planner.services.ledger import GiveAskRatio

KEPT_THRESHOLD = 0.8


STREAK_MAX_WEEKS = 52


CHART_WEEKS = 12


LEDGER_DAYS = 90


MIX_WEEKS = 4  # the pillar-mix chart looks at this many weeks ending with the reviewed week


COLD_LIMIT = 10


RISING_PER_TOPIC = 5


ENTRIES_PER_TOPIC = 5


GIVE_ASK_FLOOR = 3.0  # fewer gives per ask than this over 90 days earns a warning


MIX_GAP = 0.10  # a pillar this far below its target share earns a suggestion


class _Json:
    """The review's stable JSON form: floats to four places, datetimes in UTC, whatever the machine."""

    def as_json(self) -> dict:
        return plain_fields(self, digits=4, utc=True)


@dataclass
class ReviewItem(_Json):
    """A post or touchpoint of the reviewed week, with what became of it."""

    kind: str  # post / touchpoint
    id: int
    at: datetime
    title: str
    pillar: str | None  # posts
    person: str | None  # touchpoints
    action: str | None  # touchpoint kind
    status: str  # the row's status
    outcome: str  # published / done / skipped / missed / upcoming
    version: int

    @property
    def missed(self) -> bool:
        return self.outcome == "missed"


@dataclass
class PillarRow(_Json):
    pillar: str
    target: float  # share of posts the strategy aims at
    planned: int  # posts of the pillar in the week (any outcome)
    published: int
    skipped: int
    missed: int
    share: float  # this pillar's share of the week's published posts (0 when none was published)


@dataclass
class PostsReview(_Json):
    planned: int
    published: int
    skipped: int
    missed: int
    upcoming: int
    pillars: list[PillarRow]
    items: list[ReviewItem]


@dataclass
class TouchesReview(_Json):
    planned: int  # every touchpoint due in the week
    done: int
    skipped: int
    overdue: int  # still planned, due date passed
    upcoming: int
    items: list[ReviewItem]


@dataclass
class GiveAsk(GiveAskRatio, _Json):
    gives: int
    asks: int

    def as_json(self) -> dict:
        return {"gives": self.gives, "asks": self.asks, "ratio": self.ratio, "ratio_text": self.ratio_text}


@dataclass
class SuggestedAction(_Json):
    kind: str
    reason: str
    message: str
    entry_id: int | None = None
    event_id: int | None = None


@dataclass
class ColdPerson(_Json):
    connection_id: int
    name: str
    tier: str
    cadence_days: int
    overdue_days: float
    last_contact_at: datetime | None
    suggestion: SuggestedAction | None
    planned: str | None  # "share content on 2026-11-27" when a touch is already planned


@dataclass
class NewConnection(_Json):
    connection_id: int
    name: str
    company: str
    connected_on: date
    suggestion: SuggestedAction | None
    planned: str | None


@dataclass
class RisingKeyword(_Json):
    keyword: str
    count: int
    baseline: float
    lift: float
    series: list[int]


@dataclass
class EntryPick(_Json):
    entry_id: int
    title: str
    link: str | None
    published_at: datetime | None
    keywords: list[str]  # the rising keywords it mentions
    has_idea: bool  # a post already comes from it


@dataclass
class TopicRising(_Json):
    topic: str
    keywords: list[RisingKeyword]
    entries: list[EntryPick]


@dataclass
class FeedProblem(_Json):
    feed_id: int
    title: str
    url: str
    topic: str | None
    status: str | None
    error: str | None
    failure_count: int
    enabled: bool
    disabled_reason: str | None


@dataclass
class WeekKept(_Json):
    week: str
    posts_planned: int
    posts_published: int
    touches_planned: int
    touches_done: int

    @property
    def kept(self) -> bool:
        if not (self.posts_planned or self.touches_planned):
            return False
        posts_ok = not self.posts_planned or self.posts_published >= KEPT_THRESHOLD * self.posts_planned
        touches_ok = not self.touches_planned or self.touches_done >= KEPT_THRESHOLD * self.touches_planned
        return posts_ok and touches_ok

    def counts(self) -> dict:
        return {
            "posts_planned": self.posts_planned,
            "posts_published": self.posts_published,
            "touches_planned": self.touches_planned,
            "touches_done": self.touches_done,
        }

    def as_json(self) -> dict:
        return {"week": self.week, **self.counts(), "kept": self.kept}


@dataclass
class Streak(_Json):
    weeks: int
    this_week: WeekKept
    definition: str

    def as_json(self) -> dict:
        return {"weeks": self.weeks, "this_week": self.this_week.as_json(), "definition": self.definition}


@dataclass
class WeekPoint(_Json):
    week: str
    touches_done: int
    touches_planned: int
    gives: int
    asks: int


@dataclass
class MixPoint(_Json):
    pillar: str
    target: float
    week: float  # share of the reviewed week's published posts
    recent: float  # share of the published posts of the last MIX_WEEKS weeks


@dataclass
class Charts(_Json):
    weeks: list[WeekPoint]  # oldest first, the reviewed week last
    pillar_mix: list[MixPoint]


@dataclass
class SavedReview(_Json):
    completed_at: datetime | None
    decisions: dict


@dataclass
class LastWeek(_Json):
    """The review's first step: the week's own posts and touchpoints, give:ask, the charts, the
    streak and the saved review. A small part of the cost of the whole (posts and touchpoints of
    one week, a few grouped counts), so the review screen draws it before ``complete_review`` has
    gathered the rest (people going cold and what is rising read every person and a month of
    keywords)."""

    week: str
    monday: date
    sunday: date
    timezone: str
    now: datetime
    posts: PostsReview
    touchpoints: TouchesReview
    give_ask_week: GiveAsk
    give_ask_90_days: GiveAsk
    streak: Streak
    charts: Charts
    saved: SavedReview | None = None

    @property
    def missed_items(self) -> list[ReviewItem]:
        return [i for i in self.posts.items + self.touchpoints.items if i.missed]

    @property
    def next_monday(self) -> date:
        return self.monday + timedelta(days=7)


@dataclass(kw_only=True)
class WeekReview(LastWeek):
    """The whole review: ``LastWeek`` and the rest (see ``complete_review``)."""

    going_cold: list[ColdPerson]
    going_cold_total: int
    new_connections: list[NewConnection]
    rising: list[TopicRising]
    failing_feeds: list[FeedProblem]
    suggestions: list[str]


KEPT_DEFINITION = (
    f"a week is kept when something was planned in it and at least {KEPT_THRESHOLD:.0%} of its scheduled posts "
    f"were published and at least {KEPT_THRESHOLD:.0%} of its planned touchpoints were done (skipped counts as not done)"
)
