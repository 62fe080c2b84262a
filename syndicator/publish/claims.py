"""Claims on posts: taken before a request leaves, kept alive while it is in flight, settled by
whoever still holds them (DESIGN.md, "Delivery guarantee").

A claim is (post, worker id, the post's version while the claim holds). Every change a worker
makes to a claimed post names all three, so once its lease has run out and another worker has
taken the post over, a late answer changes nothing, except a success: the post is on the
platform, so that is recorded whatever state the post is in by then, and a second copy (what
exactly-once exists to prevent) is recorded as a duplicate for a person to remove.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from connectors.base import Published
from storage import posts as post_store
from storage import publishing as store
from storage.models import Post
from storage.session import reading, writing
from storage.states import Move, PostAction, PostStatus, PublishStatus, check_move
from syndicator.clock import Clock

log = structlog.get_logger("syndicator.publish")
ACTOR = "publisher"
LATE_TRIES = 5  # re-reads when a late success races other changes to the post


def worker_id() -> str:
    """Unique per process and publisher: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


@dataclass(frozen=True, slots=True)
class Claim:
    post_id: int
    channel: str
    worker: str
    version: int  # the post's version while this claim holds
    started_at: datetime  # when the attempt began: find_existing looks back to here


class LeaseKeeper:
    """Renews a claim's lease every `every` seconds while a request is in flight, in a thread,
    until the block ends or the claim turns out lost (then it only says so: a request already
    sent cannot be called back, and its answer is settled by compare-and-set)."""

    def __init__(self, renew: Callable[[], bool], every: float, post_id: int) -> None:
        self.renew, self.every, self.post_id = renew, every, post_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if not self.renew():
                    log.warning("claim.lost", post=self.post_id)
                    return
            except Exception:  # the database may be briefly away; the next beat tries again
                log.exception("lease.renew_failed", post=self.post_id)


class ClaimBook:
    """Takes, renews and settles one worker's claims."""

    def __init__(self, engine: Engine, clock: Clock, worker: str, lease: timedelta) -> None:
        self.engine, self.clock, self.worker, self.lease = engine, clock, worker, lease

    def claim(self, post: Post) -> Claim | None:
        """approved → publishing, committed before anything is sent; None if someone was first."""
        now = self.clock.now()
        move = check_move(post.status, PostAction.CLAIM, PostStatus.PUBLISHING)
        changes = {
            "claimed_by": self.worker,
            "attempts": post.attempts + 1,
            "claim_expires_at": now + self.lease,
            "updated_at": now,
        }
        with writing(self.engine) as session:
            if not post_store.compare_and_set(session, post.id or 0, post.version, changes, move):
                return None
            post_store.record(
                session, post.id or 0, now, ACTOR, move.action, move.source, move.target
            )
        post.version, post.attempts = post.version + 1, post.attempts + 1
        return Claim(post.id or 0, post.channel, self.worker, post.version, now)

    def take_over(self, post: Post) -> Claim | None:
        """Claim a post whose lease has ended, to reconcile it; None if someone was first."""
        now = self.clock.now()
        with writing(self.engine) as session:
            taken = store.take_over(
                session, post.id or 0, post.version, self.worker, now + self.lease, now
            )
            started = store.attempt_started(session, post.id or 0) if taken else None
        if not taken:
            return None
        post.version += 1
        return Claim(post.id or 0, post.channel, self.worker, post.version, started or now)

    def renew(self, claim: Claim) -> bool:
        with writing(self.engine) as session:
            return store.renew(
                session, claim.post_id, claim.worker, claim.version, self.clock.now() + self.lease
            )

    def settle(
        self,
        claim: Claim,
        to_status: PostStatus,
        action: PostAction,
        reason: str | None,
        **changes: object,
    ) -> bool:
        """Move the claimed post on, with its audit event, if the claim still holds. Unless
        `changes` say otherwise, the claim is released."""
        now = self.clock.now()
        move = Move(PostStatus.PUBLISHING, action, to_status)
        values = {"updated_at": now, "claimed_by": None, "claim_expires_at": None, **changes}
        with writing(self.engine) as session:
            if not store.settle(session, claim.post_id, claim.worker, claim.version, move, values):
                return False
            post_store.record(
                session, claim.post_id, now, ACTOR, action, move.source, move.target, reason
            )
        return True

    def failed_searches(self, claim: Claim) -> list[datetime]:
        """When searches for this attempt's outcome failed, oldest first."""
        with reading(self.engine) as session:
            return store.events_since(
                session, claim.post_id, PostAction.SEARCH_FAILED, claim.started_at
            )

    def late_success(self, claim: Claim, published: Published) -> PublishStatus:
        """A success that came back after the claim was lost: the post is on the platform. It
        becomes `published` whatever state it is in; if it already is, under another id, the
        second copy is recorded as a duplicate. Returns "published" or "duplicate"."""
        for _ in range(LATE_TRIES):
            now = self.clock.now()
            with writing(self.engine) as session:
                current = post_store.get(session, claim.post_id)
                if current is None:
                    break
                if current.status == PostStatus.PUBLISHED:
                    return self._already_published(session, current, published, now)
                was = current.status  # the update below refreshes `current`
                move = check_move(was, PostAction.LATE_SUCCESS, PostStatus.PUBLISHED)
                if post_store.compare_and_set(
                    session, claim.post_id, current.version, _published(published, now), move
                ):
                    reason = f"{published.url or published.remote_id} (answer came after the lease)"
                    post_store.record(
                        session, claim.post_id, now, ACTOR, move.action, was, move.target, reason
                    )
                    log.warning("post.late_success", post=claim.post_id, was=was)
                    return PublishStatus.PUBLISHED
        log.error("post.late_success_unrecorded", post=claim.post_id, remote=published.remote_id)
        return PublishStatus.PUBLISHED

    @staticmethod
    def _already_published(
        session: Session, current: Post, published: Published, now: datetime
    ) -> PublishStatus:
        if current.remote_id == published.remote_id:
            return PublishStatus.PUBLISHED  # the same post, already on record (a search found it)
        reason = (
            f"đăng trùng: bài còn có trên kênh với mã {published.remote_id}, cần gỡ một bài / "
            f"published twice: also on the channel as {published.remote_id} "
            f"({published.url or 'no link'}) besides {current.remote_id}; remove one there"
        )
        post_id = current.id or 0
        move = check_move(PostStatus.PUBLISHED, PostAction.DUPLICATE, PostStatus.PUBLISHED)
        post_store.record(
            session, post_id, now, ACTOR, move.action, move.source, move.target, reason
        )
        post_store.compare_and_set(session, post_id, current.version, {"last_error": reason})
        log.error(
            "post.published_twice",
            post=post_id,
            recorded=current.remote_id,
            duplicate=published.remote_id,
        )
        return PublishStatus.DUPLICATE


def _published(published: Published, now: datetime) -> dict[str, object]:
    return {
        "remote_id": published.remote_id,
        "remote_url": published.url,
        "published_at": now,
        "last_error": None,
        "claimed_by": None,
        "claim_expires_at": None,
        "next_attempt_at": None,
        "updated_at": now,
    }
