"""Listing dates: formats with the date picked out of longer text, naive times in the feed's
zone, and the feed rules at their edges (missing, clamped a day ahead)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from syndicator.ingest.listing.dates import read_date_text
from syndicator.ingest.listing.extract import parse_listing
from syndicator.records import Flag, ParsedItem
from syndicator.settings_models import ListingSelectors

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
FETCHED_AT = datetime(2026, 12, 8, 3, 0, tzinfo=UTC)  # 10:00 in Hà Nội


def dated(text: str, date_format: str | None, *, attribute: str = "") -> ParsedItem:
    body = (
        '<html><head><meta charset="utf-8"><title>Tin</title></head><body><div class="tin">'
        '<a href="/tin/1.html">Hội nghị trực tuyến toàn quốc triển khai công tác năm 2027</a>'
        f'<span class="ngay"{attribute}>{text}</span></div></body></html>'
    ).encode()
    selectors = ListingSelectors(
        item="div.tin", link="a", date="span.ngay", date_format=date_format
    )
    feed = parse_listing(
        body,
        url="https://xa.example.gov.vn/tin-tuc",
        content_type=None,
        fetched_at=FETCHED_AT,
        tz=HCM,
        selectors=selectors,
    )
    return feed.items[0]


@pytest.mark.parametrize(
    ("text", "date_format", "utc"),
    [
        ("Thứ hai, 07/12/2026 08:30", "%d/%m/%Y %H:%M", "2026-12-07T01:30:00+00:00"),
        ("07-12-2026", "%d-%m-%Y", "2026-12-06T17:00:00+00:00"),
        ("Cập nhật lúc 08:30 ngày 07.12.2026", "%H:%M ngày %d.%m.%Y", "2026-12-07T01:30:00+00:00"),
        ("(07/12/2026)", None, "2026-12-06T17:00:00+00:00"),
        ("Thứ hai, 07/12/2026 08:30", None, "2026-12-07T01:30:00+00:00"),
        ("Đăng lúc 08:30 - 07/12/2026", None, "2026-12-07T01:30:00+00:00"),
    ],
)
def test_naive_dates_are_read_in_the_feed_zone(
    text: str, date_format: str | None, utc: str
) -> None:
    """A date with no time is local midnight; a naive time is Hà Nội time, stored in UTC and
    flagged as an assumed zone; the date is picked out of the words around it."""
    found = dated(text, date_format)
    assert found.published is not None and found.published.isoformat() == utc
    assert found.flags == {Flag.DATE_ASSUMED_TZ}


def test_datetime_attribute_is_read_before_the_text() -> None:
    """<time datetime> (or content/title) wins over the words shown, and its zone is kept."""
    found = dated("Hôm qua", "%d/%m/%Y", attribute=' datetime="2026-12-07T08:30:00+07:00"')
    assert found.published == datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    assert Flag.DATE_ASSUMED_TZ not in found.flags


def test_text_not_matching_the_format_falls_back_to_the_feed_reader() -> None:
    """A date-only item under a format with a time is still read."""
    found = dated("07/12/2026", "%d/%m/%Y %H:%M")
    assert found.published == datetime(2026, 12, 6, 17, 0, tzinfo=UTC)


def test_unreadable_date_is_missing() -> None:
    """No date at all, or an impossible one: published None, DATE_MISSING, as feeds do."""
    for text in ("Lượt xem: 125", "31/02/2026"):
        found = dated(text, "%d/%m/%Y")
        assert found.published is None
        assert found.flags == {Flag.DATE_MISSING}


def test_future_date_clamped_past_one_day() -> None:
    """Exactly a day ahead of the fetch is kept; a minute more is clamped to the fetch time."""
    edge = (FETCHED_AT + timedelta(days=1)).astimezone(HCM)
    kept = dated(edge.strftime("%d/%m/%Y %H:%M"), "%d/%m/%Y %H:%M")
    assert kept.published == FETCHED_AT + timedelta(days=1)
    assert Flag.DATE_CLAMPED not in kept.flags
    past = (edge + timedelta(minutes=1)).strftime("%d/%m/%Y %H:%M")
    clamped = dated(past, "%d/%m/%Y %H:%M")
    assert clamped.published == FETCHED_AT
    assert clamped.flags == {Flag.DATE_CLAMPED, Flag.DATE_ASSUMED_TZ}


def test_read_date_text_keeps_aware_formats_aware() -> None:
    """A format with %z gives an aware string the feed reader does not re-zone."""
    assert read_date_text("07/12/2026 08:30 +0700", "%d/%m/%Y %H:%M %z") == (
        "2026-12-07 08:30:00+07:00"
    )
    assert read_date_text("", "%d/%m/%Y") is None
