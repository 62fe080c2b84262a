"""The `before` of keyset pages (the last id of the page before): a positive id that an
INTEGER column can hold, so a hand-edited link gets a 422, never a database error."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

MAX_ID = 2**31 - 1  # PostgreSQL INTEGER, the ids' type
Before = Annotated[int | None, Query(ge=1, le=MAX_ID)]
