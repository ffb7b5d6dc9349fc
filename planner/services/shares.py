"""LinkedIn shares → the published posts history (re-importing adds nothing twice)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from planner.adapters.shares import ShareRecord
from planner.models import Pillar, Post, PostStatus, pk, utcnow
from planner.store.journal import BatchUndo, run_journaled
from planner.store.versioning import bump

TITLE_LEN = 80


@dataclass
class SharesReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)


def _title(record: ShareRecord) -> str:
    first = next((ln.strip() for ln in record.commentary.split("\n") if ln.strip()), "")
    if not first:
        return f"Shared {record.shared_url}" if record.shared_url else "Shared post"
    return first if len(first) <= TITLE_LEN else first[: TITLE_LEN - 1].rsplit(" ", 1)[0] + "…"


def _body(record: ShareRecord) -> str:
    body = record.commentary
    if record.shared_url and record.shared_url not in body:
        body = f"{body}\n\n{record.shared_url}".strip()
    return body


def import_shares(
    session: Session,
    records: list[ShareRecord],
    now: datetime | None = None,
    *,
    seen: set[str] | None = None,
    undo: BatchUndo | None = None,
) -> SharesReport:
    """Each share becomes a published post. The key is the ShareLink (else date + commentary), so
    a re-import updates changed text and adds nothing twice. Shares of a URL count as content
    shares, the rest as thought leadership. ``seen`` and ``undo`` carry an import across batches
    (import_shares_batched)."""
    now = now or utcnow()
    report = SharesReport()
    added: list[Post] = []
    existing = session.exec(select(Post).where(col(Post.status) == PostStatus.PUBLISHED.value)).all()
    by_url = {p.url: p for p in existing if p.url}
    by_key = {(p.published_at, p.body): p for p in existing if not p.url and p.published_at}
    seen = seen if seen is not None else set()
    for rec in records:
        key = rec.link or f"{rec.shared_at.isoformat()}|{rec.commentary}"
        if key in seen:
            report.skipped.append(f"line {rec.line}: the same share appears twice in the file; kept the first")
            continue
        seen.add(key)
        body, title = _body(rec), _title(rec)
        post = by_url.get(rec.link) if rec.link else by_key.get((rec.shared_at, body))
        if post is not None:
            if (post.body, post.title, post.published_at) == (body, title, rec.shared_at):
                report.unchanged += 1
                continue
            before = {attr: getattr(post, attr) for attr in _UNDO_FIELDS}
            post.body, post.title, post.published_at, post.scheduled_at = body, title, rec.shared_at, rec.shared_at
            bump(post, now)
            if undo is not None:
                undo.update("post", pk(post), before, post.version)
            session.add(post)
            report.updated += 1
            continue
        post = Post(
            pillar=(Pillar.CONTENT_SHARE if rec.shared_url else Pillar.THOUGHT_LEADERSHIP).value,
            title=title,
            body=body,
            status=PostStatus.PUBLISHED.value,
            scheduled_at=rec.shared_at,
            published_at=rec.shared_at,
            channel="profile",
            url=rec.link,
            manual=True,
            created_at=now,
            updated_at=now,
        )
        session.add(post)
        added.append(post)
        if rec.link:
            by_url[rec.link] = post
        report.added += 1
    session.flush()
    if undo is not None:
        undo.insert("post", (pk(p) for p in added))
    return report


_UNDO_FIELDS = ("body", "title", "published_at", "scheduled_at", "version", "updated_at")
# Shares per transaction: a profile's whole history is a few thousand
SHARES_BATCH = 500


def import_shares_batched(
    store, records: list[ShareRecord], now: datetime | None = None, what: str = "Shares.csv", batch: int = SHARES_BATCH
) -> SharesReport:
    """``import_shares`` over a store, ``batch`` shares per transaction, all or nothing through the
    import journal (store.journal), as services.people.import_people."""
    now = now or utcnow()
    seen: set[str] = set()

    def step(session: Session, chunk: list[ShareRecord], undo: BatchUndo) -> SharesReport:
        return import_shares(session, chunk, now, seen=seen, undo=undo)

    chunks = [records[start : start + batch] for start in range(0, max(len(records), 1), batch)]
    report = SharesReport()
    for part in run_journaled(store, what, chunks, step, now):
        report.added += part.added
        report.updated += part.updated
        report.unchanged += part.unchanged
        report.skipped += part.skipped
    return report
