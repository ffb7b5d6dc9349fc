"""Read LinkedIn's "Get a copy of your data" archive (the zip, or the folder it unpacks to).

Files are found by name only, wherever they sit in the archive (exports put some in folders),
and read into memory with a size cap: nothing is extracted to disk, so an entry named
``../../x`` is just a name. Each CSV becomes plain records; a bad row is a problem naming its
line, a file with another header is a :class:`PlannerError` naming the file (the caller stores
nothing from it).

Facts from real exports:

- ``messages.csv``: ``CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT
  PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER`` (+ ``IS MESSAGE DRAFT``, ``IS CONVERSATION
  ARCHIVED``, ``ATTACHMENTS`` in newer ones). DATE ``2026-08-01 02:00:00 UTC``; CONTENT quoted
  and multi-line; RECIPIENT PROFILE URLS may hold several URLs (group threads); drafts are not
  messages.
- ``Invitations.csv``: ``From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl``
  (Sent At like ``8/1/26, 2:00 AM``; Direction OUTGOING/INCOMING).
- ``Endorsement_Given_Info.csv``: ``Endorsement Date,Skill Name,Endorsee First Name,Endorsee
  Last Name,Endorsee Public Url,Endorsement Status`` (the URL may lack its scheme).
- ``Recommendations_Given.csv``: ``First Name,Last Name,Company,Job Title,Text,Creation Date,Status``.
- ``Profile.csv``: ``First Name,Last Name,…,Headline,…``: who the owner is.
- ``Connections.csv`` and ``Shares.csv``: the existing readers (adapters.linkedin, adapters.shares).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from planner.adapters.linkedin import normalize_profile_url
from planner.adapters.sanitize import clean_text
from planner.adapters.textfile import decode
from planner.errors import PlannerError

MAX_ENTRY_BYTES = 512 * 1024 * 1024  # one CSV, uncompressed (100,000 messages are ~40 MB)
MAX_RATIO = 200  # uncompressed / compressed beyond this is a zip bomb, not a CSV
MESSAGE_CHARS = 20000
KNOWN = {
    "connections.csv": "Connections.csv",
    "messages.csv": "messages.csv",
    "invitations.csv": "Invitations.csv",
    "endorsement_given_info.csv": "Endorsement_Given_Info.csv",
    "recommendations_given.csv": "Recommendations_Given.csv",
    "shares.csv": "Shares.csv",
    "profile.csv": "Profile.csv",
}
TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S %Z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S %Z",
    "%Y/%m/%d %H:%M:%S",
    "%m/%d/%y, %I:%M %p",
    "%m/%d/%Y, %I:%M %p",
    "%m/%d/%y %I:%M %p",
    "%m/%d/%Y %I:%M %p",
    "%m/%d/%y, %H:%M",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d %b %Y",
)


# --- the archive ---------------------------------------------------------------------------------


class Archive:
    """The LinkedIn files of a zip or folder, by their canonical name (``messages.csv`` …)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._zip: zipfile.ZipFile | None = None
        self.entries: dict[str, object] = {}  # canonical name → ZipInfo or Path
        if not self.path.exists():
            raise PlannerError(f"no such file or folder: {self.path}")
        if self.path.is_dir():
            for file in sorted(self.path.rglob("*")):
                if file.is_file() and len(file.relative_to(self.path).parts) <= 3:
                    self._add(file.name, file)
        else:
            try:
                self._zip = zipfile.ZipFile(self.path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise PlannerError(f"{self.path.name}: not a zip archive ({exc})") from None
            for info in self._zip.infolist():
                if not info.is_dir():
                    self._add(PurePosixPath(info.filename.replace("\\", "/")).name, info)
        if not self.entries:
            raise PlannerError(
                f"{self.path.name}: no LinkedIn files in it (expected some of {', '.join(KNOWN.values())}; "
                "is this LinkedIn's 'Get a copy of your data' archive?)"
            )

    def _add(self, name: str, where: object) -> None:
        canonical = KNOWN.get(name.lower())
        if canonical and canonical not in self.entries:  # the first one found wins
            self.entries[canonical] = where

    def names(self) -> list[str]:
        order = list(KNOWN.values())
        return sorted(self.entries, key=order.index)

    def read(self, name: str) -> str:
        where = self.entries[name]
        if isinstance(where, Path):
            size = where.stat().st_size
            if size > MAX_ENTRY_BYTES:
                raise PlannerError(f"{name}: {size:,} bytes is more than the {MAX_ENTRY_BYTES:,} a CSV may hold here")
            return decode(where.read_bytes(), name)
        info: zipfile.ZipInfo = where  # type: ignore[assignment]
        if info.file_size > MAX_ENTRY_BYTES or (
            info.compress_size and info.file_size / info.compress_size > MAX_RATIO and info.file_size > 10 * 1024 * 1024
        ):
            raise PlannerError(f"{self.path.name}: {info.filename} would unpack to {info.file_size:,} bytes; refused")
        assert self._zip is not None
        with self._zip.open(info) as fh:
            data = fh.read(MAX_ENTRY_BYTES + 1)  # the header's size may lie: never read past the cap
        if len(data) > MAX_ENTRY_BYTES:
            raise PlannerError(f"{self.path.name}: {info.filename} is larger than {MAX_ENTRY_BYTES:,} bytes; refused")
        return decode(data, name)

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


# --- records -------------------------------------------------------------------------------------


@dataclass
class MessageRecord:
    line: int
    conversation_id: str
    title: str
    from_name: str
    sender_url: str | None
    to_names: list[str]
    recipient_urls: list[str]
    sent_at: datetime
    content: str


@dataclass
class InvitationRecord:
    line: int
    from_name: str
    to_name: str
    sent_at: datetime
    message: str
    outgoing: bool
    inviter_url: str | None
    invitee_url: str | None


@dataclass
class EndorsementRecord:
    line: int
    at: datetime
    skill: str
    first_name: str
    last_name: str
    url: str | None
    status: str


@dataclass
class RecommendationRecord:
    line: int
    first_name: str
    last_name: str
    company: str
    text: str
    at: datetime
    status: str


@dataclass
class ProfileRecord:
    first_name: str
    last_name: str
    headline: str

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass
class Parsed:
    records: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    rows: int = 0  # data rows read (blank lines aside)


def parse_time(value: str) -> datetime:
    raw = " ".join((value or "").split())
    if not raw:
        raise ValueError("no date")
    for fmt in TIME_FORMATS:
        try:
            dt = datetime.strptime(raw, fmt)
        except ValueError:
            continue
        return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    raise ValueError(f"unrecognised date {raw!r}")


_URL_SPLIT = re.compile(r"[\s,;]+")


def _urls(value: str) -> list[str]:
    out = []
    for part in _URL_SPLIT.split(value or ""):
        url = normalize_profile_url(part) if part.strip() else None
        if url and url not in out:
            out.append(url)
    return out


def _rows(text: str, source: str, required: tuple[str, ...], example: str):
    """(line, {lower-case header: cell}) for each non-blank row; a header lacking ``required`` is
    a PlannerError naming the file."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lstrip("\ufeff").lower() for h in next(reader)]
    except StopIteration:
        raise PlannerError(f"{source}: the file is empty") from None
    except csv.Error as exc:
        raise PlannerError(f"{source} line 1: {exc}") from None
    missing = [h for h in required if h not in header]
    if missing:
        raise PlannerError(f"{source} line 1: expected a header like {example} (missing {', '.join(missing)})")

    def rows():
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield reader.line_num, {h: (row[i] if i < len(row) else "") for i, h in enumerate(header)}
        except csv.Error as exc:
            raise PlannerError(f"{source} line {reader.line_num}: {exc}") from None

    return rows()


def _name(value: str) -> str:
    return clean_text(value, 200, single_line=True)


def parse_messages(text: str, source: str = "messages.csv") -> Parsed:
    out = Parsed()
    for line, row in _rows(
        text,
        source,
        ("conversation id", "from", "sender profile url", "date", "content"),
        "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,…",
    ):
        out.rows += 1
        if row.get("is message draft", "").strip().lower() in ("yes", "true", "1"):
            out.problems.append(f"{source} line {line}: a draft, not a message; skipped")
            continue
        try:
            sent_at = parse_time(row["date"])
        except ValueError as exc:
            out.problems.append(f"{source} line {line}: {exc}; row skipped")
            continue
        conversation = clean_text(row["conversation id"], 300, single_line=True)
        if not conversation:
            out.problems.append(f"{source} line {line}: no conversation id; row skipped")
            continue
        out.records.append(
            MessageRecord(
                line=line,
                conversation_id=conversation,
                title=_name(row.get("conversation title", "")),
                from_name=_name(row["from"]),
                sender_url=normalize_profile_url(row["sender profile url"]),
                to_names=[n for n in (_name(x) for x in row.get("to", "").split(",")) if n],
                recipient_urls=_urls(row.get("recipient profile urls", "")),
                sent_at=sent_at,
                content=clean_text(row["content"], MESSAGE_CHARS),
            )
        )
    return out


def parse_invitations(text: str, source: str = "Invitations.csv") -> Parsed:
    out = Parsed()
    for line, row in _rows(
        text,
        source,
        ("from", "to", "sent at", "direction"),
        "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl",
    ):
        out.rows += 1
        direction = row["direction"].strip().upper()
        if direction not in ("OUTGOING", "INCOMING"):
            out.problems.append(
                f"{source} line {line}: direction {row['direction']!r} is neither OUTGOING nor INCOMING; row skipped"
            )
            continue
        try:
            sent_at = parse_time(row["sent at"])
        except ValueError as exc:
            out.problems.append(f"{source} line {line}: {exc}; row skipped")
            continue
        out.records.append(
            InvitationRecord(
                line=line,
                from_name=_name(row["from"]),
                to_name=_name(row["to"]),
                sent_at=sent_at,
                message=clean_text(row.get("message", ""), 2000),
                outgoing=direction == "OUTGOING",
                inviter_url=normalize_profile_url(row.get("inviterprofileurl", "")),
                invitee_url=normalize_profile_url(row.get("inviteeprofileurl", "")),
            )
        )
    return out


def parse_endorsements(text: str, source: str = "Endorsement_Given_Info.csv") -> Parsed:
    out = Parsed()
    for line, row in _rows(
        text,
        source,
        ("endorsement date", "skill name", "endorsee first name", "endorsee last name"),
        "Endorsement Date,Skill Name,Endorsee First Name,Endorsee Last Name,Endorsee Public Url,Endorsement Status",
    ):
        out.rows += 1
        try:
            at = parse_time(row["endorsement date"])
        except ValueError as exc:
            out.problems.append(f"{source} line {line}: {exc}; row skipped")
            continue
        out.records.append(
            EndorsementRecord(
                line=line,
                at=at,
                skill=_name(row["skill name"]),
                first_name=_name(row["endorsee first name"]),
                last_name=_name(row["endorsee last name"]),
                url=normalize_profile_url(row.get("endorsee public url", "")),
                status=row.get("endorsement status", "").strip().upper(),
            )
        )
    return out


def parse_recommendations(text: str, source: str = "Recommendations_Given.csv") -> Parsed:
    out = Parsed()
    for line, row in _rows(
        text,
        source,
        ("first name", "last name", "text", "creation date"),
        "First Name,Last Name,Company,Job Title,Text,Creation Date,Status",
    ):
        out.rows += 1
        try:
            at = parse_time(row["creation date"])
        except ValueError as exc:
            out.problems.append(f"{source} line {line}: {exc}; row skipped")
            continue
        out.records.append(
            RecommendationRecord(
                line=line,
                first_name=_name(row["first name"]),
                last_name=_name(row["last name"]),
                company=_name(row.get("company", "")),
                text=clean_text(row["text"], 4000),
                at=at,
                status=row.get("status", "").strip().upper(),
            )
        )
    return out


def parse_profile(text: str, source: str = "Profile.csv") -> ProfileRecord:
    for _line, row in _rows(text, source, ("first name", "last name"), "First Name,Last Name,Maiden Name,Address,…"):
        return ProfileRecord(_name(row["first name"]), _name(row["last name"]), _name(row.get("headline", "")))
    raise PlannerError(f"{source}: no profile row under the header")
