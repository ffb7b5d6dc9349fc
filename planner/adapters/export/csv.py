"""CSV: one row per item, ISO 8601 times with the offset, formula-safe cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TYPE_CHECKING

from planner.adapters.export.common import in_order, item_hashtags, item_links, one_line, user_zone
from planner.text import strip_controls

if TYPE_CHECKING:
    from planner.services.calendar import CalendarItem

CSV_COLUMNS = (
    "start", "end", "kind", "pillar", "person", "action", "title",
    "status", "channel", "hashtags", "links", "body",
)  # fmt: skip

_FORMULA_START = ("=", "+", "@", "\t")


def _csv_safe(text: str) -> str:
    """Stop spreadsheets from running untrusted text as a formula (OWASP "CSV injection").

    A leading apostrophe is what Excel/LibreOffice themselves use to mark "text". A leading "-"
    is only guarded when followed by something other than a space ("-1+2", not "- a bullet").
    """
    risky_dash = len(text) > 1 and text[0] == "-" and not text[1].isspace()
    if text.startswith(_FORMULA_START) or risky_dash:
        return "'" + text
    return text


def to_csv(items: Iterable[CalendarItem], tz: str) -> str:
    """One row per item with a header row; RFC 4180 quoting (CRLF between rows).

    start/end are ISO 8601 with the offset in the user's zone ("2026-11-30T09:00:00+01:00").
    hashtags and links are space-separated. The body keeps its newlines inside a quoted cell.
    Text cells that would start a spreadsheet formula get a leading apostrophe.
    """
    zone = user_zone(tz)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(CSV_COLUMNS)
    for item in in_order(items):
        writer.writerow(
            [
                item.start.astimezone(zone).isoformat(timespec="seconds"),
                item.end.astimezone(zone).isoformat(timespec="seconds"),
                item.kind,
                _csv_safe(one_line(item.pillar)),
                _csv_safe(one_line(item.person)),
                _csv_safe(one_line(item.action)),
                _csv_safe(one_line(item.title)),
                _csv_safe(one_line(item.status)),
                _csv_safe(one_line(item.channel)),
                " ".join(item_hashtags(item)),
                _csv_safe(" ".join(item_links(item))),
                _csv_safe(strip_controls(item.body).strip()),
            ]
        )
    return out.getvalue()
