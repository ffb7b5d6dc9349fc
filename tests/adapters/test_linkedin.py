from __future__ import annotations

from datetime import date

import pytest
from helpers import EXAMPLES, FIXED_NOW
from sqlmodel import select

from planner.adapters.linkedin import parse_connections, read_connections
from planner.errors import PlannerError
from planner.models import Connection, Touchpoint
from planner.services.people import import_connections

NOTE = 'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\n'
HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\ufeff" + NOTE + header + "".join(r + "\n" for r in rows)


def test_reads_linkedin_quirks():
    text = csv_text(
        'Priya,Shah,https://www.linkedin.com/in/priya-shah/,,"Acme, Inc.",SRE Lead ,09 Oct 2024',
        'Dana 🚀,Lee,https://www.linkedin.com/in/dana,dana@example.com,Kestrel Cloud,"CTO, co-founder",01 Nov 2026',
        "José,Núñez,,,,Consultant,15 Jan 2019",
    )
    result = parse_connections(text)
    assert result.problems == []
    priya, dana, jose = result.records
    assert (priya.company, priya.position, priya.email) == ("Acme, Inc.", "SRE Lead", None)
    assert priya.url == "https://www.linkedin.com/in/priya-shah"
    assert priya.connected_on == date(2024, 10, 9)
    assert dana.first_name == "Dana 🚀" and dana.position == "CTO, co-founder"
    assert jose.url is None and jose.line == 7


def test_older_exports_without_email_and_url_columns():
    text = csv_text(
        "Ana,Silva,Brightwave,PM,03 Mar 2020", header="First Name,Last Name,Company,Position,Connected On\n"
    )
    (ana,) = parse_connections(text).records
    assert (ana.company, ana.position, ana.url, ana.email) == ("Brightwave", "PM", None, None)


def test_a_bad_row_is_reported_with_its_line_and_the_rest_imported():
    text = csv_text(
        "Ok,One,https://www.linkedin.com/in/one,,A,B,09 Oct 2024",
        "Bad,Date,https://www.linkedin.com/in/bad,,A,B,yesterday-ish",
        ",,,,,,",
        ",,https://www.linkedin.com/in/noname,,A,B,09 Oct 2024",
        "Ok,Two,https://www.linkedin.com/in/two,,A,B,09 Oct 2024",
    )
    result = parse_connections(text, source="Connections.csv")
    assert [r.first_name for r in result.records] == ["Ok", "Ok"]
    assert result.problems == [
        "Connections.csv line 6: unrecognised date 'yesterday-ish' (expected like '09 Oct 2024'); row skipped",
        "Connections.csv line 8: no first or last name; row skipped",
    ]


def test_terminal_escapes_and_markup_in_names_are_stored_safely():
    (rec,) = parse_connections(csv_text("\x1b[31mEvil\x1b[0m,[bold]Name[/],,,\x07Co,Pos,09 Oct 2024")).records
    assert rec.first_name == "Evil" and rec.last_name == "[bold]Name[/]" and rec.company == "Co"


def test_not_a_connections_file(tmp_path):
    with pytest.raises(PlannerError, match="no header line starting with 'First Name'"):
        parse_connections("a,b,c\n1,2,3\n")
    with pytest.raises(PlannerError, match="no such file"):
        read_connections(tmp_path / "missing.csv")


def test_reimport_adds_nobody_twice_and_remembers_job_changes(store):
    first = csv_text(
        "Priya,Shah,https://www.linkedin.com/in/priya,,Acme,SRE Lead,09 Oct 2024",
        "Sam,NoUrl,,,Globex,Engineer,09 Oct 2024",
    )
    report = store.call(import_connections, parse_connections(first).records, now=FIXED_NOW)
    assert (report.added, report.updated) == (2, 0)
    second = csv_text(
        "Priya,Shah,https://www.linkedin.com/in/priya/,,Northwind,Head of SRE,09 Oct 2024",
        "Sam,NoUrl,,,Globex,Engineer,09 Oct 2024",
        "New,Person,https://www.linkedin.com/in/new,,X,Y,20 Nov 2026",
    )
    report = store.call(import_connections, parse_connections(second).records, now=FIXED_NOW)
    assert (report.added, report.updated, report.unchanged) == (1, 1, 1)
    assert report.job_changes == ["Priya Shah: SRE Lead at Acme → Head of SRE at Northwind"]
    with store.session() as session:
        people = session.exec(select(Connection).order_by(Connection.id)).all()
        assert len(people) == 3
        priya = people[0]
        assert (priya.company, priya.previous_company, priya.previous_position) == ("Northwind", "Acme", "SRE Lead")
        (congrats,) = session.exec(select(Touchpoint)).all()
        assert congrats.kind == "congratulate" and congrats.status == "planned" and congrats.connection_id == priya.id


def test_the_demo_connections_file_imports_cleanly(store):
    result = read_connections(EXAMPLES / "Connections.csv")
    assert result.problems == []
    assert len(result.records) >= 40
    report = store.call(import_connections, result.records, now=FIXED_NOW)
    assert report.added == len(result.records)


def test_an_unparsable_profile_url_keeps_the_person_without_a_url():
    (rec,) = parse_connections(csv_text("Ana,Silva,https://[broken,,Co,Pos,09 Oct 2024")).records
    assert rec.url is None and rec.first_name == "Ana"


def test_a_stray_quote_costs_its_row_not_the_rest_of_the_file(store):
    """Issue 15: row 3 opening with a quote swallowed the 997 rows after it into one name, exit 0."""
    rows = [f"First{i},Last{i},https://www.linkedin.com/in/p{i},,Co {i},Role,09 Oct 2024" for i in range(1000)]
    rows[2] = '"' + rows[2]
    result = parse_connections(csv_text(*rows), source="Connections.csv")
    assert len(result.records) == 999
    assert result.problems == [
        "Connections.csv line 7: a quote opens a field that is not closed on this line "
        '(fields of this file do not span lines); a stray "?; row skipped'
    ]
    assert all("\n" not in r.first_name and len(r.first_name) < 20 for r in result.records)
    report = store.call(import_connections, result.records, now=FIXED_NOW)
    assert report.added == 999


def test_a_row_with_the_wrong_number_of_fields_is_named_and_the_others_import():
    result = parse_connections(
        csv_text(
            "Ok,One,https://www.linkedin.com/in/one,,A,B,09 Oct 2024",
            "Too,Many,https://www.linkedin.com/in/x,,A, Inc,B,09 Oct 2024",
            "Too,Few,https://www.linkedin.com/in/y",
            '"Quote" after,x,,,A,B,09 Oct 2024',
            "Ok,Two,https://www.linkedin.com/in/two,,A,B,09 Oct 2024",
        ),
        source="Connections.csv",
    )
    assert [r.last_name for r in result.records] == ["One", "Two"]
    assert result.problems == [
        "Connections.csv line 6: 8 fields, expected 7 (an unquoted comma?); row skipped",
        "Connections.csv line 7: 3 fields, expected 7; row skipped",
        "Connections.csv line 8: unreadable row (',' expected after '\"'); row skipped",
    ]


def test_a_field_over_128_kib_is_a_problem_not_a_crash():
    result = parse_connections(
        csv_text(
            '"' + "x" * (200 * 1024) + '",Big,,,A,B,09 Oct 2024',
            "Ok,Two,https://www.linkedin.com/in/two,,A,B,09 Oct 2024",
        ),
        source="Connections.csv",
    )
    assert [r.last_name for r in result.records] == ["Two"]
    assert result.problems == ["Connections.csv line 5: a field is longer than 128 KiB; row skipped"]


def test_a_quoted_line_break_is_refused_with_its_line_since_linkedin_fields_are_one_line():
    result = parse_connections(
        csv_text('Ana,"Sil\nva",,,A,B,09 Oct 2024', "Ok,Two,,,A,B,09 Oct 2024"), source="Connections.csv"
    )
    assert [r.last_name for r in result.records] == ["Two"]
    assert [p.split(":")[0] for p in result.problems] == ["Connections.csv line 5", "Connections.csv line 6"]


def test_reimporting_an_export_that_gained_the_url_column_matches_by_name_and_fills_urls(store):
    """Issue 15: an older export without URLs, then a newer one with them: everyone was added twice."""
    old = csv_text(
        "Ana,Silva,Brightwave,PM,03 Mar 2020",
        "Bo,Chen,Kestrel,SRE,04 Apr 2021",
        "Cy,Diaz,Acme,CTO,05 May 2022",
        header="First Name,Last Name,Company,Position,Connected On\n",
    )
    new = csv_text(
        "Ana,Silva,https://www.linkedin.com/in/ana,,Brightwave,PM,03 Mar 2020",
        "Bo,Chen,https://www.linkedin.com/in/bo,,Kestrel,SRE,04 Apr 2021",
        "Cy,Diaz,https://www.linkedin.com/in/cy-other,,Acme,CTO,06 Jun 2023",  # another Cy Diaz
        "Di,Ek,https://www.linkedin.com/in/di,,Acme,PM,07 Jul 2024",
    )
    first = store.call(import_connections, parse_connections(old).records, now=FIXED_NOW)
    assert first.added == 3
    report = store.call(import_connections, parse_connections(new).records, now=FIXED_NOW)
    assert (report.added, report.updated) == (2, 2)
    assert [(r.line, r.matched_by, r.url_filled) for r in report.rows] == [
        (5, "name + company", True),
        (6, "name + company", True),
        (7, "new", False),
        (8, "new", False),
    ]
    assert report.matched() == {"url": 0, "name + company": 2, "new": 2}
    with store.session() as session:
        people = session.exec(select(Connection).order_by(Connection.id)).all()
    assert [(p.first_name, p.profile_url) for p in people] == [
        ("Ana", "https://www.linkedin.com/in/ana"),
        ("Bo", "https://www.linkedin.com/in/bo"),
        ("Cy", None),
        ("Cy", "https://www.linkedin.com/in/cy-other"),
        ("Di", "https://www.linkedin.com/in/di"),
    ]
    again = store.call(import_connections, parse_connections(new).records, now=FIXED_NOW)
    assert again.matched() == {"url": 4, "name + company": 0, "new": 0} and again.unchanged == 4
