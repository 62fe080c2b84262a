"""storage.posts: reads that must see the row as it is now, on both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from storage import posts as post_store
from storage.session import writing
from storage.states import IllegalTransition, Move
from storage.states import PostAction as A
from storage.states import PostStatus as S
from tests.helpers.posts import feed, make_posts


def test_get_reads_the_row_again_not_the_sessions_copy(engine: Engine) -> None:
    """A row changed behind the session's back (raw SQL, as another worker's UPDATE looks to
    it) is read as it now is, not as the session first loaded it."""
    (post_id,) = make_posts(engine, feed(review="auto"))
    with writing(engine) as session:
        first = post_store.get(session, post_id)
        assert first is not None and first.claimed_by is None
        session.execute(
            text("UPDATE post SET claimed_by = 'may-chu-2:4242:ab12' WHERE id = :id"),
            {"id": post_id},
        )
        again = post_store.get(session, post_id)
        assert again is not None and again.claimed_by == "may-chu-2:4242:ab12"


def test_a_refused_change_of_status_says_why(engine: Engine) -> None:
    """compare_and_set's refusals name the post or the move: a status without its move, a move
    the table does not allow, a move whose target the changes contradict."""
    (post_id,) = make_posts(engine, feed(review="required"))
    with writing(engine) as session:
        post = post_store.get(session, post_id)
        assert post is not None
        version = post.version
    cases = [
        ({"status": "published"}, None, f"post {post_id}: a change of status must name its move"),
        (
            {},
            Move(S.PENDING_REVIEW, A.PUBLISH, S.PUBLISHED),
            "a post may not move pending_review -publish-> published",
        ),
        (
            {"status": "rejected"},
            Move(S.PENDING_REVIEW, A.APPROVE, S.APPROVED),
            "approve moves a post to approved, not rejected",
        ),
    ]
    for changes, move, message in cases:
        with writing(engine) as session, pytest.raises(IllegalTransition) as refused:
            post_store.compare_and_set(session, post_id, version, changes, move)
        assert str(refused.value) == message
