"""Tagged links in the posts ingest files, renders again and reposts (issue #14), on both
databases: every channel's link carries the campaign, the stored article never does, and each
off switch (reach, feed, channel) leaves the link as the portal gave it, cleaned."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from storage.session import writing
from syndicator.posts.campaign import TAGGED as CAMPAIGN_FLAG
from syndicator.posts.maker import stored_item
from syndicator.posts.queue import ReviewQueue
from syndicator.publish.publisher import outgoing
from syndicator.reach_settings import ReachSettings
from syndicator.settings_models import ChannelSettings, FeedSettings
from tests.helpers.campaign import (
    LINK,
    T0,
    TAGGED,
    UNTAGGED,
    article,
    channels,
    feed,
    maker,
    poll,
    posts_by_channel,
    stored_items,
)
from tests.helpers.posts import renderer

UNTAGGED_EVERYWHERE = dict.fromkeys(TAGGED, UNTAGGED)


def links(engine: Engine) -> dict[str, str | None]:
    return {name: post.rendered["link"] for name, post in posts_by_channel(engine).items()}


def test_each_channels_post_carries_its_campaign(engine: Engine) -> None:
    """The Page's link says facebook, the OA's says zalo; the portal's own utm_* are gone."""
    poll(engine, maker(), [article()])
    assert links(engine) == TAGGED


def test_the_link_in_the_text_and_the_zalo_body_is_the_tagged_one(engine: Engine) -> None:
    """Where a template or an article body shows the link, it is the tagged link too."""
    poll(engine, maker(), [article()])
    posts = posts_by_channel(engine)
    assert TAGGED["thu"] in posts["thu"].rendered["text"]  # the sandbox template shows `url`
    source = posts["oa"].rendered["body"][-1]["content"]  # Zalo's "Nguồn: <a href=...>"
    assert f'href="{html.escape(TAGGED["oa"])}"' in source


def test_the_stored_article_keeps_the_portals_link(engine: Engine) -> None:
    """Items are stored before tagging: the feed's link as given, the canonical form untagged."""
    poll(engine, maker(), [article()])
    (item,) = stored_items(engine)
    assert item.link == LINK
    assert item.canonical_url == article().url
    assert "utm_" not in (item.canonical_url or "utm_")


def test_an_article_polled_twice_stays_one_item_with_one_post_per_channel(engine: Engine) -> None:
    """The second poll finds the article again, even when a copy of it carries our own tags
    under another guid (shared back into a feed): one item, its posts not made again."""
    poll(engine, maker(), [article()])
    again = [article(), article(TAGGED["fanpage"], guid="tin-12345-chia-se")]
    outcome = poll(engine, maker(), again, at=T0 + timedelta(minutes=10))
    assert (outcome.new, outcome.duplicates) == (0, 2)
    (item,) = stored_items(engine)
    assert item.link == LINK
    assert links(engine) == TAGGED


@pytest.mark.parametrize(
    ("reach", "the_feed", "chosen", "expected"),
    [
        (ReachSettings(tag_links=False), feed(), channels(), UNTAGGED_EVERYWHERE),
        (ReachSettings(), feed(tag_links=False), channels(), UNTAGGED_EVERYWHERE),
        (ReachSettings(), feed(), channels(oa=False), TAGGED | {"oa": UNTAGGED}),
    ],
    ids=["reach", "feed", "channel"],
)
def test_each_off_switch(
    engine: Engine,
    reach: ReachSettings,
    the_feed: FeedSettings,
    chosen: dict[str, ChannelSettings],
    expected: dict[str, str],
) -> None:
    """reach.tag_links = false, the feed's or one channel's tag_links = false: those posts'
    links are untagged (and still without the portal's utm_*)."""
    poll(engine, maker(reach, chosen), [article()], the_feed)
    assert links(engine) == expected
    flagged = {
        name
        for name, post in posts_by_channel(engine).items()
        if CAMPAIGN_FLAG in post.rendered["flags"]
    }
    assert flagged == {name for name, link in expected.items() if link != UNTAGGED}


def test_rendering_again_tags_as_the_settings_now_say(engine: Engine) -> None:
    """A post made untagged (before [reach], or with it off) and rendered again after a
    template fix: the new rendering carries the campaign, except on a channel turned off."""
    poll(engine, maker(ReachSettings(tag_links=False)), [article()], feed(review="required"))
    queue = ReviewQueue(engine, renderer(), channels(thu=False), [feed()], ReachSettings())
    posts = posts_by_channel(engine)
    for name in ("fanpage", "thu"):
        queue.rerender(posts[name].id or 0, "tran.thi.lan", T0 + timedelta(hours=1))
    assert links(engine) == {"fanpage": TAGGED["fanpage"], "oa": UNTAGGED, "thu": UNTAGGED}


def test_a_queue_without_reach_renders_untagged(engine: Engine) -> None:
    """A ReviewQueue built without [reach] (tools, older callers) leaves links untagged."""
    poll(engine, maker(), [article()], feed(review="required"))
    queue = ReviewQueue(engine, renderer(), channels(), [feed()])
    queue.rerender(posts_by_channel(engine)["oa"].id or 0, "tran.thi.lan", T0)
    assert links(engine)["oa"] == UNTAGGED


def test_a_repost_is_tagged_too(engine: Engine) -> None:
    """`syndicator repost` renders the article again: its new post carries the campaign."""
    poll(engine, maker(), [article()])
    (item,) = stored_items(engine)
    with writing(engine) as session:
        filer = maker(chosen=channels(thu=False))
        for name in ("fanpage", "thu"):
            filer.repost(session, feed(), stored_item(item), name, "an", True, T0)
    assert links(engine) == TAGGED | {"thu": UNTAGGED}  # the latest post of each channel


def test_what_the_publisher_sends_keeps_our_campaign(engine: Engine) -> None:
    """The publisher cleans the link again before sending: our utm_* survive that."""
    poll(engine, maker(), [article()])
    posts = posts_by_channel(engine)
    for name, post in posts.items():
        assert outgoing(post, T0).link == TAGGED[name]


def test_a_raw_link_stored_without_the_flag_loses_the_portals_utm(engine: Engine) -> None:
    """A post stored with the feed's raw link (before links were cleaned), not flagged as
    tagged: the portal's utm_source=rss is not taken for ours and is dropped."""
    poll(engine, maker(ReachSettings(tag_links=False)), [article()])
    post = posts_by_channel(engine)["fanpage"]
    legacy = post.model_copy(update={"rendered": {**post.rendered, "link": LINK}})
    assert outgoing(legacy, T0).link == UNTAGGED
