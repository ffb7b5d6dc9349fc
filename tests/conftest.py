"""Shared fixtures: a real SQLite file per test (or PostgreSQL with PLANNER_TEST_PG), a fixed now."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from helpers import FIXED_NOW, ROOT  # noqa: F401  (tests/ is on pythonpath)


@pytest.fixture
def settings(tmp_path, monkeypatch):
    from planner.config import load_settings

    monkeypatch.setenv("PLANNER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.delenv("PLANNER_DB", raising=False)
    settings = load_settings(db=_test_db_url(tmp_path))
    settings.auto_extract = False  # a test that wants background extraction turns it on
    return settings


def _test_db_url(tmp_path: Path) -> str:
    pg = os.environ.get("PLANNER_TEST_PG")
    if pg:
        return _fresh_pg_database(pg, tmp_path)
    return f"sqlite:///{tmp_path / 'planner.db'}"


def _fresh_pg_database(base_url: str, tmp_path: Path) -> str:
    """A new empty PostgreSQL database per test, dropped at the end of the session."""
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    name = "planner_test_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    _PG_DATABASES.append(name)
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


_PG_DATABASES: list[str] = []
DB_FIXTURES = {"settings", "store"}


def pytest_collection_modifyitems(config, items):
    """With PLANNER_TEST_PG, run every test that uses the configurable database (the ``settings``
    or ``store`` fixture) against PostgreSQL; tests that never touch it (pure functions, the demo
    copies, which are SQLite files) already ran in the SQLite pass and are deselected."""
    if not os.environ.get("PLANNER_TEST_PG"):
        return
    keep, drop = [], []
    for item in items:
        uses_db = DB_FIXTURES & set(getattr(item, "fixturenames", ()))
        (keep if uses_db and not item.get_closest_marker("sqlite_only") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionfinish(session, exitstatus):
    pg = os.environ.get("PLANNER_TEST_PG")
    if not pg or not _PG_DATABASES:
        return
    import sqlalchemy as sa

    admin = sa.create_engine(pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in _PG_DATABASES:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def store(settings):
    from planner.store import open_store

    s = open_store(settings.db_url)
    yield s
    s.dispose()


@pytest.fixture
def now():
    return FIXED_NOW


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    """The demo world built once per session (a SQLite file); tests copy it."""
    from planner.config import load_settings
    from planner.demo import build_demo
    from planner.store import open_store

    folder = tmp_path_factory.mktemp("demo")
    settings = load_settings(db=f"sqlite:///{folder / 'demo.db'}", config=folder / "config.toml")
    store = open_store(settings.db_url)
    build_demo(settings, store, now=FIXED_NOW)
    from planner.services.keywords import extract_pending

    extract_pending(store, keyword_extractor())  # once per session: screens show real keywords
    store.dispose()
    return folder / "demo.db"


@pytest.fixture
def demo_settings(demo_template, tmp_path, monkeypatch):
    """Settings pointing at a private copy of the demo database."""
    import shutil

    from planner.config import load_settings

    db = tmp_path / "demo.db"
    shutil.copy(demo_template, db)
    monkeypatch.setenv("PLANNER_CONFIG", str(tmp_path / "config.toml"))
    settings = load_settings(db=f"sqlite:///{db}")
    settings.auto_extract = False
    return settings


_EXTRACTOR = None


def keyword_extractor():
    """The real packaged model, loaded once per test session (no phrase cache file)."""
    global _EXTRACTOR
    if _EXTRACTOR is None:
        from planner.adapters.keywords import KeywordExtractor

        _EXTRACTOR = KeywordExtractor()
    return _EXTRACTOR


@pytest.fixture(scope="session")
def extractor():
    return keyword_extractor()
