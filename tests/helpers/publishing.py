"""A connector scripted at the contract level and a publisher over it."""

from __future__ import annotations

from sqlalchemy import Engine

from connectors.base import (
    Ambiguous,
    Health,
    OutgoingPost,
    Published,
)
from storage import posts as post_store
from storage.session import reading
from syndicator.config import Settings
from syndicator.publish.publisher import (
    Publisher,
)
from tests.helpers.clock import FakeClock
from tests.helpers.posts import feed, make_posts, parsed


class Scripted:
    """A connector whose answers the test writes; it remembers what reached 'the platform'."""

    def __init__(self, engine: Engine | None = None) -> None:
        self.answers: list[BaseException | None] = []
        self.on_platform: dict[int, Published] = {}
        self.calls = 0
        self.find_error: BaseException | None = None
        self.engine, self.seen_status = engine, []
        self.healthy = True

    def publish(self, post: OutgoingPost) -> Published:
        self.calls += 1
        if self.engine is not None:
            with reading(self.engine) as session:
                found = post_store.get(session, post.post_id)
                self.seen_status.append(found.status if found else None)
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Ambiguous) and "created" in str(answer):
            self.on_platform[post.post_id] = Published(f"remote-{post.post_id}")
        if isinstance(answer, BaseException):
            raise answer
        self.on_platform[post.post_id] = Published(f"remote-{post.post_id}")
        return self.on_platform[post.post_id]

    def find_existing(self, post: OutgoingPost) -> Published | None:
        if self.find_error is not None:
            raise self.find_error
        return self.on_platform.get(post.post_id)

    def check(self) -> Health:
        return Health(self.healthy, "scripted")


def settings() -> Settings:
    return Settings(
        channels={"facebook": {"type": "facebook"}},
        pacing={
            "facebook": {
                "quiet_hours": "",
                "min_spacing": "0s",
                "max_per_hour": 100,
                "max_per_day": 1000,
            }
        },
    )


def approved_post(engine: Engine, n: int = 1) -> int:
    (post_id,) = make_posts(engine, feed(review="auto"), parsed(n=n))
    return post_id


def post(engine: Engine, post_id: int):  # type: ignore[no-untyped-def]
    with reading(engine) as session:
        return post_store.get(session, post_id)


def publisher(engine: Engine, connector: object, clock: FakeClock) -> Publisher:
    return Publisher(
        engine,
        {"facebook": connector},
        settings(),
        clock,  # type: ignore[dict-item]
        sleep=lambda seconds: None,
    )
