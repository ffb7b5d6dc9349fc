"""A vdir of the calendar: one .ics file per item, the storage khal and vdirsyncer use.

vdir (https://vdirsyncer.pimutils.org/en/stable/vdir.html) is a folder of files, each holding one
VCALENDAR with one item; vdirsyncer syncs such a folder to any CalDAV server, khal reads it. Each
file is named from the item's stable UID (``post-42@planner.ics``) and holds what
``adapters.export.to_ics`` writes for that item alone (its VTIMEZONE, its alarm), so a calendar
sees the same event as in the one-file export.

``write_vdir`` makes the folder mirror the items: a changed item's file is replaced, an unchanged
one is left as it is (its mtime too: vdirsyncer compares them), the file of an item no longer
exported is removed, and files that are not planner's (other events, vdirsyncer's ``.status``
files, a ``displayname``) are never touched. Each file is written to a temporary name in the same
folder and renamed over the old one, so khal never reads half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from planner.adapters.export.ics import to_ics

if TYPE_CHECKING:
    from planner.services.calendar import CalendarItem

# the files planner owns: named from its UIDs; anything else in the folder is someone else's
OWN_FILE = re.compile(r"^(post|touchpoint)-\d+@planner\.ics$")


@dataclass(frozen=True)
class VdirReport:
    written: tuple[str, ...]  # new or changed files
    unchanged: int
    removed: tuple[str, ...]

    def summary(self) -> str:
        return f"{len(self.written)} written, {self.unchanged} unchanged, {len(self.removed)} removed"


def file_name(uid: str) -> str:
    """The file of an item: its UID, made safe for a file name (ours are already)."""
    safe = re.sub(r"[^A-Za-z0-9@._-]", "_", uid)
    return f"{safe}.ics"


def _write_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_vdir(folder: Path, items: Iterable[CalendarItem], tz: str, *, alarm_minutes: int | None = 15) -> VdirReport:
    """Make ``folder`` hold one file per item (and no file of planner's for anything else)."""
    wanted: dict[str, bytes] = {}
    for item in items:
        name = file_name(item.uid)
        if name in wanted:
            raise ValueError(f"duplicate UID {item.uid!r}: each item needs its own stable UID")
        # CRLF as RFC 5545 says; to_ics already writes it
        wanted[name] = to_ics([item], tz, alarm_minutes=alarm_minutes).encode("utf-8")
    written: list[str] = []
    unchanged = 0
    for name, data in sorted(wanted.items()):
        path = folder / name
        try:
            if path.read_bytes() == data:
                unchanged += 1
                continue
        except FileNotFoundError:
            pass
        _write_atomically(path, data)
        written.append(name)
    removed: list[str] = []
    for path in sorted(folder.iterdir()):
        if OWN_FILE.match(path.name) and path.name not in wanted and path.is_file():
            path.unlink()
            removed.append(path.name)
    return VdirReport(tuple(written), unchanged, tuple(removed))
