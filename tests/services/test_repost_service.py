"""Reposting an article through the service: found by id or by its address, one new post per
channel it went to, linked to the last one."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from storage.models import Item
from storage.session import writing
from syndicator.app import App
from syndicator.ingest.dedup import digest
from syndicator.ingest.normalize.urls import canonical_url
from syndicator.services import queue
from syndicator.services.names import UnknownName
from syndicator.services.repost import NothingToRepost, repost
from tests.helpers.posts import feed, make_posts

LINK = "https://skhcn.gov.vn/tin/1.html"


def keyed_by_address(engine: Engine) -> int:
    """The one stored article, keyed by its canonical address as ingest keys it."""
    with writing(engine) as session:
        item = session.get(Item, 1) or next(iter(session.query(Item)))
        item.url_key = digest(canonical_url(LINK))
        session.add(item)
        return item.id or 0


def test_repost_by_address_waits_for_review(engine: Engine, app: App) -> None:
    """A tracking parameter and the host's case do not matter; the new post waits, flagged as
    a repost of the first one."""
    (first,) = make_posts(engine, feed())
    keyed_by_address(engine)
    (made,) = repost(app, "https://SKHCN.gov.vn/tin/1.html?utm_source=zalo", "bien-tap")
    assert made.channel == "facebook" and not made.approved
    shown = queue.show_post(app, made.post_id)
    assert [r.code for r in shown.reasons] == ["repost"]
    assert shown.history[-1].reason == f"repost of post {first}"


def test_repost_by_id_approved_on_one_channel(engine: Engine, app: App) -> None:
    """--approve approves at once; --channel picks the channel even if the article never went
    there."""
    make_posts(engine, feed())
    item_id = keyed_by_address(engine)
    (made,) = repost(app, item_id, "bien-tap", channel="zalo", approve=True)
    assert made.channel == "zalo" and made.approved and made.status == "approved"


def test_unknown_article_or_channel(engine: Engine, app: App) -> None:
    """No such article is NothingToRepost; a channel the settings lack is UnknownName."""
    make_posts(engine, feed())
    with pytest.raises(NothingToRepost, match="no stored article"):
        repost(app, "https://skhcn.gov.vn/tin/khong-co.html", "bien-tap")
    with pytest.raises(UnknownName, match="known channels: facebook, sandbox, zalo"):
        repost(app, 1, "bien-tap", channel="fanpage")
