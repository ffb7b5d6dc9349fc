"""ctrl+e in the post editor: the body in $EDITOR (a real script here), back into the editor unsaved."""

from __future__ import annotations

import stat

from helpers import FIXED_NOW
from test_post_editor import open_editor, settle

from planner.models import Post
from planner.tui.app import make_app


def _editor(tmp_path, body: str):
    script = tmp_path / "fake-editor"
    script.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


async def test_ctrl_e_edits_the_body_in_editor_and_brings_it_back_unsaved(demo_settings, tmp_path, monkeypatch):
    seen = tmp_path / "seen.txt"
    # the "editor": keeps a copy of what it was given, then appends a paragraph to the file (as vi would, with a newline)
    script = _editor(
        tmp_path,
        f'[ "$1" = --flag ] || exit 9\nfor f; do :; done\n'  # the file comes last
        f'cp "$f" "{seen}"\nprintf "\\n\\nA long paragraph written in vim.\\n" >> "$f"\n',
    )
    monkeypatch.setenv("EDITOR", f"{script} --flag")
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(app, pilot)
        post_id, before = editor.context.post.id, editor.context.post.body
        body = editor.query_one("#editor-body")
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert seen.read_text(encoding="utf-8") == before  # the editor got the body as it was
        assert body.text == before + "\n\nA long paragraph written in vim."  # vi's final newline dropped
        assert editor.dirty()  # not saved by the round trip
        with app.store.transaction() as s:
            assert s.get(Post, post_id).body == before
        await pilot.press("ctrl+z")  # one undoable edit
        await pilot.pause()
        assert body.text == before
        await pilot.press("ctrl+e", "ctrl+s")
        await settle(app, pilot)
        with app.store.transaction() as s:
            assert s.get(Post, post_id).body.endswith("A long paragraph written in vim.")
    assert not list(tmp_path.glob("planner-post-*"))


async def test_a_failing_or_missing_editor_leaves_the_text_alone(demo_settings, tmp_path, monkeypatch):
    script = _editor(tmp_path, 'echo changed > "$1"\nexit 2\n')
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.delenv("VISUAL", raising=False)
    notes = []
    app = make_app(demo_settings, clock=lambda: FIXED_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await open_editor(app, pilot)
        monkeypatch.setattr(editor, "notify", lambda message, **kw: notes.append(message))
        before = editor.query_one("#editor-body").text
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert editor.query_one("#editor-body").text == before and not editor.dirty()
        monkeypatch.delenv("EDITOR")
        await pilot.press("ctrl+e")
        await pilot.pause()
    assert notes[0].endswith("exited with status 2; the text is as it was") and notes[1].startswith("Set $EDITOR")
