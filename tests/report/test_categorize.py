"""The stored categories (issue #12), on SQLite and PostgreSQL: the daemon's classify job stores
each source's category newest first in batches, classifies everything again when the rules
change, and the report reads what is stored under the current rules and only that."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, select, update
from sqlmodel import col

from storage import categories as category_store
from storage import migrate
from storage.models import ItemSource
from storage.session import reading, reading_snapshot, writing
from syndicator.app import App
from syndicator.report import classify
from syndicator.report.categorize import classify_stored
from syndicator.report.classify import Classifier, rules_digest
from syndicator.report.measures import measure
from syndicator.report.model import Report
from syndicator.report_settings import RuleSettings
from tests.helpers.migrations import migrate_to
from tests.helpers.report_province import ITEMS, SINCE, UNTIL, fill, province_app

SOURCES = sum(len(feeds) for _, _, feeds, _, _ in ITEMS)
# What the province's rules give each (item key, feed): "" where no rule matches (the feed's
# category then applies in the report). Item e has no folded title: it is folded on the way.
EXPECTED = {
    ("a", "skhcn"): "",
    ("b", "skhcn"): "dau-thau",  # "mời thầu"
    ("c", "skhcn"): "thu-tuc-hanh-chinh",  # before "quyết định số": the first rule wins
    ("c", "skhcn-vanban"): "thu-tuc-hanh-chinh",
    ("d", "skhcn-vanban"): "van-ban",  # by its link's path
    ("e", "skhcn"): "",
    ("f", "skhcn"): "",
    ("g", "xa-tinh-phong"): "",
    ("g0", "xa-tinh-phong"): "",
    ("h", "syt"): "",
    ("i", "syt"): "thu-tuc-hanh-chinh",
    ("i", "skhcn"): "thu-tuc-hanh-chinh",
}


@pytest.fixture
def app(engine: Engine, tmp_path: Path) -> App:
    fill(engine)
    return province_app(engine, tmp_path)


def stored(engine: Engine) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(item key, feed) -> (category, rules digest), the key read off the source key."""
    with reading(engine) as session:
        rows = session.execute(
            select(
                col(ItemSource.source_key),
                col(ItemSource.feed_id),
                col(ItemSource.category),
                col(ItemSource.category_rules),
            )
        ).all()
    return {
        (key.removeprefix(f"guid:{feed}-"), feed): (category, digest)
        for key, feed, category, digest in rows
    }


def source_ids(engine: Engine) -> list[int]:
    with reading(engine) as session:
        return sorted(session.execute(select(col(ItemSource.id))).scalars())


def unclassified(engine: Engine, digest: str) -> int:
    with reading(engine) as session:
        return category_store.count_unclassified(session, digest)


def test_the_job_stores_every_sources_category(app: App, engine: Engine) -> None:
    rules = app.settings.report.rules
    assert unclassified(engine, rules_digest(rules)) == SOURCES
    assert classify_stored(engine, rules) == SOURCES
    digest = rules_digest(rules)
    assert stored(engine) == {key: (found, digest) for key, found in EXPECTED.items()}
    assert unclassified(engine, digest) == 0
    assert classify_stored(engine, rules) == 0  # nothing left: a tick does nothing


def test_newest_first_in_batches_a_run_stops_after_its_batches(app: App, engine: Engine) -> None:
    """Batches of 5, at most 2 a run: 10 of the 12, the ten newest sources; the next run
    classifies the 2 left (a batch short of full ends the run)."""
    rules = app.settings.report.rules
    digest = rules_digest(rules)
    assert classify_stored(engine, rules, batch=5, max_batches=2) == 10
    done = {source for source, (_, rules_of) in by_id(engine).items() if rules_of == digest}
    assert done == set(source_ids(engine)[-10:])
    assert classify_stored(engine, rules, batch=5, max_batches=2) == 2
    assert unclassified(engine, digest) == 0


def by_id(engine: Engine) -> dict[int, tuple[str | None, str | None]]:
    with reading(engine) as session:
        rows = session.execute(
            select(col(ItemSource.id), col(ItemSource.category), col(ItemSource.category_rules))
        ).all()
    return {source: (category, digest) for source, category, digest in rows}


def test_a_change_of_rules_classifies_every_source_again(app: App, engine: Engine) -> None:
    """Without the bidding rule, item b falls back to "" (its feed's category), and every
    source is stored again under the new digest."""
    rules = app.settings.report.rules
    classify_stored(engine, rules)
    fewer = [rule for rule in rules if rule.category != "dau-thau"]
    assert classify_stored(engine, fewer) == SOURCES
    assert stored(engine)[("b", "skhcn")] == ("", rules_digest(fewer))
    assert unclassified(engine, rules_digest(fewer)) == 0


def test_unclassified_takes_never_classified_rows_before_other_rules(
    app: App, engine: Engine
) -> None:
    """With two rows never classified and the rest under other rules: a limit of 2 gives those
    two (newest first); a limit of 3 adds the newest row under other rules."""
    classify_stored(engine, app.settings.report.rules)
    ids = source_ids(engine)
    cleared = [ids[3], ids[7]]
    with writing(engine) as session:
        session.connection().execute(
            update(ItemSource)
            .where(col(ItemSource.id).in_(cleared))
            .values(category=None, category_rules=None)
        )
    with reading(engine) as session:
        two = category_store.unclassified(session, "0" * 16, 2)
        three = category_store.unclassified(session, "0" * 16, 3)
        current = category_store.unclassified(session, rules_digest(app.settings.report.rules), 12)
    assert [row[0] for row in two] == [ids[7], ids[3]]
    assert [row[0] for row in three] == [ids[7], ids[3], ids[-1]]
    assert [row[0] for row in current] == [ids[7], ids[3]]  # the others are current


def coverage(app: App, engine: Engine) -> dict[str, dict[str, int]]:
    with reading_snapshot(engine) as session:
        report: Report = measure(session, app.settings, SINCE, UNTIL, UNTIL)
    return {c.agency: c.items for c in report.coverage}


def set_category(engine: Engine, key: str, feed: str, category: str, digest: str) -> None:
    with writing(engine) as session:
        session.connection().execute(
            update(ItemSource)
            .where(col(ItemSource.source_key) == f"guid:{feed}-{key}")
            .values(category=category, category_rules=digest)
        )


def test_the_report_reads_what_is_stored_under_the_current_rules(app: App, engine: Engine) -> None:
    """A category stored under the current rules is what the report counts (here a hand-made
    one, to see it is read rather than recomputed); one stored under other rules is not."""
    classify_stored(engine, app.settings.report.rules)
    digest = rules_digest(app.settings.report.rules)
    set_category(engine, "b", "skhcn", "van-ban", digest)
    assert coverage(app, engine)["Sở Khoa học và Công nghệ"] == {
        "van-ban": 2,
        "thu-tuc-hanh-chinh": 2,
        "tin-tuc": 2,
    }
    set_category(engine, "b", "skhcn", "van-ban", "0" * 16)
    assert coverage(app, engine)["Sở Khoa học và Công nghệ"] == {
        "van-ban": 1,
        "thu-tuc-hanh-chinh": 2,
        "dau-thau": 1,
        "tin-tuc": 2,
    }


def test_the_feeds_own_category_applies_when_the_report_is_made(app: App, engine: Engine) -> None:
    """Sources no rule matched are stored as "": a feed's category changed in the settings
    after they were classified is what the report shows, with nothing classified again."""
    classify_stored(engine, app.settings.report.rules)
    feeds = [
        feed.model_copy(update={"category": "van-ban"}) if feed.id == "syt" else feed
        for feed in app.settings.feeds
    ]
    changed = App(app.settings.model_copy(update={"feeds": feeds}), app.clock)
    assert coverage(changed, engine)["Sở Y tế"] == {"van-ban": 1, "thu-tuc-hanh-chinh": 1}


def test_the_digest_follows_the_rules_and_the_matching_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = RuleSettings(category="dau-thau", keywords=["đấu thầu"], url_paths=["/dau-thau"])
    second = RuleSettings(category="van-ban", keywords=["quyết định số"])
    digest = rules_digest([first, second])
    assert len(digest) == 16 and int(digest, 16) >= 0
    assert rules_digest([first, second]) == digest == Classifier.compile([first, second]).digest
    assert rules_digest([second, first]) != digest  # the order decides which rule wins
    more = first.model_copy(update={"keywords": ["đấu thầu", "mời thầu"]})
    assert rules_digest([more, second]) != digest
    assert rules_digest([first.model_copy(update={"url_paths": []}), second]) != digest
    monkeypatch.setattr(classify, "MATCHING_VERSION", classify.MATCHING_VERSION + 1)
    assert rules_digest([first, second]) != digest


def test_migration_down_and_up(engine: Engine) -> None:
    """0012 has no stored categories; upgrading adds the columns and their index, empty: the
    job then classifies the sources stored before."""
    migrate_to(engine, "0012", down=True)
    columns = {c["name"] for c in inspect(engine).get_columns("item_source")}
    assert not {"category", "category_rules"} & columns
    assert migrate.upgrade(engine) == ("0012", migrate.HEAD)
    columns = {c["name"] for c in inspect(engine).get_columns("item_source")}
    indexes = {i["name"] for i in inspect(engine).get_indexes("item_source")}
    assert {"category", "category_rules"} <= columns
    assert "ix_item_source_category_rules" in indexes


def test_a_tick_at_the_daemons_pace(app: App, engine: Engine) -> None:
    """Items polled after a run are classified by the next one: new rows have no digest."""
    rules = app.settings.report.rules
    classify_stored(engine, rules)
    with writing(engine) as session:
        item_id = session.execute(select(col(ItemSource.item_id)).limit(1)).scalar_one()
        session.add(
            ItemSource(
                item_id=item_id,
                feed_id="xa-ba-to",
                source_key="guid:xa-ba-to-b2",
                link="https://bato.quangngai.gov.vn/dau-thau/goi-thau-so-2",
                seen_at=UNTIL - timedelta(hours=1),
            )
        )
    assert classify_stored(engine, rules) == 1
    assert stored(engine)[("b2", "xa-ba-to")] == ("dau-thau", rules_digest(rules))
