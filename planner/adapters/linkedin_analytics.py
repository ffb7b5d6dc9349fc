"""Read LinkedIn's creator analytics export (Analytics → Export, an .xlsx) with openpyxl in
read-only mode.

Sheets, from real files and the tools that read them:

- ``DISCOVERY`` (some exports: ``PERFORMANCE``): the period's impressions and members reached.
- ``ENGAGEMENT``: ``Date, Impressions, Engagements`` per day.
- ``TOP POSTS``: a note row ("Maximum of 50 posts can be displayed"), then two tables side by
  side: ``Post URL, Post publish date, Engagements`` | ``Post URL, Post publish date, Impressions``.
- ``FOLLOWERS``: a "Total followers on 8/31/2026:" line, then ``Date, New followers``.
- ``DEMOGRAPHICS``: not read.

Dates are ``m/d/yyyy`` text or real date cells; numbers may arrive as text ("1,234").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from planner.adapters.sanitize import clean_text
from planner.errors import PlannerError

SHEETS = ("DISCOVERY", "PERFORMANCE", "ENGAGEMENT", "TOP POSTS", "FOLLOWERS")
MAX_ROWS = 100_000  # a year of days and 50 posts are a few hundred rows


@dataclass
class DayRow:
    day: date
    impressions: int | None = None
    engagements: int | None = None
    new_followers: int | None = None


@dataclass
class PostRow:
    url: str
    activity_id: str | None
    published_on: date | None
    impressions: int | None = None
    engagements: int | None = None


@dataclass
class AnalyticsFile:
    source: str
    days: dict[date, DayRow] = field(default_factory=dict)
    posts: dict[str, PostRow] = field(default_factory=dict)
    total_followers: tuple[date, int] | None = None
    impressions: int | None = None  # DISCOVERY: the period's total
    members_reached: int | None = None
    problems: list[str] = field(default_factory=list)


def activity_id(url: str | None) -> str | None:
    """The number of ``urn:li:activity:N`` in a post URL (quoted or not); None otherwise.
    (``urn:li:share:N`` numbers are another id space: they are not returned as activity ids.)"""
    if not url:
        return None
    m = re.search(r"urn(?::|%3A)li(?::|%3A)activity(?::|%3A)(\d+)", url, re.IGNORECASE)
    return m.group(1) if m else None


def canonical_post_url(url: str) -> str:
    from urllib.parse import unquote, urlsplit, urlunsplit

    parts = urlsplit(unquote(url.strip()))
    return urlunsplit(("https", parts.netloc.lower(), parts.path.rstrip("/"), "", ""))


def _day(value, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = str(value or "").strip()
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{where}: expected a date like 8/1/2026, got {raw!r}")


def _int(value, where: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(f"{where}: expected a number, got {value!r}")
    if isinstance(value, (int, float)):
        return int(value)
    raw = str(value).strip().replace(",", "")
    try:
        return int(float(raw))
    except ValueError:
        raise ValueError(f"{where}: expected a number, got {str(value)!r}") from None


def _norm(value) -> str:
    return " ".join(str(value).split()).casefold() if value is not None else ""


def read_analytics(path: Path) -> AnalyticsFile:
    path = Path(path)
    try:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise PlannerError(f"no such file: {path}") from None
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException for a non-xlsx
        raise PlannerError(f"{path.name}: not an Excel .xlsx workbook ({type(exc).__name__})") from None
    try:
        by_name = {name.strip().upper(): name for name in book.sheetnames}
        if not any(s in by_name for s in SHEETS):
            raise PlannerError(
                f"{path.name}: none of the sheets {', '.join(SHEETS)} "
                f"(found {', '.join(book.sheetnames) or 'none'}; is this LinkedIn's analytics export?)"
            )
        out = AnalyticsFile(source=path.name)

        def rows(sheet: str):
            ws = book[by_name[sheet]]
            for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if i > MAX_ROWS:
                    raise PlannerError(f"{path.name} sheet {sheet}: more than {MAX_ROWS:,} rows; refused")
                yield i, list(row)

        for sheet in ("DISCOVERY", "PERFORMANCE"):
            if sheet in by_name:
                for i, row in rows(sheet):
                    label = _norm(row[0] if row else None)
                    value = row[1] if len(row) > 1 else None
                    try:
                        if label == "impressions":
                            out.impressions = _int(value, f"{path.name} sheet {sheet} row {i}")
                        elif label == "members reached":
                            out.members_reached = _int(value, f"{path.name} sheet {sheet} row {i}")
                    except ValueError as exc:
                        out.problems.append(str(exc))
                break
        if "ENGAGEMENT" in by_name:
            _read_days(
                out,
                rows("ENGAGEMENT"),
                path.name,
                "ENGAGEMENT",
                {"impressions": "impressions", "engagements": "engagements"},
            )
        if "FOLLOWERS" in by_name:
            _read_followers(out, rows("FOLLOWERS"), path.name)
        if "TOP POSTS" in by_name:
            _read_top_posts(out, rows("TOP POSTS"), path.name)
        return out
    finally:
        book.close()


def _header(rows_iter, source: str, sheet: str, first: str, needed: tuple[str, ...]):
    """Skip to the header row whose first cell is ``first``; (its cells, the rest, lines seen)."""
    seen: list[tuple[int, tuple]] = []
    for i, row in rows_iter:
        cells = [_norm(c) for c in row]
        if cells and cells[0] == first:
            missing = [n for n in needed if n not in cells]
            if missing:
                raise PlannerError(
                    f"{source} sheet {sheet} row {i}: expected columns {', '.join(needed)} (missing {', '.join(missing)})"
                )
            return cells, rows_iter, seen
        seen.append((i, row))
    raise PlannerError(f"{source} sheet {sheet}: no header row starting with {first!r}")


def _read_days(out: AnalyticsFile, rows_iter, source: str, sheet: str, columns: dict[str, str]) -> None:
    cells, rest, _ = _header(rows_iter, source, sheet, "date", tuple(columns))
    index = {field_: cells.index(col) for col, field_ in columns.items()}
    for i, row in rest:
        if not row or all(c is None or str(c).strip() == "" for c in row):
            continue
        where = f"{source} sheet {sheet} row {i}"
        try:
            day = _day(row[0], where)
            values = {f: _int(row[j] if j < len(row) else None, where) for f, j in index.items()}
        except ValueError as exc:
            out.problems.append(f"{exc}; row skipped")
            continue
        current = out.days.setdefault(day, DayRow(day))
        for f, v in values.items():
            setattr(current, f, v)  # a day twice in one file: the later row wins


def _read_followers(out: AnalyticsFile, rows_iter, source: str) -> None:
    total_pattern = re.compile(r"total followers on (.+?):?$", re.IGNORECASE)
    header_seen = []

    def until_header():
        for i, row in rows_iter:
            label = str(row[0]).strip() if row and row[0] is not None else ""
            m = total_pattern.match(label)
            if m:
                try:
                    day = _day(m.group(1).strip().rstrip(":"), f"{source} sheet FOLLOWERS row {i}")
                    total = _int(row[1] if len(row) > 1 else None, f"{source} sheet FOLLOWERS row {i}")
                    if total is not None:
                        out.total_followers = (day, total)
                except ValueError as exc:
                    out.problems.append(str(exc))
                continue
            header_seen.append(i)
            yield i, row

    cells, rest, _ = _header(until_header(), source, "FOLLOWERS", "date", ("new followers",))
    col = cells.index("new followers")
    for i, row in rest:
        if not row or all(c is None or str(c).strip() == "" for c in row):
            continue
        where = f"{source} sheet FOLLOWERS row {i}"
        try:
            day = _day(row[0], where)
            value = _int(row[col] if col < len(row) else None, where)
        except ValueError as exc:
            out.problems.append(f"{exc}; row skipped")
            continue
        out.days.setdefault(day, DayRow(day)).new_followers = value


def _read_top_posts(out: AnalyticsFile, rows_iter, source: str) -> None:
    header = None
    for i, row in rows_iter:
        cells = [_norm(c) for c in row]
        if "post url" in cells:
            header = (i, cells)
            break
    if header is None:
        raise PlannerError(f"{source} sheet TOP POSTS: no header row with 'Post URL'")
    i0, cells = header
    tables = []  # (url col, date col, metric col, metric)
    for j, c in enumerate(cells):
        if c == "post url":
            metric_col = next(
                (k for k in range(j + 1, min(j + 4, len(cells))) if cells[k] in ("engagements", "impressions")), None
            )
            if metric_col is None:
                raise PlannerError(
                    f"{source} sheet TOP POSTS row {i0}: a 'Post URL' column without Engagements or Impressions beside it"
                )
            date_col = next((k for k in range(j + 1, metric_col) if cells[k] == "post publish date"), None)
            tables.append((j, date_col, metric_col, cells[metric_col]))
    for i, row in rows_iter:
        for url_col, date_col, metric_col, metric in tables:
            url = row[url_col] if url_col < len(row) else None
            if url is None or not str(url).strip():
                continue
            where = f"{source} sheet TOP POSTS row {i}"
            url = clean_text(str(url), 2000, single_line=True)
            if not url.lower().startswith("http"):
                out.problems.append(f"{where}: {url[:60]!r} is not a post URL; skipped")
                continue
            try:
                published = (
                    _day(row[date_col], where)
                    if date_col is not None and date_col < len(row) and row[date_col]
                    else None
                )
                value = _int(row[metric_col] if metric_col < len(row) else None, where)
            except ValueError as exc:
                out.problems.append(f"{exc}; skipped")
                continue
            key = canonical_post_url(url)
            post = out.posts.setdefault(key, PostRow(key, activity_id(url), published))
            post.published_on = post.published_on or published
            setattr(post, metric, value)
