"""Reading a user's file: bounded, and the encodings and separators exports arrive in (issue 15)."""

from __future__ import annotations

import pytest
from helpers import run_planner

from planner.adapters.linkedin import parse_connections, read_connections
from planner.adapters.shares import parse_shares
from planner.adapters.textfile import read_text
from planner.errors import PlannerError

CONNECTIONS = (
    "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"
    'Ana,Silva,https://www.linkedin.com/in/ana,,"Bright, wave",PM,03 Mar 2020\n'
)


def test_endless_and_oversized_files_are_refused_saying_so(tmp_path):
    with pytest.raises(PlannerError, match="/dev/zero: not a text file"):
        read_text("/dev/zero", "a Connections.csv file")
    big = tmp_path / "big.csv"
    big.write_text(CONNECTIONS * 1000)
    with pytest.raises(PlannerError, match=r"big.csv: larger than 1000 bytes, more than a CSV holds; not read"):
        read_text(big, "a CSV", max_bytes=1000)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig", "cp1252"])
def test_utf16_and_windows_exports_are_read(tmp_path, encoding):
    path = tmp_path / "Connections.csv"
    path.write_bytes(CONNECTIONS.replace("Ana", "Zoë").encode(encoding))
    (rec,) = read_connections(path).records
    assert (rec.first_name, rec.company) == ("Zoë", "Bright, wave")


def test_semicolon_separated_exports_are_read():
    (rec,) = parse_connections(CONNECTIONS.replace(",", ";").replace('"Bright; wave"', '"Bright, wave"')).records
    assert (rec.last_name, rec.company, rec.url) == ("Silva", "Bright, wave", "https://www.linkedin.com/in/ana")
    (share,) = parse_shares(
        "Date;ShareLink;ShareCommentary;SharedUrl;MediaUrl;Visibility\n"
        "2025-03-14 09:12:45;;Hello, world;;;MEMBER_NETWORK\n"
    ).records
    assert share.commentary == "Hello, world"


def test_lint_and_import_of_dev_zero_stop_at_once():
    for args in (
        ["lint", "--file", "/dev/zero"],
        ["import", "linkedin", "/dev/zero"],
        ["import", "csv", "/dev/zero"],
        ["import", "shares", "/dev/zero"],
    ):
        result = run_planner("--db", "sqlite:////tmp/planner-never-written.db", *args, timeout=60)
        assert (
            result.returncode == 1
            and result.stderr.strip()
            == f"planner: /dev/zero: not a text file (it starts with zero bytes), not {_expected(args)}"
        ), result.stderr


def _expected(args: list[str]) -> str:
    return {
        "lint": "a draft",
        "linkedin": "a Connections.csv file",
        "csv": "a CSV file",
        "shares": "a Shares.csv file",
    }[args[0] if args[0] == "lint" else args[1]]
