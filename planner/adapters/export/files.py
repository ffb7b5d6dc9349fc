"""Export files on disk: the one writer the CLI (`planner export ...`), Plan and Review share.

The exporters render text; this module puts it in files: UTF-8, line endings as rendered (ICS
keeps its CRLF), a failure to write named as the path and the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from planner.adapters.export.csv import to_csv
from planner.adapters.export.ics import to_ics
from planner.adapters.export.markdown import to_markdown
from planner.errors import PlannerError

if TYPE_CHECKING:
    from planner.services.calendar import CalendarItem

SUFFIX = {"ics": ".ics", "csv": ".csv", "md": ".md"}


def render(
    fmt: str, items: Iterable[CalendarItem], tz: str, *, title: str | None = None, alarm_minutes: int | None = 15
) -> str:
    """One format's text (``ics``, ``csv`` or ``md``): ``title`` heads a Markdown agenda (else the
    exporter's own), ``alarm_minutes`` sets the calendar's reminders (None: none)."""
    if fmt == "ics":
        return to_ics(items, tz, alarm_minutes=alarm_minutes)
    if fmt == "csv":
        return to_csv(items, tz)
    if fmt == "md":
        return to_markdown(items, tz, title=title) if title else to_markdown(items, tz)
    raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(SUFFIX)})")


def write_file(path: Path, text: str) -> Path:
    """``text`` as ``path`` (UTF-8, line endings as they are in ``text``)."""
    try:
        path.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise PlannerError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return path


def write_exports(
    folder: Path,
    formats: Iterable[str],
    items: Iterable[CalendarItem],
    tz: str,
    *,
    stem: str,
    title: str | None = None,
    also: Mapping[str, str] | None = None,
) -> list[Path]:
    """Each of ``formats`` as ``folder/<stem><suffix>``, then ``also`` (file name -> text), in that
    order; the folder is made if missing. The paths written, in order."""
    items = list(items)
    files = {f"{stem}{SUFFIX[fmt]}": render(fmt, items, tz, title=title) for fmt in formats}
    files.update(also or {})
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PlannerError(f"cannot write to {folder}: {exc.strerror or exc}") from exc
    return [write_file(folder / name, text) for name, text in files.items()]
