"""Send what was planned: the exact text of a post or touch, the LinkedIn page it goes to, and
the one confirmation that marks it done.

Nothing is marked published or done by copying or opening: only :func:`confirm_sent`, which the
TUI calls after the person answers yes to "Posted?" / "Sent?" and the CLI after ``--done``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlmodel import Session, col

from planner.enums import PostStatus, TouchStatus
from planner.errors import PlannerError
from planner.models import Connection, Post, Touchpoint, pk
from planner.text import label

# LinkedIn's share composer with the text filled in (the form LinkedIn's own "share" links use
# today; the older shareArticle/share-offsite forms take a URL only, not text)
SHARE_COMPOSER = "https://www.linkedin.com/feed/?shareActive=true&text="
PEOPLE_SEARCH = "https://www.linkedin.com/search/results/people/?keywords="


@dataclass(frozen=True)
class SendItem:
    kind: str  # "post" | "touchpoint"
    id: int
    text: str  # exactly what goes out
    url: str  # where it goes: the share composer, or the person's profile
    label: str  # "post 12" / "Priya Shah"
    question: str  # "Posted?" / "Sent?"
    done: bool  # already published / done
    version: int
    # a suggestion (no touchpoint yet): what "Sent? y" logs
    touch_kind: str | None = None
    entry_id: int | None = None
    event_id: int | None = None

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "text": self.text,
            "url": self.url,
            "label": self.label,
            "done": self.done,
            "version": self.version,
        }


def post_text(body: str, hashtags: str | list[str]) -> str:
    """The body, then the post's hashtags the body doesn't already contain (as LinkedIn shows them)."""
    body = (body or "").strip()
    tags = hashtags.split() if isinstance(hashtags, str) else list(hashtags)
    present = {w.lower().rstrip(".,;:!?") for w in body.split()}
    missing = [f"#{t.lstrip('#')}" for t in tags if t and f"#{t.lstrip('#')}".lower() not in present]
    return f"{body}\n\n{' '.join(missing)}".strip() if missing else body


def share_composer_url(text: str) -> str:
    return SHARE_COMPOSER + quote(text, safe="")


def profile_page(person: Connection) -> str:
    """The person's profile from their import, else a LinkedIn people search for their name."""
    if person.profile_url:
        return person.profile_url
    return PEOPLE_SEARCH + quote(" ".join(p for p in (person.full_name, person.company) if p), safe="")


def send_item(session: Session, kind: str, item_id: int) -> SendItem:
    if kind == "post":
        post = session.get(Post, item_id)
        if post is None:
            raise PlannerError(f"no post with id {item_id}")
        text = post_text(post.body, post.hashtags)
        if not text:
            raise PlannerError(f"post {item_id} has no text yet: write it first")
        return SendItem(
            "post",
            pk(post),
            text,
            share_composer_url(text),
            post.title or f"post {post.id}",
            "Posted?",
            post.status == PostStatus.PUBLISHED.value,
            post.version,
        )
    if kind == "touchpoint":
        touch = session.get(Touchpoint, item_id)
        if touch is None:
            raise PlannerError(f"no touchpoint with id {item_id}")
        person = session.get_one(Connection, touch.connection_id)  # a touchpoint always has its person
        text = (touch.message or touch.note or "").strip()
        if not text:
            raise PlannerError(f"touchpoint {item_id} has no message to send: write one first")
        return SendItem(
            "touchpoint",
            pk(touch),
            text,
            profile_page(person),
            person.full_name,
            "Sent?",
            touch.status == TouchStatus.DONE.value,
            touch.version,
        )
    raise PlannerError(f"unknown item kind {kind!r}")


def person_send(session: Session, connection_id: int, now: datetime) -> SendItem:
    """What to send this person now: their next planned touch with a message, else today's
    value-first suggestion (Network, Review)."""
    from sqlmodel import select

    from planner.services.suggestions import suggest_actions

    person = session.get(Connection, connection_id)
    if person is None:
        raise PlannerError(f"no person with id {connection_id}")
    planned = session.exec(
        select(col(Touchpoint.id))
        .where(
            col(Touchpoint.connection_id) == connection_id,
            col(Touchpoint.status) == TouchStatus.PLANNED.value,
            (col(Touchpoint.message) != "") | (col(Touchpoint.note) != ""),
        )
        .order_by(col(Touchpoint.due_at), col(Touchpoint.id))
    ).first()
    if planned is not None:
        return send_item(session, "touchpoint", planned)
    suggestion = suggest_actions(session, [connection_id], now).get(connection_id)
    if suggestion is None or not suggestion.message.strip():
        raise PlannerError(f"nothing to send {person.full_name} yet: plan a touch with a message (p)")
    return SendItem(
        "suggestion",
        connection_id,
        suggestion.message.strip(),
        profile_page(person),
        person.full_name,
        "Sent?",
        False,
        person.version,
        touch_kind=suggestion.kind,
        entry_id=suggestion.entry_id,
        event_id=suggestion.event_id,
    )


def confirm_item(session: Session, item: SendItem, now: datetime, *, url: str | None = None) -> str:
    """``confirm_sent`` for an item the TUI showed (version-checked); a suggestion is logged as
    the touch it suggested, sent now."""
    if item.kind == "suggestion":
        from planner.services.touches import log_touch

        result = log_touch(
            session,
            item.id,
            item.touch_kind or "check_in",
            now,
            message=item.text,
            entry_id=item.entry_id,
            event_id=item.event_id,
        )
        return f"{label(result.kind)} · {result.person}: done"
    return confirm_sent(session, item.kind, item.id, now, url=url, expected_version=item.version)


def confirm_sent(
    session: Session,
    kind: str,
    item_id: int,
    now: datetime,
    *,
    url: str | None = None,
    expected_version: int | None = None,
) -> str:
    """The yes to "Posted?"/"Sent?": the post is published now (with its URL when pasted), the
    touch is done now (its cadence restarts)."""
    from planner.store.versioning import bump, load_for_edit

    if kind == "post":
        from planner.services.posts import publish_post

        url = (url or "").strip() or None
        view = publish_post(session, item_id, now=now, url=url, expected_version=expected_version)
        return f"{view.display_title}: published" + (f" at {url}" if url else "")
    if kind == "touchpoint":
        touch = load_for_edit(session, Touchpoint, item_id, expected_version)
        if touch.status != TouchStatus.PLANNED.value:
            raise PlannerError(f"touchpoint {item_id} is {touch.status}, not planned: nothing to mark")
        touch.status, touch.done_at = TouchStatus.DONE.value, now
        bump(touch, now)
        session.add(touch)
        session.flush()
        person = session.get_one(Connection, touch.connection_id)  # a touchpoint always has its person
        return f"{label(touch.kind)} · {person.full_name}: done"
    raise PlannerError(f"unknown item kind {kind!r}")
