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
    `before_id` gives the next page."""
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
    assert [row.id for row in published.published_posts(app, limit=1, before_id=second)] == [first]
    assert published.published_posts(app, limit=1, before_id=first) == []


def test_pages_follow_publish_time_then_id_and_do_not_shift(engine: Engine, app: App) -> None:
    """Posts published in the same second are ordered by id; a page after a given post starts
    right after it, even when a post is published meanwhile (a keyset, not an offset); a
    cursor that is no published post pages by id alone."""
    ids = [make_posts(engine, feed(), parsed(f"Tin {n}", n))[0] for n in range(5)]
    now = app.clock.now()
    moments = [now - timedelta(minutes=m) for m in (5, 3, 3, 3, 1)]  # three share a second
    with writing(engine) as session:
        for post_id, moment in zip(ids, moments, strict=True):
            walk(session, post_id, PUBLISH, now, published_at=moment)
    newest_first = [ids[4], ids[3], ids[2], ids[1], ids[0]]
    first_page = [row.id for row in published.published_posts(app, limit=2)]
    assert first_page == newest_first[:2]
    late = make_posts(engine, feed(), parsed("Tin muộn", 9))[0]
    with writing(engine) as session:
        walk(session, late, PUBLISH, now, published_at=now)
    second_page = published.published_posts(app, limit=2, before_id=first_page[-1])
    assert [row.id for row in second_page] == newest_first[2:4]
    third_page = published.published_posts(app, limit=2, before_id=second_page[-1].id)
    assert [row.id for row in third_page] == newest_first[4:]
    not_published = make_posts(engine, feed(), parsed("Tin chờ duyệt", 10))[0]
    by_id = published.published_posts(app, limit=10, before_id=not_published)
    assert sorted(row.id for row in by_id) == sorted([*ids, late])
