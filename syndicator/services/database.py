"""Database maintenance from a front end."""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage import migrate

if TYPE_CHECKING:
    from syndicator.app import App


def upgrade(app: App) -> tuple[str | None, str]:
    """Apply pending schema migrations: (the version before, or None when empty; after)."""
    return migrate.upgrade(app.engine)
