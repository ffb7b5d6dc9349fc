"""Shared fixtures: a real SQLite file per test (or PostgreSQL with PLANNER_TEST_PG), a fixed now."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import FIXED_NOW, ROOT  # noqa: F401  (tests/ is on pythonpath)


@pytest.fixture(scope="session", autouse=True)
def model_cache(tmp_path_factory):
    """The ONNX graph's cache folder for the whole session (subprocesses inherit it): never the
    real user cache. Seeded with a copy of the graph `make setup` built there when it has one,
    read only, so the session converts at most once (the truncated-graph test's rebuild)."""
    import shutil

    import platformdirs

    from planner.adapters import onnx_model
    from planner.adapters.keywords import _packaged_model_path

    root = tmp_path_factory.mktemp("model-cache")
    previous = os.environ.get(onnx_model.CACHE_ENV)
    os.environ[onnx_model.CACHE_ENV] = str(root)
    try:
        folder = onnx_model.graph_folder(_packaged_model_path())
        real = Path(platformdirs.user_cache_dir("planner", appauthor=False)) / "onnx" / folder.name
        if previous:
            real = Path(previous).expanduser() / "onnx" / folder.name
        if (real / onnx_model.MANIFEST).exists() and (real / onnx_model.GRAPH).exists():
            folder.mkdir(parents=True)
            for name in (onnx_model.GRAPH, onnx_model.MANIFEST):
                shutil.copyfile(real / name, folder / name)
    except Exception:  # no packaged model: the keyword tests say so themselves
        folder = None
    yield root
    if previous is None:
        os.environ.pop(onnx_model.CACHE_ENV, None)
    else:
        os.environ[onnx_model.CACHE_ENV] = previous


@pytest.fixture
def settings(request, tmp_path, monkeypatch):
    """Settings on a database of the test's own: empty (not even created, on SQLite), or, when
    the test also takes ``store``, already at the head schema (a copy of ``schema_template``)."""
    from planner.config import load_settings

    monkeypatch.setenv("PLANNER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # exports beside a PostgreSQL store land here
    monkeypatch.delenv("PLANNER_DB", raising=False)
    template = request.getfixturevalue("schema_template") if "store" in request.fixturenames else None
    settings = load_settings(db=_test_db_url(tmp_path, template))
    settings.auto_extract = False  # a test that wants background extraction turns it on
    return settings


def _test_db_url(tmp_path: Path, template: str | None = None) -> str:
    """A new database's URL: a copy of the database at ``template`` when given, else empty."""
    from sqlalchemy.engine import make_url

    pg = os.environ.get("PLANNER_TEST_PG")
    source = make_url(template).database if template else None
    if pg:
        return _fresh_pg_database(pg, tmp_path, template=source)
    if source:
        import shutil

        shutil.copyfile(source, tmp_path / "planner.db")
    return f"sqlite:///{tmp_path / 'planner.db'}"


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory) -> str:
    """An empty database migrated to head once per session (the migrations' own tests migrate
    theirs step by step): each ``store`` starts as a copy of it, not by running the seven
    migrations again (0.12 s per test on SQLite, 0.5 s on PostgreSQL). Its URL."""
    from planner.store import open_store

    pg = os.environ.get("PLANNER_TEST_PG")
    url = _fresh_pg_database(pg) if pg else f"sqlite:///{tmp_path_factory.mktemp('schema') / 'schema.db'}"
    open_store(url).dispose()  # no connection left: a template database takes none while it is copied
    return url


def _fresh_pg_database(base_url: str, tmp_path: Path | None = None, template: str | None = None) -> str:
    """A new PostgreSQL database per test (empty, or a copy of the database `template` names),
    dropped at the end of the session."""
    import uuid

    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    name = "planner_test_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    _PG_DATABASES.append(name)
    return make_url(base_url).set(database=name).render_as_string(hide_password=False)


_PG_DATABASES: list[str] = []
DB_FIXTURES = {"settings", "store", "demo_settings", "hostile_db"}


def pytest_collection_modifyitems(config, items):
    """Mark ``store`` every test that opens the configurable database: it takes the ``settings``,
    ``store`` or ``demo_settings`` fixture or the hostile world (or says ``@pytest.mark.store``).
    The rest never open a store (pure functions, adapters, parsers, corpus walks): with
    PLANNER_TEST_PG they would only run the same code a second time, so that pass deselects them
    (``make test`` runs it as ``-m "store and not sqlite_only and not layout"``, which selects the
    same: ``layout`` tests draw screens at one more terminal size, whose reads the 160x45
    snapshots already check on PostgreSQL)."""
    for item in items:
        if DB_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.store)
    if not os.environ.get("PLANNER_TEST_PG"):
        return
    keep, drop = [], []
    for item in items:
        on_pg = item.get_closest_marker("store") and not (
            item.get_closest_marker("sqlite_only") or item.get_closest_marker("layout")
        )
        (keep if on_pg else drop).append(item)
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
            try:  # a third of the time of WITH (FORCE), which only a database still in use needs
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            except sa.exc.OperationalError:
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
def demo_template(tmp_path_factory) -> str:
    """The demo world built once per session, tests copy it: a SQLite file, or with
    PLANNER_TEST_PG a PostgreSQL database used as a template. Its URL."""
    from planner.config import load_settings
    from planner.demo import build_demo
    from planner.store import open_store

    folder = tmp_path_factory.mktemp("demo")
    pg = os.environ.get("PLANNER_TEST_PG")
    url = _fresh_pg_database(pg) if pg else f"sqlite:///{folder / 'demo.db'}"
    settings = load_settings(db=url, config=folder / "config.toml")
    store = open_store(settings.db_url)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(folder / "data"))  # the feed files of a demo on PostgreSQL
        build_demo(settings, store, now=FIXED_NOW)
    from planner.services.keywords import extract_pending

    extract_pending(store, keyword_extractor())  # once per session: screens show real keywords
    store.dispose()  # a template database takes no other connection while it is copied
    return url


@pytest.fixture
def demo_settings(demo_template, tmp_path, monkeypatch):
    """Settings pointing at a private copy of the demo database."""
    import shutil

    from sqlalchemy.engine import make_url

    from planner.config import load_settings

    pg = os.environ.get("PLANNER_TEST_PG")
    if pg:
        url = _fresh_pg_database(pg, template=make_url(demo_template).database)
    else:
        shutil.copy(make_url(demo_template).database, tmp_path / "demo.db")
        url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setenv("PLANNER_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = load_settings(db=url)
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
