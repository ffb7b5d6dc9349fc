"""Markdown: an agenda grouped by local day, every untrusted text escaped."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from planner.adapters.export.common import (
    POST,
    URI_RE,
    humanize,
    in_order,
    item_hashtags,
    item_links,
    one_line,
    user_zone,
)

if TYPE_CHECKING:
    from planner.services.calendar import CalendarItem

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_MD_INLINE_RE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LINE_START_RE = re.compile(r"^(\s*)([#>+=-]|\d+[.)])")
EXCERPT_CHARS = 160


def _md(text: str | None, *, line_start: bool = False) -> str:
    """Escape untrusted one-line text for Markdown.

    Backslash-escapes the characters that start emphasis, code, links, HTML and tables
    (CommonMark allows escaping any ASCII punctuation, so rendered output shows no stray
    backslashes). With `line_start=True` it also escapes a leading '#', '>', list marker or '='
    so the text can never turn into a heading, quote or list.
    """
    text = _MD_INLINE_RE.sub(r"\\\1", one_line(text))
    if line_start:
        text = _MD_LINE_START_RE.sub(lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    return text


def _excerpt(body: str, limit: int = EXCERPT_CHARS) -> str:
    text = one_line(body)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def _day_heading(day: date) -> str:
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {_MONTH_NAMES[day.month - 1]} {day.year}"


def to_markdown(items: Iterable[CalendarItem], tz: str, title: str = "Planner agenda") -> str:
    """An agenda grouped by local day ("## Monday 30 November 2026"), list format (no tables).

    Each item: "- **09:00–09:30** Title", then sub-items for the details (pillar or
    person/action, channel, status, hashtags) and links, and a quoted one-line excerpt of the
    body (at most EXCERPT_CHARS). All untrusted text is escaped; times are local to `tz`.
    """
    zone = user_zone(tz)
    lines = [f"# {_md(title) or 'Planner agenda'}", ""]
    ordered = in_order(items)
    if not ordered:
        lines += ["_Nothing planned._", ""]
    current_day: date | None = None
    for item in ordered:
        start = item.start.astimezone(zone)
        end = item.end.astimezone(zone)
        if start.date() != current_day:
            current_day = start.date()
            lines += [f"## {_day_heading(current_day)}", ""]
        lines.append(f"- **{start:%H:%M}–{end:%H:%M}** {_md(item.title) or _md(item.uid)}")
        details = []
        if item.kind == POST:
            if item.pillar:
                details.append(f"Pillar: {_md(humanize(item.pillar))}")
        else:
            if item.person:
                details.append(f"Person: {_md(item.person)}")
            if item.action:
                details.append(f"Action: {_md(humanize(item.action))}")
        if item.channel:
            details.append(f"Channel: {_md(item.channel)}")
        if item.status:
            details.append(f"Status: {_md(item.status)}")
        tags = item_hashtags(item)
        if tags:
            details.append(_md(" ".join(tags)))
        if details:
            lines.append("  - " + " · ".join(details))
        links = [link for link in item_links(item) if URI_RE.match(link)]
        if links:
            # A code span shows the URL literally (autolinks have their own escaping rules);
            # it cannot be broken out of unless the URL holds a backtick, which we drop.
            lines.append("  - Links: " + " ".join(f"`{link.replace('`', '')}`" for link in links))
        excerpt = _excerpt(item.body)
        if excerpt:
            lines.append(f"  > {_md(excerpt, line_start=True)}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
