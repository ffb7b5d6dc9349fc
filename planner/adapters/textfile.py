"""Reading a user's file as text, with errors that name the file and what was expected."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.errors import PlannerError

# An export of a whole network is a few MB; past this a file is not one (`import … /dev/zero`
# read all of memory)
MAX_IMPORT_BYTES = 100 * 1024 * 1024


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", with a BOM or recognisable by
    its zero bytes), else Windows-1252: the encodings exports arrive in."""
    encodings = ["utf-8-sig", "cp1252"]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    elif len(data) >= 4 and data[1:200:2].count(0) > 0.9 * len(data[1:200:2]):
        encodings = ["utf-16-le"]
    elif len(data) >= 4 and data[0:200:2].count(0) > 0.9 * len(data[0:200:2]):
        encodings = ["utf-16-be"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    if encodings[0].startswith("utf-16"):
        raise PlannerError(f"{source}: looks like UTF-16 but does not decode as it; re-save it as UTF-8")
    raise PlannerError(f"{source}: cannot decode the file as UTF-8 or Windows-1252")


def read_bytes(path: Path, expected: str, max_bytes: int = MAX_IMPORT_BYTES) -> bytes:
    """The file's bytes, at most ``max_bytes`` (a larger file is refused, saying so)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
            if head and head.count(0) == len(head):  # /dev/zero, a disk image: not text, say so at once
                raise PlannerError(f"{path}: not a text file (it starts with zero bytes), not {expected}")
            data = head + fh.read(max(max_bytes + 1 - len(head), 0))
    except FileNotFoundError:
        raise PlannerError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise PlannerError(f"{path} is a folder, not {expected}") from None
    except OSError as exc:
        raise PlannerError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:
        size = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
        raise PlannerError(f"{path}: larger than {size}, more than {expected} holds; not read")
    return data


def read_text(path: Path, expected: str, max_bytes: int = MAX_IMPORT_BYTES) -> str:
    """The file's text; ``expected`` names what it should be ("a Shares.csv file")."""
    return decode(read_bytes(path, expected, max_bytes), str(path))


def delimiter_of(header_line: str) -> str:
    """',' — or ';' for a header separated by semicolons (spreadsheets in locales whose decimal
    mark is a comma save CSV so)."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


# csv's own default; a field longer than this is refused by name (the module's error names nothing)
CSV_FIELD_LIMIT = 128 * 1024
MAX_ROW_LINES = 500  # a quoted field may span this many lines, no more: a stray quote costs one row
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def physical_lines(text: str) -> list[str]:
    """The file's lines with their endings, split only at CR/LF as csv does (not at U+2028 etc.)."""
    return _PHYSICAL_LINE.findall(text)


@dataclass
class CsvRow:
    line: int  # 1-based physical line the row starts on
    cells: list[str] | None  # None: the row is bad, ``problem`` says why
    problem: str = ""
    span: int = 1  # physical lines the row takes


def csv_rows(
    text: str,
    dialect: Any = "excel",
    *,
    width: int | None = None,
    first_line: int = 1,
    allow_short: bool = False,
    multiline: bool = True,
) -> Iterator[CsvRow]:
    """The rows of a CSV text, each with the line it starts on; a bad row is yielded with a problem
    and reading resumes on the next line, so a stray quote costs one row, not the rest of the file.

    The csv module, left alone, lets a quote that is never closed swallow every line after it into
    one field. Here a row is bad when: a quote is not closed (on its line where the format has no
    multi-line fields, ``multiline=False``; else within ``MAX_ROW_LINES``) or is followed by text
    (strict quoting); it has more fields than ``width`` (or fewer, unless ``allow_short`` and it is one line); or a
    field exceeds ``CSV_FIELD_LIMIT``. A bad row that spanned lines is retried from its next line.
    """
    lines = physical_lines(text)
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        end = min(len(lines), i + (MAX_ROW_LINES if multiline else 1))
        reader = csv.reader((lines[j] for j in range(i, end)), dialect, strict=True)
        problem = ""
        cells: list[str] | None = None
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                problem = f"a field is longer than {CSV_FIELD_LIMIT // 1024} KiB"
            elif "unexpected end of data" in message:
                where = (
                    (f"within {MAX_ROW_LINES} lines" if end < len(lines) else "before the end of the file")
                    if multiline
                    else "on this line (fields of this file do not span lines)"
                )
                problem = f'a quote opens a field that is not closed {where}; a stray "?'
            else:
                problem = f"unreadable row ({message})"
        used = max(reader.line_num, 1)
        if (
            cells is not None
            and width is not None
            and (len(cells) > width or (len(cells) < width and (used > 1 or not allow_short)))
        ):
            problem = f"{len(cells)} fields, expected {width}" + (
                " (an unquoted comma?)"
                if len(cells) > width and used == 1
                else f' (a stray " joined {used} lines?)'
                if used > 1
                else ""
            )
        if problem:
            yield CsvRow(i + first_line, None, problem)
            i += 1 if used > 1 or cells is None else used
        else:
            yield CsvRow(i + first_line, cells, span=used)
            i += used
