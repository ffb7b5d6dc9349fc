"""Long edits in the person's own editor: $VISUAL or $EDITOR on a temporary file, the app suspended.

``edit_text(app, text)`` writes ``text`` to a temporary file, hands the terminal to the editor
(``App.suspend``), and returns what the file holds when the editor exits, or None when there is
no editor or it failed (the text in the app stays as it was). The file is removed afterwards.
A headless app (tests, scripts) has no terminal to hand over: the editor runs without suspending.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path


class EditorError(Exception):
    """Why the editor gave nothing back, in words for a notification."""


def editor_command() -> list[str]:
    value = (os.environ.get("VISUAL") or os.environ.get("EDITOR") or "").strip()
    if not value:
        raise EditorError("Set $EDITOR (or $VISUAL) to edit in your own editor, e.g. EDITOR=vim")
    try:
        return shlex.split(value)
    except ValueError as exc:
        raise EditorError(f"$EDITOR {value!r} cannot be read as a command: {exc}") from None


def edit_text(app, text: str, suffix: str = ".md") -> str:
    """The text after the editor saved and exited (unchanged if it saved nothing); EditorError if not."""
    from textual.app import SuspendNotSupported

    command = editor_command()
    fd, name = tempfile.mkstemp(prefix="planner-post-", suffix=suffix)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        try:
            with app.suspend():
                code = _run(command, path)
        except SuspendNotSupported:
            if not app.is_headless:
                raise EditorError(
                    "This terminal cannot hand itself to another program (suspend is not supported)"
                ) from None
            code = _run(command, path, quiet=True)
        if code != 0:
            raise EditorError(f"{command[0]} exited with status {code}; the text is as it was")
        try:
            edited = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise EditorError("The editor saved text that is not UTF-8; the text is as it was") from None
        if not text.endswith("\n") and edited.endswith("\n"):
            edited = edited[:-2] if edited.endswith("\r\n") else edited[:-1]  # the newline vi adds at the end
        return edited
    finally:
        path.unlink(missing_ok=True)


def _run(command: list[str], path: Path, quiet: bool = False) -> int:
    try:
        return subprocess.run(
            [*command, str(path)], stdin=subprocess.DEVNULL if quiet else None, capture_output=quiet, check=False
        ).returncode
    except FileNotFoundError:
        raise EditorError(f"No such editor: {command[0]} (from $EDITOR)") from None
    except OSError as exc:
        raise EditorError(f"Cannot run {command[0]}: {exc.strerror or exc}") from None
