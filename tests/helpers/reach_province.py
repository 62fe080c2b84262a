"""The province of tests/helpers/report_province.py with known engagement counters (issue #14),
for the tests of the reach views, the service, `syndicator reach`, the /reach page and the
report's reach section. Its posts in the period (30 days to Monday 7/12/2026 07:00 in Hanoi):

- a on fanpage (skhcn), 05:00 local Monday: 1h collected: reactions 40, comments 5, shares 3,
  impressions 900, clicks and views unknown.
- a on zalo-oa (skhcn), 06:00 local Monday: 1h collected: shares 2, views 150, others unknown.
- b on fanpage (skhcn), 07:00 local Thursday: 1h and 24h collected; latest (24h) reactions 7,
  comments 0 and shares 0 (known zeros), the rest unknown.
- h on fanpage (syt), 07:00 local Saturday: nothing collected yet (every counter unknown).
The post of e (fanpage, before the period) has 1000 reactions, which no figure may count.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlmodel import col

from storage.models import Item, Post, PostReach
from storage.session import reading, writing
from tests.helpers.report_province import ITEMS, POSTS, fill

HOUR = timedelta(hours=1)
# (item key, channel, age, counters: reactions, comments, shares, impressions, clicks, views)
REACH = (
    ("a", "fanpage", HOUR, (40, 5, 3, 900, None, None)),
    ("a", "zalo-oa", HOUR, (None, None, 2, None, None, 150)),
    ("b", "fanpage", HOUR, (3, 0, 0, 120, None, None)),
    ("b", "fanpage", 24 * HOUR, (7, 0, 0, None, None, None)),
    ("e", "fanpage", 24 * HOUR, (1000, 1, 1, 5000, 10, None)),
)
TITLES = {key: title for key, title, *_ in ITEMS}


def post_ids(engine: Engine) -> dict[tuple[str, str], int]:
    """The posts' ids by (item key, channel)."""
    by_title = {title: key for key, title in TITLES.items()}
    query = select(col(Post.id), col(Post.channel), col(Item.title)).join(
        Item, col(Item.id) == col(Post.item_id)
    )
    with reading(engine) as session:
        rows = session.connection().execute(query).all()
    found: dict[tuple[str, str], int] = {}
    for post_id, channel, title in rows:
        assert post_id is not None
        found[(by_title[title], channel)] = post_id
    return found


def fill_reach(engine: Engine) -> dict[tuple[str, str], int]:
    """The report province's database and the counters above; returns the posts' ids."""
    fill(engine)
    ids = post_ids(engine)
    with writing(engine) as session:
        for key, channel, age, counts in REACH:
            session.add(reach_row(ids[(key, channel)], age, published(key, channel), counts))
    return ids


def published(key: str, channel: str) -> datetime:
    return next(at for k, c, at in POSTS if (k, c) == (key, channel))


def reach_row(
    post_id: int, age: timedelta, published_at: datetime, counts: tuple[int | None, ...]
) -> PostReach:
    reactions, comments, shares, impressions, clicks, views = counts
    return PostReach(
        post_id=post_id,
        age_seconds=int(age.total_seconds()),
        collected_at=published_at + age,  # a's on zalo-oa: at UNTIL, the clock's now
        reactions=reactions,
        comments=comments,
        shares=shares,
        impressions=impressions,
        clicks=clicks,
        views=views,
    )
