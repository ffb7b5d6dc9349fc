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


INTERACTIVE_CLI = """
import sys
from planner.cli import app
for args in (["lint", "Hi Sam, could we book a quick demo of our platform next week?"],
             ["lint", "--json", "Loved your talk on on-call rotations; the runbook idea stuck with me."],
             ["keywords", "for", "Incident response at scale: our SRE team rebuilt on-call around distributed tracing."],
             ["keywords", "for", "--json", "--engine", "planner", "Sourdough needs a lively starter and a hot oven."]):
    try:
        app(args, prog_name="planner", standalone_mode=False)
    except SystemExit:
        pass
    except Exception as exc:  # click raises typer.Exit as its own exception with standalone_mode off
        if type(exc).__name__ != "Exit":
            raise
assert "onnxruntime" in sys.modules  # the semantic check and the keywords did run the model
print("HEAVY=" + ",".join(m for m in HEAVY if m in sys.modules))
"""

TUI_TO_TODAY_AND_A_PITCH_CHECK = """
import asyncio, sys
from planner.config import load_settings
from planner.tui.app import make_app

async def main():
    settings = load_settings(db=sys.argv[1])
    app = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.screen.__class__.__name__ == "TodayScreen", app.screen
        from planner.tui.screens.post_editor import PostEditorScreen
        await pilot.press("3")
        for _ in range(3):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.screen
        row = next(n for n, p in enumerate(screen.rows) if p.status == "idea")
        screen.query_one("#posts-table").move_cursor(row=row)
        await pilot.pause()
        await pilot.press("enter")
        for _ in range(100):
            await pilot.pause(0.05)
            await app.workers.wait_for_complete()
            if isinstance(app.screen, PostEditorScreen) and app.screen.context is not None:
                break
        editor = app.screen
        text = "Greetings! I'd like to offer you a no-obligation review of your Kubernetes clusters by our certified engineers."
        editor.query_one("#editor-body").load_text(text)
        for _ in range(400):
            await pilot.pause(0.05)
            if editor.semantic is not None and editor.semantic[0] == text:
                break
        assert editor.semantic is not None and editor.semantic[1].probability > 0.5, editor.semantic
        await app.workers.wait_for_complete()
    assert "onnxruntime" in sys.modules
    print("HEAVY=" + ",".join(m for m in HEAVY if m in sys.modules))

asyncio.run(main())
"""


def _heavy_after(script: str, *args: str, env: dict | None = None) -> str:
    code = f"HEAVY = {HEAVY_MODULES!r}\n" + script
    out = subprocess.run(
        [sys.executable, "-c", code, *args],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        env={**__import__("os").environ, **(env or {})},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    marker = [line for line in out.stdout.splitlines() if line.startswith("HEAVY=")]
    assert marker, out.stdout[-2000:]
    return marker[-1].removeprefix("HEAVY=")


def test_lint_and_keywords_for_run_the_model_without_torch(tmp_path):
    """`planner lint` (semantic check on) and `keywords for` embed through ONNX Runtime: none of
    torch, transformers, sentence-transformers, keybert is ever imported."""
    env = {
        "PLANNER_CONFIG": str(tmp_path / "config.toml"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PLANNER_DB": f"sqlite:///{tmp_path / 'planner.db'}",
    }
    assert _heavy_after(INTERACTIVE_CLI, env=env) == ""


def test_the_tui_runs_to_today_and_a_pitch_check_without_torch(demo_settings):
    env = {"PLANNER_CONFIG": str(demo_settings.config_path)}
    assert _heavy_after(TUI_TO_TODAY_AND_A_PITCH_CHECK, demo_settings.db_url, env=env) == ""
