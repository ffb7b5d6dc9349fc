"""Backup and restore: the whole store as versioned JSON.

A backup names its format version and the schema revision it was taken at. Restore loads into an
empty database (or replaces everything with ``replace=True``) inside one transaction, so a failed
restore leaves the database as it was. Values are typed by the column they belong to, so a round
trip reproduces every row exactly (aware datetimes, dates, bytes, unicode).
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from planner.dates import check_date_range
from planner.errors import PlannerError
from planner.models import ALL_TABLES, utcnow
from planner.store.db import Store, head_revision

FORMAT = "planner-backup"
FORMAT_VERSION = 1


def _tables() -> list[sa.Table]:
    return [model.__table__ for model in ALL_TABLES]  # type: ignore[attr-defined]


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decoder(column: sa.Column):
    col_type = column.type
    if isinstance(col_type, sa.types.TypeDecorator):
        col_type = col_type.impl_instance
    python_type = None
    try:
        python_type = col_type.python_type
    except NotImplementedError:
        pass
    if isinstance(col_type, sa.LargeBinary) or python_type is bytes:
        return lambda v: base64.b64decode(v)
    if python_type is datetime:
        return datetime.fromisoformat
    if python_type is date:
        return date.fromisoformat
    return None


def dump(store: Store) -> dict:
    """Read every row of every table into a JSON-ready dict (sorted by primary key)."""
    tables: dict[str, list[dict]] = {}
    with store.read_connection() as conn:
        for table in _tables():
            order = [c for c in table.primary_key.columns]
            rows = conn.execute(sa.select(table).order_by(*order)).mappings()
            tables[table.name] = [{k: _encode(v) for k, v in row.items()} for row in rows]
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "schema": head_revision(),
        "created_at": utcnow().isoformat(),
        "tables": tables,
    }


def write_backup(store: Store, path: Path) -> dict[str, int]:
    data = dump(store)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.write("\n")
        tmp.replace(path)  # never leave a half-written backup under the real name
    except OSError as exc:
        raise PlannerError(f"cannot write backup {path}: {exc}") from exc
    return {name: len(rows) for name, rows in data["tables"].items()}


# A backup of a large world is tens of MB; past this it is not one (``restore /dev/zero`` read all memory)
MAX_BACKUP_BYTES = 512 * 1024 * 1024


def read_backup(path: Path, max_bytes: int = MAX_BACKUP_BYTES) -> dict:
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
            if head and not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):  # /dev/zero: at once
                raise PlannerError(f"{path}: not a planner backup (not a JSON object)")
            raw = head + fh.read(max(max_bytes + 1 - len(head), 0))
    except FileNotFoundError:
        raise PlannerError(f"no such backup file: {path}") from None
    except IsADirectoryError:
        raise PlannerError(f"{path} is a folder, not a backup file") from None
    except OSError as exc:
        raise PlannerError(f"cannot read backup {path}: {exc.strerror or exc}") from exc
    if len(raw) > max_bytes:
        raise PlannerError(
            f"{path}: larger than {max_bytes // (1024 * 1024)} MB, more than any planner backup; not read"
        )
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PlannerError(f"cannot read backup {path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise PlannerError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from exc
    except RecursionError:
        raise PlannerError(f"{path}: JSON nested too deeply to be a planner backup") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PlannerError(f'{path}: not a planner backup (missing "format": "{FORMAT}")')
    if data.get("version") != FORMAT_VERSION:
        raise PlannerError(
            f"{path}: backup format version {data.get('version')!r} is not supported (expected {FORMAT_VERSION})"
        )
    if not isinstance(data.get("tables"), dict):
        raise PlannerError(f'{path}: backup has no "tables" object')
    return data


def row_counts(store: Store) -> dict[str, int]:
    with store.read_connection() as conn:
        return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() for t in _tables()}


def load(
    store: Store, data: dict, replace: bool = False, source: str = "backup", partial: bool = False
) -> dict[str, int]:
    """Insert a dumped world into the store in one transaction.

    A backup that lacks a table the schema has is refused (restoring it with ``replace`` would
    empty that table) unless ``partial``: then only the tables it holds are replaced, the others
    keep their rows (a kept row's link to a replaced row follows the schema's ON DELETE rule). A row the database refuses (a duplicate id, a reference to a missing row, an
    empty required field, an id too large) is named by table and row, and nothing is changed.
    """
    counts = row_counts(store)
    if any(counts.values()) and not replace:
        filled = ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        raise PlannerError(f"the database is not empty ({filled}); use --replace to overwrite it")
    known = {t.name: t for t in _tables()}
    unknown = sorted(set(data["tables"]) - set(known))
    if unknown:
        raise PlannerError(f"{source}: unknown tables {', '.join(unknown)} (made by a newer planner?)")
    missing = [name for name in known if name not in data["tables"]]
    if missing and not partial:
        held = [name for name in missing if counts.get(name)]
        effect = (
            f"restoring it would empty {', '.join(held)}"
            if replace and held
            else f"{'it' if len(missing) == 1 else 'they'} would be left empty"
        )
        raise PlannerError(
            f"{source}: the backup has no {', '.join(missing)} "
            f"{'table' if len(missing) == 1 else 'tables'}; {effect}. "
            "Use --partial to restore only the tables it holds"
        )
    for name, rows in data["tables"].items():
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise PlannerError(f"{source}: table {name} is not a list of rows")
    tables = [t for t in _tables() if t.name in data["tables"]]
    loaded: dict[str, int] = {}
    with store.engine.begin() as conn:
        if replace:
            for table in reversed(tables):
                try:
                    conn.execute(table.delete())
                except sa.exc.IntegrityError as exc:
                    raise PlannerError(
                        f"{source}: cannot replace table {table.name}: rows of tables the backup "
                        f"does not hold refer to it ({_db_reason(exc)}); nothing was changed"
                    ) from None
        for table in tables:
            rows = data["tables"][table.name]
            decoders = {c.name: _decoder(c) for c in table.columns}
            prepared = []
            for i, row in enumerate(rows):
                extra = set(row) - set(decoders)
                if extra:
                    raise PlannerError(
                        f"{source}: table {table.name} row {i + 1}: unknown columns {', '.join(sorted(extra))}"
                    )
                try:
                    values = {k: (decoders[k](v) if v is not None and decoders[k] else v) for k, v in row.items()}
                    _check_values(table, values)
                except (ValueError, TypeError, OverflowError) as exc:
                    raise PlannerError(f"{source}: table {table.name} row {i + 1}: {exc}") from exc
                prepared.append(values)
            if prepared:
                try:
                    conn.execute(table.insert(), prepared)
                except (sa.exc.IntegrityError, sa.exc.DataError, sa.exc.StatementError, OverflowError) as exc:
                    raise PlannerError(
                        f"{source}: table {table.name}: the database refused a row "
                        f"({_db_reason(exc)}); nothing was changed"
                    ) from None
            loaded[table.name] = len(prepared)
        if conn.dialect.name == "postgresql":
            _reset_sequences(conn)
        if conn.dialect.name == "sqlite":
            dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if dangling:
                table_name, rowid, parent = dangling[0][:3]
                raise PlannerError(
                    f"{source}: table {table_name} row id {rowid} refers to a missing {parent} row "
                    f"({len(dangling)} such references); nothing was changed"
                )
    return loaded


# ids and numbers: SQLite and PostgreSQL BIGINT hold 64 bits; years are checked by their decoders
_INT_LIMIT = 2**63 - 1


def _check_values(table: sa.Table, values: dict) -> None:
    for name, value in values.items():
        column = table.columns[name]
        if value is None:
            if not column.nullable and not column.primary_key:
                raise ValueError(f"{name} is empty but required")
            continue
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and abs(value) > _INT_LIMIT:
            raise ValueError(f"{name} {value} is too large")
        if isinstance(value, (dict, list)):
            raise ValueError(f"{name} holds a nested object, not a value")
        if isinstance(value, (date, datetime)):
            check_date_range(value, name)
        if (table.name, name) == ("strategy", "timezone"):
            _check_zone(value)


def _check_zone(value: Any) -> None:
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(str(value))
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"timezone {value!r} is not a known time zone (expected like Europe/Berlin)") from None


def _db_reason(exc: BaseException) -> str:
    """The database's own words for a refused row, on one line, without the SQL."""
    orig = getattr(exc, "orig", None) or exc
    return " ".join(str(orig).split())[:300]


def _reset_sequences(conn) -> None:
    """Explicit ids were inserted: move each serial sequence past the largest id."""
    for table in _tables():
        if "id" in table.columns and table.columns["id"].autoincrement in (True, "auto"):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
            )


def restore_file(store: Store, path: Path, replace: bool = False, partial: bool = False) -> dict[str, int]:
    return load(store, read_backup(path), replace=replace, source=str(path), partial=partial)


__all__ = ["dump", "load", "write_backup", "read_backup", "restore_file", "row_counts"]
