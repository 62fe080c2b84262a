"""storage.posts: reads that must see the row as it is now, on both databases."""

from __future__ import annotations

from sqlalchemy import Engine, text

from storage import posts as post_store
from storage.session import writing
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
