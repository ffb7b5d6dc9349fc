"""LinkedIn's archive → what actually happened: who the owner is, the messages they sent (touches:
gives or asks, by the pitch check) and received (interactions), invitations, endorsements and
recommendations given, plus the connections and shares the existing importers read.

Every file is parsed before anything is stored (a file with another header stores nothing), then
each file is imported in its own transaction; a re-import adds nothing twice (``LinkedInRecord.key``).
People are matched by profile URL, then by an unambiguous name; nobody is added for a message.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from planner.adapters import linkedin_archive as archive_io
from planner.adapters.linkedin import parse_connections
from planner.adapters.shares import parse_shares
from planner.jsonout import plain
from planner.models import Connection, LinkedInRecord, TouchKind, Touchpoint, TouchStatus, pk_col, utcnow

Judge = Callable[[list[str]], list[Any]]  # texts → the semantic model's verdicts (adapters.pitch_model)
INSERT_BATCH = 2000


@dataclass
class FileReport:
    file: str
    read: int = 0  # data rows read
    imported: int = 0  # new facts stored
    matched: int = 0  # rows that matched a person (or an existing post/person)
    unchanged: int = 0  # already imported before
    skipped: list[str] = field(default_factory=list)  # "messages.csv line 12: …"


@dataclass
class ArchiveReport:
    source: str
    owner: str | None = None
    owner_url: str | None = None
    files: list[FileReport] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "source": self.source,
            "owner": self.owner,
            "owner_url": self.owner_url,
            "files": plain(self.files),
        }


# --- owner and matching ---------------------------------------------------------------------------


def name_key(name: str) -> str:
    return " ".join((name or "").casefold().split())


def find_owner(
    profile: archive_io.ProfileRecord | None,
    messages: list[archive_io.MessageRecord],
    invitations: list[archive_io.InvitationRecord],
    known: tuple[str | None, str | None],
) -> tuple[str | None, str | None]:
    """(owner name, owner profile URL): the name from Profile.csv; the URL from the owner's own
    outgoing invitations, else the sender URL the owner's name writes from, else the URL present
    in the most conversations (the owner is in every thread)."""
    name = profile.name if profile and profile.name else known[0]
    urls = Counter(i.inviter_url for i in invitations if i.outgoing and i.inviter_url)
    if urls:
        return name, urls.most_common(1)[0][0]
    if name:
        mine = Counter(m.sender_url for m in messages if m.sender_url and name_key(m.from_name) == name_key(name))
        if mine:
            return name, mine.most_common(1)[0][0]
    presence: Counter = Counter()
    threads: dict[str, set[str]] = {}
    for m in messages:
        threads.setdefault(m.conversation_id, set()).update(u for u in [m.sender_url, *m.recipient_urls] if u)
    for members in threads.values():
        presence.update(members)
    ranked = presence.most_common(2)
    if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
        return name, ranked[0][0]
    return name, known[1]


class Matcher:
    """A person by profile URL, else by an unambiguous full name; the owner is nobody."""

    def __init__(self, session: Session, owner_url: str | None) -> None:
        rows = session.exec(
            select(
                pk_col(Connection.id),
                col(Connection.profile_url),
                col(Connection.first_name),
                col(Connection.last_name),
            )
        ).all()
        self.by_url = {url: cid for cid, url, _f, _l in rows if url and url != owner_url}
        names: dict[str, list[int]] = {}
        for cid, url, first, last in rows:
            if url != owner_url or url is None:
                names.setdefault(name_key(f"{first} {last}"), []).append(cid)
        self.by_name = {k: ids[0] for k, ids in names.items() if len(ids) == 1 and k}
        self.ambiguous = {k for k, ids in names.items() if len(ids) > 1}
        self.owner_url = owner_url

    def match(self, url: str | None, name: str | None) -> int | None:
        if url and url == self.owner_url:
            return None
        if url and url in self.by_url:
            return self.by_url[url]
        return self.by_name.get(name_key(name or ""))


def _digest(*parts: object) -> str:
    return hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()[:24]


def _existing_keys(session: Session, prefix: str) -> set[str]:
    return set(session.exec(select(col(LinkedInRecord.key)).where(col(LinkedInRecord.key).startswith(prefix))).all())


def _verdicts(texts: list[str], judge: Judge | None) -> dict[str, Any]:
    """text → pitch_score with the semantic verdict when a judge is given (one batch)."""
    from planner.services.pitch import pitch_score

    unique = sorted({t for t in texts if t.strip()})
    semantic = judge(unique) if judge and unique else [None] * len(unique)
    return {t: pitch_score(t, semantic=v) for t, v in zip(unique, semantic, strict=True)}


def _insert_touches(session: Session, rows: list[dict]) -> list[int]:
    ids: list[int] = []
    for i in range(0, len(rows), INSERT_BATCH):
        chunk = rows[i : i + INSERT_BATCH]
        result = session.execute(
            sa.insert(Touchpoint).returning(col(Touchpoint.id), sort_by_parameter_order=True), chunk
        )
        ids.extend(r[0] for r in result)
    return ids


def _insert_records(session: Session, rows: list[dict]) -> None:
    for i in range(0, len(rows), INSERT_BATCH):
        session.execute(sa.insert(LinkedInRecord), rows[i : i + INSERT_BATCH])


def _touch_row(cid: int, kind: str, at: datetime, message: str, note: str, now: datetime) -> dict:
    return {
        "connection_id": cid,
        "kind": kind,
        "status": TouchStatus.DONE.value,
        "due_at": at,
        "done_at": at,
        "note": note,
        "message": message,
        "source": "linkedin",
        "manual": False,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


def _record_row(key: str, kind: str, at: datetime | None, now: datetime, **values) -> dict:
    row = {
        "key": key,
        "kind": kind,
        "at": at,
        "connection_id": None,
        "conversation_id": None,
        "url": None,
        "name": "",
        "text": "",
        "pitch": None,
        "reasons": "",
        "touchpoint_id": None,
        "created_at": now,
    }
    row.update(values)
    return row


# --- steps ------------------------------------------------------------------------------------------


def store_owner(session: Session, name: str | None, url: str | None, now: datetime) -> None:
    row = session.exec(select(LinkedInRecord).where(col(LinkedInRecord.key) == "owner")).first()
    if row is None:
        session.add(LinkedInRecord(key="owner", kind="owner", name=name or "", url=url, created_at=now))
    elif (row.name, row.url) != (name or row.name, url or row.url):
        row.name, row.url = name or row.name, url or row.url
        session.add(row)
    session.flush()


def stored_owner(session: Session) -> tuple[str | None, str | None]:
    row = session.exec(select(LinkedInRecord).where(col(LinkedInRecord.key) == "owner")).first()
    return (row.name or None, row.url) if row else (None, None)


def import_messages(
    session: Session,
    parsed: archive_io.Parsed,
    owner: tuple[str | None, str | None],
    now: datetime,
    judge: Judge | None = None,
    source: str = "messages.csv",
) -> FileReport:
    owner_name, owner_url = owner
    report = FileReport(source, read=parsed.rows, skipped=list(parsed.problems))
    matcher = Matcher(session, owner_url)
    done = _existing_keys(session, "msg:")

    def outgoing(m: archive_io.MessageRecord) -> bool:
        if owner_url and m.sender_url:
            return m.sender_url == owner_url
        return bool(owner_name and name_key(m.from_name) == name_key(owner_name))

    plan: list[tuple[archive_io.MessageRecord, bool, list[int]]] = []
    for m in parsed.records:
        if outgoing(m):
            urls = [u for u in m.recipient_urls if u != owner_url]
            names = m.to_names if len(m.to_names) == len(urls) else [None] * len(urls)
            if not urls:
                urls, names = [None] * len(m.to_names), m.to_names
            people = sorted({cid for u, n in zip(urls, names, strict=True) if (cid := matcher.match(u, n))})
            plan.append((m, True, people))
        else:
            cid = matcher.match(m.sender_url, m.from_name)
            plan.append((m, False, [cid] if cid else []))
    # only what is new is judged: a re-import runs no pitch check
    keyed = [
        (m, out, people, _digest(m.conversation_id, m.sent_at.isoformat(), m.sender_url, m.from_name, m.content))
        for m, out, people in plan
    ]
    texts = [
        m.content
        for m, out, people, digest in keyed
        if out and any(f"msg:{digest}:{cid}" not in done for cid in people)
    ]
    scores = _verdicts(texts, judge)
    touches: list[dict] = []
    records: list[dict] = []
    for m, out, people, digest in keyed:
        if not people:
            who = ", ".join(m.to_names) if out else m.from_name
            report.skipped.append(f"{source} line {m.line}: {who or 'someone'} is not a connection; no person added")
            continue
        report.matched += 1
        fresh = [cid for cid in people if f"msg:{digest}:{cid}" not in done]
        if not fresh:
            report.unchanged += 1
            continue
        report.imported += 1
        for cid in fresh:
            key = f"msg:{digest}:{cid}"
            done.add(key)
            if not out:
                records.append(
                    _record_row(
                        key,
                        "message_received",
                        m.sent_at,
                        now,
                        connection_id=cid,
                        conversation_id=m.conversation_id,
                        url=m.sender_url,
                        name=m.from_name,
                        text=m.content,
                    )
                )
                continue
            score = scores.get(m.content)
            pitch = bool(score and score.pitch)
            if pitch:
                kind = TouchKind.PITCH.value
            elif len(people) >= 2:
                kind = TouchKind.INTRODUCE.value  # an introduction counts for everyone in the thread
            elif "http://" in m.content or "https://" in m.content:
                kind = TouchKind.SHARE_CONTENT.value
            else:
                kind = TouchKind.CHECK_IN.value
            note = "LinkedIn message" + (": reads as a pitch — " + "; ".join(score.reasons) if pitch and score else "")
            touches.append(_touch_row(cid, kind, m.sent_at, m.content, note, now))
            records.append(
                _record_row(
                    key,
                    "message_sent",
                    m.sent_at,
                    now,
                    connection_id=cid,
                    conversation_id=m.conversation_id,
                    name=m.from_name,
                    text=m.content,
                    pitch=pitch,
                    reasons=json.dumps(score.reasons if score else [], ensure_ascii=False),
                    touchpoint_id=len(touches) - 1,
                )
            )
    ids = _insert_touches(session, touches)
    for r in records:
        if r["touchpoint_id"] is not None:
            r["touchpoint_id"] = ids[r["touchpoint_id"]]
    _insert_records(session, records)
    session.flush()
    return report


def import_invitations(
    session: Session,
    parsed: archive_io.Parsed,
    owner: tuple[str | None, str | None],
    now: datetime,
    judge: Judge | None = None,
    source: str = "Invitations.csv",
) -> FileReport:
    report = FileReport(source, read=parsed.rows, skipped=list(parsed.problems))
    matcher = Matcher(session, owner[1])
    done = _existing_keys(session, "inv:")
    scores = _verdicts([i.message for i in parsed.records if i.outgoing and i.message], judge)
    rows = []
    for inv in parsed.records:
        url, name = (inv.invitee_url, inv.to_name) if inv.outgoing else (inv.inviter_url, inv.from_name)
        cid = matcher.match(url, name)
        if cid is None:
            report.skipped.append(f"{source} line {inv.line}: {name or 'someone'} is not a connection; no person added")
            continue
        report.matched += 1
        key = f"inv:{_digest(inv.sent_at.isoformat(), inv.outgoing, url, name, inv.message)}"
        if key in done:
            report.unchanged += 1
            continue
        done.add(key)
        score = scores.get(inv.message) if inv.outgoing else None
        rows.append(
            _record_row(
                key,
                "invitation_sent" if inv.outgoing else "invitation_received",
                inv.sent_at,
                now,
                connection_id=cid,
                url=url,
                name=name,
                text=inv.message,
                pitch=bool(score.pitch) if score else None,
                reasons=json.dumps(score.reasons, ensure_ascii=False) if score else "",
            )
        )
        report.imported += 1
    _insert_records(session, rows)
    session.flush()
    return report


def import_gives(
    session: Session, parsed: archive_io.Parsed, owner: tuple[str | None, str | None], now: datetime, source: str
) -> FileReport:
    """Endorsements and recommendations given: each a value-first touch on its date."""
    report = FileReport(source, read=parsed.rows, skipped=list(parsed.problems))
    matcher = Matcher(session, owner[1])
    endorse = source.lower().startswith("endorsement")
    done = _existing_keys(session, "endorse:" if endorse else "rec:")
    touches, records = [], []
    for rec in parsed.records:
        name = f"{rec.first_name} {rec.last_name}".strip()
        if rec.status in ("REJECTED", "HIDDEN", "DELETED"):
            report.skipped.append(f"{source} line {rec.line}: status {rec.status.lower()}; not counted")
            continue
        cid = matcher.match(getattr(rec, "url", None), name)
        if cid is None:
            report.skipped.append(f"{source} line {rec.line}: {name or 'someone'} is not a connection; no person added")
            continue
        report.matched += 1
        if endorse:
            key = f"endorse:{_digest(cid, rec.skill, rec.at.date().isoformat())}"
            note, text = f"Endorsed for {rec.skill} on LinkedIn", ""
        else:
            key = f"rec:{_digest(cid, rec.at.isoformat())}"
            note, text = "Wrote a LinkedIn recommendation", rec.text
        if key in done:
            report.unchanged += 1
            continue
        done.add(key)
        touches.append(_touch_row(cid, TouchKind.RECOMMEND.value, rec.at, text, note, now))
        records.append(
            _record_row(
                key,
                "endorsement" if endorse else "recommendation",
                rec.at,
                now,
                connection_id=cid,
                url=getattr(rec, "url", None),
                name=name,
                text=rec.skill if endorse else text,
                touchpoint_id=len(touches) - 1,
            )
        )
        report.imported += 1
    ids = _insert_touches(session, touches)
    for r in records:
        r["touchpoint_id"] = ids[r["touchpoint_id"]]
    _insert_records(session, records)
    session.flush()
    return report


# --- the whole archive -------------------------------------------------------------------------------


def import_archive(store, path: Path, now: datetime | None = None, judge: Judge | None = None) -> ArchiveReport:
    """Every LinkedIn file in the archive, each in its own transaction (see the module doc)."""
    from planner.services.people import import_connections
    from planner.services.shares import import_shares

    now = now or utcnow()
    archive = archive_io.Archive(Path(path))
    try:
        texts = {name: archive.read(name) for name in archive.names()}
    finally:
        archive.close()
    # parse everything first: a file with another header stops the import before anything is stored
    parsers = {
        "messages.csv": archive_io.parse_messages,
        "Invitations.csv": archive_io.parse_invitations,
        "Endorsement_Given_Info.csv": archive_io.parse_endorsements,
        "Recommendations_Given.csv": archive_io.parse_recommendations,
    }
    parsed: dict[str, Any] = {}
    for name, text in texts.items():
        if name == "Connections.csv":
            parsed[name] = parse_connections(text, source=name)
        elif name == "Shares.csv":
            parsed[name] = parse_shares(text, source=name)
        elif name == "Profile.csv":
            parsed[name] = archive_io.parse_profile(text, source=name)
        else:
            parsed[name] = parsers[name](text, source=name)
    del texts
    report = ArchiveReport(source=Path(path).name)
    known = store.call(stored_owner)
    owner = find_owner(
        parsed.get("Profile.csv"),
        parsed["messages.csv"].records if "messages.csv" in parsed else [],
        parsed["Invitations.csv"].records if "Invitations.csv" in parsed else [],
        known,
    )
    report.owner, report.owner_url = owner
    if "Profile.csv" in parsed or owner != known:
        store.call(store_owner, owner[0], owner[1], now)
        if "Profile.csv" in parsed:
            report.files.append(
                FileReport(
                    "Profile.csv", read=1, imported=1 if owner != known else 0, unchanged=0 if owner != known else 1
                )
            )
    if "Connections.csv" in parsed:
        got = parsed["Connections.csv"]
        r = store.call(import_connections, got.records, now)
        report.files.append(
            FileReport(
                "Connections.csv",
                read=len(got.records) + len(got.problems),
                imported=r.added + r.updated,
                matched=r.updated + r.unchanged,
                unchanged=r.unchanged,
                skipped=got.problems + r.skipped,
            )
        )
    if "Invitations.csv" in parsed:
        report.files.append(store.call(import_invitations, parsed["Invitations.csv"], owner, now, judge))
    if "messages.csv" in parsed:
        report.files.append(store.call(import_messages, parsed["messages.csv"], owner, now, judge))
    for name in ("Endorsement_Given_Info.csv", "Recommendations_Given.csv"):
        if name in parsed:
            report.files.append(store.call(import_gives, parsed[name], owner, now, name))
    if "Shares.csv" in parsed:
        got = parsed["Shares.csv"]
        r = store.call(import_shares, got.records, now)
        report.files.append(
            FileReport(
                "Shares.csv",
                read=len(got.records) + len(got.problems),
                imported=r.added + r.updated,
                matched=r.updated + r.unchanged,
                unchanged=r.unchanged,
                skipped=got.problems + r.skipped,
            )
        )
    return report
