"""Settings and paths.

The database URL defaults to a SQLite file in the platform's user data directory; ``--db URL``
and ``PLANNER_DB`` override it. User settings live in a TOML file whose path ``PLANNER_CONFIG``
overrides. Nothing here creates an engine or a file: reading settings is side-effect free.
"""

from __future__ import annotations

import os
import re
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
            value = "postgresql+psycopg://" + value[len("postgres://") :]
        elif value.startswith("postgresql://"):
            value = "postgresql+psycopg://" + value[len("postgresql://") :]
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
    theme: str | None = None  # the TUI's theme, as last chosen in the palette (saved by save_setting)
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
    if db is not None and not db.strip():
        # `--db ""` (an unset shell variable) silently opened the default database
        raise PlannerError("--db is empty: give a database URL or a SQLite file path")
    configured = data.get("db")
    if configured is not None and (not isinstance(configured, str) or not configured.strip()):
        raise PlannerError(
            f"config {config_path}: db must be a file path or database URL in quotes, got {configured!r}"
        )
    db_value = db or os.environ.get("PLANNER_DB") or configured
    db_url = normalize_db_url(db_value) if db_value else sqlite_url(default_data_dir() / "planner.db")
    if not isinstance(data.get("timezone", "UTC"), str):
        raise PlannerError(
            f'config {config_path}: timezone must be a name in quotes like "Europe/Berlin", got {data["timezone"]!r}'
        )
    tz = str(data.get("timezone", "UTC"))
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise PlannerError(f"config {config_path}: unknown timezone {tz!r}") from exc
    keywords = data["keywords"] if isinstance(data.get("keywords"), dict) else {}
    engine = str(keywords.get("engine", "planner")).strip().lower()
    if engine not in KEYWORD_ENGINES:
        raise PlannerError(
            f"config {config_path}: [keywords] engine: expected one of {', '.join(KEYWORD_ENGINES)}, got {engine!r}"
        )
    return Settings(
        db_url=db_url,
        config_path=config_path,
        timezone=tz,
        keyword_model=keywords.get("model"),
        keyword_engine=engine,
        auto_extract=bool(keywords.get("auto_extract", True)),
        theme=data["theme"] if isinstance(data.get("theme"), str) else None,
        debug=debug,
        extra=data,
    )


_TOP_KEY = r"^[ \t]*{key}[ \t]*="
_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


def save_setting(config_path: Path, key: str, value: str) -> None:
    """Set a top-level string ``key = "value"`` in config.toml, keeping the rest of the file as the
    person wrote it (comments, order, tables): the one line is replaced, or added before the first
    table. The new text is checked by parsing it and written atomically; a file that is not valid
    TOML is left alone (PlannerError)."""
    import json
    import tempfile

    path = Path(config_path).expanduser()
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise PlannerError(f"cannot read config {path}: {exc}") from exc
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PlannerError(f"config {path} is not valid TOML, so {key} was not saved: {exc}") from exc
    line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
    header = _TABLE_HEADER.search(text)
    top, rest = (text[: header.start()], text[header.start() :]) if header else (text, "")
    pattern = re.compile(_TOP_KEY.format(key=re.escape(key)) + r".*$", re.MULTILINE)
    if pattern.search(top):
        top = pattern.sub(lambda _m: line, top, count=1)
    else:
        top = (top if not top or top.endswith("\n") else top + "\n") + line + "\n" + ("\n" if rest else "")
    new = top + rest
    if tomllib.loads(new).get(key) != value:  # e.g. a multi-line value the line edit cannot see
        raise PlannerError(f"config {path}: could not set {key} without rewriting the file; set {line} by hand")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)  # the app's own config folder
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(new)
        os.replace(tmp, path)
    except OSError as exc:
        raise PlannerError(f"cannot write config {path}: {exc.strerror or exc}") from exc
