"""The rule of a post's reasons to check, with plain values (the SQL twin is checked against it
on both databases in tests/services/test_queue_flagged.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storage.flags import flags_to_check
from storage.models import Post

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)
EDITED = "Sở KH&CN thông báo: hội nghị chuyển đổi số dời sang ngày 20/11/2027."


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


@pytest.mark.parametrize(
    ("status", "flags", "edited", "to_check"),
    [
        ("pending_review", ["review_required"], None, []),
        ("pending_review", [], EDITED, []),
        ("pending_review", ["review_required", "watch_word:tối mật"], None, ["watch_word:tối mật"]),
        ("approved", ["review_required", "watch_word:tối mật"], None, []),
        (
            "pending_review",
            ["template_error:zalo.j2 dòng 7"],
            None,
            ["template_error:zalo.j2 dòng 7"],
        ),
        ("pending_review", ["review_required", "template_error:zalo.j2 dòng 7"], EDITED, []),
        ("pending_review", ["repost", "template_error:zalo.j2 dòng 7"], EDITED, ["repost"]),
        ("pending_review", ["short_body", "template_error:zalo.j2 dòng 7"], "", ["short_body"]),
    ],
)
def test_reasons_to_check(
    status: str, flags: list[str], edited: str | None, to_check: list[str]
) -> None:
    """Only a waiting post has any; the feed's rule is none; an edit, even to an empty text,
    answers the template error and nothing else."""
    assert flags_to_check(post(status, flags, edited)) == to_check
