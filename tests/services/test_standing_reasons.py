"""Which review reasons still hold for a post: a pure rule, tested with plain values."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.models import Post
from syndicator.services.queue import standing_reasons

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)


def post(status: str, flags: list[str], edited: str | None = None) -> Post:
    return Post(
        item_id=1,
        channel="facebook",
        feed_id="skhcn",
        status=status,
        flags=flags,
        edited_text=edited,
        created_at=NOW,
        updated_at=NOW,
    )


def test_a_waiting_post_waits_for_its_reasons() -> None:
    """Every reason holds while the post waits for review."""
    flags = ["review_required", "watch_word:tối mật"]
    assert standing_reasons(post("pending_review", flags)) == tuple(flags)


def test_nothing_holds_once_a_person_decided() -> None:
    """Approved, rejected and published posts wait for nothing."""
    for status in ("approved", "rejected", "published", "publishing"):
        assert standing_reasons(post(status, ["review_required"])) == ()


def test_an_edited_text_clears_the_template_error_only() -> None:
    """An editor's text answers the template error; the watch word still needs a look."""
    flags = ["template_error:templates/zalo.j2 line 7", "watch_word:mật"]
    edited = post("pending_review", flags, edited="Nội dung do biên tập viên viết lại.")
    assert standing_reasons(edited) == ("watch_word:mật",)
