"""Other address books: --map column=field, auto-detected headers, tags/tier/notes, errors."""

from __future__ import annotations

import pytest
from sqlmodel import select

from planner.adapters.csv_import import parse_address_book, parse_mapping
from planner.errors import PlannerError
from planner.models import Connection
from planner.services.address_book import import_address_book
from planner.services.network import person_detail

BOOK = (
    "Full Name,E-mail,Org,Job,Labels,Level,Since\n"
    "Mary Ann Smith,mary@example.com,Acme,CTO,sre;friends,inner,2024-02-03\n"
    "[bold]Bob[/],bob@example.com,Beta,,,,\n"
    ",nobody@example.com,,,,,\n"
    "Carl Bad,carl@example.com,Gamma,,,,yesterday-ish\n"
)
MAP = "Full Name=name,Org=company,Job=position,Labels=tags,Level=tier,Since=connected_on"


def test_mapping_parsing_and_errors():
    assert parse_mapping("Full Name=name, Org = company") == {"full name": "name", "org": "company"}
    with pytest.raises(PlannerError, match="unknown field 'nickname'"):
        parse_mapping("Nick=nickname")
    with pytest.raises(PlannerError, match="should look like column=field"):
        parse_mapping("Nick")


def test_parse_with_map_and_auto_email():
    result = parse_address_book(BOOK, parse_mapping(MAP), source="book.csv")
    assert [(r.first_name, r.last_name) for r in result.records] == [("Mary Ann", "Smith"), ("[bold]Bob[/]", "")]
    assert result.records[0].email == "mary@example.com"  # "E-mail" detected without a mapping
    assert result.records[0].connected_on.isoformat() == "2024-02-03"
    assert result.extras[2].tags == ["sre", "friends"] and result.extras[2].tier == "inner"
    assert result.problems[0] == "book.csv line 4: no name; row skipped"
    assert result.problems[1].startswith("book.csv line 5: unrecognised date 'yesterday-ish'")


def test_unknown_column_and_no_name_column():
    with pytest.raises(PlannerError, match="no column 'missing'"):
        parse_address_book(BOOK, parse_mapping("Missing=email"))
    with pytest.raises(PlannerError, match="no column maps to a name"):
        parse_address_book("Org,E-mail\nAcme,a@b.c\n", {})


def test_semicolon_files_are_sniffed():
    result = parse_address_book("First Name;Last Name;Company\nAda;Lovelace;Engines\n", {})
    assert (result.records[0].first_name, result.records[0].company) == ("Ada", "Engines")


def test_import_applies_tags_and_tier_and_is_idempotent(store, now):
    parsed = parse_address_book(BOOK, parse_mapping(MAP))
    first = store.call(import_address_book, parsed, now)
    again = store.call(import_address_book, parsed, now)
    assert (first.added, first.tagged) == (2, 1)
    assert again.added == 0
    with store.session() as s:
        mary = s.exec(select(Connection).where(Connection.last_name == "Smith")).one()
        detail = person_detail(s, mary.id, now)
    assert detail.tier == "inner" and sorted(detail.tags) == ["friends", "sre"]
    assert detail.due.cadence_days == 14


def test_a_stray_quote_costs_its_row_not_the_rest_of_the_file():
    """Issue 15: `import csv` with a quote opening row 3 imported 3 people, the rest inside one name."""
    from planner.adapters.csv_import import parse_address_book

    rows = [f"Person {i},p{i}@example.com,Org {i}\n" for i in range(1000)]
    rows[2] = '"' + rows[2]
    result = parse_address_book("Name,Email,Organization\n" + "".join(rows), {}, source="contacts.csv")
    assert len(result.records) == 999
    assert result.problems == [
        'contacts.csv line 4: a quote opens a field that is not closed within 500 lines; a stray "?; row skipped'
    ]


def test_notes_may_span_lines_and_short_rows_import():
    from planner.adapters.csv_import import parse_address_book

    text = 'Name,Email,Notes\nAna Silva,ana@example.com,"met at SREcon\nlikes bikes"\nBo Chen,bo@example.com\n'
    result = parse_address_book(text, {}, source="contacts.csv")
    assert result.problems == []
    assert [r.last_name for r in result.records] == ["Silva", "Chen"]
    assert result.extras[2].notes == "met at SREcon\nlikes bikes"
    assert [r.line for r in result.records] == [2, 4]
