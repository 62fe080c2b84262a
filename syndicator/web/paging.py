"""The `before` of keyset pages (the last id of the page before): a positive id that an
INTEGER column can hold, so a hand-edited link gets a 422, never a database error."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, the ids' type
Before = Annotated[int | None, Query(ge=1, le=MAX_ID)]


def page_link(path: str, chosen: dict[str, str], before: int | None) -> str:
    """`path` with the filters chosen (the empty ones left out) and, for a page after the
    first, `before`: the link to another page of the same list."""
    query = {key: value for key, value in chosen.items() if value}
    if before is not None:
        query["before"] = str(before)
    return path + (f"?{urlencode(query)}" if query else "")
