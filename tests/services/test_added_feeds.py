"""Portals added on the admin page (issue #13), on SQLite and PostgreSQL: saved beside the
settings file's feeds after the same checks, polled by the daemon from its next tick, in the
report, removable; a stored feed the settings no longer fit is left out, never a failed start."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from storage.models import StoredFeed
from storage.session import reading, writing
from syndicator.app import App
from syndicator.ingest.poller import due_feeds
from syndicator.services import added_feeds as service
from syndicator.services.audit import AuditFilter, admin_events
from syndicator.services.report import build_report

LISTING: dict[str, Any] = {
    "id": "xa-tinh-phong",
    "name": "UBND xã Tịnh Phong",
    "url": "https://tinhphong.quangngai.gov.vn/tin-tuc",
    "agency": "UBND xã Tịnh Phong",
    "type": "html",
    "selectors": {"item": "li.news-item", "link": "a.title", "date": "span.date"},
    "channels": ["facebook"],
}


def test_an_added_portal_joins_the_feeds_and_is_polled_at_the_next_tick(app: App) -> None:
    feed = service.add_feed(app, LISTING, by="quan-tri")
    assert [known.id for known in app.feeds()] == ["skhcn", "soyte", "xa-tinh-phong"]
    assert app.feeds()[-1] == feed and feed.selectors is not None
    assert feed.selectors.item == "li.news-item"
    due = due_feeds(app.migrated_engine(), app.feeds(), app.clock.now())
    assert "xa-tinh-phong" in [known.id for known in due]
    (added,) = service.added_feeds(app)
    assert (added.feed.id, added.created_by) == ("xa-tinh-phong", "quan-tri")


def test_the_report_counts_an_added_portal(app: App) -> None:
    from datetime import timedelta

    service.add_feed(app, LISTING, by="quan-tri")
    report = build_report(app, since=timedelta(days=30))
    assert "xa-tinh-phong" in [portal.feed for portal in report.portals]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"id": "Xã Tịnh Phong"}, "id"),  # not a slug
        ({"id": "skhcn"}, "already a feed of the settings file"),
        ({"channels": ["zalo-oa"]}, "unknown channel 'zalo-oa'"),
        ({"url": "ftp://tinhphong.quangngai.gov.vn/"}, "url"),
        ({"selectors": {"item": "li[", "link": "a"}}, "selectors.item"),
        ({"selectors": None}, 'type = "html"'),
    ],
)
def test_a_feed_the_settings_refuse_is_not_saved(
    app: App, change: dict[str, Any], named: str
) -> None:
    with pytest.raises(service.FeedRefused, match=named.replace("[", r"\[").replace("(", r"\(")):
        service.add_feed(app, LISTING | change, by="quan-tri")
    assert service.added_feeds(app) == [] and len(app.feeds()) == 2


def test_an_id_added_twice_is_refused(app: App) -> None:
    service.add_feed(app, LISTING, by="quan-tri")
    with pytest.raises(service.FeedRefused, match="already a portal added here"):
        service.add_feed(app, LISTING | {"name": "Xã Tịnh Phong (trùng)"}, by="bien-tap")
    assert [added.feed.name for added in service.added_feeds(app)] == ["UBND xã Tịnh Phong"]


def test_a_stored_feed_the_settings_no_longer_fit_is_left_out(app: App) -> None:
    """Its channel gone from the settings (here: a stored row naming another one), or its
    table invalid: left out of the feeds with a warning; the file's feeds go on."""
    service.add_feed(app, LISTING, by="quan-tri")
    service.add_feed(app, LISTING | {"id": "xa-ba-to", "channels": []}, by="quan-tri")
    with writing(app.migrated_engine()) as session:
        session.execute(
            update(StoredFeed)
            .where(StoredFeed.id == "xa-tinh-phong")  # type: ignore[arg-type]
            .values(settings=LISTING | {"channels": ["zalo-oa"]})
        )
        session.add(
            StoredFeed(
                id="hong",
                settings={"name": "Cổng hỏng", "url": "không phải địa chỉ"},
                created_by="quan-tri",
                created_at=app.clock.now(),
            )
        )
    assert [known.id for known in app.feeds()] == ["skhcn", "soyte", "xa-ba-to"]


def test_removing_an_added_portal_keeps_the_settings_files_feeds(app: App) -> None:
    service.add_feed(app, LISTING, by="quan-tri")
    service.remove_feed(app, "xa-tinh-phong", by="quan-tri")
    assert [known.id for known in app.feeds()] == ["skhcn", "soyte"]
    with pytest.raises(service.FeedRefused, match="not a portal added on this page"):
        service.remove_feed(app, "skhcn", by="quan-tri")
    with reading(app.migrated_engine()) as session:
        assert session.get(StoredFeed, "xa-tinh-phong") is None


def test_adding_and_removing_are_admin_events(app: App) -> None:
    service.add_feed(app, LISTING, by="quan-tri")
    service.remove_feed(app, "xa-tinh-phong", by="quan-tri")
    page = admin_events(app, AuditFilter())
    found = [(event.actor, event.action, event.subject) for event in page.rows]
    assert found == [
        ("quan-tri", "feed_remove", "xa-tinh-phong"),
        ("quan-tri", "feed_add", "xa-tinh-phong"),
    ]
