"""Read LinkedIn's "download your data" Connections.csv into plain records.

The export starts with a few lines before the header (``Notes:``, a quoted note, a blank line),
then ``First Name,Last Name,URL,Email Address,Company,Position,Connected On``. Older exports
lack some columns. Files arrive with a UTF-8 BOM, quoted commas, emoji and trailing spaces. A bad
row becomes a problem naming its line; the other rows still come through.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from planner.adapters.sanitize import clean_text
from planner.adapters.textfile import csv_rows, delimiter_of, physical_lines, read_text
from planner.dates import check_date_range
from planner.errors import PlannerError

COLUMNS = {
    "first name": "first_name",
    "last name": "last_name",
    "url": "url",
    "profile url": "url",
    "email address": "email",
    "email": "email",
    "company": "company",
    "position": "position",
    "connected on": "connected_on",
}
DATE_FORMATS = ("%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y", "%b %d, %Y")


@dataclass
class ConnectionRecord:
    line: int
    first_name: str
    last_name: str
    url: str | None
    email: str | None
    company: str
    position: str
    connected_on: date | None


@dataclass
class CsvReadResult:
    records: list[ConnectionRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def normalize_profile_url(url: str | None) -> str | None:
    """One key per profile: https, lower-case host, no query/fragment, no trailing slash."""
    if not url:
        return None
    url = url.strip()
    if not url:
        return None
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "Invalid IPv6 URL" for a stray "["
        return None
    if not parts.netloc:
        return None
    path = parts.path.rstrip("/")
    return urlunsplit(("https", parts.netloc.lower(), path, "", ""))


def parse_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return check_date_range(parsed, "date")
    raise ValueError(f"unrecognised date {value!r} (expected like '09 Oct 2024')")


def _dialect(delimiter: str) -> type[csv.Dialect]:
    return type("Export", (csv.excel,), {"delimiter": delimiter})


def read_connections(path: Path) -> CsvReadResult:
    path = Path(path)
    return parse_connections(read_text(path, "a Connections.csv file"), source=path.name)


def parse_connections(text: str, source: str = "Connections.csv") -> CsvReadResult:
    lines = physical_lines(text)
    header_index = next(
        (i for i, line in enumerate(lines[:50]) if line.lstrip('\ufeff "').lower().startswith("first name")),
        None,
    )
    if header_index is None:
        raise PlannerError(
            f"{source}: no header line starting with 'First Name' in the first 50 lines "
            "(is this LinkedIn's Connections.csv?)"
        )
    delimiter = delimiter_of(lines[header_index])
    header = next(csv.reader([lines[header_index]], delimiter=delimiter))
    header = [h.strip().lstrip("\ufeff").lower() for h in header]
    fields = [COLUMNS.get(h) for h in header]
    if "first_name" not in fields or "last_name" not in fields:
        raise PlannerError(f"{source} line {header_index + 1}: the header needs 'First Name' and 'Last Name' columns")
    result = CsvReadResult()
    # LinkedIn's fields (names, company, position) never span lines: a quote left open on its
    # line is a stray one, and costs that row only
    body = "".join(lines[header_index + 1 :])
    for parsed in csv_rows(body, _dialect(delimiter), width=len(header), first_line=header_index + 2, multiline=False):
        line, row = parsed.line, parsed.cells
        if row is None:
            result.problems.append(f"{source} line {line}: {parsed.problem}; row skipped")
            continue
        if not any(cell.strip() for cell in row):
            continue
        values = {f: cell for f, cell in zip(fields, row, strict=True) if f}
        first = clean_text(values.get("first_name", ""), 200, single_line=True)
        last = clean_text(values.get("last_name", ""), 200, single_line=True)
        if not first and not last:
            result.problems.append(f"{source} line {line}: no first or last name; row skipped")
            continue
        try:
            connected_on = parse_date(values.get("connected_on", ""))
        except ValueError as exc:
            result.problems.append(f"{source} line {line}: {exc}; row skipped")
            continue
        email = clean_text(values.get("email", ""), 320, single_line=True) or None
        result.records.append(
            ConnectionRecord(
                line=line,
                first_name=first,
                last_name=last,
                url=normalize_profile_url(clean_text(values.get("url", ""), 500, single_line=True)),
                email=email,
                company=clean_text(values.get("company", ""), 300, single_line=True),
                position=clean_text(values.get("position", ""), 300, single_line=True),
                connected_on=connected_on,
            )
        )
    return result
