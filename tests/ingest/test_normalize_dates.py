"""normalize.dates: the date forms of Vietnamese feeds, read in the right zone, clamped, flagged."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from zoneinfo import ZoneInfo

import feedparser
import pytest

from syndicator.ingest.normalize.dates import item_date, parse_date
from syndicator.records import Flag

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FETCHED_AT = datetime(2026, 11, 1, tzinfo=UTC)


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected", "assumed"),
    [
        ("Thu, 06 Feb 2025 20:30:48 +0700", utc(2025, 2, 6, 13, 30, 48), False),
        ("Mon, 05 Oct 2026 11:07:00 +07", utc(2026, 10, 5, 4, 7), False),
        ("Mon, 05 Oct 26 14:10:00 +0700", utc(2026, 10, 5, 7, 10), False),
        ("Mon, 5 Oct 2026 02:10:41 GMT", utc(2026, 10, 5, 2, 10, 41), False),
        ("5 Oct 2026 10:00 ICT", utc(2026, 10, 5, 3, 0), False),
        ("Fri, 04 Sep 2026 18:48:27 GMT+7", utc(2026, 9, 4, 11, 48, 27), False),
        ("Fri, 04 Sep 2026 18:48:27 GMT+07:00", utc(2026, 9, 4, 11, 48, 27), False),
        ("Fri, 04 Sep 2026 18:48:27 UTC+7", utc(2026, 9, 4, 11, 48, 27), False),
        ("Fri, 04 Sep 2026 18:48:27 gmt-0530", utc(2026, 9, 5, 0, 18, 27), False),
        ("2026-09-04 18:48:27 GMT+14", utc(2026, 9, 4, 4, 48, 27), False),
        ("10/2/2026 9:25:00 AM", utc(2026, 10, 2, 2, 25), True),
        ("10/2/2026 9:25:00 PM", utc(2026, 10, 2, 14, 25), True),
        ("12/12/2026 12:00:00 AM", utc(2026, 12, 11, 17, 0), True),
        ("13/10/2026 9:25 PM", utc(2026, 10, 13, 14, 25), True),
        ("05/10/2026 09:25", utc(2026, 10, 5, 2, 25), True),
        ("10/13/2026 09:25", utc(2026, 10, 13, 2, 25), True),
        ("09:25 - 05/10/2026", utc(2026, 10, 5, 2, 25), True),
        ("2026-10-05 09:25:00", utc(2026, 10, 5, 2, 25), True),
        ("2026-10-05T09:25:00Z", utc(2026, 10, 5, 9, 25), False),
        ("2026-10-05T09:25:00.123+07:00", utc(2026, 10, 5, 2, 25), False),
        ("2026-10-05", utc(2026, 10, 4, 17, 0), True),
    ],
)
def test_parse_date_forms(raw: str, expected: datetime, assumed: bool) -> None:
    """Each form is read to the right UTC instant; zoneless ones are read in Asia/Ho_Chi_Minh."""
    assert parse_date(raw, TZ) == (expected, assumed)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "garbage",
        "ngày 5 tháng 10",
        "2026-13-45 10:00",
        "32/13/2026 10:00",
        "Mon, 05 Foo 2026 10:00 +0700",
        "Mon, 05 Oct 2026 10:00 +9900",
        "Fri, 04 Sep 2026 18:48:27 GMT+15",
        "13/13/2026 10:00 PM",
    ],
)
def test_parse_date_rejects_nonsense(raw: str) -> None:
    """Unreadable or impossible dates give None rather than a wrong date or an exception."""
    assert parse_date(raw, TZ) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # A day or month of 12 decides nothing: the 12-hour clock (US) or the Vietnamese order.
        ("12/05/2026 9:25:00 AM", (utc(2026, 12, 5, 2, 25), True)),
        ("05/12/2026 09:25", (utc(2026, 12, 5, 2, 25), True)),
        # RFC 2822 two-digit years: 00-49 are 2000s, 50-99 are 1900s.
        ("Sun, 05 Oct 49 14:10:00 +0700", (utc(2049, 10, 5, 7, 10), False)),
        ("Thu, 05 Oct 50 14:10:00 +0700", (utc(1950, 10, 5, 7, 10), False)),
        # A 12-hour clock has hours 1 to 12.
        ("10/2/2026 1:25:00 PM", (utc(2026, 10, 2, 6, 25), True)),
        ("10/2/2026 12:25:00 PM", (utc(2026, 10, 2, 5, 25), True)),
        ("10/2/2026 0:25:00 AM", None),
        ("10/2/2026 13:25:00 PM", None),
        # Offsets up to 14 hours exist (Kiribati); 14:10 does not.
        ("Fri, 04 Sep 2026 18:48:27 +14:00", (utc(2026, 9, 4, 4, 48, 27), False)),
        ("Fri, 04 Sep 2026 18:48:27 +14:10", None),
        # An RFC 822 date without a zone is read in the feed's timezone, like every other form.
        ("Mon, 05 Oct 2026 09:25", (utc(2026, 10, 5, 2, 25), True)),
    ],
)
def test_parse_date_edges(raw: str, expected: tuple[datetime, bool] | None) -> None:
    """Each rule's boundary, on both sides."""
    assert parse_date(raw, TZ) == expected


def entry_for(pub_date: str) -> dict[str, object]:
    feed = (
        f"<rss version='2.0'><channel><item><title>t</title><pubDate>{pub_date}</pubDate>"
        "</item></channel></rss>"
    ).encode()
    return dict(feedparser.parse(io.BytesIO(feed)).entries[0])


def test_naive_iso_is_not_taken_as_utc() -> None:
    """feedparser reads a zoneless ISO time as UTC; we read it as Vietnam time and flag it."""
    entry = entry_for("2026-10-05 09:25:00")
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (
        utc(2026, 10, 5, 2, 25),
        frozenset({Flag.DATE_ASSUMED_TZ}),
    )


def test_feedparser_zoned_date_is_trusted() -> None:
    """A date feedparser parsed with its zone is used as is, with no flag."""
    entry = entry_for("Mon, 05 Oct 2026 11:00:00 +0700")
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (utc(2026, 10, 5, 4), frozenset())


def test_future_date_is_clamped_to_fetch_time() -> None:
    """A date more than a day after the fetch becomes the fetch time, flagged date_clamped."""
    entry = {"published": "Sat, 05 Dec 2026 10:00:00 +0700"}
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (
        FETCHED_AT,
        frozenset({Flag.DATE_CLAMPED}),
    )


def test_slightly_future_date_is_kept() -> None:
    """A date less than a day ahead (clock skew, time zones) is kept."""
    entry = {"published": "Sun, 01 Nov 2026 12:00:00 +0700"}
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (utc(2026, 11, 1, 5), frozenset())


def test_a_date_exactly_a_day_ahead_is_kept_a_second_more_is_clamped() -> None:
    """The clamp's edge: a day after the fetch is kept as written; a day and a second is not."""
    at_the_edge = {"published": "Mon, 02 Nov 2026 07:00:00 +0700"}
    past_it = {"published": "Mon, 02 Nov 2026 07:00:01 +0700"}
    assert item_date(at_the_edge, fetched_at=FETCHED_AT, tz=TZ) == (
        utc(2026, 11, 2),
        frozenset(),
    )
    assert item_date(past_it, fetched_at=FETCHED_AT, tz=TZ) == (
        FETCHED_AT,
        frozenset({Flag.DATE_CLAMPED}),
    )


@pytest.mark.parametrize("entry", [{}, {"published": "không rõ"}, {"published": ""}])
def test_missing_date_is_flagged(entry: dict[str, str]) -> None:
    """No readable date gives None and date_missing (the caller uses the fetch time)."""
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (None, frozenset({Flag.DATE_MISSING}))


def test_updated_is_used_when_published_is_absent() -> None:
    """An Atom entry with only <updated> takes that date."""
    entry = {"updated": "2026-10-18T16:30:00+07:00"}
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (utc(2026, 10, 18, 9, 30), frozenset())


def test_other_timezone_setting_is_honoured() -> None:
    """Naive times are read in the configured zone, whatever it is."""
    assert parse_date("2026-10-05 09:25:00", ZoneInfo("Asia/Tokyo")) == (
        utc(2026, 10, 5, 0, 25),
        True,
    )


def test_a_form_only_feedparser_reads_is_taken_in_vietnam_time() -> None:
    """asctime ("Thu Oct 15 09:25:00 2026") is not one of our forms: feedparser's fields are
    used, but read in the feed's zone (feedparser took them as UTC) and flagged."""
    entry = entry_for("Thu Oct 15 09:25:00 2026")
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (
        utc(2026, 10, 15, 2, 25),
        frozenset({Flag.DATE_ASSUMED_TZ}),
    )


def test_a_parsed_date_without_its_text_is_still_read() -> None:
    """Only feedparser's tuple, no text: read like the text it came from."""
    entry = entry_for("Thu Oct 15 09:25:00 2026")
    del entry["published"]
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (
        utc(2026, 10, 15, 2, 25),
        frozenset({Flag.DATE_ASSUMED_TZ}),
    )


def test_created_is_used_when_published_and_updated_are_absent() -> None:
    """An entry with only <created> (old Atom 0.3 feeds) takes that date."""
    entry = {"created": "2026-10-18T16:30:00+07:00"}
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (utc(2026, 10, 18, 9, 30), frozenset())


def test_an_entry_that_is_a_mapping_but_not_a_dict_is_read() -> None:
    """Any read-only mapping will do, not only dict and FeedParserDict."""
    entry = MappingProxyType({"published": "Mon, 05 Oct 2026 11:00:00 +0700"})
    assert item_date(entry, fetched_at=FETCHED_AT, tz=TZ) == (utc(2026, 10, 5, 4), frozenset())


@pytest.fixture
def host_in_vietnam(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's own zone set to Vietnam time (the zone the server's admins might pick)."""
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    "fetched_at",
    [
        datetime(2026, 11, 1, 7, tzinfo=timezone(timedelta(hours=7))),  # the same instant
        datetime(2026, 11, 1),  # naive: taken as UTC, not as the host's time
    ],
)
@pytest.mark.usefixtures("host_in_vietnam")
def test_the_clamp_edge_holds_for_any_form_of_fetch_time(fetched_at: datetime) -> None:
    """A day after the fetch is kept, a day and a second is clamped to the fetch time, whether
    the fetch time is given in another zone or without one."""
    at_the_edge = {"published": "Mon, 02 Nov 2026 07:00:00 +0700"}
    past_it = {"published": "Mon, 02 Nov 2026 07:00:01 +0700"}
    assert item_date(at_the_edge, fetched_at=fetched_at, tz=TZ) == (utc(2026, 11, 2), frozenset())
    assert item_date(past_it, fetched_at=fetched_at, tz=TZ) == (
        FETCHED_AT,
        frozenset({Flag.DATE_CLAMPED}),
    )


@pytest.mark.usefixtures("host_in_vietnam")
def test_dates_come_out_in_utc_whatever_the_host_zone() -> None:
    """Zoneless, feedparser-only and clamped dates are all labelled UTC, not the host's zone
    (a label in the host's zone would move `.date()` and every stored day)."""
    zoneless = parse_date("2026-10-05 09:25:00", TZ)
    only_feedparser, _ = item_date(
        entry_for("Thu Oct 15 09:25:00 2026"), fetched_at=FETCHED_AT, tz=TZ
    )
    clamped, _ = item_date(
        {"published": "Sat, 05 Dec 2026 10:00:00 +0700"},
        fetched_at=FETCHED_AT.astimezone(TZ),
        tz=TZ,
    )
    assert zoneless is not None and zoneless[0].tzinfo == UTC
    assert only_feedparser is not None and only_feedparser.tzinfo == UTC
    assert clamped is not None and clamped.tzinfo == UTC
