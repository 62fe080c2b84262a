"""Published posts, the latest published first, with the platform's link."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from storage.session import writing
from syndicator.app import App
from syndicator.services import published
from tests.helpers.posts import feed, make_posts, parsed, walk

PUBLISH = [("approve", "approved"), ("claim", "publishing"), ("publish", "published")]


def test_latest_published_first_with_the_remote_link(engine: Engine, app: App) -> None:
    """A post published later comes first whatever its id; posts not published are left out;
    `offset` gives the next page."""
    first, second, waiting = (
        make_posts(engine, feed(), parsed(f"Tin {n}", n))[0] for n in range(3)
    )
    now = app.clock.now()
    with writing(engine) as session:
        for post_id, minutes in ((first, 30), (second, 10)):
            url = f"https://www.facebook.com/1234567890_{post_id}"
            walk(
                session,
                post_id,
                PUBLISH,
                now,
                remote_url=url,
                published_at=now - timedelta(minutes=minutes),
            )
    rows = published.published_posts(app)
    assert [row.id for row in rows] == [second, first] and waiting not in [r.id for r in rows]
    assert rows[0].remote_url == f"https://www.facebook.com/1234567890_{second}"
    assert rows[0].title == "Tin 1" and rows[0].source_url == "https://skhcn.gov.vn/tin/1.html"
    assert [row.id for row in published.published_posts(app, limit=1, offset=1)] == [first]
