"""Open a URL in the user's browser, or say that none can open here.

The TUI must never hand the terminal to a console browser (lynx, w3m): where no graphical
session is visible (no DISPLAY/WAYLAND_DISPLAY on Linux, or an SSH session) and the user named
no browser in ``BROWSER``, nothing is opened and the caller shows and copies the URL instead.
"""

from __future__ import annotations

import os
import sys
import webbrowser
from collections.abc import Mapping


def can_open_browser(environ: Mapping[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if env.get("BROWSER"):
        return True  # the user chose one: trust it
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def open_url(url: str) -> bool:
    """True when a browser took the URL; False when none can open here (headless, SSH, none
    registered, or the browser command failed)."""
    if not can_open_browser():
        return False
    try:
        return bool(webbrowser.open(url, new=2))
    except (webbrowser.Error, OSError):
        return False
