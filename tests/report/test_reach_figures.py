"""The pacing windows the reach page suggests (syndicator/report/reach_figures.py): the two local
hours in a row with the most engagement per post, beside each channel's quiet hours; none until
a channel has MIN_MEASURED posts with engagement known; and each post's category."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.reach_views import LatestReach, Slot, Sum
from syndicator.posts.pacing import PacingSettings
from syndicator.report.classify import Classifier
from syndicator.report.reach_figures import (
    MIN_MEASURED,
    _overlaps,
    best_window,
    categories_of,
    suggest_pacing,
)
from syndicator.report_settings import RuleSettings
from syndicator.settings_models import FeedSettings

ZONE = "Asia/Ho_Chi_Minh"
MIDNIGHT_HANOI = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # Tuesday 1/12/2026 00:00 local


def post(
    number: int, local_hour: int, reactions: int | None, channel: str = "fanpage"
) -> LatestReach:
    at = MIDNIGHT_HANOI + timedelta(hours=local_hour, minutes=number % 50)
    title = f"Thông báo kết quả tuyển dụng viên chức năm 2026 (đợt {number})"
    counts = (reactions, None, None, None, None, None)
    return LatestReach(number, "skhcn", channel, f"1234_{number}", at, title, at, 3600, counts)


def slots(rates: dict[int, tuple[int, int]]) -> list[Slot]:
    """24 hours; `rates` gives some hours (engagement, posts measured)."""
    return [Slot(rates[h][1], Sum(*rates[h])) if h in rates else Slot() for h in range(24)]


def test_the_best_window_is_the_highest_rate_per_post_not_the_most_posts() -> None:
    """19:00-21:00 (30 and 20 per post) beats 08:00-10:00 (10 and 10, more posts) and 18:00-
    20:00 (one good hour beside an empty one)."""
    hours = slots({8: (100, 10), 9: (100, 10), 19: (60, 2), 20: (40, 2)})
    assert best_window(hours) == (19, 25.0)


def test_the_best_window_crosses_midnight() -> None:
    hours = slots({23: (30, 1), 0: (30, 1), 12: (10, 1)})
    assert best_window(hours) == (23, 30.0)


def test_ties_go_to_the_earliest_hour_and_nothing_measured_gives_none() -> None:
    assert best_window(slots({6: (10, 1), 18: (10, 1)}))[0] == 5
    assert best_window(slots({})) == (None, 0.0)


def test_a_window_overlaps_quiet_hours_at_their_edge_and_not_just_before() -> None:
    """Quiet 22:00-06:00: 20:00-22:00 keeps clear; 21:00-23:00 overlaps; 06:00-08:00 clear;
    05:00-07:00 overlaps. A quiet 22:30 start: 21:00-23:00 still overlaps by 30 minutes."""
    assert not _overlaps(20, "22:00-06:00")
    assert _overlaps(21, "22:00-06:00")
    assert not _overlaps(6, "22:00-06:00")
    assert _overlaps(5, "22:00-06:00")
    assert _overlaps(21, "22:30-23:00") and not _overlaps(20, "22:30-23:00")
    assert not _overlaps(3, None) and not _overlaps(3, "")


def test_suggestions_per_channel_need_enough_measured_posts() -> None:
    """MIN_MEASURED posts with engagement known give a window; one fewer does not; posts
    whose engagement is unknown do not count."""
    enough = [post(n, 19 + n % 2, 30) for n in range(MIN_MEASURED)]
    enough += [post(100 + n, 8, 2) for n in range(3)] + [post(200, 10, None)]
    short = [post(300 + n, 19, 30, "zalo-oa") for n in range(MIN_MEASURED - 1)]
    short.append(post(400, 19, None, "zalo-oa"))
    pacing = {"fanpage": PacingSettings(quiet_hours="22:00-06:00")}
    fanpage, zalo = suggest_pacing(enough + short, ["fanpage", "zalo-oa"], pacing, ZONE)
    assert (fanpage.best_from, fanpage.per_post, fanpage.measured) == (19, 30.0, MIN_MEASURED + 3)
    assert fanpage.window == "19:00\u201321:00" and not fanpage.overlaps_quiet
    assert fanpage.text == "most engagement 19:00\u201321:00; quiet hours 22:00\u201306:00 keep it"
    assert zalo.best_from is None and zalo.measured == MIN_MEASURED - 1
    assert zalo.text.startswith(f"too few posts with engagement known ({MIN_MEASURED - 1},")


def test_a_window_in_the_quiet_hours_says_so() -> None:
    rows = [post(n, 22, 50) for n in range(MIN_MEASURED)] + [post(9, 9, 1)]
    (found,) = suggest_pacing(rows, ["fanpage"], {}, ZONE)  # default pacing: 22:00-06:00
    assert found.best_from == 21 and found.overlaps_quiet
    assert "hold posts back then" in found.text
    (none,) = suggest_pacing(rows, ["fanpage"], {"fanpage": PacingSettings(quiet_hours="")}, ZONE)
    assert none.text == "most engagement 21:00\u201323:00; no quiet hours"


def test_a_posts_category_is_stored_else_the_rules_else_its_feeds() -> None:
    rules = [RuleSettings(category="dau-thau", keywords=["mời thầu"])]
    feed = FeedSettings(
        id="skhcn", name="Sở KH&CN", url="https://skhcn.gov.vn/rss", category="tin-tuc"
    )
    rows = [post(1, 9, 1), post(2, 9, 1), post(3, 9, 1)]
    facts = {
        1: ("van-ban", None, None, None),
        2: (None, "thong bao moi thau goi thau so 12", None, "https://skhcn.gov.vn/a"),
        3: (None, "hoi nghi chuyen doi so", None, None),
    }
    found = categories_of(rows, facts, [feed], Classifier.compile(rules))
    assert found == {1: "van-ban", 2: "dau-thau", 3: "tin-tuc"}
