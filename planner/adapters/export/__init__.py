"""Calendar exporters: plain `CalendarItem`s (planner.services.calendar) in, text out: one module a
format (ics, csv, markdown, hootsuite), and what they share in common.

Everything here is pure and deterministic: no database, no Textual, no clock. The same items give
the same bytes, so users can diff exports and calendar apps update events instead of duplicating
them (stable UIDs, SEQUENCE and DTSTAMP derived from `updated_at`, never from "now").

Times: items carry aware datetimes in any zone; every exporter converts them to the user's zone
(`tz`, an IANA name such as "Europe/Berlin") only here, at the edge.

Untrusted text (drafts, names, titles) is cleaned the same way in every format: ANSI escape
sequences and C0/C1 control characters are removed (tab and newline are kept, CRLF/CR become LF);
everything else, including quotes, commas, `[bold]`-style markup and emoji, is kept verbatim and
quoted/escaped as each format requires.
"""

from planner.adapters.export.common import POST, TOUCHPOINT
from planner.adapters.export.csv import to_csv
from planner.adapters.export.files import render, write_exports, write_file
from planner.adapters.export.hootsuite import (
    DroppedRow,
    HootsuiteExport,
    HootsuiteFile,
    to_hootsuite,
)
from planner.adapters.export.ics import to_ics
from planner.adapters.export.markdown import to_markdown

__all__ = [
    "POST",
    "TOUCHPOINT",
    "DroppedRow",
    "HootsuiteExport",
    "HootsuiteFile",
    "to_csv",
    "to_hootsuite",
    "to_ics",
    "to_markdown",
    "render",
    "write_exports",
    "write_file",
]
