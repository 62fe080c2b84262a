"""Published posts on the fake platforms, and the engagement rows the reach job stored."""

from __future__ import annotations

from datetime import datetime, timedelta

import requests
from sqlalchemy import Engine
from sqlmodel import col, select

from connectors.facebook.client import FacebookConnector
from connectors.zalo.client import ZaloConnector
from storage.models import PostReach, ReachMetricOff
from storage.session import reading, writing
from tests.helpers.clock import FakeClock
from tests.helpers.fake_graph import FakeGraph
from tests.helpers.fake_zalo import APP_SECRET, FakeZalo, InMemoryStepStore, InMemoryTokenStore
from tests.helpers.posts import feed, make_posts, parsed, walk

PUBLISH = [("approve", "approved"), ("claim", "publishing"), ("publish", "published")]
AGES = [timedelta(hours=1), timedelta(hours=24), timedelta(days=7)]  # reach.ages' default
HOUR, DAY, WEEK = 3600, 86400, 604800
TITLES = (
    "Triển khai Kế hoạch chuyển đổi số tỉnh Quảng Trị năm 2027 tới các sở, ban, ngành",
    "Thông báo lịch tiếp công dân định kỳ của Chủ tịch Ủy ban nhân dân tỉnh tháng 12",
    "Hướng dẫn nộp hồ sơ trực tuyến dịch vụ công cấp đổi giấy phép lái xe",
    "Hội nghị tổng kết công tác khoa học và công nghệ năm 2026, triển khai nhiệm vụ 2027",
    "Công bố danh mục thủ tục hành chính mới ban hành lĩnh vực khoa học và công nghệ",
)


def facebook(
    graph: FakeGraph, clock: FakeClock, *, app_secret: str | None = None, timeout: float = 2.0
) -> FacebookConnector:
    """The real connector on the fake Graph (a new one is a restarted daemon's)."""
    return FacebookConnector(
        requests.Session(),
        graph_url=graph.url,
        api_version=graph.version,
        page_id=graph.page_id,
        page_token=graph.token,
        app_secret=app_secret,
        timeout=timeout,
        clock=clock.now,
    )


def zalo(fake: FakeZalo, clock: FakeClock) -> ZaloConnector:
    return ZaloConnector(
        requests.Session(),
        api_url=fake.url,
        oauth_url=fake.url,
        app_id=fake.app_id,
        app_secret=APP_SECRET,
        tokens=InMemoryTokenStore(fake.seed_pair(clock.now() + timedelta(days=30))),
        steps=InMemoryStepStore(),
        clock=clock.now,
        timeout=2.0,
    )


def published(engine: Engine, n: int, remote_id: str, at: datetime, channel: str) -> int:
    """Item `n`'s post on `channel`, published at `at` as `remote_id` (the post made for it)."""
    (post_id,) = make_posts(engine, feed(channels=(channel,)), parsed(TITLES[n], n))
    with writing(engine) as session:
        walk(session, post_id, PUBLISH, at, published_at=at, remote_id=remote_id)
    return post_id


def on_graph(engine: Engine, graph: FakeGraph, n: int, at: datetime) -> tuple[int, str]:
    """Item `n` published on the fake Page at `at`: (post id, Graph post id)."""
    remote = graph.add_post(TITLES[n], f"https://skhcn.gov.vn/tin/{n}.html", at)
    return published(engine, n, remote.id, at, "facebook"), remote.id


def rows(engine: Engine) -> list[PostReach]:
    with reading(engine) as session:
        query = select(PostReach).order_by(col(PostReach.post_id), col(PostReach.age_seconds))
        return list(session.exec(query))


def ages_of(engine: Engine) -> list[tuple[int, int]]:
    """(post id, age in seconds) of every stored row."""
    return [(row.post_id, row.age_seconds) for row in rows(engine)]


def switched_off(engine: Engine) -> list[ReachMetricOff]:
    with reading(engine) as session:
        query = select(ReachMetricOff).order_by(col(ReachMetricOff.metric))
        return list(session.exec(query))
