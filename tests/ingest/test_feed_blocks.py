"""The ready-to-paste [[feeds]] blocks load back, through the real settings loader, to exactly
the values discovery proposed, whatever a portal put in its title."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from syndicator.config import load_settings
from syndicator.ingest.feed_blocks import feed_block, feed_id_for, listing_block, toml_string
from syndicator.settings_models import FeedSettings, ListingSelectors, check_slug

AWKWARD_NAMES = [
    "Sở Khoa học và Công nghệ tỉnh Hà Giang",
    'Cổng thông tin "Đông Sơn" \\ Trang chủ',
    "Tin tức\tSự kiện\nmới\r\x01\x7f – ‘UBND’",
    'C:\\portal\\"""\\u00e9',
]


def loaded(block: str, tmp_path: Path) -> FeedSettings:
    """The block as the settings file's only feed, read by load_settings."""
    path = tmp_path / "settings.toml"
    path.write_text(f'timezone = "Asia/Ho_Chi_Minh"\n\n{block}', encoding="utf-8")
    (feed,) = load_settings(path, environ={}).feeds
    return feed


@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_a_feed_block_loads_back_to_the_same_values(name: str, tmp_path: Path) -> None:
    """Quotes, backslashes, tabs, newlines and control characters in a title survive."""
    url = "https://skhcn.hagiang.gov.vn/rss/tin-tuc.rss?cat=1&lang=vi"
    feed = loaded(feed_block(feed_id="skhcn-hagiang", name=name, url=url), tmp_path)
    assert (feed.id, feed.name, feed.url, feed.type) == ("skhcn-hagiang", name, url, "rss")


def test_a_listing_block_loads_back_with_its_selectors(tmp_path: Path) -> None:
    """A type = "html" block with its [feeds.selectors] table gives the same selectors."""
    selectors = ListingSelectors(
        item='div.ms-dfwp-item:has(a[href*="/Pages/"])',
        link="a.tieu-de",
        title="a.tieu-de",
        date="span.ngay-dang",
        date_format="%d/%m/%Y %H:%M",
        image="img",
    )
    block = listing_block(
        feed_id="stnmt",
        name='Tin tức - Sở "Tài nguyên" và Môi trường',
        url="https://stnmt.example.gov.vn/Pages/tin-tuc.aspx",
        selectors=selectors,
    )
    feed = loaded(block, tmp_path)
    assert feed.type == "html" and feed.selectors == selectors
    assert feed.name == 'Tin tức - Sở "Tài nguyên" và Môi trường'
    assert "summary" not in block  # unset selectors are left out


def test_toml_string_escapes_every_control_character() -> None:
    """Every character from U+0000 to U+00FF reads back unchanged."""
    every = "".join(chr(code) for code in range(256))
    assert tomllib.loads(f"value = {toml_string(every)}")["value"] == every


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://skhcn.hagiang.gov.vn/", "skhcn-hagiang"),
        ("https://www.dongson.thanhhoa.gov.vn/vi/news/", "dongson-thanhhoa"),
        ("http://127.0.0.1:8080/rss", "127-0-0-1"),
        ("https://xn--ngthp-0qa54ap51s.vn/", "dongthap"),  # đồngtháp.vn
    ],
)
def test_feed_id_is_a_slug_from_the_host(url: str, expected: str) -> None:
    assert feed_id_for(url) == expected
    check_slug(expected)


def test_feed_id_is_made_unique_and_stays_a_slug() -> None:
    """An id already taken gets -2, -3; a 64-character slug is cut to make room."""
    assert feed_id_for("https://stp.example.gov.vn/", {"stp-example"}) == "stp-example-2"
    taken = {"stp-example", "stp-example-2"}
    assert feed_id_for("https://stp.example.gov.vn/", taken) == "stp-example-3"
    host = "a" * 64 + ".gov.vn"
    assert feed_id_for(f"https://{host}/") == "a" * 64
    longest = feed_id_for(f"https://{host}/", {"a" * 64})
    assert longest == "a" * 62 + "-2" and check_slug(longest)
    assert feed_id_for(f"https://{'b' * 65}.gov.vn/") == "b" * 64
