"""A small world for the terminal commands (today, notify, export vdir): New York time, now pinned.

FIXED_NOW is Wed 25 Nov 2026 09:30 UTC = 04:30 in New York. Due today (local): a touchpoint at
08:00 (13:00 UTC) and the post of the day at 10:00 (15:00 UTC); overdue: a touchpoint of Mon 23 Nov.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpers import FIXED_NOW

ZONE = "America/New_York"
TOUCH_TODAY = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)
POST_TODAY = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
TOUCH_OVERDUE = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
# after the DST change in New York (EDT until 1 Nov): 09:00 local is 13:00 UTC in October
POST_SUMMER = datetime(2026, 10, 28, 13, 0, tzinfo=UTC)


def build(store, now: datetime = FIXED_NOW) -> dict[str, int]:
    from planner import models as m

    earlier = now - timedelta(days=3)
    with store.transaction() as session:
        session.add(m.Strategy(timezone=ZONE, updated_at=earlier))
        priya = m.Connection(first_name="Priya", last_name="Shah", company="Acme", updated_at=earlier)
        chris = m.Connection(first_name="Chris", last_name="Morgan", updated_at=earlier)
        session.add_all([priya, chris])
        session.flush()
        post = m.Post(
            title="Your SLO dashboard isn't for you",
            body="Three questions an SLO page must answer.",
            status="scheduled",
            scheduled_at=POST_TODAY,
            created_at=earlier,
            updated_at=earlier,
        )
        summer = m.Post(
            title="Error budgets, one year on",
            status="published",
            scheduled_at=POST_SUMMER,
            published_at=POST_SUMMER,
            created_at=earlier,
            updated_at=earlier,
        )
        share = m.Touchpoint(
            connection_id=priya.id,
            kind="share_content",
            due_at=TOUCH_TODAY,
            message="Saw this on AI incident triage, thought of your postmortem question",
            note="she asked about bot-written timelines",
            created_at=earlier,
            updated_at=earlier,
        )
        check = m.Touchpoint(
            connection_id=chris.id,
            kind="check_in",
            due_at=TOUCH_OVERDUE,
            note="Ask how the meetup went",
            created_at=earlier,
            updated_at=earlier,
        )
        session.add_all([post, summer, share, check])
        session.flush()
        return {"post": post.id, "summer": summer.id, "share": share.id, "check": check.id}
