"""One meaning of "flagged" everywhere: the queue's `flagged` filter (SQL) lists exactly the
posts whose standing reasons (Python) hold one besides the feed's `review = "required"`, on
both databases."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from syndicator.app import App
from syndicator.services import queue
from syndicator.settings_models import FeedSettings
from tests.helpers.posts import feed, make_posts, parsed

WATCHED = "Hội nghị phổ biến văn bản tối mật về quốc phòng năm 2027"
EDITED = "Sở KH&CN thông báo: hội nghị chuyển đổi số dời sang ngày 20/11/2027."


def broken(review: str) -> FeedSettings:
    """The Sở KH&CN feed with a per-feed template that does not exist: every post fails."""
    return feed(review).model_copy(update={"template": "khong-co"})


def build_cases(engine: Engine, app: App) -> dict[str, tuple[int, bool]]:
    """Each case's post id and whether a reviewer should find it flagged."""
    made = iter(range(1, 100))

    def post(the_feed: FeedSettings, title: str, then: Callable[[int], None] | None = None) -> int:
        (post_id,) = make_posts(engine, the_feed, parsed(title, next(made)))
        if then is not None:
            then(post_id)
        return post_id

    def edit(post_id: int) -> None:
        queue.edit(app, post_id, "bien-tap", EDITED)

    def approve(post_id: int) -> None:
        assert queue.approve(app, [post_id], "phe-duyet", version=0)[0].ok

    plain = "Triển khai chuyển đổi số năm 2027"
    return {
        "pending, watch word": (post(feed(), WATCHED), True),
        "pending, watch word, edited": (post(feed(), WATCHED, edit), True),
        "pending, only the feed's rule": (post(feed(), plain), False),
        "pending, only the feed's rule, edited": (post(feed(), plain, edit), False),
        "approved, watch word": (post(feed(), WATCHED, approve), False),
        "template error, not edited": (post(broken("auto"), plain), True),
        "template error, edited": (post(broken("auto"), plain, edit), False),
        "feed's rule and template error, not edited": (post(broken("required"), plain), True),
        "feed's rule and template error, edited": (post(broken("required"), plain, edit), False),
        "template error and watch word, edited": (post(broken("auto"), WATCHED, edit), True),
    }


def test_the_flagged_filter_and_the_standing_reasons_agree(engine: Engine, app: App) -> None:
    """For every case, the post is in the `flagged` listing exactly when a standing reason
    besides the feed's rule remains (its `to_check`), and that is what a reviewer expects."""
    cases = build_cases(engine, app)
    rows = {row.id: row for row in queue.list_posts(app)}
    listed = {row.id for row in queue.list_posts(app, flagged=True)}
    searched = {row.id for row in queue.list_posts(app, flagged=True, search="2027")}
    for case, (post_id, expected) in cases.items():
        row = rows[post_id]
        besides_rule = [reason for reason in row.reasons if reason != "review_required"]
        assert list(row.to_check) == besides_rule, case
        assert (post_id in listed, post_id in searched, bool(row.to_check)) == (expected,) * 3, case


def test_a_flagged_page_is_newest_first_and_pages_by_id(engine: Engine, app: App) -> None:
    """The filter keeps the keyset paging: `before_id` continues below the last post shown."""
    cases = build_cases(engine, app)
    flagged = sorted((pid for pid, expected in cases.values() if expected), reverse=True)
    first = queue.list_posts(app, flagged=True, limit=2)
    rest = queue.list_posts(app, flagged=True, before_id=first[-1].id)
    assert [row.id for row in first + rest] == flagged
