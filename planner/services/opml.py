"""OPML in and out: folders become topics; only http(s) feeds come in from a file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

from sqlmodel import Session, select

from planner.errors import PlannerError
from planner.models import Feed, Topic


@dataclass
class OpmlImportReport:
    added: int = 0
    existing: int = 0
    topics_added: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def import_opml_file(session: Session, path: Path, topic: str | None = None) -> OpmlImportReport:
    from planner.adapters.opml import parse_opml

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PlannerError(f"no such file: {path}") from None
    except OSError as exc:
        raise PlannerError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return import_opml(session, parse_opml(data, path.name), topic)


def import_opml(session: Session, parsed, topic: str | None = None) -> OpmlImportReport:
    from planner.services.feeds import add_feed, ensure_topic

    report = OpmlImportReport(problems=list(parsed.problems))
    for item in parsed.feeds:
        name = topic or item.topic
        if name:
            _, created = ensure_topic(session, name)
            report.topics_added += int(created)
        try:
            _, created = add_feed(session, item.url, topic=name, title=item.title or "", allow_local=False)
        except PlannerError as exc:
            report.problems.append(f"{item.url}: {exc}")
            continue
        if created:
            report.added += 1
        else:
            report.existing += 1
    return report


def export_opml(session: Session, title: str = "planner subscriptions") -> str:
    from planner.adapters.opml import write_opml

    topics = {t.id: t.name for t in session.exec(select(Topic))}
    feeds = [(f.url, f.title or f.url, topics.get(f.topic_id)) for f in session.exec(select(Feed).order_by(Feed.id))]
    return write_opml(feeds, title)
