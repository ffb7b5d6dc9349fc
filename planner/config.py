"""Settings and paths.

The database URL defaults to a SQLite file in the platform's user data directory; ``--db URL``
and ``PLANNER_DB`` override it. User settings live in a TOML file whose path ``PLANNER_CONFIG``
overrides. Nothing here creates an engine or a file: reading settings is side-effect free.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import platformdirs

from planner.errors import PlannerError

APP_NAME = "planner"
KEYWORD_ENGINES = ("planner", "keybert")


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{Path(path).expanduser().resolve()}"


def normalize_db_url(value: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (``~/notes/planner.db``)."""
    value = value.strip()
    if not value:
        raise PlannerError("the database URL is empty")
    if "://" in value:
        if value.startswith("postgres://"):
            value = "postgresql+psycopg://" + value[len("postgres://"):]
        elif value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value[len("postgresql://"):]
        return value
    return sqlite_url(Path(value))


@dataclass
class Settings:
    db_url: str
    config_path: Path
    timezone: str = "UTC"
    keyword_model: str | None = None  # None: the packaged all-MiniLM-L6-v2
    keyword_engine: str = "planner"  # or "keybert": stock KeyBERT (slower, less accurate; see README)
    auto_extract: bool = True  # the TUI extracts keywords in the background when entries are pending
    debug: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def data_dir(self) -> Path:
        return default_data_dir()


def load_settings(db: str | None = None, config: str | Path | None = None, debug: bool = False) -> Settings:
    """Resolve settings: explicit argument > environment > config file > defaults."""
    config_path = Path(config or os.environ.get("PLANNER_CONFIG") or default_config_path()).expanduser()
    data: dict = {}
    if config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise PlannerError(f"cannot read config {config_path}: {exc}") from exc
        except tomllib.TOMLDecodeError as exc:
            raise PlannerError(f"config {config_path} is not valid TOML: {exc}") from exc
    db_value = db or os.environ.get("PLANNER_DB") or data.get("db")
    db_url = normalize_db_url(db_value) if db_value else sqlite_url(default_data_dir() / "planner.db")
    tz = str(data.get("timezone", "UTC"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PlannerError(f"config {config_path}: unknown timezone {tz!r}") from exc
    keywords = data.get("keywords") if isinstance(data.get("keywords"), dict) else {}
    engine = str(keywords.get("engine", "planner")).strip().lower()
    if engine not in KEYWORD_ENGINES:
        raise PlannerError(f"config {config_path}: [keywords] engine: expected one of {', '.join(KEYWORD_ENGINES)}, got {engine!r}")
    return Settings(
        db_url=db_url, config_path=config_path, timezone=tz, keyword_model=keywords.get("model"),
        keyword_engine=engine,
        auto_extract=bool(keywords.get("auto_extract", True)), debug=debug, extra=data,
    )
