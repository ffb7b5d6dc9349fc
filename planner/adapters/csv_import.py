"""Read any address-book CSV into connection records, with a column → field map.

``planner import csv FILE --map "Full Name=name,E-mail=email,Org=company"``. Columns without a
mapping are matched by their header when it names a field (``email``, ``Company``, ``First
Name`` …). Fields: first_name, last_name, name (split on the last space), url, email, company,
position, connected_on, tags (separated by ; or |), tier, notes.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from planner.adapters.linkedin import COLUMNS as LINKEDIN_COLUMNS
from planner.adapters.linkedin import ConnectionRecord, normalize_profile_url, parse_date
from planner.adapters.sanitize import clean_text
from planner.adapters.textfile import csv_rows, physical_lines, read_text
from planner.errors import PlannerError

FIELDS = (
    "first_name",
    "last_name",
    "name",
    "url",
    "email",
    "company",
    "position",
    "connected_on",
    "tags",
    "tier",
    "notes",
)
_ALIASES = {
    **LINKEDIN_COLUMNS,
    "name": "name",
    "full name": "name",
    "tags": "tags",
    "tier": "tier",
    "notes": "notes",
    "organization": "company",
    "organisation": "company",
    "title": "position",
    "job title": "position",
    "e-mail": "email",
    "linkedin": "url",
    "profile": "url",
}


@dataclass
class CsvExtras:
    tags: list[str] = field(default_factory=list)
    tier: str | None = None
    notes: str = ""


@dataclass
class AddressBookResult:
    records: list[ConnectionRecord] = field(default_factory=list)
    extras: dict[int, CsvExtras] = field(default_factory=dict)  # by record line
    problems: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)  # column → field actually used


def parse_mapping(spec: str | None) -> dict[str, str]:
    """'Full Name=name, Org=company' → {'full name': 'name', 'org': 'company'} (columns case-blind)."""
    mapping: dict[str, str] = {}
    if not spec:
        return mapping
    for part in spec.split(","):
        if not part.strip():
            continue
        if "=" not in part:
            raise PlannerError(f"--map: {part.strip()!r} should look like column=field")
        column, fld = (x.strip() for x in part.rsplit("=", 1))
        fld = fld.lower().replace(" ", "_").replace("-", "_")
        if fld not in FIELDS:
            raise PlannerError(f"--map: unknown field {fld!r} for column {column!r}; fields are {', '.join(FIELDS)}")
        if not column:
            raise PlannerError(f"--map: no column name before ={fld}")
        mapping[column.lower()] = fld
    return mapping


def read_address_book(path: Path, mapping: dict[str, str]) -> AddressBookResult:
    path = Path(path)
    return parse_address_book(read_text(path, "a CSV file"), mapping, source=path.name)


def parse_address_book(text: str, mapping: dict[str, str], source: str = "contacts.csv") -> AddressBookResult:
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample.strip() else csv.excel
    except csv.Error:
        dialect = csv.excel
    rows = csv_rows(text, dialect)
    head = next(rows, None)
    if head is None:
        raise PlannerError(f"{source}: the file is empty")
    if head.cells is None:
        raise PlannerError(f"{source} line {head.line}: the header: {head.problem}")
    header = [h.strip().lstrip("\ufeff") for h in head.cells]
    lower = [h.lower() for h in header]
    unknown = [c for c in mapping if c not in lower]
    if unknown:
        raise PlannerError(
            f"{source} line {head.line}: no column {', '.join(repr(c) for c in unknown)} (columns are {', '.join(header)})"
        )
    fields: list[str | None] = []
    for h in lower:
        fld = mapping.get(h) or (None if mapping and h in mapping else _ALIASES.get(h) or (h if h in FIELDS else None))
        fields.append(fld)
    result = AddressBookResult(mapping={header[i]: f for i, f in enumerate(fields) if f})
    if not ({"name", "first_name", "last_name"} & set(fields)):
        raise PlannerError(
            f"{source} line {head.line}: no column maps to a name; use --map COLUMN=name (or first_name/last_name)"
        )
    # notes may span lines; a stray quote is caught by strict quoting and the field count. Some
    # address books drop trailing empty fields, so a short one-line row is fine.
    body_start = head.line - 1 + head.span  # 0-based index of the line after the header
    body = "".join(physical_lines(text)[body_start:])
    for parsed in csv_rows(body, dialect, width=len(header), first_line=body_start + 1, allow_short=True):
        line, row = parsed.line, parsed.cells
        if row is None:
            result.problems.append(f"{source} line {line}: {parsed.problem}; row skipped")
            continue
        if not any(c.strip() for c in row):
            continue
        values: dict[str, str] = {}
        for fld, value in zip(fields, row, strict=False):  # a short row (allow_short) leaves the last fields empty
            if fld and value.strip() and fld not in values:
                values[fld] = value
        first = clean_text(values.get("first_name", ""), 200, single_line=True)
        last = clean_text(values.get("last_name", ""), 200, single_line=True)
        if not first and not last and values.get("name"):
            full = clean_text(values["name"], 400, single_line=True)
            first, _, last = full.rpartition(" ") if " " in full else (full, "", "")
        if not first and not last:
            result.problems.append(f"{source} line {line}: no name; row skipped")
            continue
        try:
            connected_on = parse_date(values.get("connected_on", ""))
        except ValueError as exc:
            result.problems.append(f"{source} line {line}: {exc}; row skipped")
            continue
        result.records.append(
            ConnectionRecord(
                line=line,
                first_name=first,
                last_name=last,
                url=normalize_profile_url(clean_text(values.get("url", ""), 500, single_line=True)),
                email=clean_text(values.get("email", ""), 320, single_line=True) or None,
                company=clean_text(values.get("company", ""), 300, single_line=True),
                position=clean_text(values.get("position", ""), 300, single_line=True),
                connected_on=connected_on,
            )
        )
        tags = [clean_text(t, 100, single_line=True) for t in re.split(r"[;|]", values.get("tags", ""))]
        result.extras[line] = CsvExtras(
            tags=[t for t in tags if t],
            tier=clean_text(values.get("tier", ""), 50, single_line=True).lower() or None,
            notes=clean_text(values.get("notes", ""), 4000),
        )
    return result
