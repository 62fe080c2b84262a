"""Which of a post's review reasons still hold, and what makes a post "flagged", written once
for a post in hand (`standing_flags`, `flags_to_check`) and once as SQL for the queue's filter
(`flagged_clause`), side by side so they stay one rule (tests/services/test_queue_flagged.py
checks that they agree on both databases).

The rule: only a post waiting for review waits for a reason; a template error stops holding
once an editor wrote the text. A post is flagged when a reason besides its feed's
`review = "required"` still holds: something for the reviewer to check.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_
from sqlmodel import col

from storage.models import Post
from storage.states import PostStatus

FEED_RULE = "review_required"  # the feed always waits: no reason to check in itself
CLEARED_BY_EDIT = "template_error"  # "template_error:<file, line>": the editor's text answers it


def standing_flags(post: Post) -> list[str]:
    """The post's review reasons that still hold, in their stored order."""
    if post.status != PostStatus.PENDING_REVIEW:
        return []
    edited = post.edited_text is not None
    return [flag for flag in post.flags if not (edited and flag.startswith(CLEARED_BY_EDIT))]


def flags_to_check(post: Post) -> list[str]:
    """The standing reasons besides the feed's rule: the post is flagged when there is one."""
    return [flag for flag in standing_flags(post) if flag != FEED_RULE]


def flagged_clause(dialect: str) -> ColumnElement[bool]:
    """SQL for "flags_to_check(post) is not empty", on the database named by `dialect`."""
    flag = _flag_rows(dialect).c.value
    holds = or_(
        col(Post.edited_text).is_(None),
        not_(flag.startswith(CLEARED_BY_EDIT, autoescape=True)),
    )
    return and_(
        col(Post.status) == PostStatus.PENDING_REVIEW,
        exists().where(flag != FEED_RULE, holds),
    )


def _flag_rows(dialect: str) -> Any:
    """post.flags (a JSON list of strings) as rows of one column, `value`, correlated to the
    post of the outer query: each database spells it its own way."""
    if dialect == "postgresql":
        return func.json_array_elements_text(col(Post.flags)).table_valued("value")
    return func.json_each(col(Post.flags)).table_valued("value")
