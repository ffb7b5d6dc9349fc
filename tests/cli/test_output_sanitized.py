"""Issue 15: control characters from text that never went through the ingest sanitizer (a CLI
argument, a restored backup, a row another client wrote to a shared PostgreSQL) reached the
terminal raw through `people show/list` and `topics list`. The output edge strips them too."""

from __future__ import annotations

import sqlalchemy as sa
from helpers import run_planner

from planner.models import Connection, Topic

EVIL = "Eve\x1b]52;c;cm0gLXJmIH4=\x07\x1b[31mRed\x9b2J\u202eTxet\x01"  # no NUL: PostgreSQL text cannot hold one
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\x01")


def test_human_tables_and_lines_never_print_raw_control_characters(store, settings):
    with store.engine.begin() as conn:  # straight into the tables, as another client might
        conn.execute(
            sa.insert(Connection.__table__).values(
                first_name=EVIL,
                last_name="Smith",
                company=EVIL,
                position="",
                headline=EVIL,
                notes=EVIL,
                tier="warm",
                archived=False,
                source="manual",
                version=1,
                created_at=sa.func.now(),
                updated_at=sa.func.now(),
            )
        )
        conn.execute(sa.insert(Topic.__table__).values(name=EVIL, description=EVIL, keywords=""))
    store.dispose()
    for args in (
        ["people", "list"],
        ["people", "show", "Smith"],
        ["topics", "list"],
        ["people", "show", "no such \x1b[2J person"],
    ):
        result = run_planner("--db", settings.db_url, *args, env={"COLUMNS": "200"})
        out = result.stdout + result.stderr
        assert "Traceback" not in out, out
        assert not [c for c in RAW if c in out], (args, out)
        if result.returncode == 0:
            assert "EveRed" in out.replace("\n", "").replace(" ", "") or "Eve" in out, (args, out)
