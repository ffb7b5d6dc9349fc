"""Send: the exact text, the LinkedIn page, and nothing marked done without the yes."""

from __future__ import annotations

import stat
import sys
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from helpers import FIXED_NOW, run_planner
from sqlmodel import select

from planner.adapters import browser
from planner.models import Connection, Post, Touchpoint
from planner.services import send


def _world(session):
    person = Connection(
        first_name="Priya", last_name="Shah", company="Acme", profile_url="https://www.linkedin.com/in/priya-shah"
    )
    nourl = Connection(first_name="Tom", last_name="Ng", company="Beta Ltd")
    session.add_all([person, nourl])
    session.flush()
    post = Post(
        title="SLOs",
        body="Error budgets are a contract.\nSecond line & 100% [bold]",
        hashtags="sre slo",
        status="scheduled",
        scheduled_at=FIXED_NOW,
    )
    touch = Touchpoint(
        connection_id=person.id,
        kind="share_content",
        status="planned",
        due_at=FIXED_NOW,
        message="Thought of you: https://example.com/slo",
    )
    bare = Touchpoint(
        connection_id=nourl.id, kind="check_in", status="planned", due_at=FIXED_NOW, message="How's the move?"
    )
    session.add_all([post, touch, bare])
    session.flush()
    return person, post, touch, bare


def test_post_text_is_exact_and_the_composer_carries_it(store):
    with store.transaction() as session:
        _person, post, _touch, _bare = _world(session)
        item = send.send_item(session, "post", post.id)
    assert item.text == "Error budgets are a contract.\nSecond line & 100% [bold]\n\n#sre #slo"
    parts = urlsplit(item.url)
    assert (parts.netloc, parts.path) == ("www.linkedin.com", "/feed/")
    query = parse_qs(parts.query)
    assert query["shareActive"] == ["true"] and query["text"] == [item.text]
    assert not item.done and item.question == "Posted?"
    # a hashtag already in the body is not added twice
    assert send.post_text("Ship it #SRE", "sre slo") == "Ship it #SRE\n\n#slo"


def test_touch_goes_to_the_profile_else_a_people_search(store):
    with store.transaction() as session:
        _person, _post, touch, bare = _world(session)
        item = send.send_item(session, "touchpoint", touch.id)
        other = send.send_item(session, "touchpoint", bare.id)
    assert item.text == "Thought of you: https://example.com/slo"
    assert item.url == "https://www.linkedin.com/in/priya-shah"
    assert other.url == "https://www.linkedin.com/search/results/people/?keywords=Tom%20Ng%20Beta%20Ltd"


def test_reading_marks_nothing_and_the_yes_marks_it(store):
    with store.transaction() as session:
        _person, post, touch, _bare = _world(session)
        ids = post.id, touch.id
    with store.transaction() as session:
        send.send_item(session, "post", ids[0])
        send.send_item(session, "touchpoint", ids[1])
    with store.session() as session:
        assert session.get(Post, ids[0]).status == "scheduled"
        assert session.get(Touchpoint, ids[1]).status == "planned"
    later = FIXED_NOW + timedelta(hours=2)
    with store.transaction() as session:
        item = send.send_item(session, "post", ids[0])
        send.confirm_item(session, item, later, url="https://www.linkedin.com/feed/update/urn:li:activity:1/")
        send.confirm_sent(session, "touchpoint", ids[1], later)
    with store.session() as session:
        p, t = session.get(Post, ids[0]), session.get(Touchpoint, ids[1])
        assert (p.status, p.published_at, p.url) == (
            "published",
            later,
            "https://www.linkedin.com/feed/update/urn:li:activity:1/",
        )
        assert (t.status, t.done_at) == ("done", later)


def test_person_send_prefers_the_planned_touch_then_the_suggestion(store):
    with store.transaction() as session:
        person, _post, touch, _bare = _world(session)
        item = send.person_send(session, person.id, FIXED_NOW)
        assert (item.kind, item.id) == ("touchpoint", touch.id)
        touch.status = "done"
        touch.done_at = FIXED_NOW - timedelta(days=200)
        session.add(touch)
        session.flush()
        suggestion = send.person_send(session, person.id, FIXED_NOW)
        assert suggestion.kind == "suggestion" and suggestion.text and suggestion.touch_kind

        def done_count():
            return len(
                session.exec(
                    select(Touchpoint).where(Touchpoint.connection_id == person.id, Touchpoint.status == "done")
                ).all()
            )

        before = done_count()
        send.confirm_item(session, suggestion, FIXED_NOW)
        assert done_count() == before + 1


def test_headless_means_no_browser(monkeypatch):
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY", "SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    if sys.platform.startswith("linux"):
        assert not browser.can_open_browser()
        assert browser.open_url("https://www.linkedin.com/") is False
    assert not browser.can_open_browser({"DISPLAY": ":0", "SSH_CONNECTION": "1 2 3 4"})
    assert browser.can_open_browser({"BROWSER": "firefox", "SSH_CONNECTION": "1 2 3 4"})


def test_open_url_runs_the_browser_the_user_named(tmp_path, monkeypatch):
    import webbrowser

    log = tmp_path / "opened.txt"
    script = tmp_path / "fake-browser"
    script.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$1\" >> {log}\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("BROWSER", str(script))
    # webbrowser reads BROWSER once per process: start its registry afresh for this test
    monkeypatch.setattr(webbrowser, "_tryorder", None)
    monkeypatch.setattr(webbrowser, "_browsers", {})
    url = send.share_composer_url("Hello & welcome")
    assert browser.open_url(url) is True
    assert log.read_text().splitlines() == [url]


def test_cli_copy_prints_the_text_alone_and_send_done_logs_it(store, settings):
    with store.transaction() as session:
        _person, post, touch, _bare = _world(session)
        ids = post.id, touch.id
    env = {"PLANNER_DB": settings.db_url}
    out = run_planner("posts", "copy", str(ids[0]), env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout == "Error budgets are a contract.\nSecond line & 100% [bold]\n\n#sre #slo\n"
    shown = run_planner("touch", "send", str(ids[1]), env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout == "Thought of you: https://example.com/slo\n"
    with store.session() as session:
        assert session.get(Touchpoint, ids[1]).status == "planned"
    done = run_planner("touch", "send", str(ids[1]), "--done", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "Thought of you: https://example.com/slo\n" and "done" in done.stderr
    with store.session() as session:
        assert session.get(Touchpoint, ids[1]).status == "done"
    missing = run_planner("posts", "copy", "9999", env=env)
    assert missing.returncode == 1 and missing.stderr.strip() == "planner: no post with id 9999"
