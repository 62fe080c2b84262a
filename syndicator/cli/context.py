"""The state a command gets: the settings path, and the App built on first use."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from storage.engine import masked
from syndicator.app import App, build_app
from syndicator.config import config_path
from syndicator.ops.logs import configure_logging


class Context:
    """Carries --config to subcommands and builds the App on first use."""

    def __init__(self, config: str | None) -> None:
        self.config: Path = config_path(config)
        self._app: App | None = None

    def app(self, quiet: bool = False) -> App:
        if self._app is None:
            self._app = build_app(self.config)
            settings = self._app.settings.logging
            configure_logging(
                settings.model_copy(update={"level": "warning"}) if quiet else settings
            )
        return self._app

    def database_label(self) -> str:
        """The database URL as it may be shown (password hidden), once the settings are read."""
        return masked(self._app.settings.database_url()) if self._app else "the database"

    def hide_database_password(self, text: str) -> str:
        """`text` with the database password, should a driver's message quote it, hidden."""
        password = make_url(self._app.settings.database_url()).password if self._app else None
        return text.replace(password, "***") if password else text

    def close(self) -> None:
        if self._app is not None:
            self._app.close()
