"""The states as types: the values are the database's strings, the one table of post moves
matches DESIGN.md's "States of a post", and storage refuses a move the table does not allow
before it touches the database, on both databases."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage import posts as post_store
from storage import publishing as publishing_store
from storage.session import reading, writing
from storage.states import (
    POST_MOVES,
    FetchStatus,
    IllegalTransition,
    Move,
    PostAction,
    PostStatus,
    PublishStatus,
    check_move,
    sources,
    targets,
)
from tests.helpers.posts import feed, make_posts

ROOT = Path(__file__).resolve().parents[2]
S, A = PostStatus, PostAction

# DESIGN.md, "States of a post", edge by edge (the reconcile branch lands in three states):
#   pending_review ─approve▶ approved ─claim▶ publishing ─ok▶ published; pending_review
#   ─reject▶ rejected; publishing ─retryable error▶ approved; ─permanent error▶ failed;
#   crash / timeout ▶ reconcile: found → published, not found → approved, cannot tell →
#   needs_attention.
DIAGRAM = {
    (S.PENDING_REVIEW, S.APPROVED),
    (S.PENDING_REVIEW, S.REJECTED),
    (S.APPROVED, S.PUBLISHING),
    (S.PUBLISHING, S.PUBLISHED),
    (S.PUBLISHING, S.APPROVED),
    (S.PUBLISHING, S.FAILED),
    (S.PUBLISHING, S.NEEDS_ATTENTION),
}
# What the product does beyond the diagram, each for a reason written in storage/states.py.
BEYOND_THE_DIAGRAM = {
    (S.FAILED, S.APPROVED),  # a refused post, fixed and approved again
    (S.APPROVED, S.REJECTED),
    (S.FAILED, S.REJECTED),
    (S.NEEDS_ATTENTION, S.REJECTED),
    (S.APPROVED, S.PENDING_REVIEW),  # edited or rendered again: back to review
    (S.FAILED, S.PENDING_REVIEW),
    (S.PENDING_REVIEW, S.PENDING_REVIEW),
    (S.PUBLISHING, S.PUBLISHING),  # unknown outcome, failed search: wait for reconcile
    (S.PUBLISHED, S.PUBLISHED),  # a duplicate recorded
    # a late success: the post is on the platform, whatever state it reached meanwhile
    (S.PENDING_REVIEW, S.PUBLISHED),
    (S.APPROVED, S.PUBLISHED),
    (S.REJECTED, S.PUBLISHED),
    (S.FAILED, S.PUBLISHED),
    (S.NEEDS_ATTENTION, S.PUBLISHED),
}


def test_values_are_the_strings_in_the_database() -> None:
    """The enums' values are exactly the strings rows and `--json` output already hold."""
    assert [str(status) for status in PostStatus] == [
        "pending_review",
        "approved",
        "publishing",
        "published",
        "rejected",
        "failed",
        "needs_attention",
    ]
    assert {str(action) for action in PostAction} == {
        "create",
        "repost",
        "approve",
        "reject",
        "edit",
        "rerender",
        "claim",
        "publish",
        "unknown",
        "retry",
        "pause",
        "fail",
        "refuse",
        "reconcile",
        "search_failed",
        "late_success",
        "duplicate",
    }
    assert {str(status) for status in PublishStatus} == {
        "published",
        "retry",
        "failed",
        "paused",
        "needs_attention",
        "unknown",
        "skipped",
        "superseded",
        "duplicate",
    }
    assert [str(status) for status in FetchStatus] == ["ok", "not_modified", "unchanged", "error"]
    assert PostStatus.APPROVED == "approved" and f"{PostStatus.APPROVED}" == "approved"


def test_table_is_the_diagram_plus_what_it_leaves_out() -> None:
    """Every edge of DESIGN.md's diagram is allowed, and every other allowed edge is one of the
    product's known extras: nothing else."""
    edges = {(move.source, move.target) for move in POST_MOVES if move.source is not None}
    assert edges >= DIAGRAM
    assert edges - DIAGRAM == BEYOND_THE_DIAGRAM
    assert targets(None) == {S.PENDING_REVIEW, S.APPROVED}  # how a post is born
    assert targets(S.REJECTED) == {S.PUBLISHED}  # only a late success leaves rejected


def test_reconcile_writes_found_not_found_and_cannot_tell() -> None:
    """The three ends of reconcile in the diagram, by the actions the audit trail records."""
    assert check_move(S.PUBLISHING, A.RECONCILE, S.PUBLISHED)  # found
    assert check_move(S.PUBLISHING, A.RETRY, S.APPROVED)  # not found
    assert check_move(S.PUBLISHING, A.RECONCILE, S.NEEDS_ATTENTION)  # cannot tell
    assert check_move(S.PUBLISHING, A.SEARCH_FAILED, S.PUBLISHING)  # cannot tell yet


def test_review_actions_start_from_the_table() -> None:
    """What a reviewer may do from each state is read from the same table."""
    assert sources(A.APPROVE) == {S.PENDING_REVIEW, S.FAILED}
    assert sources(A.REJECT) == {S.PENDING_REVIEW, S.APPROVED, S.FAILED, S.NEEDS_ATTENTION}
    assert sources(A.EDIT) == sources(A.RERENDER) == {S.PENDING_REVIEW, S.APPROVED, S.FAILED}
    assert sources(A.CLAIM) == {S.APPROVED}


@pytest.mark.parametrize(
    ("source", "action", "target"),
    [
        ("rejected", "approve", "approved"),  # a rejected post stays rejected
        ("published", "retry", "approved"),
        ("approved", "publish", "published"),  # never published without a claim
        ("pending_review", "claim", "publishing"),  # never claimed before approval
        ("publishing", "approve", "approved"),
        ("approved", "claim", "published"),  # the action's target is not this
        ("approved", "teleport", "published"),  # no such action
        ("approved", "claim", "archived"),  # no such status
    ],
)
def test_check_move_refuses_what_the_table_does_not_allow(
    source: str, action: str, target: str
) -> None:
    with pytest.raises(IllegalTransition):
        check_move(source, action, target)


def written_statuses() -> set[str]:
    """Every status literal the product writes: `PostStatus.X` members named in the code."""
    names: set[str] = set()
    for path in [
        *ROOT.joinpath("syndicator").rglob("*.py"),
        *ROOT.joinpath("storage").rglob("*.py"),
    ]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "PostStatus"
            ):
                names.add(node.attr)
    return names


def test_every_status_the_code_names_is_in_the_enum() -> None:
    """No code path names a status the enum (and so the database contract) does not have, and
    no bare status string is written as a post's `status`."""
    assert written_statuses() <= set(PostStatus.__members__)
    bare = [str(status) for status in PostStatus]
    for path in ROOT.joinpath("syndicator").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for value in bare:
            assert f'"status": "{value}"' not in text, path


def test_storage_refuses_an_illegal_move_before_touching_the_database(engine: Engine) -> None:
    """A move out of the table raises and leaves the row as it was, on both databases: through
    compare-and-set, a status change without its move, and the publisher's settle."""
    (post_id,) = make_posts(engine, feed(review="required"))
    with reading(engine) as session:
        before = post_store.get(session, post_id)
        assert before is not None and before.status == S.PENDING_REVIEW
    illegal = Move(S.PENDING_REVIEW, A.PUBLISH, S.PUBLISHED)
    with writing(engine) as session, pytest.raises(IllegalTransition):
        post_store.compare_and_set(session, post_id, before.version, {}, illegal)
    with writing(engine) as session, pytest.raises(IllegalTransition):
        post_store.compare_and_set(session, post_id, before.version, {"status": "published"})
    mismatched = Move(S.PENDING_REVIEW, A.APPROVE, S.APPROVED)
    with writing(engine) as session, pytest.raises(IllegalTransition):
        post_store.compare_and_set(
            session, post_id, before.version, {"status": "rejected"}, mismatched
        )
    with writing(engine) as session, pytest.raises(IllegalTransition):
        publishing_store.settle(
            session, post_id, "w", before.version, Move(S.PUBLISHING, A.APPROVE, S.APPROVED), {}
        )
    with reading(engine) as session:
        after = post_store.get(session, post_id)
        assert after is not None
        assert (after.status, after.version) == (S.PENDING_REVIEW, before.version)


def test_storage_applies_an_allowed_move_only_from_its_source(engine: Engine) -> None:
    """An allowed move applies once; the same move against a post already moved on changes
    nothing (the source status is part of the compare-and-set)."""
    (post_id,) = make_posts(engine, feed(review="required"))
    approve = check_move(S.PENDING_REVIEW, A.APPROVE, S.APPROVED)
    with writing(engine) as session:
        post = post_store.get(session, post_id)
        assert post is not None
        version = post.version
        assert post_store.compare_and_set(session, post_id, version, {}, approve)
    with writing(engine) as session:  # the right version, the wrong source status
        assert not post_store.compare_and_set(session, post_id, version + 1, {}, approve)
    with reading(engine) as session:
        post = post_store.get(session, post_id)
        assert post is not None and (post.status, post.version) == (S.APPROVED, version + 1)


def test_a_new_post_has_a_known_status(engine: Engine) -> None:
    """A row with a status the product does not know is refused before it is inserted."""
    with writing(engine) as session, pytest.raises(ValueError, match="archived"):
        post_store.insert_post(session, {"status": "archived", "created_at": datetime.now(UTC)})


def test_a_new_posts_move_has_no_source() -> None:
    """A post being created comes from nowhere: None is a source, not an unknown state."""
    assert check_move(None, "create", "approved") == Move(None, A.CREATE, S.APPROVED)
    assert check_move(None, "repost", "pending_review") == Move(None, A.REPOST, S.PENDING_REVIEW)


def test_a_refused_move_is_named_in_its_message() -> None:
    """The error says which move was refused, and whether a word of it is unknown."""
    with pytest.raises(IllegalTransition) as refused:
        check_move("rejected", "approve", "approved")
    assert str(refused.value) == "a post may not move rejected -approve-> approved"
    with pytest.raises(IllegalTransition) as unknown:
        check_move("approved", "teleport", "published")
    assert str(unknown.value) == "unknown post state or action: approved -teleport-> published"
