"""The queue service, called as a front end calls it, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from syndicator.app import App
from syndicator.posts.maker import PostNotFound
from syndicator.services import queue
from syndicator.services.names import UnknownName
from tests.helpers.posts import feed, make_posts, parsed

WATCHED = "Hội nghị phổ biến văn bản tối mật về quốc phòng năm 2027"


def test_rows_carry_the_item_and_what_still_holds(engine: Engine, app: App) -> None:
    """Each row names its article; after approval the reason it waited is gone from `reasons`
    but kept in `flags`, and the approved post gets its next slot."""
    facebook, zalo = make_posts(engine, feed(channels=("facebook", "zalo")))
    rows = {row.id: row for row in queue.list_posts(app)}
    assert rows[facebook].title == "Triển khai chuyển đổi số năm 2027"
    assert rows[facebook].reasons == rows[facebook].flags == ("review_required",)
    assert rows[zalo].channel == "zalo" and rows[zalo].next_slot is None
    (done,) = queue.approve(app, [facebook], "bien-tap", version=0)
    assert done.ok
    (row,) = queue.list_posts(app, status="approved")
    assert row.id == facebook and row.reasons == () and row.flags == ("review_required",)
    assert row.next_slot is not None and row.next_slot >= app.clock.now()


def test_filters_name_known_feeds_and_channels(engine: Engine, app: App) -> None:
    """An unknown channel or feed is UnknownName naming the known ones; a known one with no
    posts is an empty list."""
    make_posts(engine, feed())
    assert [row.channel for row in queue.list_posts(app, channel="facebook")] == ["facebook"]
    assert queue.list_posts(app, feed="soyte") == []
    with pytest.raises(UnknownName, match="known channels: facebook, sandbox, zalo"):
        queue.list_posts(app, channel="facebok")
    with pytest.raises(UnknownName, match="unknown feed 'so-y-te'; known feeds: skhcn, soyte"):
        queue.list_posts(app, feed="so-y-te")


def test_show_gives_preview_reasons_and_history(engine: Engine, app: App) -> None:
    """A Zalo post shows its article fields; a watch word is a reason in Vietnamese; the history
    names who did what."""
    _, zalo = make_posts(engine, feed(channels=("facebook", "zalo")), parsed(WATCHED))
    post = queue.show_post(app, zalo)
    labels = dict(post.preview.fields)
    assert labels["Tiêu đề"] == WATCHED and labels["Ảnh bìa"] == "https://skhcn.gov.vn/a.jpg"
    assert {reason.code for reason in post.reasons} >= {"watch_word", "review_required"}
    assert any("tối mật" in reason.text for reason in post.reasons)
    assert [line.action for line in post.history] == ["create"]
    assert post.failure is None and post.version == 0
    with pytest.raises(PostNotFound):
        queue.show_post(app, 424242)


def test_edit_keeps_the_original_and_a_stale_approval_fails(engine: Engine, app: App) -> None:
    """An edit keeps the rendering beside the new text and bumps the version: approving the
    version seen before the edit is refused, the one after is approved."""
    (post_id,) = make_posts(engine, feed())
    before = queue.text_to_edit(app, post_id)
    queue.edit(app, post_id, "bien-tap", "Sở KH&CN thông báo: hội nghị dời sang ngày 20/11.")
    shown = queue.show_post(app, post_id)
    assert shown.preview.text.startswith("Sở KH&CN thông báo")
    assert shown.preview.original_text == before and shown.preview.edited_by == "bien-tap"
    (stale,) = queue.approve(app, [post_id], "truong-phong", version=0)
    assert not stale.ok and "đã thay đổi" in (stale.error or "")
    (fresh,) = queue.approve(app, [post_id], "truong-phong", version=shown.version)
    assert fresh.ok


def test_reject_one_of_several_reports_each(engine: Engine, app: App) -> None:
    """Rejecting several posts reports each: an unknown id fails without stopping the others."""
    facebook, zalo = make_posts(engine, feed(channels=("facebook", "zalo")))
    results = queue.reject(app, [facebook, 424242, zalo], "bien-tap", "Trùng tin đã đăng")
    assert [r.ok for r in results] == [True, False, True]
    assert {row.status for row in queue.list_posts(app)} == {"rejected"}
    assert queue.show_post(app, facebook).history[-1].reason == "Trùng tin đã đăng"


def test_template_failures_lists_waiting_posts_without_text(engine: Engine, app: App) -> None:
    """Only waiting posts whose template failed are offered for a new rendering."""
    make_posts(engine, feed())
    assert queue.template_failures(app) == []


def test_pages_follow_each_other_newest_first(engine: Engine, app: App) -> None:
    """`limit` and `before_id` walk the queue page by page: no post twice, none missed."""
    ids = [make_posts(engine, feed(), parsed(f"Tin số {n} của Sở KH&CN", n))[0] for n in range(5)]
    first = queue.list_posts(app, limit=2)
    second = queue.list_posts(app, limit=2, before_id=first[-1].id)
    last = queue.list_posts(app, limit=2, before_id=second[-1].id)
    assert [row.id for row in first + second + last] == sorted(ids, reverse=True)
    assert queue.list_posts(app, limit=2, before_id=min(ids)) == []
