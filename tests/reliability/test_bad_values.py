"""Issue 15: values that crashed the CLI — each is one line naming what and where, exit 1.

Dates outside 1900–2199 at every door (imports, the CLI) and stored ones that readers must survive;
overflowing numbers; an empty --db; a config whose db is not text; files that are not databases.
Every case runs the real CLI in a subprocess.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from helpers import FIXED_NOW, run_planner

from planner.adapters.linkedin import parse_connections
from planner.models import Connection
from planner.services.people import import_connections


def _one_line_error(result, *needles: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert len(lines) == 1 and lines[0].startswith("planner: "), result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_a_year_9999_connected_on_is_refused_at_import():
    text = (
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ana,Silva,,,B,PM,31 Dec 9999\nBo,Chen,,,B,PM,09 Oct 2024\n"
    )
    result = parse_connections(text, source="Connections.csv")
    assert [r.first_name for r in result.records] == ["Bo"]
    assert result.problems == ["Connections.csv line 2: date 9999-12-31 is outside 1900–2199; row skipped"]


def test_readers_survive_out_of_range_dates_already_stored(store, settings):
    """Stored by an older planner, a hand edit or another client of a shared database."""
    records = parse_connections(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
        "Ana,Silva,,,B,PM,09 Oct 2024\nBo,Chen,,,C,PM,09 Oct 2024\n"
    ).records
    store.call(import_connections, records, now=FIXED_NOW)
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(Connection.__table__)
            .where(Connection.__table__.c.first_name == "Ana")
            .values(connected_on=sa.text("'9999-12-31'"))
        )
        conn.execute(
            sa.update(Connection.__table__)
            .where(Connection.__table__.c.first_name == "Bo")
            .values(connected_on=sa.text("'0001-01-01'"))
        )
    store.dispose()
    for args in (
        ["people", "list"],
        ["people", "list", "--due"],
        ["people", "show", "Ana"],
        ["plan", "week", "--dry-run"],
        ["review"],
    ):
        result = run_planner("--db", settings.db_url, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_overflowing_numbers_and_far_dates_are_one_line(store, settings):
    store.dispose()
    db = ("--db", settings.db_url)
    _one_line_error(
        run_planner(*db, "people", "show", "99999999999999999999999"), "no person with id 99999999999999999999999"
    )
    _one_line_error(run_planner(*db, "plan", "week", "--week", "9999-W52"), "--week: '9999-W52' is outside 1900–2199")
    _one_line_error(
        run_planner(*db, "export", "ics", "--from", "0001-01-01", "--to", "9999-12-31"),
        "--from: '0001-01-01' is outside 1900–2199",
    )
    _one_line_error(run_planner(*db, "posts", "add", "x", "--at", "9999-12-31"), "--at: '9999-12-31' is outside")
    limit = run_planner(*db, "people", "list", "--limit", "9" * 30)
    assert limit.returncode == 2 and "not in the range" in limit.stderr and "Traceback" not in limit.stderr


def test_an_empty_db_option_and_a_config_db_that_is_not_text_are_refused(tmp_path):
    _one_line_error(run_planner("--db", "", "stats"), "--db is empty")
    config = tmp_path / "config.toml"
    config.write_text("db = 123\n", encoding="utf-8")
    _one_line_error(run_planner("--config", str(config), "stats"), f"config {config}: db must be", "got 123")


def test_files_that_are_not_databases_are_one_line(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(bytes(range(256)) * 40)
    _one_line_error(
        run_planner("--db", str(garbage), "stats"),
        f"{garbage} is not a planner database or is damaged",
        "file is not a database",
    )
    folder = tmp_path / "folder.db"
    folder.mkdir()
    _one_line_error(run_planner("--db", str(folder), "stats"), f"{folder} is a folder, not a database file")
    good = tmp_path / "good.db"
    assert run_planner("--db", str(good), "import", "linkedin", "examples/Connections.csv").returncode == 0
    data = bytearray(good.read_bytes())
    data[4096:8192] = b"\xff" * 4096  # the first table's page
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(bytes(data))
    _one_line_error(run_planner("--db", str(damaged), "people", "list"), "is not a planner database or is damaged")


def _read_only_folder(tmp_path):
    """A folder nobody can write to: permissions for a normal user; a read-only bind mount for
    root (whom permissions do not stop). None where neither can be made."""
    import os
    import shutil
    import subprocess

    src, ro = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    ro.mkdir()
    if os.geteuid() != 0:
        return (
            src,
            src,
            lambda: (os.chmod(src / "planner.db", 0o444), os.chmod(src, 0o555)),
            lambda: os.chmod(src, 0o755),
        )
    if not shutil.which("mount"):
        return None

    def lock():
        subprocess.run(["mount", "--bind", str(src), str(ro)], check=True, capture_output=True)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(ro)], check=True, capture_output=True)

    return src, ro, lock, lambda: subprocess.run(["umount", str(ro)], capture_output=True)


@pytest.mark.sqlite_only
def test_a_read_only_location_reads_and_says_read_only_for_a_change(tmp_path):
    made = _read_only_folder(tmp_path)
    if made is None:
        pytest.skip("no way to make a read-only folder here")
    src, ro, lock, unlock = made
    assert (
        run_planner("--db", str(src / "planner.db"), "import", "linkedin", "examples/Connections.csv").returncode == 0
    )
    try:
        lock()
    except Exception as exc:  # no CAP_SYS_ADMIN in this container
        pytest.skip(f"cannot make a read-only folder: {exc}")
    try:
        db = ("--db", str(ro / "planner.db"))
        stats = run_planner(*db, "stats", "--json")
        assert stats.returncode == 0 and json.loads(stats.stdout)["connection"] > 0, stats.stderr
        _one_line_error(
            run_planner(*db, "touch", "log", "1", "--kind", "check_in"),
            f"{ro / 'planner.db'} is read-only: it can be read, but this change cannot be saved",
        )
    finally:
        unlock()


@pytest.mark.sqlite_only
def test_an_immutable_database_file_reads_and_refuses_a_change_in_one_line(tmp_path):
    """chattr +i: not even root may write the file. `stats` reads it; a change, an import
    included, is one line naming it read-only, exit 1, and the file is unchanged."""
    import shutil
    import subprocess

    db = tmp_path / "planner.db"
    assert run_planner("--db", str(db), "import", "linkedin", "examples/Connections.csv").returncode == 0
    if not shutil.which("chattr"):
        pytest.skip("no chattr here")
    made = subprocess.run(["chattr", "+i", str(db)], capture_output=True, text=True)
    if made.returncode != 0:  # not root (CAP_LINUX_IMMUTABLE), or a file system without the flag
        pytest.skip(f"cannot make the file immutable: {made.stderr.strip()}")
    try:
        before = db.read_bytes()
        stats = run_planner("--db", str(db), "stats", "--json")
        assert stats.returncode == 0 and json.loads(stats.stdout)["connection"] > 0, stats.stderr
        assert stats.stderr == ""
        read_only = f"{db} is read-only: it can be read, but this change cannot be saved"
        _one_line_error(run_planner("--db", str(db), "touch", "log", "1", "--kind", "check_in"), read_only)
        _one_line_error(run_planner("--db", str(db), "import", "linkedin", "examples/Connections.csv"), read_only)
        assert db.read_bytes() == before
    finally:
        subprocess.run(["chattr", "-i", str(db)], capture_output=True)


def test_a_read_only_postgresql_database_reads_and_refuses_a_change_in_one_line(settings):
    """The PostgreSQL side of a read-only location: a database that takes no writes (a standby,
    default_transaction_read_only). `stats` reads it; a change is one line, exit 1."""
    if not settings.db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (PLANNER_TEST_PG); the SQLite side: the tests above")
    from sqlalchemy.engine import make_url

    db = ("--db", settings.db_url)
    assert run_planner(*db, "import", "linkedin", "examples/Connections.csv").returncode == 0
    name = make_url(settings.db_url).database
    admin = sa.create_engine(make_url(settings.db_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    admin.dispose()
    stats = run_planner(*db, "stats", "--json")
    assert stats.returncode == 0 and json.loads(stats.stdout)["connection"] > 0, stats.stderr
    shown = make_url(settings.db_url).render_as_string(hide_password=True)
    _one_line_error(
        run_planner(*db, "touch", "log", "1", "--kind", "check_in"),
        f"{shown} is read-only: it can be read, but this change cannot be saved",
    )


def test_people_show_of_a_year_9999_job_change_suggests_nothing_from_it(store, settings):
    """A job change and a connection dated 9999 (raw, as a shared PostgreSQL store might hold):
    `people show` neither crashes nor says "changed jobs -2912107 days ago"."""
    records = parse_connections(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\nAna,Silva,,,B,PM,09 Oct 2024\n"
    ).records
    store.call(import_connections, records, now=FIXED_NOW)
    table = Connection.__table__
    far = "'9999-12-31 23:30:00'" if store.is_sqlite else "'9999-12-31 23:30:00+00'"
    with store.engine.begin() as conn:
        conn.execute(
            sa.update(table).values(
                connected_on=sa.text("'9999-12-31'"), job_changed_at=sa.text(far), previous_company="A"
            )
        )
    store.dispose()
    result = run_planner("--db", settings.db_url, "people", "show", "Ana")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "days ago" not in result.stdout and "congratulate" not in result.stdout, result.stdout
    assert "changed 9999-12-31" in result.stdout, result.stdout
