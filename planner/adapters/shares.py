"""Read LinkedIn's Shares.csv (your own posts) into plain records.

Header: ``Date,ShareLink,ShareCommentary,SharedUrl,MediaUrl,Visibility``. The quirk: a
multi-line commentary arrives with every line wrapped in its own doubled quotes, so after CSV
unquoting each line still reads ``"like this"`` and a blank line reads ``""``. Those wrappers are
removed when every non-empty line carries them (a one-line quotation of someone else is only
unwrapped when it is the whole commentary, which is how the export writes single lines too).
Dates are UTC ``YYYY-MM-DD HH:MM:SS``. A bad row becomes a problem naming its line.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from planner.adapters.linkedin import _dialect
from planner.adapters.sanitize import clean_text
from planner.adapters.textfile import csv_rows, delimiter_of, physical_lines, read_text
from planner.dates import check_date_range
from planner.errors import PlannerError

HEADER = ("date", "sharelink", "sharecommentary", "sharedurl", "mediaurl", "visibility")
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")


@dataclass
class ShareRecord:
    line: int
    shared_at: datetime
    link: str | None
    commentary: str
    shared_url: str | None
    media_url: str | None
    visibility: str


@dataclass
class SharesReadResult:
    records: list[ShareRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def clean_commentary(raw: str) -> str:
    """Undo the per-line doubled quoting of the export, then sanitise."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    nonblank = [ln.strip() for ln in lines if ln.strip()]
    wrapped = nonblank and all(len(ln) >= 2 and ln.startswith('"') and ln.endswith('"') for ln in nonblank)
    if wrapped:
        out = []
        for ln in lines:
            s = ln.strip()
            out.append(s[1:-1] if len(s) >= 2 and s.startswith('"') and s.endswith('"') else s)
        text = "\n".join(out)
    # a doubled quote left inside the text ("" → ") is the same escaping one level down
    text = text.replace('""', '"') if wrapped else text
    return clean_text(text, 10000)


def parse_shared_at(value: str) -> datetime:
    value = value.strip()
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        return check_date_range(parsed, "date")
    raise ValueError(f"unrecognised date {value!r} (expected like '2025-03-14 09:12:45')")


def read_shares(path: Path) -> SharesReadResult:
    path = Path(path)
    return parse_shares(read_text(path, "a Shares.csv file"), source=path.name)


def parse_shares(text: str, source: str = "Shares.csv") -> SharesReadResult:
    lines = physical_lines(text)
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None:
        raise PlannerError(f"{source}: the file is empty")
    delimiter = delimiter_of(lines[first])
    header = [h.strip().lstrip("\ufeff").lower() for h in next(csv.reader([lines[first]], delimiter=delimiter))]
    missing = [h for h in ("date", "sharecommentary") if h not in header]
    if missing:
        raise PlannerError(
            f"{source} line {first + 1}: expected a header like {','.join(h.title() for h in HEADER)} "
            f"(missing {', '.join(missing)}; is this LinkedIn's Shares.csv?)"
        )
    col = {name: header.index(name) for name in HEADER if name in header}
    result = SharesReadResult()
    # commentary spans lines, so a stray quote is caught by strict quoting and the field count
    for parsed in csv_rows("".join(lines[first + 1 :]), _dialect(delimiter), width=len(header), first_line=first + 2):
        line, row = parsed.line, parsed.cells
        if row is None:
            result.problems.append(f"{source} line {line}: {parsed.problem}; row skipped")
            continue
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            i = col.get(name)
            return row[i] if i is not None and i < len(row) else ""

        try:
            shared_at = parse_shared_at(cell("date"))
        except ValueError as exc:
            result.problems.append(f"{source} line {line}: {exc}; row skipped")
            continue
        link = clean_text(cell("sharelink"), 2000, single_line=True) or None
        commentary = clean_commentary(cell("sharecommentary"))
        shared_url = clean_text(cell("sharedurl"), 2000, single_line=True) or None
        if not commentary and not shared_url and not link:
            result.problems.append(f"{source} line {line}: no commentary, link or shared URL; row skipped")
            continue
        result.records.append(
            ShareRecord(
                line=line,
                shared_at=shared_at,
                link=link,
                commentary=commentary,
                shared_url=shared_url,
                media_url=clean_text(cell("mediaurl"), 2000, single_line=True) or None,
                visibility=clean_text(cell("visibility"), 50, single_line=True),
            )
        )
    return result
