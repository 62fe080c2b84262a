"""The state a command gets: the settings path, and the App built on first use."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from syndicator.app import App

# The imports are inside the methods: `syndicator COMMAND --help` builds a Context too, and must
# not load the settings, the database stack or the app for it.


class Context:
    """Carries --config to subcommands and builds the App on first use."""

    def __init__(self, config: str | None) -> None:
        self._config_option = config
        self._app: App | None = None

    @property
    def config(self) -> Path:
        from syndicator.config import config_path

        return config_path(self._config_option)

    def app(self, quiet: bool = False) -> App:
        if self._app is None:
            from syndicator.app import build_app
            from syndicator.ops.logs import configure_logging

            self._app = build_app(self.config)
            settings = self._app.settings.logging
            configure_logging(
                settings.model_copy(update={"level": "warning"}) if quiet else settings
            )
            end_start()
        return self._app

    def database_label(self) -> str:
        """The database URL as it may be shown (password hidden), once the settings are read."""
        from storage.engine import masked

        return masked(self._app.settings.database_url()) if self._app else "the database"

    def hide_database_password(self, text: str) -> str:
        """`text` with the database password, should a driver's message quote it, hidden."""
        from sqlalchemy.engine import make_url

        password = make_url(self._app.settings.database_url()).password if self._app else None
        return text.replace(password, "***") if password else text

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


def end_start() -> None:
    """The command's libraries and settings are loaded: what the start made lives as long as the
    process, so the collector leaves it out of every later pass and of the passes at exit
    (gc.freeze), and runs again for the command's own work. Only where the console entry turned
    it off for the start (syndicator.cli.main): a test run or another host keeps its own."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
