"""`import linkedin-analytics`: an XLSX made here with openpyxl, with the export's quirks (note
rows, side-by-side tables, text and real dates, numbers as text), merged across overlapping
exports, matched to posts, shown by posts list, review and plan week's slot learning."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from helpers import run_planner
from openpyxl import Workbook
from sqlmodel import select

from planner.adapters.linkedin_analytics import read_analytics
from planner.errors import PlannerError
from planner.models import AnalyticsDay, Post, PostResult
from planner.services.analytics import import_analytics, results, slot_scores

ACT = "https://www.linkedin.com/feed/update/urn:li:activity:{}/"


def make_xlsx(path, *, engagement=None, posts=None, followers=None, performance_name="DISCOVERY", total=1234):
    wb = Workbook()
    ws = wb.active
    ws.title = performance_name
    ws.append(["Overall Performance", "8/1/2026 - 8/31/2026"])
    ws.append(["Impressions", "12,345"])
    ws.append(["Members reached", 6789])
    ws = wb.create_sheet("ENGAGEMENT")
    ws.append(["Date", "Impressions", "Engagements"])
    for row in (
        engagement
        if engagement is not None
        else [["8/3/2026", "1,200", 40], [datetime(2026, 8, 4), 300, "9"], ["8/5/2026", 2500, 70], ["not a date", 1, 1]]
    ):
        ws.append(row)
    ws = wb.create_sheet("TOP POSTS")
    ws.append(["Maximum of 50 posts can be displayed"])
    ws.append([])
    ws.append(["Post URL", "Post publish date", "Engagements", None, "Post URL", "Post publish date", "Impressions"])
    for left, right in (
        posts
        if posts is not None
        else [
            ((ACT.format(7001), "8/3/2026", 40), (ACT.format(7002), "8/5/2026", 2500)),
            ((ACT.format(7002), "8/5/2026", 70), (ACT.format(7001), datetime(2026, 8, 3), "1,200")),
            ((ACT.format(7003), "8/7/2026", 5), (ACT.format(7003), "8/7/2026", 100)),
            ((ACT.format(7004), "8/9/2026", 1), (ACT.format(7004), "8/9/2026", 50)),
        ]
    ):
        ws.append([*left, None, *right])
    ws = wb.create_sheet("FOLLOWERS")
    ws.append(["Total followers on 8/31/2026:", total])
    ws.append([])
    ws.append(["Date", "New followers"])
    for row in followers if followers is not None else [["8/3/2026", 5], ["8/4/2026", 2], [datetime(2026, 8, 5), "11"]]:
        ws.append(row)
    wb.create_sheet("DEMOGRAPHICS").append(["Top Demographics", "Value", "Percentage"])
    wb.save(path)
    return path


def _posts(session):

    def at(d: int, h: int = 9) -> datetime:
        return datetime(2026, 8, d, h, 0, tzinfo=UTC)

    rows = [
        Post(
            title="By URL",
            body="a",
            pillar="thought_leadership",
            status="published",
            published_at=at(3),
            scheduled_at=at(3),
            url=ACT.format(7001).rstrip("/"),
        ),
        Post(
            title="From Shares",
            body="b",
            pillar="content_share",
            status="published",
            published_at=at(5, 8),
            scheduled_at=at(5, 8),
            url="https://www.linkedin.com/feed/update/urn%3Ali%3Ashare%3A9999",
        ),
        Post(title="Twin one", body="c", status="published", published_at=at(7), scheduled_at=at(7)),
        Post(title="Twin two", body="d", status="published", published_at=at(7, 15), scheduled_at=at(7, 15)),
        Post(title="Idea", body="e", status="idea"),
    ]
    session.add_all(rows)
    session.flush()
    return [p.id for p in rows]


def test_read_the_quirks(tmp_path):
    parsed = read_analytics(make_xlsx(tmp_path / "a.xlsx", performance_name="PERFORMANCE"))
    assert (parsed.impressions, parsed.members_reached) == (12345, 6789)
    assert parsed.days[date(2026, 8, 3)].impressions == 1200 and parsed.days[date(2026, 8, 4)].engagements == 9
    assert parsed.days[date(2026, 8, 5)].new_followers == 11
    assert parsed.total_followers == (date(2026, 8, 31), 1234)
    post = parsed.posts["https://www.linkedin.com/feed/update/urn:li:activity:7001"]
    assert (post.activity_id, post.impressions, post.engagements, post.published_on) == (
        "7001",
        1200,
        40,
        date(2026, 8, 3),
    )
    assert len(parsed.posts) == 4
    assert parsed.problems == [
        "a.xlsx sheet ENGAGEMENT row 5: expected a date like 8/1/2026, got 'not a date'; row skipped"
    ]


def test_import_matches_by_url_then_by_the_only_post_of_the_day(store, tmp_path):
    with store.transaction() as session:
        ids = _posts(session)
    report = store.call(import_analytics, read_analytics(make_xlsx(tmp_path / "a.xlsx")))
    assert (report.days_added, report.posts_added, report.total_followers) == (3, 4, 1234)
    assert report.matched == [
        f"https://www.linkedin.com/feed/update/urn:li:activity:7001: post {ids[0]} (by URL)",
        f"https://www.linkedin.com/feed/update/urn:li:activity:7002: post {ids[1]} (by publish date)",
    ]
    assert report.unmatched == [
        "https://www.linkedin.com/feed/update/urn:li:activity:7003: 2 posts went out on 2026-08-07: no match by date",
        "https://www.linkedin.com/feed/update/urn:li:activity:7004: no post with this URL or publish date",
    ]
    r = store.call(results, date(2026, 8, 3), date(2026, 8, 10))
    assert (r.posts_measured, r.impressions, r.engagements) == (2, 3700, 110)
    assert r.best_post["id"] == ids[1]
    assert [(b.label, b.impressions) for b in r.pillars] == [("content_share", 2500), ("thought_leadership", 1200)]
    assert [b.label for b in r.slots] == ["Mon 09:00", "Wed 08:00"]
    assert (r.follower_growth, r.total_followers) == (18, 1234)


def test_a_post_matched_once_is_not_matched_again_by_date(store, tmp_path):
    with store.transaction() as session:
        ids = _posts(session)
    store.call(import_analytics, read_analytics(make_xlsx(tmp_path / "a.xlsx")))
    other = ACT.format(7005)
    again = make_xlsx(tmp_path / "b.xlsx", posts=[((other, "8/5/2026", 9), (other, "8/5/2026", 99))])
    report = store.call(import_analytics, read_analytics(again))
    assert report.unmatched == [
        f"{other.rstrip('/')}: the posts of 2026-08-05 are measured under another URL: no match by date"
    ]
    r = store.call(results, date(2026, 8, 3), date(2026, 8, 10))
    assert (r.posts_measured, r.impressions) == (2, 3700)  # post {ids[1]} is counted once
    assert r.best_post["id"] == ids[1]


def test_overlapping_exports_keep_the_latest(store, tmp_path):
    with store.transaction() as session:
        _posts(session)
    store.call(import_analytics, read_analytics(make_xlsx(tmp_path / "a.xlsx")))
    again = store.call(import_analytics, read_analytics(make_xlsx(tmp_path / "a.xlsx")))
    assert (again.days_added, again.days_updated, again.posts_added, again.posts_updated) == (0, 0, 0, 0)
    later = make_xlsx(
        tmp_path / "b.xlsx",
        engagement=[["8/5/2026", 2600, 75], ["8/6/2026", 10, 1]],
        followers=[],
        posts=[((ACT.format(7001), "8/3/2026", 55), (ACT.format(7001), "8/3/2026", 1900))],
        total=1300,
    )
    report = store.call(import_analytics, read_analytics(later))
    assert (report.days_added, report.days_updated, report.posts_updated) == (1, 1, 1)
    with store.session() as session:
        day = session.exec(select(AnalyticsDay).where(AnalyticsDay.day == date(2026, 8, 5))).one()
        assert (day.impressions, day.engagements, day.new_followers) == (2600, 75, 11)
        result = session.exec(select(PostResult).where(PostResult.activity_id == "7001")).one()
        assert (result.impressions, result.engagements) == (1900, 55)


def test_bad_workbooks_store_nothing(store, settings, tmp_path):
    env = {"PLANNER_DB": settings.db_url}
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.save(tmp_path / "other.xlsx")
    out = run_planner("import", "linkedin-analytics", str(tmp_path / "other.xlsx"), env=env)
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "other.xlsx: none of the sheets" in out.stderr
    wb = Workbook()
    wb.active.title = "ENGAGEMENT"
    wb.active.append(["Day", "Views"])
    wb.save(tmp_path / "header.xlsx")
    out = run_planner("import", "linkedin-analytics", str(tmp_path / "header.xlsx"), env=env)
    assert out.returncode == 1 and "header.xlsx sheet ENGAGEMENT: no header row starting with 'date'" in out.stderr
    (tmp_path / "fake.xlsx").write_text("not a workbook")
    with pytest.raises(PlannerError, match="not an Excel"):
        read_analytics(tmp_path / "fake.xlsx")
    with store.session() as session:
        assert not session.exec(select(AnalyticsDay)).all() and not session.exec(select(PostResult)).all()


def test_cli_posts_list_and_review_show_results(store, settings, tmp_path):
    with store.transaction() as session:
        ids = _posts(session)
    env = {"PLANNER_DB": settings.db_url}
    out = run_planner("import", "linkedin-analytics", str(make_xlsx(tmp_path / "a.xlsx")), env=env)
    assert out.returncode == 0, out.stderr
    assert "2 matched to your posts, 2 not matched" in out.stdout
    rows = {r["id"]: r for r in json.loads(run_planner("posts", "list", "--json", env=env).stdout)}
    assert (rows[ids[0]]["impressions"], rows[ids[0]]["engagements"]) == (1200, 40)
    assert (rows[ids[4]]["impressions"], rows[ids[4]]["engagements"]) == (None, None)
    md = run_planner("review", "--week", "2026-W32", env=env)
    assert md.returncode == 0, md.stderr
    assert "## Results (LinkedIn analytics)" in md.stdout and "| content share | 1 | 2,500 | 70 |" in md.stdout
    assert "Followers: +18 (total 1,234)" in md.stdout
    data = json.loads(run_planner("review", "--week", "2026-W32", "--format", "json", env=env).stdout)
    assert data["results"]["best_post"]["id"] == ids[1] and data["results"]["follower_growth"] == 18
    # a week without analytics keeps the report as it was
    assert "results" not in json.loads(run_planner("review", "--week", "2026-W40", "--format", "json", env=env).stdout)


def test_slot_learning_prefers_the_slot_that_did_better(store):
    from planner.services.planning import plan_week
    from planner.services.strategy import get_strategy, set_strategy

    now = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # Monday morning
    with store.transaction() as session:
        get_strategy(session, now)  # default slots: content share on Wed 12:00 and Fri 12:00 (and two others)
        set_strategy(session, "slots.remove", "tue 09:00", now)
        set_strategy(session, "slots.remove", "thu 09:00", now)
        for weeks in range(1, 5):
            for day, imp in ((2, 300), (4, 2100)):  # Wed did poorly, Fri well
                at = datetime.combine(
                    date(2026, 11, 23) - timedelta(weeks=weeks) + timedelta(days=day),
                    datetime.min.time().replace(hour=12),
                    UTC,
                )
                p = Post(
                    title="old", body="x", pillar="content_share", status="published", published_at=at, scheduled_at=at
                )
                session.add(p)
                session.flush()
                session.add(PostResult(url=f"https://x.test/{weeks}/{day}", post_id=p.id, impressions=imp))
        session.add(Post(title="The one idea", body="y", pillar="content_share", status="idea"))
        session.flush()
        scores = slot_scores(session, now)
        assert scores[(4, "12:00")].reason == "Fri 12:00 had 1.8× your median impressions over 8 weeks"
    monday = date(2026, 11, 23)
    with store.transaction() as session:
        plain = plan_week(session, monday, now, dry_run=True)
    cs = [p for p in plain.posts if p.pillar == "content_share"]
    assert [p.at.weekday() for p in cs] == [2], "without learning the earliest slot takes the idea"
    with store.transaction() as session:
        set_strategy(session, "slot_learning", "on", now)
        learned = plan_week(session, monday, now, dry_run=True)
    cs = [p for p in learned.posts if p.pillar == "content_share"]
    assert [p.at.weekday() for p in cs] == [4]
    assert cs[0].reason.endswith("Fri 12:00 had 1.8× your median impressions over 8 weeks")
