"""The pure dedup decider: keys, repeated guids, cross-portal matches, tombstones, batch duplicates."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta

import pytest

from syndicator.ingest.dedup import Known, StoredItem, Verdict, candidates, decide, title_digest
from syndicator.records import ParsedItem

T0 = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
LONG_TITLE = "Ủy ban nhân dân tỉnh triển khai kế hoạch chuyển đổi số năm 2026"


def item(
    guid: str | None = None,
    url: str | None = None,
    title: str = LONG_TITLE,
    published: datetime | None = T0,
) -> ParsedItem:
    return ParsedItem(
        guid=guid,
        link=url,
        url=url,
        title=title,
        summary="",
        content_html="",
        image=None,
        published=published,
    )


def test_key_order_guid_then_url_then_title() -> None:
    """The readable dedup key is the guid, else the canonical URL, else title and date."""
    keys = [
        c.dedup_key
        for c in candidates(
            [item(guid="news_1", url="https://a.vn/1"), item(url="https://a.vn/2"), item()], T0
        )
    ]
    assert keys[0] == "guid:news_1"
    assert keys[1] == "url:https://a.vn/2"
    assert keys[2].startswith("title:") and keys[2].endswith("|2026-11-01")


def test_repeated_guid_falls_back_to_guid_and_link() -> None:
    """A feed that gives two articles the same guid keeps both, keyed by guid + link."""
    batch = candidates(
        [item(guid="1", url="https://a.vn/x"), item(guid="1", url="https://a.vn/y")], T0
    )
    assert batch[0].dedup_key == "guid+link:1|https://a.vn/x"
    assert batch[0].source_key != batch[1].source_key
    assert [d.verdict for d in decide("a", batch, Known())] == [Verdict.NEW, Verdict.NEW]


def test_a_batch_remembers_every_earlier_item_not_only_the_last() -> None:
    """The third item of a fetch repeats the first one's link (under another guid): it is seen,
    though an unrelated item came between them."""
    batch = candidates(
        [
            item(guid="news_1", url="https://a.vn/tin-1"),
            item(
                guid="news_2",
                url="https://a.vn/tin-2",
                title="Hội nghị tổng kết công tác năm 2026 của Sở",
            ),
            item(guid="news_1-copy", url="https://a.vn/tin-1"),
        ],
        T0,
    )
    assert [d.verdict for d in decide("a", batch, Known())] == [
        Verdict.NEW,
        Verdict.NEW,
        Verdict.SEEN,
    ]


def test_known_source_is_seen() -> None:
    """An item this feed gave before is seen, not new."""
    batch = candidates([item(guid="news_1")], T0)
    known = Known(source_keys={batch[0].source_key})
    assert decide("a", batch, known)[0].verdict is Verdict.SEEN


def test_same_url_from_another_portal_is_a_new_source() -> None:
    """The same canonical URL already stored from feed b becomes a source of that item for feed a."""
    batch = candidates([item(guid="x", url="https://tinh.gov.vn/bai-1")], T0)
    known = Known(by_url={batch[0].url_key or "": StoredItem(7, frozenset({"b"}), T0)})
    (decision,) = decide("a", batch, known)
    assert decision.verdict is Verdict.NEW_SOURCE and decision.item_id == 7


def test_same_url_from_the_same_feed_is_seen() -> None:
    """A feed that changed an article's guid but not its URL does not make a second item."""
    batch = candidates([item(guid="new-guid", url="https://tinh.gov.vn/bai-1")], T0)
    known = Known(by_url={batch[0].url_key or "": StoredItem(7, frozenset({"a"}), T0)})
    assert decide("a", batch, known)[0].verdict is Verdict.SEEN


def test_same_long_title_within_a_day_is_a_new_source() -> None:
    """Two portals publishing the same long title within a day are one item."""
    batch = candidates(
        [item(guid="x", url="https://xa.gov.vn/1", published=T0 + timedelta(hours=20))], T0
    )
    known = Known(by_title={batch[0].title_key: [StoredItem(3, frozenset({"b"}), T0)]})
    assert decide("a", batch, known)[0].verdict is Verdict.NEW_SOURCE


def test_same_title_days_apart_is_new() -> None:
    """The same title more than a day apart is a different article."""
    batch = candidates([item(guid="x", published=T0 + timedelta(days=2))], T0)
    known = Known(by_title={batch[0].title_key: [StoredItem(3, frozenset({"b"}), T0)]})
    assert decide("a", batch, known)[0].verdict is Verdict.NEW


@pytest.mark.parametrize(
    ("apart", "verdict"),
    [
        (timedelta(days=1), Verdict.NEW_SOURCE),
        (-timedelta(days=1), Verdict.NEW_SOURCE),
        (timedelta(days=1, seconds=1), Verdict.NEW),
        (-timedelta(days=1, seconds=1), Verdict.NEW),
    ],
)
def test_same_story_window_is_a_day_either_way(apart: timedelta, verdict: Verdict) -> None:
    """Another portal's copy of a long title dated exactly a day later or earlier is the same
    story; a second more and it is another article."""
    batch = candidates([item(guid="x", url="https://xa.gov.vn/1", published=T0 + apart)], T0)
    known = Known(by_title={batch[0].title_key: [StoredItem(3, frozenset({"b"}), T0)]})
    assert decide("a", batch, known)[0].verdict is verdict


def test_a_feeds_own_item_with_the_same_long_title_stays_its_own() -> None:
    """A portal that issues a second notice under the same long headline the same day (a new
    URL and guid) gets a second item: a title joins only another portal's item."""
    notice = item(guid="tcd-2", url="https://sxd.gov.vn/tcd-2", title=HEADLINE)
    batch = candidates([notice], T0 + timedelta(hours=2))
    known = Known(by_title={batch[0].title_key: [StoredItem(3, frozenset({"sxd"}), T0)]})
    (decision,) = decide("sxd", batch, known)
    assert decision.verdict is Verdict.NEW and decision.item_id is None


def test_another_portals_copy_after_the_feeds_own_item_is_still_found() -> None:
    """The feed's own earlier item and an undated one come first in the title's list; the
    search goes on past them to another portal's copy of the story."""
    notice = item(guid="tcd-2", url="https://sxd.gov.vn/tcd-2", title=HEADLINE)
    batch = candidates([notice], T0 + timedelta(hours=2))
    stored = [
        StoredItem(3, frozenset({"sxd"}), T0),
        StoredItem(4, frozenset({"baoquangtri"}), None),
        StoredItem(5, frozenset({"baoquangtri"}), T0 + timedelta(hours=1)),
    ]
    known = Known(by_title={batch[0].title_key: stored})
    (decision,) = decide("sxd", batch, known)
    assert decision.verdict is Verdict.NEW_SOURCE and decision.item_id == 5


def test_repeated_guid_without_a_link_keeps_an_empty_link_in_its_key() -> None:
    """The key's form is stored (source_key), so it must not drift: "guid+link:<guid>|"."""
    batch = candidates([item(guid="tb-7"), item(guid="tb-7")], T0)
    assert [c.dedup_key for c in batch] == ["guid+link:tb-7|", "guid+link:tb-7|"]


def test_short_generic_titles_never_merge() -> None:
    """'Thông báo' on two portals the same day is two articles, not one."""
    batch = candidates([item(guid="x", title="Thông báo")], T0)
    known = Known(by_title={batch[0].title_key: [StoredItem(3, frozenset({"b"}), T0)]})
    assert decide("a", batch, known)[0].verdict is Verdict.NEW
    assert not batch[0].title_matchable


def test_tombstoned_never_comes_back() -> None:
    """A removed item's source key or URL keeps it from coming back, even from another guid."""
    batch = candidates(
        [item(guid="g", url="https://a.vn/1"), item(guid="h", url="https://a.vn/1")], T0
    )
    known = Known(tombstones={f"url:{batch[0].url_key}"})
    assert [d.verdict for d in decide("a", batch, known)] == [
        Verdict.TOMBSTONED,
        Verdict.TOMBSTONED,
    ]


def test_duplicates_within_one_fetch() -> None:
    """The same article twice in one fetch is stored once."""
    batch = candidates(
        [item(guid="g1", url="https://a.vn/1"), item(guid="g2", url="https://a.vn/1")], T0
    )
    assert [d.verdict for d in decide("a", batch, Known())] == [Verdict.NEW, Verdict.SEEN]


def test_undated_item_uses_fetch_time() -> None:
    """An item without a date is keyed and compared with the fetch time."""
    (candidate,) = candidates([item(published=None)], T0 + timedelta(hours=5))
    assert candidate.published == T0 + timedelta(hours=5)


HEADLINE = (
    "Sở Xây dựng thông báo lịch tiếp công dân định kỳ tháng 12 năm 2026 "
    "của Giám đốc Sở và các Phó Giám đốc"
)


def test_title_key_is_a_fixed_length_digest_of_the_normalized_title() -> None:
    """A 102-character headline keys as 40 hex characters (it must fit its column), the same
    for copies differing in case, punctuation or Unicode form, and not for another headline."""
    copies = [
        HEADLINE,
        f"  {HEADLINE.upper()}!",
        unicodedata.normalize("NFD", HEADLINE.replace(" của", ", của")),
    ]
    keys = {c.title_key for c in candidates([item(title=title) for title in copies], T0)}
    assert keys == {title_digest(HEADLINE)} and len(title_digest(HEADLINE)) == 40
    other = candidates([item(title=HEADLINE.replace("tháng 12", "tháng 11"))], T0)[0]
    assert other.title_key not in keys


@pytest.mark.parametrize(
    ("title", "matchable"),
    [
        ("Lịch tiếp dân, tháng Mười", True),  # 24 characters and 5 words: both at the limit
        ("Lịch tiếp dân tháng Tám", False),  # 23 characters
        ("Techfest Vietnam Innovation 2026", False),  # 32 characters but 4 words
        (HEADLINE, True),
    ],
)
def test_title_match_needs_24_characters_and_5_words(title: str, matchable: bool) -> None:
    """Whether a title may join another portal's item is judged on the normalized title (never
    on its digest, which is one 40-character word)."""
    (candidate,) = candidates([item(guid="x", title=title)], T0)
    assert candidate.title_matchable is matchable
    known = Known(by_title={candidate.title_key: [StoredItem(3, frozenset({"b"}), T0)]})
    verdict = decide("a", [candidate], known)[0].verdict
    assert verdict is (Verdict.NEW_SOURCE if matchable else Verdict.NEW)
