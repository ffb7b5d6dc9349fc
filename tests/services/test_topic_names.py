"""One rule for when two spellings name the same topic: following a topic by name and importing a
subscription list used to apply two (the lookup folded only the name asked for, the OPML import the
stored names too), so a stored "Site  Reliability" was one topic to the import and none to a lookup."""

from sqlmodel import select

from planner.models import Topic
from planner.services import feeds as feed_service
from planner.services.opml import import_opml_file
from planner.words import topic_key


def test_topic_key_collapses_spaces_and_folds_case_beyond_ascii():
    assert topic_key("  Site \t Reliability ") == topic_key("site reliability") == "site reliability"
    assert topic_key("ÉCONOMIE") == topic_key("économie")
    assert topic_key("Straße") == topic_key("STRASSE")


def test_a_lookup_and_an_opml_import_agree_on_a_stored_name_with_loose_spaces(store, tmp_path):
    def seed(session):
        session.add(Topic(name="Site  Reliability"))  # as an older version or a hand edit stored it

    store.call(seed)
    found = store.call(lambda s: feed_service.get_topic(s, "SITE reliability").name)
    assert found == "Site  Reliability"  # the lookup used to raise "no topic named ..."
    _, created = store.call(feed_service.ensure_topic, "site reliability")
    assert not created  # and ensure_topic used to make a second one

    path = tmp_path / "subs.opml"
    path.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="site reliability">'
        '<outline text="f" xmlUrl="https://example.org/feed.xml"/></outline></body></opml>'
    )
    report = store.call(import_opml_file, path)
    assert report.topics_added == 0
    with store.session() as session:
        assert list(session.exec(select(Topic.name))) == ["Site  Reliability"]
