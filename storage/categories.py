"""Each item source's stored category (issue #12): what the daemon's "classify" job reads and
writes, so that a report reads categories instead of classifying every item of its period.

A row's `category_rules` is the digest of the rules that classified it (None: not yet). A row
whose digest is not the current rules' is classified again by the job, and by a report that
meets it before the job does. The job takes the newest rows first: those a report of the last
weeks reads.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, case, func, or_, select, update
from sqlmodel import Session, col

from storage.models import Item, ItemSource

# (source id, folded title or None, title when it has no folded form, link)
Unclassified = tuple[int, str | None, str | None, str | None]


def unclassified(session: Session, digest: str, limit: int) -> list[Unclassified]:
    """Up to `limit` sources not classified under the rules of `digest`, newest first: those
    never classified, then those classified under other rules (each found through the index
    on (category_rules, id), not by reading the table)."""
    rules = col(ItemSource.category_rules)
    found = _texts(session, rules.is_(None), limit)
    if len(found) < limit:  # "<>" reads the whole index on both databases; "<" or ">" do not
        found += _texts(session, or_(rules < digest, rules > digest), limit - len(found))
    return found


def _texts(session: Session, where: object, limit: int) -> list[Unclassified]:
    searched = col(Item.search_text)
    query = (
        select(
            col(ItemSource.id),
            searched,
            case((searched.is_(None), col(Item.title))),
            func.coalesce(col(ItemSource.link), col(Item.link)),
        )
        .join(Item, col(Item.id) == col(ItemSource.item_id))
        .where(where)  # type: ignore[arg-type]
        .order_by(col(ItemSource.id).desc())
        .limit(limit)
    )
    return [(row[0], row[1], row[2], row[3]) for row in session.connection().execute(query)]


def store(session: Session, digest: str, categories: Sequence[tuple[int, str]]) -> None:
    """Record (source id, category) pairs as classified under the rules of `digest`."""
    if not categories:
        return
    table = ItemSource.__table__  # type: ignore[attr-defined]
    # Core, not the ORM: a list of parameters makes one executemany of this statement.
    query = (
        update(table)
        .where(table.c.id == bindparam("source_id"))
        .values(category=bindparam("found"), category_rules=digest)
    )
    rows = [{"source_id": source_id, "found": found} for source_id, found in categories]
    session.connection().execute(query, rows)


def count_unclassified(session: Session, digest: str) -> int:
    """How many sources are not classified under the rules of `digest` (for logs and tests)."""
    rules = col(ItemSource.category_rules)
    query = select(func.count()).where(or_(rules.is_(None), rules < digest, rules > digest))
    return int(session.connection().execute(query.select_from(ItemSource)).scalar_one())
