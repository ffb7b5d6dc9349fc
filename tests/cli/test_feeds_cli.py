"""`planner feeds …` and `planner import opml` on input that is not what they expect: one line
naming what and where, exit 1, nothing written (the real CLI as a subprocess)."""

from __future__ import annotations

import json

import pytest
from helpers import run_planner


def one_line_error(result, *expected: str) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in expected:
        assert part in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize(
    "url, expected",
    [
        ("http://[::1", "not a valid URL: 'http://[::1'"),
        ("https://example.com:port/feed", "not a valid URL: 'https://example.com:port/feed'"),
        ("http://exa mple.com/feed", "not a valid URL"),
    ],
)
def test_feeds_add_of_a_url_that_cannot_be_parsed_is_one_line(settings, url, expected):
    one_line_error(run_planner("--db", settings.db_url, "feeds", "add", url), expected)
    feeds = json.loads(run_planner("--db", settings.db_url, "feeds", "list", "--json").stdout)
    assert feeds == []


def feeds_of(settings) -> list[str]:
    return [f["url"] for f in json.loads(run_planner("--db", settings.db_url, "feeds", "list", "--json").stdout)]


def test_an_opml_import_that_finds_no_feeds_exits_1(settings, tmp_path):
    empty = tmp_path / "empty.opml"
    empty.write_text('<?xml version="1.0"?><opml version="2.0"><body><outline text="Folder"/></body></opml>')
    one_line_error(
        run_planner("--db", settings.db_url, "import", "opml", str(empty)),
        str(empty),
        "no feeds to import",
        "nothing imported",
    )
    refused = tmp_path / "refused.opml"
    refused.write_text(
        '<opml version="2.0"><body><outline text="Tech">'
        '<outline text="a" xmlUrl="ftp://example.com/feed"/></outline></body></opml>'
    )
    line = one_line_error(run_planner("--db", settings.db_url, "import", "opml", str(refused)), "no feeds to import")
    assert "refused.opml line 1: not an http(s) feed URL: 'ftp://example.com/feed'" in line
    topics = json.loads(run_planner("--db", settings.db_url, "topics", "list", "--json").stdout)
    assert topics == []  # the folder's topic is not left behind
    not_opml = tmp_path / "notes.txt"
    not_opml.write_text("just some notes\n")
    one_line_error(run_planner("--db", settings.db_url, "import", "opml", str(not_opml)), "no feeds to import")
    assert feeds_of(settings) == []


def test_an_opml_import_refused_for_size_exits_1_without_reading_it_all(settings, tmp_path):
    big = tmp_path / "big.opml"
    with big.open("wb") as fh:
        fh.truncate(21_000_000)  # sparse: 21 MB of NULs
    one_line_error(
        run_planner("--db", settings.db_url, "import", "opml", str(big)),
        str(big),
        "larger than 20 MB",
        "nothing imported",
    )
    # an endless file: read up to the cap, then refused
    one_line_error(run_planner("--db", settings.db_url, "import", "opml", "/dev/zero"), "/dev/zero: larger than 20 MB")
    assert feeds_of(settings) == []


def test_an_opml_import_with_one_good_feed_still_imports_and_reports_the_rest(settings, tmp_path):
    mixed = tmp_path / "mixed.opml"
    mixed.write_text(
        '<opml version="2.0"><body><outline text="a" xmlUrl="ftp://example.com/feed"/>\n'
        '<outline text="b" xmlUrl="https://example.com/feed"/></body></opml>'
    )
    result = run_planner("--db", settings.db_url, "import", "opml", str(mixed))
    assert result.returncode == 0, result.stderr
    assert "mixed.opml: 1 feed added, 0 already followed, 0 topics added, 1 problem" in result.stdout
    assert feeds_of(settings) == ["https://example.com/feed"]


@pytest.mark.slow
def test_keywords_for_a_30_mb_single_token_file_is_bounded(settings, tmp_path):
    # (loads the real model) the work is bounded: the file is read to 1 MB, the extractor looks
    # at 45,000 characters, and a 64+ character "word" is never a keyword
    blob = tmp_path / "blob.txt"
    with blob.open("w") as fh:
        for _ in range(30):
            fh.write("x" * 1_000_000)
    result = run_planner("--db", settings.db_url, "keywords", "for", "--file", str(blob), "--json")
    assert result.returncode == 0, result.stderr
    assert f"{blob}: keywords from its first 1 MB only" in result.stderr
    [report] = json.loads(result.stdout)
    assert report["keywords"] == []
