"""Campaign parameters on published links (issue #14): what is added, what is replaced, what
is kept, and that the canonical form used by dedup and reconcile ignores them."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

from connectors.facebook.client import canonical_url as facebook_canonical
from connectors.facebook.settings import FacebookSettings
from connectors.zalo.settings import ZaloSettings
from syndicator.ingest.normalize.urls import canonical_url, shareable_url
from syndicator.posts.campaign import CAMPAIGN_KEYS, campaign_tags, tagged_url
from syndicator.reach_settings import ReachSettings
from syndicator.settings_models import FeedSettings

ARTICLE = (
    "https://skhcn.quangngai.gov.vn/vi/news/tin-hoat-dong/"
    "hoi-nghi-chuyen-doi-so-nam-2026-12345.html?ref=home"
)
LIFERAY = (
    "https://quangngai.gov.vn/web/portal/tin-tuc/-/asset_publisher/Yh2kXqa1Zk0F/content/"
    "ubnd-tinh-quang-ngai-trien-khai-ke-hoach-chuyen-doi-so-nam-2026"
    "?p_p_id=com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Yh2kXqa1Zk0F"
    "&p_p_lifecycle=0&utm_source=rss&p_p_state=normal&utm_medium=feed&p_p_mode=view"
)
FACEBOOK_TAGS = (
    ("utm_source", "facebook"),
    ("utm_medium", "social"),
    ("utm_campaign", "skhcn-quangngai"),
)


def feed(tag_links: bool = True) -> FeedSettings:
    return FeedSettings(
        id="skhcn-quangngai",
        name="Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
        url="https://skhcn.quangngai.gov.vn/rss/tin-hoat-dong.rss",
        tag_links=tag_links,
    )


def query(url: str | None) -> list[tuple[str, str]]:
    assert url is not None
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# ---- which parameters ----


def test_default_tags_name_the_channel_type_and_the_feed() -> None:
    """By default: utm_source the channel's type, utm_medium "social", utm_campaign the feed."""
    tags = campaign_tags(ReachSettings(), feed(), "fanpage", "facebook", FacebookSettings())
    assert tags == FACEBOOK_TAGS
    assert [name for name, _ in tags] == list(CAMPAIGN_KEYS)


def test_placeholders_are_filled_once_each() -> None:
    """Each placeholder is replaced by its value; a value is never read as a placeholder."""
    reach = ReachSettings(
        utm_source="{channel}",
        utm_medium="mang-xa-hoi-{channel_type}",
        utm_campaign="{feed}/{channel}/{channel_type}",
    )
    tags = campaign_tags(reach, feed(), "oa-{feed}", "zalo", ZaloSettings())
    assert tags == (
        ("utm_source", "oa-{feed}"),
        ("utm_medium", "mang-xa-hoi-zalo"),
        ("utm_campaign", "skhcn-quangngai/oa-{feed}/zalo"),
    )


@pytest.mark.parametrize(
    ("reach", "feed_on", "channel_on"),
    [
        (ReachSettings(tag_links=False), True, True),
        (ReachSettings(), False, True),
        (ReachSettings(), True, False),
        (None, True, True),  # a maker or queue built without [reach]
    ],
    ids=["reach", "feed", "channel", "no-settings"],
)
def test_each_off_switch_leaves_links_untagged(
    reach: ReachSettings | None, feed_on: bool, channel_on: bool
) -> None:
    """reach.tag_links, the feed's tag_links and the channel's tag_links each turn tagging off."""
    channel = FacebookSettings(tag_links=channel_on)
    assert campaign_tags(reach, feed(feed_on), "fanpage", "facebook", channel) == ()


def test_a_channel_gone_from_the_settings_follows_reach_and_the_feed() -> None:
    """Rendering again a post whose channel was removed: tagged as [reach] and the feed say."""
    assert campaign_tags(ReachSettings(), feed(), "old", "facebook", None) == FACEBOOK_TAGS


def test_unknown_placeholders_are_refused_in_the_settings() -> None:
    """A typo in a placeholder is a settings error, not a link with "{fed}" in it."""
    with pytest.raises(ValueError, match="unknown placeholder"):
        ReachSettings(utm_campaign="{fed}")


# ---- tagging a link ----


def test_tags_are_appended_after_the_articles_parameters() -> None:
    """A real article link: its own parameter first, ours after it, in the settings' order."""
    tagged = tagged_url(ARTICLE, FACEBOOK_TAGS)
    assert tagged == ARTICLE + "&utm_source=facebook&utm_medium=social&utm_campaign=skhcn-quangngai"


def test_a_link_without_query_gets_one() -> None:
    """No query yet: "?" then our parameters."""
    link = "https://skhcn.quangngai.gov.vn/vi/news/tin-hoat-dong/hoi-nghi-2026-12345.html"
    assert tagged_url(link, FACEBOOK_TAGS[:1]) == link + "?utm_source=facebook"


def test_the_portals_own_utm_is_replaced_and_liferay_parameters_kept_in_order() -> None:
    """A portal's utm_source=rss and utm_medium=feed make way for ours (never doubled); the
    Liferay parameters stay in their order, byte for byte."""
    tagged = tagged_url(LIFERAY, FACEBOOK_TAGS)
    assert query(tagged) == [
        (
            "p_p_id",
            "com_liferay_asset_publisher_web_portlet_AssetPublisherPortlet_INSTANCE_Yh2kXqa1Zk0F",
        ),
        ("p_p_lifecycle", "0"),
        ("p_p_state", "normal"),
        ("p_p_mode", "view"),
        *FACEBOOK_TAGS,
    ]
    assert tagged is not None and tagged.startswith(LIFERAY.split("?")[0] + "?p_p_id=com_liferay")


def test_a_utm_name_in_another_case_is_replaced_too() -> None:
    """UTM_Source=rss and utm_source=facebook would both reach the analytics: only ours stays."""
    link = ARTICLE.replace("?ref=home", "?UTM_Source=rss&ref=home&utm%5Fmedium=feed")
    assert query(tagged_url(link, FACEBOOK_TAGS)) == [("ref", "home"), *FACEBOOK_TAGS]


def test_an_unrelated_utm_parameter_is_kept() -> None:
    """Only the names we set are replaced: the portal's utm_content stays where it was."""
    link = ARTICLE + "&utm_content=banner"
    assert query(tagged_url(link, FACEBOOK_TAGS)) == [
        ("ref", "home"),
        ("utm_content", "banner"),
        *FACEBOOK_TAGS,
    ]


def test_values_are_percent_encoded() -> None:
    """A campaign in Vietnamese, with spaces, "&" and "=": encoded, and read back whole."""
    tags = (("utm_campaign", "Chuyển đổi số & AI = 2026/Quảng Ngãi"),)
    tagged = tagged_url(ARTICLE, tags)
    assert tagged is not None and tagged.isascii() and " " not in tagged
    assert query(tagged) == [("ref", "home"), *tags]


def test_the_fragment_stays_after_the_query() -> None:
    """A link to a part of the page keeps it, after the parameters."""
    tagged = tagged_url(ARTICLE + "#binh-luan", FACEBOOK_TAGS[:1])
    assert tagged == ARTICLE + "&utm_source=facebook#binh-luan"


@pytest.mark.parametrize(
    "link",
    [
        None,
        "",
        "mailto:vanthu@skhcn.quangngai.gov.vn",
        "ftp://skhcn.quangngai.gov.vn/van-ban/ke-hoach-chuyen-doi-so-2026.pdf",
        "/vi/news/tin-hoat-dong/hoi-nghi-chuyen-doi-so-nam-2026-12345.html",
        "javascript:alert(document.cookie)",
        "https://[::1/vi/news",  # cannot be taken apart
    ],
)
def test_other_values_are_left_alone(link: str | None) -> None:
    """No link, or no http(s) link: nothing to tag, the value as it was."""
    assert tagged_url(link, FACEBOOK_TAGS) == link


def test_no_tags_leave_the_link_as_it_is() -> None:
    """Tagging off: the link is not even re-assembled."""
    assert tagged_url(LIFERAY, ()) == LIFERAY


# ---- the canonical forms ignore the tags ----


@pytest.mark.parametrize("link", [ARTICLE, LIFERAY])
def test_tagging_round_trip_gives_the_untagged_canonical_url(link: str) -> None:
    """The canonical form of the tagged link (dedup's) is the original's; the shareable form
    without our tags is the one published untagged; Facebook's comparison agrees."""
    published = tagged_url(shareable_url(link), FACEBOOK_TAGS)
    assert published is not None
    assert canonical_url(published) == canonical_url(link)
    assert shareable_url(published) == shareable_url(link)
    assert facebook_canonical(published) == facebook_canonical(shareable_url(link) or "")


def test_shareable_url_keeps_only_the_campaign_parameters_it_is_told_to() -> None:
    """What the publisher sends: trackers and the portal's other utm_* go, ours stay."""
    published = tagged_url(ARTICLE, FACEBOOK_TAGS)
    assert published is not None
    clicked = published.replace("?ref=home", "?ref=home&fbclid=IwAR0kQx==&utm_term=x")
    assert shareable_url(clicked, keep=CAMPAIGN_KEYS) == published
    assert shareable_url(published, keep=CAMPAIGN_KEYS) == published
    assert shareable_url(published) == ARTICLE
