"""The queue's search (title words in any case, with or without accents) and its "flagged"
filter, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from storage.search_text import SEARCH_TEXT_MAX, like_pattern, search_text
from syndicator.app import App
from syndicator.services import queue
from tests.helpers.posts import feed, make_posts, parsed

TITLES = [
    "Hội nghị chuyển đổi số tỉnh năm 2027",
    "ĐẨY MẠNH CẢI CÁCH HÀNH CHÍNH",
    "Thông báo tuyển dụng viên chức",
]


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("Hội Nghị", "hoi nghi"),
        ("ĐẨY  mạnh", "day manh"),
        ("Hội nghị", "hoi nghi"),  # decomposed, as some keyboards send it
        ("  ", ""),
    ],
)
def test_search_text_drops_case_accents_and_spacing(typed: str, key: str) -> None:
    assert search_text(typed) == key


def test_like_patterns_match_percent_underscore_and_backslash_as_typed() -> None:
    assert like_pattern("Giảm 50% phí") == "%giam 50\\% phi%"
    assert like_pattern("ke_hoach\\2027") == "%ke\\_hoach\\\\2027%"


@pytest.mark.parametrize(
    ("typed", "found"),
    [("hoi nghi", [0]), ("HỘI NGHỊ", [0]), ("đẩy mạnh", [1]), ("day manh cai", [1]), ("vien", [2])],
)
def test_search_finds_titles_in_any_case_and_accents(
    engine: Engine, app: App, typed: str, found: list[int]
) -> None:
    ids = [make_posts(engine, feed(), parsed(title, n))[0] for n, title in enumerate(TITLES)]
    assert [row.id for row in queue.list_posts(app, search=typed)] == [ids[n] for n in found]


def test_search_pages_newest_first(engine: Engine, app: App) -> None:
    """A page of matches, newest first; the next page starts below the last id shown; words
    no title has find nothing; LIKE's wildcards typed by a user match only themselves."""
    ids = [
        make_posts(engine, feed(), parsed(f"{'Hội nghị' if n % 2 else 'Tin'} số {n}", n))[0]
        for n in range(7)
    ]
    matches = [ids[5], ids[3], ids[1]]
    assert [row.id for row in queue.list_posts(app, search="hoi nghi", limit=2)] == matches[:2]
    later = queue.list_posts(app, search="hoi nghi", limit=2, before_id=matches[1])
    assert [row.id for row in later] == matches[2:]
    assert queue.list_posts(app, search="không có tin này") == []
    assert queue.list_posts(app, search="%") == [] and queue.list_posts(app, search="_") == []
    (percent,) = make_posts(engine, feed(), parsed("Giảm 50% lệ phí trước bạ", 9))
    assert [row.id for row in queue.list_posts(app, search="50%")] == [percent]


def test_flagged_means_a_reason_besides_the_feeds_rule(engine: Engine, app: App) -> None:
    """A post held only because its feed requires review is not flagged; one with a watch
    word is, until it is approved."""
    (plain,) = make_posts(engine, feed(), parsed("Tin thường", 1))
    (watched,) = make_posts(engine, feed(), parsed("Văn bản tối mật về quốc phòng", 2))
    assert [row.id for row in queue.list_posts(app, flagged=True)] == [watched]
    assert [row.id for row in queue.list_posts(app, flagged=True, search="quoc phong")] == [watched]
    queue.approve(app, [watched], "duyet-bai", version=0)
    assert queue.list_posts(app, flagged=True) == []
    assert {row.id for row in queue.list_posts(app)} == {plain, watched}


def test_rows_carry_their_version(engine: Engine, app: App) -> None:
    (post_id,) = make_posts(engine, feed())
    queue.edit(app, post_id, "bien-tap", "Sở KH&CN thông báo: hội nghị dời sang ngày 20/11.")
    (row,) = queue.list_posts(app)
    assert row.version == 1


def test_approve_seen_approves_each_at_its_version(engine: Engine, app: App) -> None:
    """Each post is approved at the version the list showed; one changed since is refused with
    the reason, and the others are approved."""
    first, second = (make_posts(engine, feed(), parsed(f"Tin {n}", n))[0] for n in (1, 2))
    queue.edit(app, second, "bien-tap", "Sở KH&CN thông báo: hội nghị dời sang ngày 20/11.")
    results = queue.approve_seen(app, {first: 0, second: 0}, "duyet-bai")
    assert [(r.post_id, r.ok) for r in results] == [(first, True), (second, False)]
    assert queue.show_post(app, first).status == "approved"
    assert queue.show_post(app, second).status == "pending_review"


def test_a_title_longer_than_the_kept_form_is_stored_and_found_by_its_beginning(
    engine: Engine, app: App
) -> None:
    """A hostile or broken feed's very long title is stored on both databases (the searched
    form keeps its first SEARCH_TEXT_MAX characters): words ending at that edge are found,
    words starting just past it are not."""
    head = "Thông báo " + "x" * (SEARCH_TEXT_MAX - len("thong bao ") - len(" cuoi")) + " cuối"
    title = head + " tiếp theo " + "Hội nghị " * 400
    assert len(search_text(head)) == SEARCH_TEXT_MAX
    (post_id,) = make_posts(engine, feed(), parsed(title, 1))
    assert [row.id for row in queue.list_posts(app, search="cuối")] == [post_id]
    assert queue.list_posts(app, search="tiep theo") == []
