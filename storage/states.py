"""Every state the product stores or reports, as StrEnums, and the moves a post may make.

No imports from the rest of the product: storage, the domain and the front ends all read it.
The values are the strings in the database and in `--json` output (a contract): a StrEnum
member compares equal to its string, so rows written before these types existed still match.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class PostStatus(StrEnum):
    """Where a post is in its life (DESIGN.md, "States of a post")."""

    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    REJECTED = "rejected"
    FAILED = "failed"
    NEEDS_ATTENTION = "needs_attention"


class PostAction(StrEnum):
    """What moved a post: the `action` of its audit event."""

    CREATE = "create"
    REPOST = "repost"
    APPROVE = "approve"
    REJECT = "reject"
    EDIT = "edit"
    RERENDER = "rerender"
    CLAIM = "claim"
    PUBLISH = "publish"  # the platform took it
    UNKNOWN = "unknown"  # sent, outcome unknown: kept in publishing until reconciled
    RETRY = "retry"  # not sent, or not found by reconcile: approved again, later
    PAUSE = "pause"  # the channel paused (throttle, auth problem): approved, attempt not counted
    FAIL = "fail"  # gave up after the retry ladder
    REFUSE = "refuse"  # the platform refused it: nothing published, may be approved again
    RECONCILE = "reconcile"  # found on the platform, or cannot tell (contradictory, given up)
    SEARCH_FAILED = "search_failed"  # the platform could not be searched: search again later
    LATE_SUCCESS = "late_success"  # a success that came back after the claim was lost
    DUPLICATE = "duplicate"  # a second copy on the platform, recorded for a person to remove


class PublishStatus(StrEnum):
    """What one publisher pass did with a post (PublishOutcome.status, `publish --json`)."""

    PUBLISHED = "published"
    RETRY = "retry"
    FAILED = "failed"
    PAUSED = "paused"
    NEEDS_ATTENTION = "needs_attention"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"
    SUPERSEDED = "superseded"  # a late answer after the claim was taken over: changed nothing
    DUPLICATE = "duplicate"  # a late success for a post already published under another id


class FetchStatus(StrEnum):
    """The outcome of one fetch (FetchResult, PollOutcome, feed_state.last_status)."""

    OK = "ok"  # a new body
    NOT_MODIFIED = "not_modified"  # 304
    UNCHANGED = "unchanged"  # the same bytes as last time
    ERROR = "error"


# `claimed_by` of a post whose outcome is unknown: no worker holds it until reconcile is due.
AWAITING_RECONCILE = "awaiting-reconcile"


@dataclass(frozen=True, slots=True)
class Move:
    """One allowed transition: `action` takes a post from `source` (None: a new post) to `target`."""

    source: PostStatus | None
    action: PostAction
    target: PostStatus


class IllegalTransition(ValueError):
    """A post move the table does not allow; raised before the database is touched."""


def _moves(
    sources: Iterable[PostStatus | None], action: PostAction, *targets: PostStatus
) -> list[Move]:
    return [Move(source, action, target) for source in sources for target in targets]


_S, _A = PostStatus, PostAction
_NOT_PUBLISHED = [status for status in PostStatus if status is not _S.PUBLISHED]

# The one table of post moves. The diagram in DESIGN.md, plus the reviewer's edits and new
# renderings, the publisher's moves within `publishing` (unknown outcome, failed search), and
# a success that came back late (the post is on the platform, whatever state it reached).
# Reconcile writes: found → `reconcile` to published; not found → `retry` to approved (or
# `fail` past the ladder); cannot tell → `search_failed` (search again) or `reconcile` to
# needs_attention. A failed post may be approved, edited or rendered again only when its last
# move was `refuse` (syndicator/posts/queue.py checks the trail; a table cannot).
POST_MOVES: tuple[Move, ...] = tuple(
    [
        *_moves([None], _A.CREATE, _S.PENDING_REVIEW, _S.APPROVED),
        *_moves([None], _A.REPOST, _S.PENDING_REVIEW, _S.APPROVED),
        *_moves([_S.PENDING_REVIEW, _S.FAILED], _A.APPROVE, _S.APPROVED),
        *_moves(
            [_S.PENDING_REVIEW, _S.APPROVED, _S.FAILED, _S.NEEDS_ATTENTION],
            _A.REJECT,
            _S.REJECTED,
        ),
        *_moves([_S.PENDING_REVIEW, _S.APPROVED, _S.FAILED], _A.EDIT, _S.PENDING_REVIEW),
        *_moves([_S.PENDING_REVIEW, _S.APPROVED, _S.FAILED], _A.RERENDER, _S.PENDING_REVIEW),
        *_moves([_S.APPROVED], _A.CLAIM, _S.PUBLISHING),
        *_moves([_S.PUBLISHING], _A.PUBLISH, _S.PUBLISHED),
        *_moves([_S.PUBLISHING], _A.UNKNOWN, _S.PUBLISHING),
        *_moves([_S.PUBLISHING], _A.RETRY, _S.APPROVED),
        *_moves([_S.PUBLISHING], _A.PAUSE, _S.APPROVED),
        *_moves([_S.PUBLISHING], _A.FAIL, _S.FAILED),
        *_moves([_S.PUBLISHING], _A.REFUSE, _S.FAILED),
        *_moves([_S.PUBLISHING], _A.RECONCILE, _S.PUBLISHED, _S.NEEDS_ATTENTION),
        *_moves([_S.PUBLISHING], _A.SEARCH_FAILED, _S.PUBLISHING),
        *_moves(_NOT_PUBLISHED, _A.LATE_SUCCESS, _S.PUBLISHED),
        *_moves([_S.PUBLISHED], _A.DUPLICATE, _S.PUBLISHED),
    ]
)
_ALLOWED = frozenset(POST_MOVES)


def allowed(move: Move) -> bool:
    return move in _ALLOWED


def sources(action: PostAction) -> frozenset[PostStatus]:
    """Every status a post may be in for `action` to move it."""
    return frozenset(move.source for move in POST_MOVES if move.action == action and move.source)


def targets(source: PostStatus | None) -> frozenset[PostStatus]:
    """Every status a post in `source` may move to (None: the status of a new post)."""
    return frozenset(move.target for move in POST_MOVES if move.source == source)


def check_move(source: str | None, action: str, target: str) -> Move:
    """The move as typed values (from the strings a row holds); IllegalTransition unless the
    table allows it."""
    try:
        move = Move(
            None if source is None else PostStatus(source), PostAction(action), PostStatus(target)
        )
    except ValueError:
        raise IllegalTransition(
            f"unknown post state or action: {source} -{action}-> {target}"
        ) from None
    if not allowed(move):
        raise IllegalTransition(f"a post may not move {source} -{action}-> {target}")
    return move


class Role(StrEnum):
    """What a person signed in to the admin page may do (app_user.role)."""

    EDITOR = "editor"
    APPROVER = "approver"
    ADMIN = "admin"


class Permission(StrEnum):
    """An action a role may be allowed (checked by every front end before calling a service)."""

    VIEW = "view"  # read the queue, posts, feeds, channels and alerts
    EDIT = "edit"
    APPROVE = "approve"
    REJECT = "reject"
    MANAGE_USERS = "manage_users"
    RESUME_CHANNELS = "resume_channels"
    MANAGE_FEEDS = "manage_feeds"  # add and remove portals on the admin page


class AdminAction(StrEnum):
    """What an admin event records (admin_event.action): an action not about a post."""

    FIRST_ADMIN = "first_admin"  # the one-time setup link made the first admin
    USER_ADD = "user_add"
    USER_ROLE = "user_role"
    USER_DISABLE = "user_disable"
    USER_PASSWORD = "user_password"  # noqa: S105 (set by an admin or by the user; no secret)
    API_TOKEN_CREATE = "api_token_create"  # noqa: S105 (an action's name, not a secret)
    API_TOKEN_REVOKE = "api_token_revoke"  # noqa: S105 (an action's name, not a secret)
    CHANNEL_RESUME = "channel_resume"
    FEED_ADD = "feed_add"  # a portal added on the admin page (stored_feed)
    FEED_REMOVE = "feed_remove"


_P = Permission

# The one table of permissions: editors edit; approvers also approve and reject; admins also
# manage users and resume channels.
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.EDITOR: frozenset({_P.VIEW, _P.EDIT}),
    Role.APPROVER: frozenset({_P.VIEW, _P.EDIT, _P.APPROVE, _P.REJECT}),
    Role.ADMIN: frozenset(Permission),
}


def can(role: Role | str, action: Permission | str) -> bool:
    """Whether `role` may do `action`. An unknown role may do nothing; an unknown action is a
    mistake in the calling code (ValueError), not a silent refusal."""
    try:
        known_role = Role(role)
    except ValueError:
        return False
    return Permission(action) in ROLE_PERMISSIONS[known_role]
