"""Reading a user's file as text, with errors that name the file and what was expected."""

from __future__ import annotations

from pathlib import Path

from planner.errors import PlannerError


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, the two encodings exports arrive in."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PlannerError(f"{source}: cannot decode the file as UTF-8 or Windows-1252")


def read_text(path: Path, expected: str) -> str:
    """The file's text; ``expected`` names what it should be ("a Shares.csv file")."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PlannerError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise PlannerError(f"{path} is a folder, not {expected}") from None
    except OSError as exc:
        raise PlannerError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return decode(data, str(path))
