"""Heavy ML modules are imported only when keyword extraction runs (STYLE.md habit 5)."""

from __future__ import annotations

import subprocess
import sys

from helpers import HEAVY_MODULES, ROOT

ENTRY_MODULES = [
    "planner",
    "planner.cli",
    "planner.tui.app",
    "planner.services.today",
    "planner.services.feeds",
    "planner.demo",
    *(f"planner.tui.screens.{name}" for name in ("today", "plan", "posts", "network", "discover", "review")),
]


def test_entry_modules_do_not_load_heavy_ml():
    code = (
        "import importlib, sys\n"
        f"for name in {ENTRY_MODULES!r}: importlib.import_module(name)\n"
        f"print(','.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"heavy modules loaded at import: {out.stdout.strip()}"


def test_the_path_to_todays_first_frame_does_not_load_the_orm():
    """`planner` draws Today from store.reader before SQLAlchemy, SQLModel or the tables are
    imported (0.3 s of the 0.4 s start-up goal); any module on that path importing them at the
    top undoes it."""
    code = (
        "import sys\n"
        "import planner.cli, planner.tui.app, planner.tui.screens.today, planner.services.today, planner.store.reader\n"
        "print(','.join(m for m in ('sqlalchemy', 'sqlmodel', 'alembic', 'pydantic', 'planner.models') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"loaded before the first frame: {out.stdout.strip()}"
